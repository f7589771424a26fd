/**
 * Release-lock task: the last step of every path. Paths that ended before the lock was taken
 * (skipped by configuration, stage gone, decide failed) have nothing to release. A run that
 * remediated first leaves the stage's "recently remediated" marker (workflow/recent-remediation.ts),
 * so a run waiting for this lock on the same finding's twin records it as fixed by this one.
 */
import { logger } from '../shared/powertools.js';
import { markRecentRemediation, releaseStageLock } from '../workflow/lock.js';
import { recentRemediationOf } from '../workflow/recent-remediation.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
import { createLocksDeps, type LocksDeps } from '../workflow/deps/locks.js';
import { parseTaskInput, StageWorkItemSchema } from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';

export function createReleaseLockHandler(deps: LocksDeps & Pick<ClockDeps, 'now'>) {
  return async (
    event: unknown,
  ): Promise<{ readonly released: boolean; readonly markedRemediated?: string }> => {
    const item = parseTaskInput('release-lock', StageWorkItemSchema, event);
    if (item.lock === undefined) return { released: false };
    const marker = recentRemediationOf(item, deps.now());
    if (marker !== undefined) {
      await markRecentRemediation(deps.dynamo(), item.locksTable, item.stage, marker);
    }
    const released = await releaseStageLock(deps.dynamo(), item.locksTable, item.lock);
    if (!released) logger.warn('stage lock was no longer ours to release', { lock: item.lock });
    return { released, ...(marker === undefined ? {} : { markedRemediated: marker.remediationId }) };
  };
}

export const handler = lambdaHandler(
  createReleaseLockHandler({ ...createLocksDeps(), ...createClockDeps() }),
);
