/**
 * Alarms (to the notification topic) and the operations dashboard.
 *
 * Alarms: a workflow execution failed or timed out; any dead-letter queue holds a message (an
 * event that never started a remediation); a remediation ended FAILED. The dashboard shows the
 * outcomes by control, by account and by status from the service's own metrics.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../remediators/shared/powertools.js';
import type { ServiceFunction } from './functions.js';

/**
 * The outcome metric the workflow publishes once per remediated stage and control (Powertools
 * adds the `service` dimension): value 1, dimensions service, outcome, controlId, account.
 */
export const OUTCOME_METRIC = {
  namespace: METRICS_NAMESPACE,
  metricName: 'RemediationOutcome',
  dimensions: { service: 'service', outcome: 'outcome', controlId: 'controlId', account: 'account' },
} as const;

const PERIOD = Duration.minutes(5);

/** A CloudWatch SEARCH over the outcome metric, grouped by the given dimensions (dashboards only). */
export function outcomeSearch(groupBy: readonly string[], label: string): MathExpression {
  const dimensions = [OUTCOME_METRIC.namespace, ...groupBy].join(',');
  return new MathExpression({
    expression: `SEARCH('{${dimensions}} MetricName="${OUTCOME_METRIC.metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    label,
    usingMetrics: {},
    period: PERIOD,
  });
}

export interface MonitoringProps {
  readonly stateMachine: StateMachine;
  readonly deadLetterQueues: readonly Queue[];
  readonly topic: ITopic;
  readonly functions: readonly ServiceFunction[];
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
      dimensionsMap: {
        [OUTCOME_METRIC.dimensions.service]: SERVICE_NAME,
        [OUTCOME_METRIC.dimensions.outcome]: 'FAILED',
      },
      statistic: 'Sum',
      period: PERIOD,
    });
    alarmOnAny(
      'FailedOutcomes',
      'A remediation ended FAILED (recorded in Security Hub with the error)',
      failedOutcomes,
    );

    const { outcome, controlId, account, service } = OUTCOME_METRIC.dimensions;
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
          new GraphWidget({
            title: 'Outcomes by status',
            left: [outcomeSearch([service, outcome], 'outcome')],
            width: 8,
          }),
          new GraphWidget({
            title: 'Outcomes by control',
            left: [outcomeSearch([service, outcome, controlId], 'control')],
            width: 8,
          }),
          new GraphWidget({
            title: 'Outcomes by account',
            left: [outcomeSearch([service, outcome, account], 'account')],
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
