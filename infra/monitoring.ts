/**
 * Alarms (to the notification topic) and the operations dashboard.
 *
 * Alarms: a workflow execution failed or timed out; any dead-letter queue holds a message (an
 * event that never started a remediation); a remediation ended FAILED; intake rejected part of an
 * event; an outcome could not be written to Security Hub. The dashboard shows the outcomes by
 * status and by control (metrics) and by account (Logs Insights over the outcome log).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../remediators/shared/powertools.js';
import { RECORD_FAILURES_METRIC, REMEDIATIONS_METRIC } from '../remediators/workflow/metrics.js';
import type { ServiceFunction } from './functions.js';

/**
 * What the record task publishes once per stage (remediators/handlers/record.ts): the
 * `Remediations` count with the `Outcome` dimension (Powertools adds `service`), and the log
 * line "remediation outcome recorded" carrying the whole record (account, controls, changes).
 */
export const OUTCOME_METRIC = {
  namespace: METRICS_NAMESPACE,
  metricName: REMEDIATIONS_METRIC,
  outcomeDimension: 'Outcome',
  /** Also published once per control of a record, with {ControlId, Outcome} (no account: bounded). */
  controlDimension: 'ControlId',
} as const;
/** Intake: event items it could not read (remediators/handlers/intake.ts, and intake-enrichment.ts for the Pipe's batches). */
export const REJECTED_METRIC = 'Rejected';
export { RECORD_FAILURES_METRIC };
export const OUTCOME_LOG_MESSAGE = 'remediation outcome recorded';

const PERIOD = Duration.minutes(5);

/** Outcomes by status, from the metric (a SEARCH finds every Outcome value that occurred). */
export function outcomesByStatus(): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${OUTCOME_METRIC.namespace},${OUTCOME_METRIC.outcomeDimension},service} MetricName="${OUTCOME_METRIC.metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    label: 'outcome',
    usingMetrics: {},
    period: PERIOD,
  });
}

/** Outcomes by control, from the metric: one line per ControlId and Outcome that occurred. */
export function outcomesByControl(): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${OUTCOME_METRIC.namespace},${OUTCOME_METRIC.controlDimension},${OUTCOME_METRIC.outcomeDimension},service} MetricName="${OUTCOME_METRIC.metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    label: 'control outcome',
    usingMetrics: {},
    period: PERIOD,
  });
}

/** Logs Insights: outcomes per account (the record's stage account). */
export function outcomesByAccountQuery(): string[] {
  return [
    'fields record.stage.account as account, record.outcome as outcome',
    `filter message = "${OUTCOME_LOG_MESSAGE}"`,
    'stats count(*) as remediations by account, outcome',
    'sort remediations desc',
  ];
}

export interface MonitoringProps {
  readonly stateMachine: StateMachine;
  readonly deadLetterQueues: readonly Queue[];
  readonly topic: ITopic;
  readonly functions: readonly ServiceFunction[];
  /** Log group of the record task, where every outcome is logged with its record. */
  readonly outcomeLogs: ILogGroup;
}

export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const notify = new SnsAction(props.topic);
    const alarmOnAny = (alarmId: string, description: string, metric: IMetric) => {
      const alarm = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
      this.alarms.push(alarm);
      return alarm;
    };

    alarmOnAny(
      'WorkflowFailed',
      'A remediation workflow execution failed: open the execution from the Step Functions console',
      props.stateMachine.metricFailed({ period: PERIOD, statistic: 'Sum' }),
    );
    alarmOnAny(
      'WorkflowTimedOut',
      'A remediation workflow execution timed out',
      props.stateMachine.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
    );
    for (const queue of props.deadLetterQueues) {
      alarmOnAny(
        `${queue.node.id}Depth`,
        `Events that could not start a remediation are waiting in ${queue.node.id}: inspect and redrive them`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      );
    }
    const failedOutcomes = new Metric({
      namespace: OUTCOME_METRIC.namespace,
      metricName: OUTCOME_METRIC.metricName,
      dimensionsMap: { service: SERVICE_NAME, [OUTCOME_METRIC.outcomeDimension]: 'FAILED' },
      statistic: 'Sum',
      period: PERIOD,
    });
    alarmOnAny(
      'FailedOutcomes',
      'A remediation ended FAILED (recorded in Security Hub with the error)',
      failedOutcomes,
    );
    const serviceCount = (metricName: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Sum',
        period: PERIOD,
      });
    alarmOnAny(
      'IntakeRejected',
      'Intake rejected part of an event (nothing started for it): the notification lists the errors',
      serviceCount(REJECTED_METRIC),
    );
    alarmOnAny(
      'RecordFailures',
      'An outcome could not be written to Security Hub (the audit trail has a gap): see the notification',
      serviceCount(RECORD_FAILURES_METRIC),
    );

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Dashboards are global to the account: the Region keeps per-Region deployments apart.
      dashboardName: `apigw-remediation-${Stack.of(this).region}`,
      widgets: [
        [
          new TextWidget({
            markdown:
              '# apigw-remediation\nOutcomes of every remediation (REMEDIATED, ALREADY_COMPLIANT, DRY_RUN, SKIPPED, REJECTED, EXPIRED, RESOURCE_GONE, FAILED). Details of each are in Security Hub.',
            width: 24,
            height: 2,
          }),
        ],
        [
          new GraphWidget({ title: 'Outcomes by status', left: [outcomesByStatus()], width: 8 }),
          new GraphWidget({ title: 'Outcomes by control', left: [outcomesByControl()], width: 8 }),
          new LogQueryWidget({
            title: 'Outcomes by account',
            logGroupNames: [props.outcomeLogs.logGroupName],
            queryLines: outcomesByAccountQuery(),
            view: LogQueryVisualizationType.TABLE,
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Workflow executions',
            left: [
              props.stateMachine.metricStarted({ period: PERIOD }),
              props.stateMachine.metricSucceeded({ period: PERIOD }),
              props.stateMachine.metricFailed({ period: PERIOD }),
              props.stateMachine.metricTimedOut({ period: PERIOD }),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'Function errors and throttles',
            left: props.functions.map((fn) => fn.function.metricErrors({ period: PERIOD })),
            right: props.functions.map((fn) => fn.function.metricThrottles({ period: PERIOD })),
            width: 12,
          }),
        ],
      ],
    });
  }
}
