/**
 * Acquire-lock task: takes the stage lock or throws StageLocked (the state machine retries
 * with backoff and jitter). The owner is this execution's remediation of this stage.
 */
import { acquireStageLock, lockLease } from '../workflow/lock.js';
import { createLocksDeps, type LocksDeps } from '../workflow/deps/locks.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
import { DecidedItemSchema } from '../workflow/handler-input.js';
import { parseTaskInput, type Lock } from '../workflow/state.js';
import { tracedTask } from '../workflow/tracing.js';

export function createAcquireLockHandler(deps: LocksDeps & Pick<ClockDeps, 'now'>) {
  return async (event: unknown): Promise<Lock> => {
    const item = parseTaskInput('acquire-lock', DecidedItemSchema, event);
    const nowMs = deps.now().getTime();
    const owner = `${item.executionArn}/${item.decision.remediationId}`;
    const lease = lockLease(item.stage, owner, item.decision.approvalTimeoutSeconds, nowMs);
    return acquireStageLock(deps.dynamo(), item.locksTable, lease, nowMs);
  };
}

export const handler = tracedTask(
  'acquire-lock',
  createAcquireLockHandler({ ...createLocksDeps(), ...createClockDeps() }),
);
