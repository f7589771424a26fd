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
 */
import { CATALOG } from '../controls/catalog.js';
import { recordOutcome } from '../securityhub/records.js';
import { recordOutcomeV2 } from '../securityhub/records-v2.js';
import { readRecentRemediation } from '../workflow/lock.js';
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
import { tracedTask } from '../workflow/tracing.js';

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
}

export function createRecordHandler(
  deps: HomeSecurityHubDeps & MemberSecurityHubDeps & LocksDeps & ReportingDeps & Pick<ClockDeps, 'now'>,
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
    const result =
      item.request.findingFormat === 'ocsf'
        ? await recordOutcomeV2(deps.homeSecurityHub(item.stage.region), written)
        : await recordOutcome(
            {
              home: deps.homeSecurityHub(item.stage.region),
              member: await deps.memberSecurityHub(item.stage),
            },
            written,
            CONTROL_TITLES,
          );
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
    };
  };
}

export const handler = tracedTask(
  'record',
  createRecordHandler({
    ...createHomeSecurityHubDeps(),
    ...createMemberSecurityHubDeps(createMemberAccountDeps()),
    ...createLocksDeps(),
    ...createReportingDeps(),
    ...createClockDeps(),
  }),
);
