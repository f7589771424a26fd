/**
 * Pure: gathering a stage's findings in a burst before its first round plans (docs/decisions/0039).
 *
 * Security Hub publishes the findings of a check run for a stage within seconds of each other, one
 * control each. In a burst the Pipe's batches fill at their size long before its window closes
 * (remediators/intake/pipe-batch.ts batchCutAtSize), so a stage's findings are cut into several
 * batches, several executions. The first to reach Prepare takes the lock; the others queue on it
 * (docs/decisions/0037). Planning at once would leave them for a second round, a second UpdateStage.
 * So a stage run from a batch cut at its size, that has just taken a free lock, first waits
 * {@link GATHER_SECONDS}: it throws {@link StageGatheringError}, and the state machine's Retry runs
 * Prepare again after that interval, which takes what was queued meanwhile into the first round.
 * A run whose batch the window closed, or that starts too late to wait, plans at once.
 */
import { coalescingTrigger } from './join.js';

/**
 * How long a first round waits for its stage's other findings: three times the Pipe's batching
 * window, so findings that arrived up to two windows after this one are in an execution that
 * reached the lock by then. bench:burst chose it with batches of 64 (seed 1, docs/benchmarks.md,
 * decision 0042): at 10,000 findings 10 s left 1,554 later rounds (837.2 s, 3 runs FAILED on
 * Lambda throttling), 15 s 191 (542.2 s), 20 s 183 (525.0 s); at 1,000 findings they took 78.3,
 * 86.7 and 91.7 s, since every second more delays every first record. The Retry's IntervalSeconds
 * (state-machines/remediation.asl.json) is this number.
 */
export const GATHER_SECONDS = 15;
export const STAGE_GATHERING_ERROR = 'StageGathering';

export class StageGatheringError extends Error {
  override readonly name = STAGE_GATHERING_ERROR;
}

/** What of a stage run decides whether it gathers. */
export interface GatherCandidate {
  /** The execution's batch was cut at the Pipe's batch size (intake's `gather`). */
  readonly gather?: boolean | undefined;
  /** When the execution started ($$.Execution.StartTime): the gathering window opens then. */
  readonly startedAt?: string | undefined;
  readonly request: { readonly trigger: string };
  /** Set on a holder's later round (docs/decisions/0037): those never gather. */
  readonly nextRound?: unknown;
}

/** Whether this stage run takes the lock to gather before it decides (a first round of a burst). */
export function gathers(run: GatherCandidate): boolean {
  return run.gather === true && run.nextRound === undefined && coalescingTrigger(run.request.trigger);
}

/**
 * Whether a run that has just taken a free lock waits for the stage's other findings: only while
 * its execution's gathering window is open. Its second attempt, at least GATHER_SECONDS later, or
 * a run that finds the lock already its own (a retry), goes on to plan: this is never true twice.
 */
export function waitsToGather(run: GatherCandidate, tookFreeLock: boolean, nowMs: number): boolean {
  if (!tookFreeLock || run.startedAt === undefined) return false;
  const started = Date.parse(run.startedAt);
  return Number.isFinite(started) && nowMs < started + GATHER_SECONDS * 1000;
}
