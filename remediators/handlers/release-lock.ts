/**
 * Release-lock task: the last step of every path. Paths that ended before the lock was taken
 * (skipped by configuration, stage gone, decide failed) have nothing to release.
 */
import { logger } from '../shared/powertools.js';
import { releaseStageLock } from '../workflow/lock.js';
import { createLocksDeps, type LocksDeps } from '../workflow/deps/locks.js';
import { parseTaskInput, StageWorkItemSchema } from '../workflow/state.js';
import { tracedTask } from '../workflow/tracing.js';

export function createReleaseLockHandler(deps: LocksDeps) {
  return async (event: unknown): Promise<{ readonly released: boolean }> => {
    const item = parseTaskInput('release-lock', StageWorkItemSchema, event);
    if (item.lock === undefined) return { released: false };
    const released = await releaseStageLock(deps.dynamo(), item.locksTable, item.lock);
    if (!released) logger.warn('stage lock was no longer ours to release', { lock: item.lock });
    return { released };
  };
}

export const handler = tracedTask('release-lock', createReleaseLockHandler(createLocksDeps()));
