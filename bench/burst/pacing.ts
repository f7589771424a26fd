/**
 * The service's own pacing (remediators/workflow/pacing.ts, docs/decisions/0038) as bench:burst
 * replays it: which recorded calls take a place in a schedule, whose schedule, and the schedules
 * themselves, decided by the production paceDecision. Nothing here is re-typed: the operations, the
 * limits and the longest wait are the production module's.
 */
import {
  MAX_COMMITTED_PACED_WAIT_MS,
  MAX_PACED_WAIT_MS,
  PACED_OPERATIONS,
  PACED_QUOTAS,
  paceDecision,
  type PaceDecision,
  type PacedQuota,
} from '../../remediators/workflow/pacing.js';

export interface PacedCall {
  readonly quota: PacedQuota;
  /** The stage's account's schedule, or the home account's (one for the organization). */
  readonly scope: 'member' | 'home';
}

/**
 * The pacing of a recorded call (the service as the recording names it): every API Gateway call
 * (both clients are paced); Security Hub's by the client that makes it, the home account's finding
 * updates or the member account's reads and imports; the kill switch's read (the home account's).
 */
export function pacingOf(service: string, operation: string): PacedCall | undefined {
  if (service === 'apigateway' || service === 'apigatewayv2') {
    const quota = PACED_OPERATIONS.apiGateway(operation);
    return quota === undefined ? undefined : { quota, scope: 'member' };
  }
  if (service === 'ssm') {
    const quota = PACED_OPERATIONS.killSwitch(operation);
    return quota === undefined ? undefined : { quota, scope: 'home' };
  }
  if (service !== 'securityhub') return undefined;
  const home = PACED_OPERATIONS.homeSecurityHub(operation);
  if (home !== undefined) return { quota: home, scope: 'home' };
  const member = PACED_OPERATIONS.memberSecurityHub(operation);
  return member === undefined ? undefined : { quota: member, scope: 'member' };
}

/** The schedule that gave the most places, and how long they take at its paced rate. */
export interface BusiestSchedule {
  readonly schedule: string;
  readonly places: number;
  readonly seconds: number;
}

/** The schedules of one simulated organization: the `tat` of each, as the DynamoDB items hold it. */
export class PaceSchedules {
  private readonly tat = new Map<string, number>();
  private readonly places = new Map<string, { readonly quota: PacedQuota; count: number }>();
  /** Places taken, and calls refused one (CallsPaced), by quota. */
  readonly granted: Record<string, number> = {};
  readonly refused: Record<string, number> = {};

  /**
   * A place for the call, as the production pacer decides it: `begun` holds the schedules its
   * invocation already took a place in, where it may wait MAX_COMMITTED_PACED_WAIT_MS (granted
   * places are added to it).
   */
  take(call: PacedCall, account: number, nowMs: number, begun: Set<string>): PaceDecision {
    const key = `${call.quota}/${call.scope === 'home' ? 'home' : account}`;
    const maxWaitMs = begun.has(key) ? MAX_COMMITTED_PACED_WAIT_MS : MAX_PACED_WAIT_MS;
    const decision = paceDecision(this.tat.get(key), nowMs, PACED_QUOTAS[call.quota].paced, maxWaitMs);
    const counts = decision.kind === 'GRANTED' ? this.granted : this.refused;
    counts[call.quota] = (counts[call.quota] ?? 0) + 1;
    if (decision.kind === 'GRANTED') {
      begun.add(key);
      this.tat.set(key, decision.tatMs);
      const places = this.places.get(key) ?? { quota: call.quota, count: 0 };
      places.count += 1;
      this.places.set(key, places);
    }
    return decision;
  }

  busiest(): BusiestSchedule | undefined {
    let busiest: BusiestSchedule | undefined;
    for (const [schedule, { quota, count }] of this.places) {
      const seconds = count / PACED_QUOTAS[quota].paced.ratePerSecond;
      if (busiest === undefined || seconds > busiest.seconds) busiest = { schedule, places: count, seconds };
    }
    return busiest;
  }
}
