/**
 * Pure: the decisions of the coarse per-stage tasks (docs/decisions/0035). Prepare, Remediate,
 * Verify and Finish each run several steps (the fine handlers of remediators/handlers/) in one
 * Lambda invocation and merge each step's result into the state at the path the state machine's
 * ResultPath used to give it ($.decision, $.lock, $.plan, $.applied, $.deploySlot, $.deployment,
 * $.stageUpdate, $.verification, $.terminal, $.record, $.notification, $.unlock), so the outcome,
 * record and notification code reads the state it always read. What this module decides: which
 * step runs next, which errors go back to the state machine's Retry, which outcome a state ends in.
 */
import type { RemediationRequest } from './state.js';
import type { CaughtError, OutcomeStatus } from './state.js';
import { remediationIdOf, stageLockKey } from './stage-identity.js';
import { CALLS_PACED_ERROR } from './pacing.js';
import type { StageRef } from '../core/types.js';

/**
 * Errors a coarse task hands back to the state machine's Retry instead of recording them: the
 * throttling every Task retries, a stage lock another run holds (Prepare), a deployment slot taken
 * (Remediate). Everything a retry re-runs is safe to run again (docs/decisions/0035). Any other
 * error of a step is caught in the task and ends the run through Finish with `error` set.
 */
export const THROTTLING_ERRORS = [
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
] as const;
/**
 * What every Task whose function paces its calls retries besides throttling: a call refused a place
 * in its quota's schedule (pacing.ts). Its own Retry: small steps, many of them, since the place
 * comes as soon as the schedule has room.
 */
export const RETRIED_ERRORS: readonly string[] = [...THROTTLING_ERRORS, CALLS_PACED_ERROR];
export const STAGE_LOCKED_ERROR = 'StageLocked';
export const DEPLOY_SLOT_BUSY_ERROR = 'DeploySlotBusy';
/**
 * Not a failure: the holder's unlock found requests queued on its lock and opened its next round
 * (docs/decisions/0037). Finish's and ReleaseLock's Catch take it back to Prepare, which starts the
 * round. Thrown, not returned, so the path without a queue pays no Choice state.
 */
export const PENDING_REQUESTS_ERROR = 'PendingRequests';

/** Where Prepare sends the run: the Route Choice state reads it. */
export type Route = 'FINISH' | 'APPROVE' | 'APPLY' | 'UNDO';

export class DeploySlotBusyError extends Error {
  override readonly name = DEPLOY_SLOT_BUSY_ERROR;
}

export class PendingRequestsError extends Error {
  override readonly name = PENDING_REQUESTS_ERROR;
}

/** Whether the state machine's Retry of the task takes this error (it is rethrown, not recorded). */
export function retriedByStateMachine(error: unknown, retried: readonly string[]): boolean {
  return error instanceof Error && retried.includes(error.name);
}

/** An error caught in a task, in the shape Step Functions gives a caught Lambda error (`Cause` a JSON text). */
export function caughtError(error: unknown): CaughtError {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  return { Error: errorType, Cause: JSON.stringify({ errorType, errorMessage }) };
}

/** What of the state the route and outcome depend on (every field as the steps wrote it). */
export interface RunState {
  readonly request: Pick<RemediationRequest, 'trigger'>;
  readonly decision?: { readonly route: 'PROCEED' | 'SKIP' | 'GONE' };
  readonly lock?: { readonly joined?: unknown };
  readonly plan?: { readonly next: string };
  readonly approval?: unknown;
  readonly approvalError?: CaughtError;
  readonly approvalSettlement?: { readonly outcome: string };
  readonly stageUpdate?: unknown;
  readonly verification?: { readonly status: 'VERIFIED' | 'GONE' };
  readonly error?: CaughtError;
}

/** Prepare's answer: where the run goes after it (Route). */
export function prepareRoute(state: RunState): Route {
  if (state.request.trigger === 'undo') return 'UNDO';
  if (state.error !== undefined || state.lock?.joined !== undefined) return 'FINISH';
  if (state.plan?.next === 'APPLY') return 'APPLY';
  if (state.plan?.next === 'APPROVE') return 'APPROVE';
  return 'FINISH';
}

const GONE_ERRORS = ['ResourceGone', 'NotFoundException'];
const BRAKE_ERRORS = ['KillSwitchOn', 'BlastRadiusCapReached'];

const PLAN_OUTCOMES: Readonly<Record<string, OutcomeStatus>> = {
  ALREADY_COMPLIANT: 'ALREADY_COMPLIANT',
  DRY_RUN: 'DRY_RUN',
  SKIPPED: 'SKIPPED',
  GONE: 'RESOURCE_GONE',
  DEFERRED: 'DEFERRED_TO_OWNER',
};

/**
 * The outcome the run ended in, from what its steps left in the state (the old machine's Set*
 * Pass states, in one place). The first that holds wins: an error (the stage gone, a brake, else
 * FAILED); a vanished stage or skipped controls at decide; joining another run; the verification;
 * a rejected or expired approval; what the (re)plan said; else FAILED (a path that reached Finish
 * without any of these is a failure, never a success).
 */
export function terminalOutcome(state: RunState): OutcomeStatus {
  const { error } = state;
  if (error !== undefined) {
    if (GONE_ERRORS.includes(error.Error)) return 'RESOURCE_GONE';
    return BRAKE_ERRORS.includes(error.Error) ? 'SKIPPED' : 'FAILED';
  }
  if (state.decision?.route === 'GONE') return 'RESOURCE_GONE';
  if (state.decision?.route === 'SKIP') return 'SKIPPED';
  if (state.lock?.joined !== undefined) return 'JOINED';
  if (state.verification !== undefined) {
    return state.verification.status === 'GONE' ? 'RESOURCE_GONE' : 'REMEDIATED';
  }
  if (state.approvalError?.Error === 'ApprovalRejected') return 'REJECTED';
  const next = state.plan?.next;
  if (next === 'APPROVE' && state.approval === undefined) {
    return state.approvalError?.Error === 'States.Timeout' ? 'EXPIRED' : 'FAILED';
  }
  return (next === undefined ? undefined : PLAN_OUTCOMES[next]) ?? 'FAILED';
}

/**
 * The stage lock Finish releases: the one Prepare took, or, when Prepare's result never reached the
 * state (it failed or timed out after it may have taken the lock), the lock this run would hold —
 * its key and owner are derived from the state ({@link remediationIdOf}), and the release is
 * conditional on that owner, so a lock this run never took is left alone. None for an undo (its
 * own path releases), a run that joined another, or a run Prepare stopped before locking.
 */
export function lockToRelease(state: {
  readonly executionArn: string;
  readonly stage: StageRef;
  readonly request: RemediationRequest;
  readonly decision?: { readonly route: string; readonly remediationId: string };
  readonly lock?: {
    readonly key: string;
    readonly owner: string;
    readonly expiresAt: number;
    readonly joined?: unknown;
  };
  readonly error?: CaughtError;
}): { readonly key: string; readonly owner: string; readonly expiresAt: number } | undefined {
  if (state.lock !== undefined) return state.lock.joined === undefined ? state.lock : undefined;
  if (state.error === undefined || state.request.trigger === 'undo') return undefined;
  if (state.decision !== undefined && state.decision.route !== 'PROCEED') return undefined;
  const remediationId =
    state.decision?.remediationId ?? remediationIdOf(state.executionArn, state.stage, state.request);
  return { key: stageLockKey(state.stage), owner: `${state.executionArn}/${remediationId}`, expiresAt: 0 };
}
