/**
 * Prepare task (docs/decisions/0035): take the stage lock or join or queue on the run holding it,
 * decide (modes, kill switch, exemptions), read and plan — the steps of the old AcquireLock, Decide
 * and Snapshot states, in one invocation, the lock first (docs/decisions/0043). It returns the state with each step's result at its old path and
 * `route`, which the Route Choice state follows. An undo request returns at once (route UNDO: its
 * own path decides, locks and undoes). Findings coalesced into this run (`coalesced`, added by the
 * intake) stay in the state: Finish records this run's outcome on them whatever path it took.
 *
 * A first round of a burst gathers first (docs/decisions/0039, the Gather step): it takes the free
 * lock, waits (StageGathering, the Retry) and plans what was queued meanwhile with its own request.
 *
 * Given `nextRound` (Finish's Catch: the unlock found requests queued on the lock, docs/decisions/0037),
 * Prepare starts the holder's next round instead: its state is built from the queued requests, and
 * the round decides, renews the lock and plans like a first one.
 *
 * Retries: StageLocked and throttling go back to the state machine's Retry, which runs Prepare
 * again with the same input; the remediation id is derived from that input (workflow/coarse.ts), so
 * a retry renews its own lock instead of finding it held. Any other error ends the run: the state
 * carries it in `error` (with the lock, if taken) and Finish records it.
 */
import * as z from 'zod';
import { createExemptionsDeps } from '../ledger/exemption-deps.js';
import { createFlapGuardDeps } from '../iac/deps.js';
import { logger } from '../shared/powertools.js';
import { lambdaHandler } from '../shared/handler.js';
import { roundRequest } from '../workflow/admit.js';
import {
  caughtError,
  lockToRelease,
  prepareRoute,
  retriedByStateMachine,
  STAGE_LOCKED_ERROR,
  terminalOutcome,
  RETRIED_ERRORS,
  type RunState,
} from '../workflow/coarse.js';
import { STATE_VERSION, type RunStateRecord, type Step } from '../workflow/coarse-steps.js';
import { createClockDeps } from '../workflow/deps/clock.js';
import { createApiClientsDeps } from '../workflow/deps/core-clients.js';
import { createKillSwitchDeps } from '../workflow/deps/kill-switch.js';
import { createLocksDeps, type LocksDeps } from '../workflow/deps/locks.js';
import { createMemberAccountDeps } from '../workflow/deps/member-account.js';
import { gathers } from '../workflow/gather.js';
import { readRound } from '../workflow/lock.js';
import { LockSchema, parseTaskInput, StageWorkItemSchema } from '../workflow/state.js';
import { createAcquireLockHandler } from './acquire-lock.js';
import { createDecideHandler } from './decide.js';
import { createGatherHandler } from './gather.js';
import { createSnapshotHandler } from './snapshot.js';
import { createDynamoPacer } from '../workflow/pacing.js';

export interface PrepareSteps {
  readonly gather: Step;
  readonly decide: Step;
  readonly acquireLock: Step;
  readonly snapshot: Step;
}

const PrepareInputSchema = StageWorkItemSchema.extend({
  /** The execution's batch was cut at the Pipe's batch size: gather first (docs/decisions/0039). */
  gather: z.boolean().optional(),
});

const RETRIED = [...RETRIED_ERRORS, STAGE_LOCKED_ERROR];

/**
 * The state of the holder's next round (docs/decisions/0037): the requests its unlock moved into the
 * lock item's `next`, grouped as Admit groups a batch's (one request, the union of the controls, the
 * other findings coalesced), with the holder's lock. Undefined when the item is no longer this
 * holder's or in another round: the run that took it over adopted the queue.
 */
