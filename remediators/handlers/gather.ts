/**
 * Gather step of Prepare (docs/decisions/0039): a first round of a burst takes the free stage lock
 * before it decides, and throws StageGathering while its execution's gathering window is open, so
 * the state machine's Retry runs Prepare again GATHER_SECONDS later. That attempt finds the lock
 * its own and takes what was queued on it meanwhile into this round: one request, the union of the
 * controls, the other findings coalesced, as Admit groups a batch's (workflow/admit.ts). It returns
 * the round's state, with the lock, for Prepare to decide, renew the lock and plan; null when
 * another run holds the stage (this run then joins, queues or waits as any other).
 */
import * as z from 'zod';
import { logger } from '../shared/powertools.js';
import { roundRequest } from '../workflow/admit.js';
import { remediationIdOf } from '../workflow/stage-identity.js';
import { STATE_VERSION, type RunStateRecord } from '../workflow/coarse-steps.js';
import type { ClockDeps } from '../workflow/deps/clock.js';
import type { LocksDeps } from '../workflow/deps/locks.js';
import { GATHER_SECONDS, StageGatheringError, waitsToGather } from '../workflow/gather.js';
import { absorbQueued, lockLease, takeLockToGather } from '../workflow/lock.js';
import { parseTaskInput, StageWorkItemSchema } from '../workflow/state.js';

const GatherInputSchema = StageWorkItemSchema.extend({
  /** When the execution started ($$.Execution.StartTime): the gathering window opens then. */
  startedAt: z.iso.datetime({ offset: true }).optional(),
});

export function createGatherHandler(deps: LocksDeps & Pick<ClockDeps, 'now'>) {
  return async (event: unknown): Promise<RunStateRecord | null> => {
    const input = parseTaskInput('gather', GatherInputSchema, event);
    const nowMs = deps.now().getTime();
    const remediationId = remediationIdOf(input.executionArn, input.stage, input.request);
    // The lease of a round without approval; the round renews it with its own once it has decided.
    const lock = lockLease(input.stage, `${input.executionArn}/${remediationId}`, 0, nowMs);
    const holder = { controls: input.request.controls, remediationId, executionArn: input.executionArn };
    const take = await takeLockToGather(deps.dynamo(), input.locksTable, lock, nowMs, holder);
    if (take === 'held-by-another') return null;
    if (waitsToGather(input, take === 'took-free-lock', nowMs)) {
      throw new StageGatheringError(
        `stage lock ${lock.key} taken; gathering the stage's other findings for ${GATHER_SECONDS} s before planning`,
      );
    }
    const absorbed = (await absorbQueued(deps.dynamo(), input.locksTable, lock)) ?? [];
    const round = roundRequest([input, ...absorbed], input.stage, {
      executionArn: input.executionArn,
      locksTable: input.locksTable,
    });
    if (round === undefined) return null;
    if (absorbed.length > 0) {
      logger.info('gather: requests queued on the stage join this round', {
        stage: input.stage,
        gathered: absorbed.map((queued) => queued.executionArn),
      });
    }
    return {
      ...(event as RunStateRecord),
      v: STATE_VERSION,
      request: round.request,
      coalesced: round.coalesced,
      lock: { key: lock.key, owner: lock.owner, expiresAt: lock.expiresAt },
    };
  };
}
