/**
 * Pure: "join the run in progress", the first piece of per-stage coalescing
 * (docs/decisions/0015-ocsf-findings.md, "Joining a run in progress").
 *
 * An organization on both Security Hubs gets each control finding twice (ASFF and OCSF); each
 * event starts its own execution. The second finds the stage locked by the first. When the first
 * waits for a Slack approval (up to 24 h), waiting for the lock outlasts AcquireLock's retries and
 * the second would record FAILED. Instead it joins: it adds its finding to the lock item, records
 * JOINED on its own finding and ends; the holder, when it records, closes the item and records
 * its own outcome on every joined finding too.
 *
 * A run may join only when it has a finding (a drift request keeps waiting: there is nothing of
 * its own to record on), when the holder was asked about every control this run was asked about
 * (so the holder's outcome answers this finding), and while the holder has not closed the item
 * (closing is the first thing the holder's record does: a later joiner would never be recorded).
 */
import * as z from 'zod';
import type { ControlId } from '../core/types.js';
import {
  ControlIdSchema,
  JoinedFindingSchema,
  RemediationRequestSchema,
  type JoinedFinding,
  type JoinedRun,
  type RemediationRequest,
} from './state.js';

/**
 * A request queued on the holder's lock item because it asks about controls the holder's run does
 * not cover (docs/decisions/0037): the holder runs another round for the queued requests before it
 * unlocks. The whole request is kept: the round plans and records from it.
 */
export const PendingRequestSchema = z.object({
  request: RemediationRequestSchema,
  /** The queued run, for the audit trail (its own record says JOINED) and its JOINED guard. */
  executionArn: z.string().min(1),
  remediationId: z.string().min(1),
  /**
   * The other findings Admit coalesced into the queued run (the same batch, the same stage): the
   * round records its outcome on them too. Absent on an entry queued before they were carried.
   */
  coalesced: z.array(JoinedFindingSchema).optional(),
});
export type PendingRequest = z.infer<typeof PendingRequestSchema>;

/** Rounds one holder runs before it stops taking queued requests (later ones wait for the lock). */
export const MAX_STAGE_ROUNDS = 5;
/**
 * Requests one round takes. A DynamoDB item is at most 400 KB; a request is under 2 KB, so 50 keep
 * the lock item far below it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html).
 */
export const MAX_PENDING_REQUESTS = 50;

/** The lock item as the holder wrote it (./lock.ts), with what joiners and the close added. */
export const LockItemSchema = z.object({
  owner: z.string().min(1),
  expiresAt: z.number().int(),
  /** The controls the holder was asked about; absent on an item written before joining existed. */
  controls: z.array(ControlIdSchema).min(1).optional(),
  remediationId: z.string().min(1).optional(),
  executionArn: z.string().min(1).optional(),
  closed: z.literal(true).optional(),
  joined: z.array(JoinedFindingSchema).optional(),
  /** Requests queued for the holder's next round (docs/decisions/0037). */
  pending: z.array(PendingRequestSchema).optional(),
  /** The holder's round (absent: 1, an item written before rounds existed). */
  round: z.number().int().min(1).optional(),
  /** The requests of the round the holder is running (moved here from `pending` when it opened). */
  next: z.array(PendingRequestSchema).optional(),
  /** Set on the holder's last round: nothing more is queued, later requests wait for the lock. */
  lastRound: z.literal(true).optional(),
});
export type LockItem = z.infer<typeof LockItemSchema>;

/** What of a waiting request decides whether it may join. */
export interface JoinRequest {
  readonly owner: string;
  readonly controls: readonly ControlId[];
  /** Absent for a drift request: it never joins. */
  readonly finding?: JoinedFinding;
  /** The findings Admit coalesced into the waiting run: they join with its own. */
  readonly coalesced?: readonly JoinedFinding[];
}

export type JoinDecision =
  | {
      readonly join: true;
      readonly holder: JoinedRun;
      readonly holderOwner: string;
      /** The request's own finding first, then those coalesced into its run. */
      readonly findings: readonly JoinedFinding[];
    }
  | { readonly join: false; readonly why: string };

