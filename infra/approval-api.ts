/**
 * The approval endpoint (Slack interactivity and signed links): a REST API that passes every
 * control the service enforces on others — execution logging, JSON access logging with
 * $context.requestId, X-Ray, the baseline web ACL, stage throttling within the baseline —
 * with the account's API Gateway CloudWatch role (AWS::ApiGateway::Account).
 */
import { Arn, ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { RemediationConfig } from '../config/schema.js';
import { ServiceFunction } from './functions.js';
import {
  NAG_ACCOUNT,
  NAG_PARTITION,
  PUSH_TO_CLOUDWATCH_LOGS_FINDING,
  PUSH_TO_CLOUDWATCH_LOGS_REASON,
  acknowledge,
} from './nag.js';

export const APPROVAL_API_ENTRY = 'remediators/handlers/approval-api.ts';
export const APPROVAL_REDRIVE_ENTRY = 'remediators/handlers/approval-redrive.ts';
/** How often unconfirmed decisions are delivered again and Slack messages brought up to date. */
export const APPROVAL_REDRIVE_RATE = Duration.minutes(1);

/**
 * What delivering a decision calls (approvals/delivery.ts): SendTaskSuccess or SendTaskFailure,
 * never SendTaskHeartbeat, which grantTaskResponse would add too.
 */
const TASK_RESPONSE_ACTIONS = ['states:SendTaskSuccess', 'states:SendTaskFailure'] as const;

/** What reading an execution needs to settle an ambiguous delivery (approvals/delivery.ts). */
const EXECUTION_READ_ACTIONS = ['states:DescribeExecution', 'states:GetExecutionHistory'] as const;

/**
 * Grants {@link EXECUTION_READ_ACTIONS} on the workflow's executions (`execution:{name}:*`, the
 * resource type of both actions in the Step Functions service authorization reference) and
 * acknowledges that one wildcard: execution names are only known at run time.
 */
function grantExecutionRead(
  scope: Construct,
  stateMachine: IStateMachine,
  role: ServiceFunction['role'],
): void {
  stateMachine.grantExecution(role, ...EXECUTION_READ_ACTIONS);
  const stack = Stack.of(scope);
  // The resource as grantExecution writes it and cdk-nag prints it: the partition and account are
  // literals when the stack knows them (a named Region under @aws-cdk/core:enablePartitionLiterals,
  // `-c account=`), else the pseudo parameters cdk-nag prints as <AWS::Partition> / <AWS::AccountId>.
  const literalOr = (value: string, printed: string) => {
    const resolved: unknown = stack.resolve(value);
    return typeof resolved === 'string' ? resolved : printed;
  };
  const name = Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  const resource = `arn:${literalOr(stack.partition, NAG_PARTITION)}:states:${stack.region}:${literalOr(stack.account, NAG_ACCOUNT)}:execution:${JSON.stringify(stack.resolve(name))}:*`;
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::${resource}]`,
    'DescribeExecution and GetExecutionHistory act on executions, whose names are only known at run time: ' +
      'the grant covers the executions of this one state machine.',
  );
}
export const APPROVAL_API_STAGE = 'prod';

/**
 * Humans click a few buttons a day: a low stage limit, always within the baseline the
 * service enforces (Baseline.StageThrottling), so a flood is throttled before it costs anything.
 */
export function approvalApiThrottling(
  throttling: RemediationConfig['parameters']['Baseline.StageThrottling'],
): {
  rateLimit: number;
  burstLimit: number;
} {
  return {
    rateLimit: Math.min(10, throttling.rateLimit),
    burstLimit: Math.min(20, throttling.burstLimit),
  };
}

/** The baseline web ACL rules (config.resources.webAcl): AWS managed rule groups plus a per-IP rate rule. */
export function baselineWebAclRules(
  webAcl: RemediationConfig['resources']['webAcl'],
): CfnWebACL.RuleProperty[] {
  const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
    cloudWatchMetricsEnabled: true,
    metricName,
    sampledRequestsEnabled: true,
  });
  return [
    ...webAcl.managedRuleGroups.map((name, index): CfnWebACL.RuleProperty => ({
      name,
      priority: index,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    })),
    {
      name: 'RatePerClientIp',
      priority: webAcl.managedRuleGroups.length,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: webAcl.rateLimitPer5Minutes, aggregateKeyType: 'IP' } },
      visibilityConfig: visibility('RatePerClientIp'),
    },
  ];
}

/**
 * Core rule set rules that would block legitimate approval traffic, counted instead of blocked on
 * the approval API only. SizeRestrictions_BODY blocks every body over 8 KB, and a Slack
 * block_actions request carries the whole approval message (every change, before → after) in its
 * form-encoded `payload`: a message with a long change list crosses 8 KB, and the click would be
 * refused by WAF before the handler could verify its signature. The handler authenticates every
 * request itself and reads only the fields it needs.
 */
export const APPROVAL_API_COUNTED_CRS_RULES = ['SizeRestrictions_BODY'] as const;

/** The baseline rules as the approval API uses them: Slack's large interactivity bodies pass the CRS. */
export function approvalWebAclRules(
  webAcl: RemediationConfig['resources']['webAcl'],
): CfnWebACL.RuleProperty[] {
  return baselineWebAclRules(webAcl).map((rule) =>
    rule.name === 'AWSManagedRulesCommonRuleSet'
      ? {
          ...rule,
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: rule.name,
              ruleActionOverrides: APPROVAL_API_COUNTED_CRS_RULES.map((name) => ({
                name,
                actionToUse: { count: {} },
              })),
            },
          },
        }
      : rule,
  );
}

export interface ApprovalApiProps {
  readonly config: RemediationConfig;
  readonly retention: RetentionDays;
}

export interface ApprovalHandlerProps {
  readonly projectRoot: string;
  readonly approvalsTable: ITable;
  readonly slackSecret: ISecret;
  readonly stateMachine: IStateMachine;
  readonly retention: RetentionDays;
}

export class ApprovalApi extends Construct {
  readonly api: RestApi;
  readonly webAcl: CfnWebACL;
  readonly accessLogs: LogGroup;
  /**
   * The stage URL built from the API id and the stage name only, so the request-approval
   * function can carry it without depending on the deployment (which depends on the approval
   * handler, which depends on the workflow, which depends on request-approval).
   */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: ApprovalApiProps) {
    super(scope, id);
    const { config } = props;
    const throttling = approvalApiThrottling(config.parameters['Baseline.StageThrottling']);

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: 'apigw-remediation-approvals',
      description: 'Slack interactivity and signed approval links of apigw-remediation',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Creates the API Gateway CloudWatch Logs role and sets it on the account (AWS::ApiGateway::Account).
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: APPROVAL_API_STAGE,
        loggingLevel:
          config.parameters['APIGateway.1'].executionLogLevel === 'INFO'
            ? MethodLoggingLevel.INFO
            : MethodLoggingLevel.ERROR,
        // Request bodies carry Slack payloads and link signatures: never in the logs.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.custom(config.parameters['Baseline.RestAccessLogging'].format),
      },
    });
    this.baseUrl = `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${APPROVAL_API_STAGE}`;

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${config.resources.webAcl.name}-approvals`,
      description: 'The apigw-remediation baseline rules, protecting its own approval API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: 'apigw-remediation-approvals',
        sampledRequestsEnabled: true,
      },
      rules: approvalWebAclRules(config.resources.webAcl),
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    const reason =
      'Slack and the approvers’ browsers cannot sign AWS requests or hold Cognito tokens: every request is ' +
      'authenticated by the handler instead (Slack v0 signature with a 5-minute window, or an HMAC-signed ' +
      'single-use link with a CSRF-protected POST).';
    acknowledge(this.api, 'AwsSolutions-APIG4', reason);
    acknowledge(this.api, 'AwsSolutions-COG4', reason);
    acknowledge(
      this.api,
      'AwsSolutions-APIG2',
      'The handler validates every request with zod after checking its signature (Slack sends form-encoded ' +
        'payloads a JSON-schema request validator cannot describe).',
    );
    acknowledge(this.api, PUSH_TO_CLOUDWATCH_LOGS_FINDING, PUSH_TO_CLOUDWATCH_LOGS_REASON);
  }

  /** Creates the approval handler and routes every path and method of the API to it. */
  attachHandler(props: ApprovalHandlerProps): ServiceFunction {
    const handler = new ServiceFunction(this, 'Handler', {
      projectRoot: props.projectRoot,
      entry: APPROVAL_API_ENTRY,
      description:
        'Slack interactivity and signed links: verifies, records the decision, resumes the workflow',
      // Slack gives up after 3 s: the handler answers within that and a slow call fails fast.
      timeout: Duration.seconds(10),
      environment: {
        APPROVALS_TABLE_NAME: props.approvalsTable.tableName,
        SLACK_SECRET_ARN: props.slackSecret.secretArn,
        // The Slack Undo button starts this state machine (approvals/undo-request.ts).
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
      },
      logRetention: props.retention,
      logLevel: 'INFO',
    });
    // The Undo button's StartExecution, on the workflow's ARN only (resource type stateMachine,
    // Step Functions service authorization reference). No cycle: the workflow reaches this API
    // only through its URL, built from the RestApi id, not from this function.
    props.stateMachine.grant(handler.role, 'states:StartExecution');
    // What docs/approvals.md declares for the approval API: read the request, record the decision once.
    props.approvalsTable.grant(handler.role, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.slackSecret.grantRead(handler.role);
    props.stateMachine.grant(handler.role, ...TASK_RESPONSE_ACTIONS);
    grantExecutionRead(this, props.stateMachine, handler.role);
    this.api.root.addProxy({ defaultIntegration: new LambdaIntegration(handler.function), anyMethod: true });
    return handler;
  }

  /**
   * The re-drive sweep: an EventBridge schedule runs it every minute; it delivers decisions Step
   * Functions has not confirmed and updates Slack messages with chat.update (docs/approvals.md).
   */
  attachRedrive(props: ApprovalHandlerProps): ServiceFunction {
    const sweep = new ServiceFunction(this, 'Redrive', {
      projectRoot: props.projectRoot,
      entry: APPROVAL_REDRIVE_ENTRY,
      description:
        'Delivers approval decisions Step Functions has not confirmed yet; updates their Slack messages',
      timeout: Duration.seconds(55),
      // One sweep at a time: two would only deliver the same decisions twice.
      reservedConcurrentExecutions: 1,
      environment: {
        APPROVALS_TABLE_NAME: props.approvalsTable.tableName,
        SLACK_SECRET_ARN: props.slackSecret.secretArn,
      },
      logRetention: props.retention,
      logLevel: 'INFO',
    });
    // What docs/approvals.md declares for the sweep: find unsettled approvals, note how they
    // stand, and read back the status a faster writer stored first (store.recordDelivery).
    props.approvalsTable.grant(sweep.role, 'dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.slackSecret.grantRead(sweep.role);
    props.stateMachine.grant(sweep.role, ...TASK_RESPONSE_ACTIONS);
    grantExecutionRead(this, props.stateMachine, sweep.role);
    const schedule = new Rule(this, 'RedriveSchedule', {
      description: 'Runs the approval re-drive sweep',
      schedule: Schedule.rate(APPROVAL_REDRIVE_RATE),
      // A missed run is made up by the next one a minute later.
      targets: [new LambdaFunction(sweep.function, { retryAttempts: 0 })],
    });
    acknowledge(
      schedule,
      'Serverless-EventBusDLQ',
      'A scheduled event carries nothing to replay: a run that fails or is missed is made up by the next one a ' +
        'minute later, which reads the table afresh.',
    );
    return sweep;
  }
}
