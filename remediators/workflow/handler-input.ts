/**
 * The shapes each Task receives: the per-stage work item with the results its Task needs
 * made mandatory, so a handler fails with a clear message when the state machine skipped a step.
 * The items that carry a stage plan are in planned-item.ts: only the tasks that apply a plan
 * bundle its schema.
 */
import * as z from 'zod';
import { ControlChangeSchema, DecisionSchema, LockSchema, StageWorkItemSchema } from './state.js';

export const DecidedItemSchema = StageWorkItemSchema.extend({ decision: DecisionSchema });
export const LockedItemSchema = DecidedItemSchema.extend({ lock: LockSchema });
export const AppliedChangesSchema = z.array(ControlChangeSchema);