/** Whether the request may join the holder of this lock item (the conditional write re-checks it). */
export function joinDecision(item: unknown, request: JoinRequest, nowMs: number): JoinDecision {
  if (request.finding === undefined) return { join: false, why: 'a request without a finding waits' };
  const parsed = LockItemSchema.safeParse(item);
  if (!parsed.success) return { join: false, why: 'the lock item does not say what its holder covers' };
  const holder = parsed.data;
  if (holder.owner === request.owner) return { join: false, why: 'this run holds the lock' };
  if (holder.closed === true) return { join: false, why: 'the holder is already recording its outcome' };
  if (holder.expiresAt * 1000 < nowMs) return { join: false, why: "the holder's lease has run out" };
  if (
    holder.controls === undefined ||
    holder.remediationId === undefined ||
    holder.executionArn === undefined
  ) {
    return { join: false, why: 'the lock item does not say what its holder covers' };
  }
  const covered = holder.controls;
  const uncovered = request.controls.filter((controlId) => !covered.includes(controlId));
  if (uncovered.length > 0) {
    return { join: false, why: `the holder was not asked about ${uncovered.join(', ')}` };
  }
  return {
    join: true,
    holder: { remediationId: holder.remediationId, executionArn: holder.executionArn },
    holderOwner: holder.owner,
    findings: [request.finding, ...(request.coalesced ?? [])],
  };
}

/**
 * The joined findings the holder records on: each once (a retried join may have added it twice),
 * never the holder's own finding again (its record is written already).
 */
export function findingsToRecord(
  joined: readonly JoinedFinding[],
  own: { readonly findingId?: string | undefined; readonly findingFormat?: 'ocsf' | undefined },
): JoinedFinding[] {
  const seen = new Set<string>(
    own.findingId === undefined ? [] : [`${own.findingFormat ?? 'asff'}#${own.findingId}`],
  );
  return joined.filter((finding) => {
    const key = `${finding.findingFormat ?? 'asff'}#${finding.findingId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Triggers whose requests are planned together (an undo or an operator's `fix` keeps its own run). */
export function coalescingTrigger(trigger: string): boolean {
  return trigger === 'securityhub' || trigger === 'manual' || trigger === 'cloudtrail';
}

export type QueueDecision =
  | { readonly queue: true; readonly holder: JoinedRun; readonly holderOwner: string }
  | { readonly queue: false; readonly why: string };

/**
 * Whether a request that may not join (./joinDecision) may be queued for the holder's next round
 * (the conditional write re-checks owner, lease, last round and room). A closed holder still takes
 * it: its unlock refuses while anything is queued (./lock.ts releaseStageLock). An undo holder
 * covers no control and never runs rounds: its waiters wait.
 */
export function queueDecision(
  item: unknown,
  owner: string,
  request: RemediationRequest,
  nowMs: number,
): QueueDecision {
  if (!coalescingTrigger(request.trigger))
    return { queue: false, why: `${request.trigger} requests run on their own` };
  const parsed = LockItemSchema.safeParse(item);
  if (!parsed.success) return { queue: false, why: 'the lock item does not say what its holder covers' };
  const holder = parsed.data;
  if (holder.owner === owner) return { queue: false, why: 'this run holds the lock' };
  if (holder.expiresAt * 1000 < nowMs) return { queue: false, why: "the holder's lease has run out" };
  if (
    holder.controls === undefined ||
    holder.remediationId === undefined ||
    holder.executionArn === undefined
  ) {
    return { queue: false, why: 'the holder runs no rounds (an undo, or an item from before rounds)' };
  }
  if (holder.lastRound === true)
    return { queue: false, why: `the holder is in its last round (${MAX_STAGE_ROUNDS})` };
  if ((holder.pending?.length ?? 0) >= MAX_PENDING_REQUESTS) {
    return { queue: false, why: `the holder has ${MAX_PENDING_REQUESTS} requests queued already` };
  }
  return {
    queue: true,
    holder: { remediationId: holder.remediationId, executionArn: holder.executionArn },
    holderOwner: holder.owner,
  };
}

/** What the holder's unlock does with its item: release it, or run another round first. */
export type UnlockDecision =
  | { readonly kind: 'release' }
  | {
      readonly kind: 'open-round';
      readonly round: number;
      readonly requests: readonly PendingRequest[];
      readonly last: boolean;
    }
  | { readonly kind: 'round-open'; readonly round: number }
  | { readonly kind: 'not-ours' };

/**
 * Pure: after the conditional delete of the holder's item failed, what the item says to do.
 * Another owner (its lease ran out and another run took it: that run adopted what was queued): not
 * ours. A later round already opened (a retried unlock): run it. Requests queued: open the next
 * round with them. Anything else (the delete raced nothing we know of): release.
 */
export function unlockDecision(item: unknown, owner: string, round: number): UnlockDecision {
  const parsed = LockItemSchema.safeParse(item);
  if (!parsed.success || parsed.data.owner !== owner) return { kind: 'not-ours' };
  const current = parsed.data.round ?? 1;
  if (current > round) return { kind: 'round-open', round: current };
  const pending = parsed.data.pending ?? [];
  if (pending.length === 0) return { kind: 'release' };
  return { kind: 'open-round', round: round + 1, requests: pending, last: round + 1 >= MAX_STAGE_ROUNDS };
}
