/**
 * Record task: the outcome of one stage in Security Hub (the auditors' history), whatever the
 * outcome, and the Remediations metric by outcome (alarms watch FAILED) and by control and
 * outcome (the dashboard's "by control" graph). No account or API dimension: metric cardinality
 * stays bounded (controls × outcomes); accounts are in the outcome log for Logs Insights.
 *
 * The finding's format chooses the write: OCSF (the new Security Hub) with BatchUpdateFindingsV2,
 * else ASFF. A run that found the stage compliant right after another run fixed it (the same
 * control's finding in the other Security Hub, typically) records its finding as fixed by that
 * remediation, naming it (workflow/recent-remediation.ts); its metrics still count what it did.
 *
 * Joining (workflow/join.ts): the holder of the stage lock first closes its lock item (nobody
 * joins after that) and records its outcome on every finding that joined it as well as on its own.
 * A run that joined records JOINED on its finding only while the holder's item is still open:
 * once closed, the holder's outcome is (or is about to be) on that finding and must stay there.
 * A run queued for the holder's next round (docs/decisions/0037) records nothing in Security Hub.
 *
 * The ledger (remediators/ledger/, docs/decisions/0027): one REMEDIATION entry per run, keyed by
 * its remediation id, listing every finding recorded (joined ones included); a run that joined
 * writes none (the holder's entry names its finding). Security Hub is written first and the ledger
 * after it, whatever Security Hub answered, so neither loses the other:
 * - Security Hub fails: the entry is still written, then the error is thrown as before (the state
 *   machine retries throttling, else RecordFailed: "Security Hub: NOT recorded"); a retried task
 *   finds its entry there and writes nothing twice (an idempotent put; only its time differs).
 * - the ledger fails (after the SDK's own retries): Security Hub already holds the record, so the
 *   task does not fail (a retry would write the findings again and RecordFailed would say they were
 *   not recorded); the error is logged, counted in `RecordFailures` (alarmed) and returned in
 *   `ledger`, which the execution history keeps.
 */
import * as z from 'zod';
import { CATALOG } from '../controls/catalog.js';
import { type LedgerDeps } from '../ledger/deps.js';
import { remediationEntry } from '../ledger/from-outcome.js';
import { writeOnce, type LedgerWrite } from '../ledger/write-once.js';
import { type FlapGuardDeps } from '../iac/deps.js';
import { recordFlapGuard } from '../iac/record.js';
import {
  isOwnFinding,
  recordOutcome,
  recordOutcomeOnFindings,
  type RecordedFinding,
} from '../securityhub/records.js';
import { recordOutcomeV2, recordOutcomeV2OnFindings } from '../securityhub/records-v2.js';
import { closeStageLock, joinStillOpen, readRecentRemediation } from '../workflow/lock.js';
import { findingsToRecord } from '../workflow/join.js';
import type { JoinedFinding } from '../workflow/state.js';
import { creditRecentRemediation } from '../workflow/recent-remediation.js';
import { type LocksDeps } from '../workflow/deps/locks.js';
import { logger } from '../shared/powertools.js';
import { RECORD_FAILURES_METRIC, REMEDIATIONS_METRIC } from '../workflow/metrics.js';
import { controlRecord, findingRecord, toOutcomeRecord, type OutcomeRecord } from '../workflow/outcome.js';
import { findingControlsOf } from '../workflow/admit.js';
import { type ClockDeps } from '../workflow/deps/clock.js';
import { type ReportingDeps } from '../workflow/deps/reporting.js';
import { type HomeSecurityHubDeps, type MemberSecurityHubDeps } from '../workflow/deps/security-hub.js';
import { parseTaskInput, StageWorkItemSchema, TerminalSchema } from '../workflow/state.js';
import { rejectionExemptions, writeRejectionExemptions } from '../ledger/exemption-rejection.js';
import { type ExemptionDaysDeps } from '../ledger/exemption-deps.js';

const InputSchema = StageWorkItemSchema.extend({
  terminal: TerminalSchema,
  /** The Redeploy task's result, when the run made a deployment: its id is the ledger's exact after value. */
  deployment: z.object({ deploymentId: z.string().min(1).optional() }).optional(),
});

const CONTROL_TITLES = Object.fromEntries(CATALOG.map((control) => [control.id, control.title]));

