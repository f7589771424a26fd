/**
 * What bounds a burst's makespan, in one sentence, from the result and the minimum: FAILED runs
 * first (their work is missing, so the makespan says little), then the quotas when the makespan is
 * within the target of the minimum, then the service's own pacing when one schedule was busy for
 * most of the makespan, else what the simulation spent its time on beyond the quotas.
 */
import { GATHER_SECONDS, STAGE_GATHERING_ERROR } from '../../remediators/workflow/gather.js';
import type { BucketBound } from './minimum.js';
import type { BurstResult } from './model.js';

/** Issue 10's target: the makespan at most this many times the quota-bound minimum. */
export const TARGET_RATIO = 1.5;

/** A paced schedule busy for at least this share of the makespan bounds it. */
const PACING_BOUND_SHARE = 0.75;

const largest = (counts: Readonly<Record<string, number>>): [string, number] | undefined =>
  Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0];

export function whatBounds(result: BurstResult, slowest: BucketBound | undefined): string {
  const failed = result.outcomes.FAILED ?? 0;
  if (failed > 0) {
    const [reason, count] = largest(result.failures) ?? ['-', 0];
    return `${failed} of ${result.runs} runs FAILED (most often ${reason}, ${count}): their work is undone, so the makespan understates the burst`;
  }
  const minimumMs = (slowest?.seconds ?? 0) * 1000;
  if (slowest !== undefined && minimumMs > 0 && result.makespanMs <= TARGET_RATIO * minimumMs) {
    return `the quotas: ${slowest.bucket} (${slowest.calls} calls)`;
  }
  // The service's pacing of the calls the runs really made (later rounds included, which the
  // minimum does not count): a schedule kept busy for most of the makespan is what bounds it.
  const busiest = result.busiestSchedule;
  if (busiest !== undefined && busiest.seconds * 1000 >= PACING_BOUND_SHARE * result.makespanMs) {
    return `the service's pacing of its own calls: the schedule ${busiest.schedule} gave ${busiest.places} places, ${busiest.seconds.toFixed(1)} s at its rate (more calls than the minimum counts)`;
  }
  // Past that, what the runs spent their time on: the busiest schedule's share, the gathering
  // waits (StageGathering is a designed pause, docs/decisions/0039, not a retry of a failure) and
  // the ASL's retries of everything else.
  const parts: string[] = [];
  if (busiest !== undefined) {
    parts.push(
      `the busiest schedule ${busiest.schedule} was busy ${busiest.seconds.toFixed(1)} s of the ${(result.makespanMs / 1000).toFixed(1)} s`,
    );
  }
  if (result.gatheringRounds > 0)
    parts.push(`${result.gatheringRounds} first rounds waited ${GATHER_SECONDS} s to gather`);
  const retried = largest(
    Object.fromEntries(
      Object.entries(result.aslRetries).filter(([error]) => error !== STAGE_GATHERING_ERROR),
    ),
  );
  if (retried !== undefined) parts.push(`the ASL retried ${retried[0]} ${retried[1]} times`);
  return parts.length === 0
    ? 'not the quotas: latency and cold starts'
    : `not the quotas alone: ${parts.join('; ')}`;
}
