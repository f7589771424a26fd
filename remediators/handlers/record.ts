/**
 * Record task: the outcome of one stage in Security Hub (the auditors' history), whatever the
 * outcome, and the Remediations metric by outcome (alarms watch FAILED).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CATALOG } from '../controls/catalog.js';
import { recordOutcome } from '../securityhub/records.js';
import { logger, metrics } from '../shared/powertools.js';
import { toOutcomeRecord, type OutcomeRecord } from '../workflow/outcome.js';
import { createWorkflowDeps, type WorkflowDeps } from '../workflow/runtime.js';
import { parseTaskInput, StageWorkItemSchema, TerminalSchema } from '../workflow/state.js';

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

export function createRecordHandler(deps: WorkflowDeps) {
  return async (event: unknown): Promise<RecordOutput> => {
    const item = parseTaskInput('record', InputSchema, event);
    const record = toOutcomeRecord(item, item.terminal.outcome, deps.serviceVersion, deps.now());
    const result = await recordOutcome(
      { home: deps.homeSecurityHub(item.stage.region), member: await deps.memberSecurityHub(item.stage) },
      record,
      CONTROL_TITLES,
    );
    logger.info('remediation outcome recorded', { record, ...result });
    const metric = metrics.singleMetric();
    metric.addDimension('Outcome', record.outcome);
    metric.addMetric('Remediations', MetricUnit.Count, 1);
    return { recorded: true, outcome: record.outcome, ...result, record };
  };
}

export const handler = createRecordHandler(createWorkflowDeps());
