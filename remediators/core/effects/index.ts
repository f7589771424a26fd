/**
 * The effects a plan may depend on (pure): how a stage's effects are merged, each resource once,
 * in the order they are applied (log group, account setting, web ACL). Applying them is
 * core/effects/apply.ts, so what imports this module bundles no SDK client.
 */
import { accessLogGroup, type AccessLogGroupEffect } from './access-log-group.js';
import { accountCloudWatchRole, type AccountCloudWatchRoleEffect } from './account-cloudwatch-role.js';
import { EffectConflictError } from './effect.js';
import { webAcl, type WebAclEffect } from './web-acl.js';

export type Effect = AccessLogGroupEffect | AccountCloudWatchRoleEffect | WebAclEffect;
export type EffectKind = Effect['kind'];

/** Every effect kind, in the order they are applied: the stage update needs the log group, the role and the web ACL. */
export const EFFECT_KINDS = [
  'accessLogGroup',
  'accountCloudWatchRole',
  'webAcl',
] as const satisfies readonly EffectKind[];

/** The resource an effect is: two effects with one key are one resource. */
function keyOf(effect: Effect): string {
  switch (effect.kind) {
    case 'accessLogGroup':
      return `${effect.kind}:${accessLogGroup.key(effect)}`;
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, any constant key does: the account has one such setting, and no other kind's key can equal it
    case 'accountCloudWatchRole':
      // Stryker disable next-line StringLiteral: equivalent, as above
      return `${effect.kind}:${accountCloudWatchRole.key(effect)}`;
    case 'webAcl':
      return `${effect.kind}:${webAcl.key(effect)}`;
  }
}

/** Two effects of one key (so of one kind), merged by their kind's module. */
function mergePair(first: Effect, second: Effect): Effect {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, effects of one key are of one kind (keyOf starts with it), so either half decides alone, and every module merges with sameEffect; skipping the branch (false) is pinned by effect-merge.test.ts
  if (first.kind === 'accessLogGroup' && second.kind === 'accessLogGroup')
    return accessLogGroup.merge(first, second);
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, as above
  if (first.kind === 'accountCloudWatchRole' && second.kind === 'accountCloudWatchRole')
    return accountCloudWatchRole.merge(first, second);
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, as above
  if (first.kind === 'webAcl' && second.kind === 'webAcl') return webAcl.merge(first, second);
  // Stryker disable next-line CallExpression: equivalent, unreachable: keyOf starts with the kind, so two effects of one key are of one kind
  throw new EffectConflictError(
    // Stryker disable next-line StringLiteral: equivalent, unreachable, as above
    `effects of kinds ${first.kind} and ${second.kind} share the key ${keyOf(first)}`,
  );
}

/** Each resource once (merged by its module), in application order. */
export function mergeEffects(effects: readonly Effect[]): Effect[] {
  const byKey = new Map<string, Effect>();
  for (const effect of effects) {
    const key = keyOf(effect);
    const existing = byKey.get(key);
    byKey.set(key, existing === undefined ? effect : mergePair(existing, effect));
  }
  return [...byKey.values()].sort(
    (left, right) => EFFECT_KINDS.indexOf(left.kind) - EFFECT_KINDS.indexOf(right.kind),
  );
}

export type { AccessLogGroupEffect, AccountCloudWatchRoleEffect, WebAclEffect };
export type { WebAclRule } from './web-acl.js';
