/**
 * Finish task (docs/decisions/0035): the end of every per-stage path but the undo's. It derives the
 * outcome from the state (workflow/coarse.ts terminalOutcome: the old Set* Pass states), then runs
 * the old Record, Notify, OfferUndo and ReleaseLock states as steps, each guarded so one failing
 * step skips none of the others — the semantics of the old Catch chain:
 * - record: Security Hub, the ledger, the flap guard. Throttling goes back to the state machine's
 *   Retry (nothing after it has run yet; a retried record writes nothing twice: record.ts); any
 *   other failure is `{recorded: false}` with `recordError`, and the notification says so;
 * - notify: the notification topic; a failure is kept in `notifyError`;
 * - offer Undo on the approval message, only after an approved remediation ended REMEDIATED;
 * - release the stage lock (workflow/coarse.ts lockToRelease: also the lock a failed Prepare may
 *   have taken); a run that joined another, or stopped before locking, has none to release. When
 *   requests are queued on the lock, the release opens the next round instead and PendingRequests
 *   goes up to the state machine, whose Catch starts the round at Prepare (docs/decisions/0037).
 * Its output is the stage's result in the Map: `{stage, outcome, recorded}`.
 */
import { lambdaHandler } from '../shared/handler.js';
import { logger } from '../shared/powertools.js';
import { createFlapGuardDeps } from '../iac/deps.js';
import { createLedgerDeps } from '../ledger/deps.js';
import { createExemptionDaysDeps } from '../ledger/exemption-deps.js';
import {
  caughtError,
  lockToRelease,
  PENDING_REQUESTS_ERROR,
  retriedByStateMachine,
  terminalOutcome,
  RETRIED_ERRORS,
  type RunState,
} from '../workflow/coarse.js';
import { finishState, type RunStateRecord, type Step } from '../workflow/coarse-steps.js';
import { createClockDeps } from '../workflow/deps/clock.js';
import { createLocksDeps } from '../workflow/deps/locks.js';
import { createMemberAccountDeps } from '../workflow/deps/member-account.js';
import { createNotificationDeps } from '../workflow/deps/notifications.js';
import { createReportingDeps } from '../workflow/deps/reporting.js';
import { createHomeSecurityHubDeps, createMemberSecurityHubDeps } from '../workflow/deps/security-hub.js';
import {
  parseTaskInput,
  StageWorkItemSchema,
  type OutcomeStatus,
  type StageWorkItem,
} from '../workflow/state.js';
import { createNotifyHandler } from './notify.js';
import { createRecordHandler } from './record.js';
import { createReleaseLockHandler } from './release-lock.js';
import { offerUndoFromEnvironment } from './request-approval.js';
import { createDynamoPacer } from '../workflow/pacing.js';

export interface FinishSteps {
  readonly record: Step;
  readonly notify: Step;
  readonly offerUndo: Step;
  readonly releaseLock: Step;
}

export interface FinishOutput {
  readonly stage: unknown;
  readonly outcome: OutcomeStatus;
  readonly recorded: boolean;
  /** The last round's Finish recorded it; a next round found nothing to run (docs/decisions/0037). */
  readonly roundNotStarted?: true;
  /** The holder's earlier rounds for requests queued on its lock, each recorded by its own Finish. */
  readonly earlierRounds?: NonNullable<StageWorkItem['earlierRounds']>;
}

/**
 * Runs a step whose failure must not stop the steps after it; the error is kept at `errorKey`.
 * PendingRequests (only the release throws it) is not a failure: it goes up to the state machine.
 */
async function guarded(
  state: RunStateRecord,
  key: string,
  errorKey: string,
  step: Step,
  input: unknown = state,
): Promise<RunStateRecord> {
  try {
    return { ...state, [key]: await step(input) };
  } catch (error) {
    // The queue's next round: back to Prepare through the Catch (what ran before it stays done).
    if (retriedByStateMachine(error, [PENDING_REQUESTS_ERROR])) throw error;
    logger.error(`finish: ${key} failed, going on`, { stage: state.stage, error });
    return { ...state, [errorKey]: caughtError(error) };
  }
}

export function createFinishTask(steps: FinishSteps) {
  return async (event: unknown): Promise<FinishOutput> => {
    const input = finishState(event);
    const item = parseTaskInput('finish', StageWorkItemSchema, input);
    const outcome = terminalOutcome(input as unknown as RunState);
    if (item.nextRound !== undefined) {
      // Prepare could not start the next round: the previous round is recorded and notified, and
      // what was queued stays on the lock item, adopted by whoever takes it next (lock.ts adoptQueued).
      logger.error('finish: the next round was not started; its queue stays on the lock item', {
        stage: item.stage,
        error: item.error,
      });
      return {
        stage: item.stage,
        ...(item.earlierRounds === undefined ? {} : { earlierRounds: item.earlierRounds }),
        outcome,
        recorded: false,
        roundNotStarted: true,
      };
    }
    const lock = lockToRelease(item);
    let state: RunStateRecord = {
      ...input,
      ...(item.lock === undefined && lock !== undefined ? { lock } : {}),
      terminal: { outcome },
    };
    try {
      state = { ...state, record: await steps.record(state) };
    } catch (error) {
      if (retriedByStateMachine(error, RETRIED_ERRORS)) throw error;
      logger.error('finish: record failed, notifying that it is not recorded', { stage: item.stage, error });
      state = { ...state, record: { recorded: false }, recordError: caughtError(error) };
    }
    state = await guarded(state, 'notification', 'notifyError', steps.notify);
    const approved = (input as { approval?: { channel?: unknown } }).approval?.channel !== undefined;
    if (lock !== undefined && approved && outcome === 'REMEDIATED') {
      state = await guarded(state, 'undoOffer', 'undoOfferError', steps.offerUndo, {
        offerUndo: 'REMEDIATED',
        remediationId: item.decision?.remediationId,
        executionArn: item.executionArn,
      });
    }
    if (lock !== undefined) state = await guarded(state, 'unlock', 'unlockError', steps.releaseLock);
    const recorded = (state.record as { recorded?: boolean } | undefined)?.recorded === true;
    // Earlier rounds first: the result reads in the order the rounds ran.
    return {
      stage: item.stage,
      ...(item.earlierRounds === undefined ? {} : { earlierRounds: item.earlierRounds }),
      outcome,
      recorded,
    };
  };
}

const locks = createLocksDeps();
const pacer = createDynamoPacer({ db: locks.dynamo });
const clock = createClockDeps();
const reporting = createReportingDeps();
export const handler = lambdaHandler(
  createFinishTask({
    record: createRecordHandler({
      ...createHomeSecurityHubDeps({ pacer }),
      ...createMemberSecurityHubDeps(createMemberAccountDeps(), { pacer }),
      ...locks,
      ...createLedgerDeps(locks),
      ...reporting,
      ...clock,
      ...createExemptionDaysDeps(),
      ...createFlapGuardDeps(),
    }),
    notify: createNotifyHandler({ ...createNotificationDeps(), ...reporting, ...clock }),
    offerUndo: (event) => offerUndoFromEnvironment()(event),
    releaseLock: createReleaseLockHandler({ ...locks, ...clock }),
  }),
);
