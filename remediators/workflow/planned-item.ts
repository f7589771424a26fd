/**
 * The work item of the tasks after planning: it carries the stage plan the snapshot (or recheck)
 * task made, checked with the core's own schema (core/stage-plan.ts). Kept apart from
 * handler-input.ts so the tasks before planning do not bundle the plan's schema.
 */
import type * as z from 'zod';
import { StagePlanSchema, type StagePlan } from '../core/stage-plan.js';
import { LockedItemSchema } from './handler-input.js';
import { ApplyResultSchema, FoundPlanSummarySchema } from './state.js';

export const PlannedItemSchema = LockedItemSchema.extend({
  plan: FoundPlanSummarySchema.extend({ stagePlan: StagePlanSchema }),
});
export const AppliedItemSchema = PlannedItemSchema.extend({ applied: ApplyResultSchema });

/**
 * The plan as {@link PlannedItemSchema} checked it: a whole plan, or the task failed with a clear
 * InvalidTaskInput error naming what does not fit (never half a plan applied).
 */
export function stagePlanOf(item: z.infer<typeof PlannedItemSchema>): StagePlan {
  return item.plan.stagePlan;
}
