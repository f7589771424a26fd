/**
 * Deploy-slot task: claims the account's deployment slot, or says how long to wait for it
 * (the state machine's Wait state loops back here).
 */
import { claimDeploySlot, type SlotClaim } from '../workflow/deploy-slot.js';
import { LockedItemSchema } from '../workflow/handler-input.js';
import { type LocksDeps } from '../workflow/deps/locks.js';
import { type ClockDeps } from '../workflow/deps/clock.js';
import { parseTaskInput } from '../workflow/state.js';

export function createDeploySlotHandler(deps: LocksDeps & Pick<ClockDeps, 'now'>) {
  return async (event: unknown): Promise<SlotClaim> => {
    const item = parseTaskInput('deploy-slot', LockedItemSchema, event);
    return claimDeploySlot(deps.dynamo(), item.locksTable, item.stage, item.lock.owner, deps.now().getTime());
  };
}
