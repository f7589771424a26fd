/**
 * Pure: the "recently remediated" marker that makes two findings of one control end in ONE
 * remediation, honestly recorded on both (docs/decisions/0015-ocsf-findings.md).
 *
 * An organization on both Security Hubs gets each control finding twice: as ASFF (Security Hub
 * CSPM) and as OCSF (the new Security Hub). Each event starts its own execution; the second waits
 * for the per-stage lock (./lock.ts), re-reads the stage and finds it compliant. Without more it
 * would record a bare ALREADY_COMPLIANT on its finding, which tells an auditor in that console
 * nothing about who fixed the stage. So the run that remediated leaves a short-lived marker beside
 * the lock when it releases it (what it fixed, the changes, approver, remediation and execution),
 * and a later run that finds those very controls compliant within the window records its finding
 * as fixed by that remediation, naming it, instead. It changes nothing else: the later run still
 * re-reads the stage (the marker never replaces a read), and its metrics and notification say what
 * it did itself (ALREADY_COMPLIANT). Full per-stage coalescing (one execution for both events) is
 * out of scope here.
 */
import * as z from 'zod';
import type { ControlId } from '../core/types.js';
import { toOutcomeRecord, type OutcomeRecord } from './outcome.js';
import { ControlChangeSchema, ControlIdSchema, foundPlanOf, type StageWorkItem } from './state.js';

/**
 * How long a marker credits later runs: long enough for the twin event (delivered within seconds
 * to minutes) to wait out the lock and re-read the stage, short enough that a finding raised by a
 * later, unrelated drift is not credited to an old fix (that run would find the stage failing
 * anyway, and credit needs the stage compliant).
 */
export const RECENT_REMEDIATION_WINDOW_SECONDS = 15 * 60;

export const RecentRemediationSchema = z.object({
  remediationId: z.string().min(1),
  executionArn: z.string().min(1),
  /** The controls the remediation fixed (its plan's applyControls, verified). */
  controls: z.array(ControlIdSchema).min(1),
  changes: z.array(ControlChangeSchema),
  approver: z.string().min(1),
  /** ISO-8601: when the remediation released the stage. */
  remediatedAt: z.string().min(1),
  /** Epoch seconds: the end of the window (also the item's TTL). */
  until: z.number().int(),
  /** The finding the remediation started from and recorded (absent: drift), with its format. */
  findingId: z.string().min(1).optional(),
  findingFormat: z.enum(['asff', 'ocsf']),
});
export type RecentRemediation = z.infer<typeof RecentRemediationSchema>;

/** The marker a run leaves when it releases the stage: only after REMEDIATED, else none. */
export function recentRemediationOf(item: StageWorkItem, now: Date): RecentRemediation | undefined {
  const remediated = item.terminal?.outcome === 'REMEDIATED' && item.decision !== undefined;
  const plan = foundPlanOf(item.plan);
  if (!remediated || plan === undefined || plan.applyControls.length === 0) return undefined;
  // The same remediation id, changes and approver as this run's own record says.
  const record = toOutcomeRecord(item, 'REMEDIATED', '', now);
  return {
    remediationId: record.remediationId,
    executionArn: record.executionArn,
    controls: [...plan.applyControls],
    changes: [...record.changes],
    approver: record.approver,
    remediatedAt: now.toISOString(),
    until: Math.ceil(now.getTime() / 1000) + RECENT_REMEDIATION_WINDOW_SECONDS,
    ...(item.request.findingId === undefined ? {} : { findingId: item.request.findingId }),
    findingFormat: item.request.findingFormat ?? 'asff',
  };
}

/** What of the request the credit looks at. */
export interface CreditedRequest {
  readonly controls: readonly ControlId[];
  readonly findingId?: string | undefined;
  readonly findingFormat?: 'ocsf' | undefined;
}

/**
 * The record of a run that found the stage compliant, credited to a remediation of the same
 * stage that fixed every control this run was asked about, within the window, when this run's
 * finding is not the one that remediation already recorded (the same finding seen again keeps a
 * plain ALREADY_COMPLIANT: its record already says REMEDIATED): REMEDIATED, with that
 * remediation's id, execution, approver and changes (the note then reads as the other finding's),
 * and a reason naming it. Any other record is returned as it is.
 */
export function creditRecentRemediation(
  record: OutcomeRecord,
  request: CreditedRequest,
  recent: RecentRemediation | undefined,
  nowMs: number,
): OutcomeRecord {
  if (record.outcome !== 'ALREADY_COMPLIANT' || recent === undefined) return record;
  // Never credits a run to itself; an earlier round of the same execution (docs/decisions/0037) is another remediation.
  if (recent.until * 1000 < nowMs || recent.remediationId === record.remediationId) return record;
  const sameFinding =
    request.findingId === recent.findingId && (request.findingFormat ?? 'asff') === recent.findingFormat;
  if (request.findingId === undefined || sameFinding) return record;
  const requested = request.controls;
  if (requested.length === 0 || !requested.every((controlId) => recent.controls.includes(controlId))) {
    return record;
  }
  const compliant = requested.every((controlId) =>
    record.evaluations.some(
      (evaluation) => evaluation.controlId === controlId && evaluation.compliance === 'PASSED',
    ),
  );
  if (!compliant) return record;
  return {
    ...record,
    outcome: 'REMEDIATED',
    remediationId: recent.remediationId,
    executionArn: recent.executionArn,
    approver: recent.approver,
    changes: recent.changes.filter((change) => requested.includes(change.controlId)),
    reason:
      `fixed ${requested.join(', ')} by remediation ${recent.remediationId} at ${recent.remediatedAt}, ` +
      `${startedBy(recent, request)}; this run found it compliant`,
  };
}

const CONSOLE_OF = { asff: 'Security Hub CSPM', ocsf: 'the new Security Hub' } as const;

/** What started the crediting remediation, as it was: the auditor reads this on the credited finding. */
function startedBy(recent: RecentRemediation, request: CreditedRequest): string {
  // A remediation without a finding was started by a stage change seen in CloudTrail (drift).
  if (recent.findingId === undefined) return 'started by a change to the stage seen in CloudTrail';
  if (recent.findingId === request.findingId) {
    return `started by this finding's twin in ${CONSOLE_OF[recent.findingFormat]}`;
  }
  return `started by this stage's finding ${recent.findingId} in ${CONSOLE_OF[recent.findingFormat]}`;
}