export interface RecordOutput {
  readonly recorded: true;
  readonly outcome: OutcomeRecord['outcome'];
  readonly imported: number;
  readonly updated: number;
  /** What was written, kept in the execution history for whoever drills in from the note. */
  readonly record: OutcomeRecord;
  /** The remediation this run's finding was recorded as fixed by, when it was credited to one. */
  readonly creditedTo?: string;
  /** The findings of runs that joined this one, recorded with this run's outcome. */
  readonly joinedRecorded?: readonly string[];
  /** A joiner whose holder had already closed: its finding gets the holder's record instead. */
  readonly leftToHolder?: true;
  /** What became of this run's ledger entry (absent for a run that joined another: that run writes it). */
  readonly ledger?: LedgerWrite;
}

/** The ledger for DEFERRAL entries (docs/decisions/0029); absent: no ledger table wired yet. */
export function createRecordHandler(
  deps: HomeSecurityHubDeps &
    MemberSecurityHubDeps &
    LocksDeps &
    LedgerDeps &
    ReportingDeps &
    Pick<ClockDeps, 'now'> &
    ExemptionDaysDeps &
    Partial<FlapGuardDeps>,
) {
  return async (event: unknown): Promise<RecordOutput> => {
    const item = parseTaskInput('record', InputSchema, event);
    const now = deps.now();
    const record = toOutcomeRecord(item, item.terminal.outcome, deps.serviceVersion, now);
    // Only a compliant re-read can be credited; only then is the marker read (the lock is still ours).
    const written =
      record.outcome === 'ALREADY_COMPLIANT' && item.request.findingId !== undefined
        ? creditRecentRemediation(
            record,
            item.request,
            await readRecentRemediation(deps.dynamo(), item.locksTable, item.stage, now.getTime()),
            now.getTime(),
          )
        : record;
    const { lock } = item;
    const joinedRun = lock?.joined;
    // A queued run (docs/decisions/0037) writes nothing: its finding already says it is being worked
    // on (Admit's ownership note), and the holder's round records the outcome on it. In a burst
    // that is one Security Hub write fewer per queued finding.
    if (
      lock !== undefined &&
      joinedRun !== undefined &&
      (lock.queued === true || !(await joinStillOpen(deps.dynamo(), item.locksTable, lock, joinedRun)))
    ) {
      logger.info('joined run already recording: its outcome goes on this finding', { joined: joinedRun });
      deps.metric(REMEDIATIONS_METRIC, { Outcome: record.outcome });
      return { recorded: true, outcome: record.outcome, imported: 0, updated: 0, record, leftToHolder: true };
    }
    // The holder closes its item before it writes anything: every joiner it reads back is recorded.
    // The findings Admit coalesced into this run (or a round took in) are recorded with its own,
    // from the state, whatever path it took: skipped, the stage gone, a failure, joined to another.
    const coalesced = item.coalesced ?? [];
    const joined = findingsToRecord(
      lock === undefined || joinedRun !== undefined
        ? coalesced
        : [...(await closeStageLock(deps.dynamo(), item.locksTable, lock)), ...coalesced],
      item.request,
    );
    const recordOn = async (target: OutcomeRecord, format: 'ocsf' | undefined) =>
      format === 'ocsf'
        ? recordOutcomeV2(deps.homeSecurityHub(item.stage.region), target)
        : recordOutcome(
            {
              home: deps.homeSecurityHub(item.stage.region),
              member: await deps.memberSecurityHub(item.stage),
            },
            target,
            CONTROL_TITLES,
          );
    const writeLedger = async (): Promise<LedgerWrite | undefined> => {
      if (record.outcome === 'JOINED') return undefined;
      const entry = remediationEntry({
        record,
        item,
        ...(item.deployment?.deploymentId === undefined
          ? {}
          : { deploymentId: item.deployment.deploymentId }),
        findingIds: [
          ...(item.request.findingId === undefined ? [] : [item.request.findingId]),
          ...joined.map((finding) => finding.findingId),
        ],
      });
      const ledgerWrite = await writeOnce(deps.ledger(), entry);
      if (ledgerWrite.status === 'failed') {
        logger.error('ledger entry not written', { entryId: entry.entryId, error: ledgerWrite.error });
        deps.metric(RECORD_FAILURES_METRIC, {});
      }
      return ledgerWrite;
    };
    let own: Awaited<ReturnType<typeof recordOn>>;
    let updated: number;
    try {
      // Other products' findings (the run's own and those joined or coalesced into it), each with its
      // controls' share of the record (findingRecord: the stage's when its control shares the stage's
      // outcome), in one call per distinct record and format (≤ 100 each). The service's own findings
      // one by one (imports).
      const primary =
        written.findingId !== undefined && !isOwnFinding(written, written.findingProductArn)
          ? {
              findingId: written.findingId,
              productArn: written.findingProductArn,
              findingFormat: item.request.findingFormat,
            }
          : undefined;
      own =
        primary === undefined
          ? await recordOn(written, item.request.findingFormat)
          : { imported: 0, updated: 0 };
      updated = own.updated;
      const home = deps.homeSecurityHub(item.stage.region);
      const shares = recordShares([
        ...(primary === undefined
          ? []
          : [
              {
                finding: primary,
                // A record credited to another remediation is the finding's own already.
                record: written === record ? findingRecord(record, findingControlsOf(item.request)) : written,
              },
            ]),
        ...joined
          .filter((finding) => !isOwnFinding(written, finding.productArn))
          .map((finding) => ({ finding, record: findingRecord(record, finding.controls) })),
      ]);
      for (const { record: share, findings } of shares) {
        updated += await recordOutcomeOnFindings(
          home,
          share,
          findings.filter((finding) => finding.findingFormat !== 'ocsf'),
        );
        updated += await recordOutcomeV2OnFindings(
          home,
          share,
          findings.filter((finding) => finding.findingFormat === 'ocsf'),
        );
      }
      for (const finding of joined.filter((candidate) => isOwnFinding(written, candidate.productArn))) {
        updated += (await recordOn(onJoinedFinding(written, finding), finding.findingFormat)).updated;
      }
    } catch (error) {
      // The ledger keeps the run even when Security Hub refused it; the task still fails as before.
      await writeLedger();
      throw error;
    }
    const ledger = await writeLedger();
    // A rejection leaves an exemption, so the finding reset to NEW does not ask again (ledger/exemption-rejection.ts).
    await writeRejectionExemptions(
      deps.ledger(),
      rejectionExemptions(item, record, deps.exemptionDays(), now),
    );
    const result = { imported: own.imported, updated };
    // The flap guard's state and deferrals (docs/decisions/0029), after Security Hub has the record.
    await recordFlapGuard({ store: deps.flapGuard?.(), ledger: deps.ledger() }, item, record, now);
    const creditedTo = written === record ? undefined : written.remediationId;
    logger.info('remediation outcome recorded', { record: written, ...result, creditedTo });
    deps.metric(REMEDIATIONS_METRIC, { Outcome: record.outcome });
    for (const evaluation of record.evaluations) {
      deps.metric(REMEDIATIONS_METRIC, {
        ControlId: evaluation.controlId,
        Outcome: controlRecord(record, evaluation).outcome,
      });
    }
    return {
      recorded: true,
      outcome: written.outcome,
      ...result,
      record: written,
      ...(creditedTo === undefined ? {} : { creditedTo }),
      ...(joined.length === 0 ? {} : { joinedRecorded: joined.map((finding) => finding.findingId) }),
      ...(ledger === undefined ? {} : { ledger }),
    };
  };
}

type RecordTarget = RecordedFinding & { readonly findingFormat?: 'ocsf' | undefined };

/** The findings grouped by the record they get (equal records: one call per format for all of them). */
function recordShares(
  targets: readonly { readonly finding: RecordTarget; readonly record: OutcomeRecord }[],
): { readonly record: OutcomeRecord; readonly findings: RecordTarget[] }[] {
  const groups = new Map<string, { record: OutcomeRecord; findings: RecordTarget[] }>();
  for (const { finding, record } of targets) {
    // A control's share is built per finding: two findings of one control get equal records.
    const key = JSON.stringify(record);
    const group = groups.get(key) ?? { record, findings: [] };
    group.findings.push(finding);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** The holder's record, word for word, on a finding that joined it (its own product ARN, if any). */
function onJoinedFinding(
  { findingProductArn: _holders, ...record }: OutcomeRecord,
  finding: JoinedFinding,
): OutcomeRecord {
  return {
    ...record,
    findingId: finding.findingId,
    ...(finding.productArn === undefined ? {} : { findingProductArn: finding.productArn }),
  };
}
