/**
 * Deploy-slot task: claims the account's deployment slot, or says how long to wait for it
 * (the state machine's Wait state loops back here).
 */
import { claimDeploySlot, type SlotClaim } from '../workflow/deploy-slot.js';
import { LockedItemSchema } from '../workflow/handler-input.js';
import { createWorkflowDeps, type WorkflowDeps } from '../workflow/runtime.js';
import { parseTaskInput } from '../workflow/state.js';

export function createDeploySlotHandler(deps: WorkflowDeps) {
  return async (event: unknown): Promise<SlotClaim> => {
    const item = parseTaskInput('deploy-slot', LockedItemSchema, event);
    return claimDeploySlot(deps.dynamo(), item.locksTable, item.stage, item.lock.owner, deps.now().getTime());
  };
}

export const handler = createDeploySlotHandler(createWorkflowDeps());
