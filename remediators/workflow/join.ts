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
import { ControlIdSchema, type JoinedRun } from './state.js';

/** A finding added to the holder's lock item: everything the holder needs to record on it. */
export const JoinedFindingSchema = z.object({
  findingId: z.string().min(1),
  productArn: z.string().min(1).optional(),
  findingFormat: z.literal('ocsf').optional(),
  metadataUid: z.string().min(1).optional(),
  /** The joiner's own run, for the audit trail (its record says JOINED). */
  executionArn: z.string().min(1),
  remediationId: z.string().min(1),
});
export type JoinedFinding = z.infer<typeof JoinedFindingSchema>;

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
});
export type LockItem = z.infer<typeof LockItemSchema>;

/** What of a waiting request decides whether it may join. */
export interface JoinRequest {
  readonly owner: string;
  readonly controls: readonly ControlId[];
  /** Absent for a drift request: it never joins. */
  readonly finding?: JoinedFinding;
}

export type JoinDecision =
  | {
      readonly join: true;
      readonly holder: JoinedRun;
      readonly holderOwner: string;
      readonly finding: JoinedFinding;
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
    finding: request.finding,
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
