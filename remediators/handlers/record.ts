/**
 * Record task: the outcome of one stage in Security Hub (the auditors' history), whatever the
 * outcome, and the Remediations metric by outcome (alarms watch FAILED) and by control and
 * outcome (the dashboard's "by control" graph). No account or API dimension: metric cardinality
 * stays bounded (controls × outcomes); accounts are in the outcome log for Logs Insights.
 */
import { CATALOG } from '../controls/catalog.js';
import { recordOutcome } from '../securityhub/records.js';
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
}

export function createRecordHandler(
  deps: HomeSecurityHubDeps & MemberSecurityHubDeps & ReportingDeps & Pick<ClockDeps, 'now'>,
) {
  return async (event: unknown): Promise<RecordOutput> => {
    const item = parseTaskInput('record', InputSchema, event);
    const record = toOutcomeRecord(item, item.terminal.outcome, deps.serviceVersion, deps.now());
    const result = await recordOutcome(
      { home: deps.homeSecurityHub(item.stage.region), member: await deps.memberSecurityHub(item.stage) },
      record,
      CONTROL_TITLES,
    );
    logger.info('remediation outcome recorded', { record, ...result });
    deps.metric(REMEDIATIONS_METRIC, { Outcome: record.outcome });
    for (const evaluation of record.evaluations) {
      deps.metric(REMEDIATIONS_METRIC, {
        ControlId: evaluation.controlId,
        Outcome: controlRecord(record, evaluation).outcome,
      });
    }
    return { recorded: true, outcome: record.outcome, ...result, record };
  };
}

export const handler = tracedTask(
  'record',
  createRecordHandler({
    ...createHomeSecurityHubDeps(),
    ...createMemberSecurityHubDeps(createMemberAccountDeps()),
    ...createReportingDeps(),
    ...createClockDeps(),
  }),
);
