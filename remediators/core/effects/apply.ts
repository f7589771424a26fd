/** Applies a plan's merged effects, one after the other (each finds before it creates). */
import type { ActionTaken } from '../actions.js';
import { applyAccessLogGroup } from './apply-access-log-group.js';
import { applyAccountCloudWatchRole } from './apply-account-cloudwatch-role.js';
import { applyWebAcl } from './apply-web-acl.js';
import type { EffectContext, EffectResult } from './context.js';
import type { Effect } from './index.js';

function applyOne(effect: Effect, context: EffectContext): Promise<EffectResult> {
  switch (effect.kind) {
    case 'accessLogGroup':
      return applyAccessLogGroup(effect, context);
    case 'accountCloudWatchRole':
      return applyAccountCloudWatchRole(effect, context);
    case 'webAcl':
      return applyWebAcl(effect, context);
  }
}

export interface EffectsResult {
  readonly actions: readonly ActionTaken[];
  /** The web ACL found or created, when the effects include one. */
  readonly webAclArn?: string;
}

export async function applyEffects(
  effects: readonly Effect[],
  context: EffectContext,
): Promise<EffectsResult> {
  const actions: ActionTaken[] = [];
  let webAclArn: string | undefined;
  for (const effect of effects) {
    const result = await applyOne(effect, context);
    actions.push(...result.actions);
    if (effect.kind === 'webAcl') webAclArn = result.arn;
  }
  return { actions, ...(webAclArn === undefined ? {} : { webAclArn }) };
}
