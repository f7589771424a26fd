/**
 * Step 1 of applying a plan: its prerequisites, effects as data (core/effects/), each resource
 * created once and only when absent, in a fixed order (log group, account setting, web ACL).
 */
import { createCoreCache, type CoreCache } from './cache.js';
import type { CoreClients } from './clients.js';
import { applyEffects, type EffectsResult } from './effects/apply.js';
import type { StagePlan } from './plan.js';

export type PrerequisitesResult = EffectsResult;

export async function ensurePrerequisites(
  plan: Pick<StagePlan, 'ref' | 'prerequisites'>,
  clients: CoreClients,
  cache: CoreCache = createCoreCache(),
): Promise<PrerequisitesResult> {
  return applyEffects(plan.prerequisites, { ref: plan.ref, clients, cache });
}
