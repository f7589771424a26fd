/**
 * Release-lock step: the last step of every path (Finish's, the undo's ReleaseUndoLock, and the
 * ReleaseLock state a failed Finish falls back to). Paths that ended before the lock was taken
 * (skipped by configuration, stage gone) and runs that joined another have nothing to release; a
 * run whose Prepare failed or timed out releases the lock it may have taken, by its derived owner
 * (workflow/coarse.ts lockToRelease). A run that
 * remediated first leaves the stage's "recently remediated" marker (workflow/recent-remediation.ts),
 * so a run waiting for this lock on the same finding's twin records it as fixed by this one.
 * When requests are queued on the lock (docs/decisions/0037) it is not released: the queue becomes
 * the holder's next round and PendingRequests takes the run back to Prepare.
 */
import { logger } from '../shared/powertools.js';
import { markRecentRemediation, unlockOrOpenRound } from '../workflow/lock.js';
import { recentRemediationOf } from '../workflow/recent-remediation.js';
import { lockToRelease, PendingRequestsError } from '../workflow/coarse.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
import { createLocksDeps, type LocksDeps } from '../workflow/deps/locks.js';
import { parseTaskInput, StageWorkItemSchema } from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';

export function createReleaseLockHandler(deps: LocksDeps & Pick<ClockDeps, 'now'>) {
  return async (
    event: unknown,
  ): Promise<{ readonly released: boolean; readonly markedRemediated?: string }> => {
    const item = parseTaskInput('release-lock', StageWorkItemSchema, event);
    const lock = lockToRelease(item);
    if (lock === undefined) return { released: false };
    const marker = recentRemediationOf(item, deps.now());
    if (marker !== undefined) {
      await markRecentRemediation(deps.dynamo(), item.locksTable, item.stage, marker);
    }
    const unlock = await unlockOrOpenRound(deps.dynamo(), item.locksTable, lock, item.round ?? 1);
    if (unlock.kind === 'next-round') {
      throw new PendingRequestsError(
        `requests are queued on ${lock.key}: round ${unlock.round} runs for them`,
      );
    }
    const released = unlock.kind === 'released';
    if (!released) logger.warn('stage lock was no longer ours to release', { lock });
    return { released, ...(marker === undefined ? {} : { markedRemediated: marker.remediationId }) };
  };
}

export const handler = lambdaHandler(
  createReleaseLockHandler({ ...createLocksDeps(), ...createClockDeps() }),
);