async function nextRoundState(
  item: z.infer<typeof PrepareInputSchema>,
  deps: LocksDeps,
): Promise<RunStateRecord | undefined> {
  const lock = lockToRelease(item);
  if (lock === undefined) return undefined;
  const round = (item.round ?? 1) + 1;
  const requests = await readRound(deps.dynamo(), item.locksTable, lock, round);
  if (requests === undefined || requests.length === 0) return undefined;
  const context = { executionArn: item.executionArn, locksTable: item.locksTable };
  const next = roundRequest(requests, item.stage, context);
  if (next === undefined) return undefined;
  return {
    v: STATE_VERSION,
    ...context,
    stage: item.stage,
    request: next.request,
    coalesced: next.coalesced,
    round,
    lock: { key: lock.key, owner: lock.owner, expiresAt: lock.expiresAt },
    earlierRounds: [
      ...(item.earlierRounds ?? []),
      {
        round: item.round ?? 1,
        outcome: terminalOutcome(item as unknown as RunState),
        ...(item.finishError === undefined ? {} : { notRecorded: true as const }),
      },
    ],
  };
}

export function createPrepareTask(steps: PrepareSteps, deps: LocksDeps) {
  return async (event: unknown): Promise<RunStateRecord> => {
    const input = parseTaskInput('prepare', PrepareInputSchema, event);
    const round = input.nextRound === undefined ? undefined : await nextRoundState(input, deps);
    if (input.nextRound !== undefined && round === undefined) {
      // Finish sees `nextRound` still set: the previous round is recorded, nothing more to run.
      logger.warn("prepare: the next round has nothing to run (the lock is no longer this run's)", {
        stage: input.stage,
      });
      return { ...(event as RunStateRecord), route: 'FINISH' };
    }
    // A first round of a burst gathers first (docs/decisions/0039): the step throws StageGathering
    // while it waits, or gives this round's state, or null when another run holds the stage.
    const gathered =
      round === undefined && gathers(input)
        ? (((await steps.gather(event)) as RunStateRecord | null) ?? undefined)
        : undefined;
    let state: RunStateRecord = round ?? gathered ?? { ...(event as RunStateRecord), v: STATE_VERSION };
    const renewed = round ?? gathered;
    const item = renewed === undefined ? input : parseTaskInput('prepare', PrepareInputSchema, renewed);
    const routed = (): RunStateRecord => ({ ...state, route: prepareRoute(state as unknown as RunState) });
    if (item.request.trigger === 'undo') return routed();
    try {
      // The lock first (docs/decisions/0043): a run that finds its stage held joins or queues
      // without reading it (the holder's round decides and reads for it); a held lock that its
      // decision does not need (skipped, the stage gone) is released by Finish.
      const lock = LockSchema.parse(await steps.acquireLock(state));
      state = { ...state, lock };
      if (lock.joined !== undefined) return routed();
      state = { ...state, decision: await steps.decide(state) };
      if ((state as unknown as RunState).decision?.route !== 'PROCEED') return routed();
      state = { ...state, plan: await steps.snapshot(state) };
      return routed();
    } catch (error) {
      if (retriedByStateMachine(error, RETRIED)) throw error;
      logger.error('prepare failed', { stage: item.stage, error });
      state = { ...state, error: caughtError(error) };
      return routed();
    }
  };
}

const account = createMemberAccountDeps();
const locks = createLocksDeps();
const pacer = createDynamoPacer({ db: locks.dynamo });
const api = createApiClientsDeps(account, { pacer });
const clock = createClockDeps();
export const handler = lambdaHandler(
  createPrepareTask(
    {
      decide: createDecideHandler({
        ...account,
        ...api,
        ...createKillSwitchDeps({ pacer }),
        ...clock,
        ...createExemptionsDeps(locks),
      }),
      gather: createGatherHandler({ ...locks, ...clock }),
      acquireLock: createAcquireLockHandler({ ...locks, ...clock, config: account.config }),
      snapshot: createSnapshotHandler({ ...account, ...api, ...clock, ...createFlapGuardDeps() }),
    },
    { ...locks, ...clock },
  ),
);
