/**
 * The effects a plan may depend on (pure): how a stage's effects are merged, each resource once,
 * in the order they are applied (log group, account setting, web ACL). Applying them is
 * core/effects/apply.ts, so what imports this module bundles no SDK client.
 */
import { accessLogGroup, type AccessLogGroupEffect } from './access-log-group.js';
import { accountCloudWatchRole, type AccountCloudWatchRoleEffect } from './account-cloudwatch-role.js';
import type { EffectModule } from './effect.js';
import { webAcl, type WebAclEffect } from './web-acl.js';

export type Effect = AccessLogGroupEffect | AccountCloudWatchRoleEffect | WebAclEffect;
export type EffectKind = Effect['kind'];

type ModuleOf<Kind extends EffectKind> = EffectModule<Extract<Effect, { kind: Kind }>, never>;

/** In the order they are applied: the stage update needs the log group, the role and the web ACL. */
export const EFFECT_MODULES: { readonly [Kind in EffectKind]: ModuleOf<Kind> } = {
  accessLogGroup,
  accountCloudWatchRole,
  webAcl,
};

/** Every effect kind, in application order. */
export const EFFECT_KINDS = Object.keys(EFFECT_MODULES) as EffectKind[];

function moduleOf<Kind extends EffectKind>(kind: Kind): ModuleOf<Kind> {
  return EFFECT_MODULES[kind];
}

/** Each resource once (merged by its module), in application order. */
export function mergeEffects(effects: readonly Effect[]): Effect[] {
  const byKey = new Map<string, Effect>();
  for (const effect of effects) {
    const module = moduleOf(effect.kind) as EffectModule<Effect, never>;
    const key = `${effect.kind}:${module.key(effect)}`;
    const existing = byKey.get(key);
    byKey.set(key, existing === undefined ? effect : module.merge(existing, effect));
  }
  return [...byKey.values()].sort(
    (left, right) => EFFECT_KINDS.indexOf(left.kind) - EFFECT_KINDS.indexOf(right.kind),
  );
}

export type { AccessLogGroupEffect, AccountCloudWatchRoleEffect, WebAclEffect };
export type { WebAclRule } from './web-acl.js';
