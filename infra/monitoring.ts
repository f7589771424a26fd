/**
 * Alarms (to the notification topic) and the operations dashboard.
 *
 * Alarms: a workflow execution failed or timed out; any dead-letter queue holds a message (an
 * event that never started a remediation); a remediation ended FAILED. The dashboard shows the
 * outcomes by status (metric), by control and by account (Logs Insights over the outcome log).
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
import { CONTROL_IDS } from '../remediators/core/types.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../remediators/shared/powertools.js';
import type { ServiceFunction } from './functions.js';

/**
 * What the record task publishes once per stage (remediators/handlers/record.ts): the
 * `Remediations` count with the `Outcome` dimension (Powertools adds `service`), and the log
 * line "remediation outcome recorded" carrying the whole record (account, controls, changes).
 */
export const OUTCOME_METRIC = {
  namespace: METRICS_NAMESPACE,
  metricName: 'Remediations',
  outcomeDimension: 'Outcome',
} as const;
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

/** Logs Insights: outcomes per account (the record's stage account). */
export function outcomesByAccountQuery(): string[] {
  return [
    'fields record.stage.account as account, record.outcome as outcome',
    `filter message = "${OUTCOME_LOG_MESSAGE}"`,
    'stats count(*) as remediations by account, outcome',
    'sort remediations desc',
  ];
}

/**
 * Logs Insights: outcomes per control. A record lists its controls inside arrays (changes,
 * evaluations), so each control is counted by whether the record mentions it.
 */
export function outcomesByControlQuery(controlIds: readonly string[]): string[] {
  const columns = controlIds.map((id) => `sum(strcontains(@message, '"controlId":"${id}"')) as \`${id}\``);
  return [`filter message = "${OUTCOME_LOG_MESSAGE}"`, `stats ${columns.join(', ')} by record.outcome`];
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
          new LogQueryWidget({
            title: 'Outcomes by control',
            logGroupNames: [props.outcomeLogs.logGroupName],
            queryLines: outcomesByControlQuery(CONTROL_IDS),
            view: LogQueryVisualizationType.TABLE,
            width: 8,
          }),
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
