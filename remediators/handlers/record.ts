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
 */
import { CATALOG } from '../controls/catalog.js';
import { createFlapGuardDeps, type FlapGuardDeps } from '../iac/deps.js';
import { recordFlapGuard, type DeferralLedger } from '../iac/record.js';
import { recordOutcome } from '../securityhub/records.js';
import { recordOutcomeV2 } from '../securityhub/records-v2.js';
import { closeStageLock, joinStillOpen, readRecentRemediation } from '../workflow/lock.js';
import { findingsToRecord, type JoinedFinding } from '../workflow/join.js';
import { creditRecentRemediation } from '../workflow/recent-remediation.js';
import { createLocksDeps, type LocksDeps } from '../workflow/deps/locks.js';
import { logger } from '../shared/powertools.js';
import { REMEDIATIONS_METRIC } from '../workflow/metrics.js';
import { controlRecord, toOutcomeRecord, type OutcomeRecord } from '../workflow/outcome.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
import { createMemberAccountDeps } from '../workflow/deps/member-account.js';
import { createReportingDeps, type ReportingDeps } from '../workflow/deps/reporting.js';
import {
  createHomeSecurityHubDeps,
  createMemberSecurityHubDeps,
  type HomeSecurityHubDeps,
  type MemberSecurityHubDeps,
} from '../workflow/deps/security-hub.js';
import { parseTaskInput, StageWorkItemSchema, TerminalSchema } from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';

const InputSchema = StageWorkItemSchema.extend({ terminal: TerminalSchema });

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
}

/** The ledger for DEFERRAL entries (docs/decisions/0029); absent: no ledger table wired yet. */
export interface DeferralLedgerDeps {
  readonly deferralLedger: () => DeferralLedger | undefined;
}

export function createRecordHandler(
  deps: HomeSecurityHubDeps &
    MemberSecurityHubDeps &
    LocksDeps &
    ReportingDeps &
    Pick<ClockDeps, 'now'> &
    Partial<FlapGuardDeps & DeferralLedgerDeps>,
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
    if (
      lock !== undefined &&
      joinedRun !== undefined &&
      !(await joinStillOpen(deps.dynamo(), item.locksTable, lock, joinedRun))
    ) {
      logger.info('joined run already recording: its outcome goes on this finding', { joined: joinedRun });
      deps.metric(REMEDIATIONS_METRIC, { Outcome: record.outcome });
      return { recorded: true, outcome: record.outcome, imported: 0, updated: 0, record, leftToHolder: true };
    }
    // The holder closes its item before it writes anything: every joiner it reads back is recorded.
    const joined =
      lock === undefined || joinedRun !== undefined
        ? []
        : findingsToRecord(await closeStageLock(deps.dynamo(), item.locksTable, lock), item.request);
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
    const own = await recordOn(written, item.request.findingFormat);
    let { updated } = own;
    for (const finding of joined) {
      updated += (await recordOn(onJoinedFinding(written, finding), finding.findingFormat)).updated;
    }
    const result = { imported: own.imported, updated };
    // The flap guard's state and deferrals (docs/decisions/0029), after Security Hub has the record.
    await recordFlapGuard({ store: deps.flapGuard?.(), ledger: deps.deferralLedger?.() }, item, record, now);
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
    };
  };
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

export const handler = lambdaHandler(
  createRecordHandler({
    ...createHomeSecurityHubDeps(),
    ...createMemberSecurityHubDeps(createMemberAccountDeps()),
    ...createLocksDeps(),
    ...createReportingDeps(),
    ...createClockDeps(),
    ...createFlapGuardDeps(),
  }),
);
