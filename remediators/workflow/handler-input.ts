/**
 * The shapes each Task receives: the per-stage work item with the results its Task needs
 * made mandatory, so a handler fails with a clear message when the state machine skipped a step.
 */
import * as z from 'zod';
import type { StagePlan } from '../core/plan.js';
import {
  ApplyResultSchema,
  ControlChangeSchema,
  DecisionSchema,
  LockSchema,
  PlanSummarySchema,
  StageWorkItemSchema,
} from './state.js';

/** The apply phases' plan (remediators/core/plan.ts StagePlan): checked on the fields the workflow relies on. */
export const StagePlanSchema = z.looseObject({
  ref: z.looseObject({ apiId: z.string(), stageName: z.string() }),
  changes: z.array(z.looseObject({ controlId: z.string(), change: z.looseObject({ setting: z.string() }) })),
  prerequisites: z.array(z.looseObject({ kind: z.string() })),
  redeploy: z.boolean(),
  restStagePatchOperations: z.array(z.looseObject({ op: z.string(), path: z.string(), value: z.string() })),
  associateWebAcl: z.boolean(),
});

export const DecidedItemSchema = StageWorkItemSchema.extend({ decision: DecisionSchema });
export const LockedItemSchema = DecidedItemSchema.extend({ lock: LockSchema });
export const PlannedItemSchema = LockedItemSchema.extend({
  plan: PlanSummarySchema.extend({ stagePlan: StagePlanSchema }),
});
export const AppliedItemSchema = PlannedItemSchema.extend({ applied: ApplyResultSchema });
export const AppliedChangesSchema = z.array(ControlChangeSchema);

/**
 * The plan the snapshot task produced with the core's planStage. Only the fields the workflow
 * relies on are checked (above); the rest is the core's own plain data, passed back to it as is.
 */
export function stagePlanOf(item: z.infer<typeof PlannedItemSchema>): StagePlan {
  return item.plan.stagePlan as unknown as StagePlan;
}
