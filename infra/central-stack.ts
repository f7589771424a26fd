/**
 * The central stack, in the security tooling account (Security Hub delegated administrator):
 * event rules → the Standard remediation workflow → one Lambda per Task, plus the locks and
 * approvals tables, the Slack secret, the notification topic, the approval API and the
 * alarms and dashboard. Deployed once in the aggregation Region, or once per Region.
 */
import { resolve } from 'node:path';
import { Aws, CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { CfnActionTarget } from 'aws-cdk-lib/aws-securityhub';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { RemediationConfig } from '../config/schema.js';
import { HOME_ACCOUNT_ENV } from '../remediators/core/credentials.js';
import { KILL_SWITCH_PARAMETER_ENV } from '../remediators/workflow/kill-switch.js';
import { PACE_KEY_PREFIX, PACING_TABLE_ENV } from '../remediators/workflow/pacing.js';
import { LEDGER_TABLE_ENV } from '../remediators/ledger/deps.js';
import {
  LEDGER_STAGE_INDEX,
  LEDGER_STAGE_INDEX_KEY,
  LEDGER_STAGE_INDEX_SORT_KEY,
  LEDGER_TABLE_KEY,
} from '../remediators/ledger/entry.js';
import { FLAP_TABLE_ENV, FLAP_TABLE_KEY, FLAP_TABLE_TTL_ATTRIBUTE } from '../remediators/iac/flap-store.js';
import {
  DEFINITION_SUBSTITUTIONS,
  LOCKS_TABLE_KEY,
  LOCKS_TABLE_TTL_ATTRIBUTE,
  TASKS,
} from '../state-machines/tasks.js';
import type { TaskNeed } from '../state-machines/tasks.js';
import { ApprovalApi } from './approval-api.js';
import {
  CUSTOM_ACTION_DESCRIPTION,
  CUSTOM_ACTION_ID,
  CUSTOM_ACTION_NAME,
  UNDO_ACTION_DESCRIPTION,
  UNDO_ACTION_ID,
  UNDO_ACTION_NAME,
  asCdkEventPattern,
  cloudTrailDriftPattern,
  securityHubCustomActionPattern,
  securityHubFindingsPattern,
  securityHubOcsfFindingsPattern,
} from './event-patterns.js';
import type { EventPatternJson } from './event-patterns.js';
import { ServiceFunction } from './functions.js';
import { IntakeFront } from './intake-front.js';
import { logRetention } from './log-retention.js';
import { Monitoring } from './monitoring.js';
import { NAG_ACCOUNT, NAG_PARTITION, acknowledge, acknowledgeAll, wildcardFindings } from './nag.js';
import {
  API_GATEWAY_TASKS,
  MEMBER_ROLE_TASKS,
  CENTRAL_EVENT_BUS_NAME,
  KILL_SWITCH_PARAMETER_NAME,
  centralTaskRoleName,
  ownRoleNames,
  taskShortName,
} from './names.js';
import {
  REMEDIATION_WILDCARDS_REASON,
  remediationReadStatements,
  remediationUndoStatements,
  remediationWriteStatements,
  ocsfUpdateGuardStatements,
  securityHubImportStatement,
} from './permissions.js';

export const STATE_MACHINE_DEFINITION = 'state-machines/remediation.asl.json';
/** The intake Pipe's enrichment (docs/decisions/0042), a Lambda beside the state machine's tasks. */
export const INTAKE_ENRICHMENT_ENTRY = 'remediators/handlers/intake-enrichment.ts';

/**
 * Tasks that change API Gateway in the home account (the others only read). No reserved concurrency on it: API Gateway's quotas are per account and Region, so a global cap
 * paced every account by the busiest one. The deployment slot paces deployments per account
 * (workflow/deploy-slot.ts) and the SDK's and the state machine's retries absorb the rest
 * (docs/decisions/0035).
 */
export const API_GATEWAY_WRITER_TASKS = ['RemediateFunctionArn'];

export interface CentralStackProps extends StackProps {
  readonly config: RemediationConfig;
  /** The channel approval requests go to (config/deployability.ts: from the file or the context). */
  readonly slackChannelId: string;
  /** The Region of this stack: a literal, because role names and event patterns carry it. */
  readonly region: string;
  readonly projectRoot: string;
}

export class CentralStack extends Stack {
  readonly stateMachine: StateMachine;
  readonly functions: ReadonlyMap<string, ServiceFunction>;
  readonly eventBus: EventBus;
  readonly approvalApi: ApprovalApi;

  constructor(scope: Construct, id: string, props: CentralStackProps) {
    super(scope, id, { ...props, env: { ...props.env, region: props.region } });
    const { config, projectRoot, region } = props;
    // One retention for every log the service keeps (the configured access-log retention).
    const retention = logRetention(config.resources.accessLogGroups.retentionDays);

    for (const writer of API_GATEWAY_WRITER_TASKS) {
      if (!TASKS.some((task) => task.substitution === writer)) {
        throw new Error(
          `infra expects a task "${writer}" in state-machines/tasks.ts (an API Gateway writer); the manifest lists ${TASKS.map((task) => task.substitution).join(', ')}`,
        );
      }
    }

    const organizationId = new CfnParameter(this, 'OrganizationId', {
      type: 'String',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      description: 'AWS Organizations id (o-...): member accounts of this organization may forward events',
    });

    // ---------------------------------------------------------------- data
    const locks = new Table(this, 'LocksTable', {
      partitionKey: { name: LOCKS_TABLE_KEY, type: AttributeType.STRING },
      timeToLiveAttribute: LOCKS_TABLE_TTL_ATTRIBUTE,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Locks and deployment slots live minutes; nothing in them outlives the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The flap guard's counts (docs/decisions/0029): they age out with the TTL; a deferral has none.
    const flapGuard = new Table(this, 'IacFlapTable', {
      partitionKey: { name: FLAP_TABLE_KEY, type: AttributeType.STRING },
      timeToLiveAttribute: FLAP_TABLE_TTL_ATTRIBUTE,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Counts and deferrals are working state, not evidence (the ledger keeps the deferrals).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const approvals = new Table(this, 'ApprovalsTable', {
      partitionKey: { name: 'approvalId', type: AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Approvals are evidence (who approved what): keep them if the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The remediation ledger (remediators/ledger/entry.ts, docs/decisions/0027): one item per
    // remediation, undo and exemption, read by the CLI's history and undo. History is evidence, like
    // the approvals: no TTL (nothing expires), kept if the stack goes, point-in-time recovery on.
    const ledger = new Table(this, 'LedgerTable', {
      partitionKey: { name: LEDGER_TABLE_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    ledger.addGlobalSecondaryIndex({
      indexName: LEDGER_STAGE_INDEX,
      partitionKey: { name: LEDGER_STAGE_INDEX_KEY, type: AttributeType.STRING },
      sortKey: { name: LEDGER_STAGE_INDEX_SORT_KEY, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    const slackSecret = new Secret(this, 'SlackSecret', {
      description:
        'Slack app credentials for apigw-remediation approvals: set botToken and signingSecret from the Slack app; linkSigningKey is generated',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ botToken: '', signingSecret: '' }),
        generateStringKey: 'linkSigningKey',
        passwordLength: 64,
        excludePunctuation: true,
      },
    });
    acknowledge(
      slackSecret,
      'AwsSolutions-SMG4',
      'The bot token and signing secret are issued and rotated in Slack (app settings), not by AWS; the link ' +
        'signing key is rotated with them by editing the secret (docs/approvals.md).',
    );

    const topicKey = new Key(this, 'NotificationsKey', {
      description: 'Encrypts the apigw-remediation notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the topic, so they must be able to use its key.
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    const notifications = new Topic(this, 'Notifications', {
      displayName: 'apigw-remediation outcomes',
      masterKey: topicKey,
      enforceSSL: true,
    });

    // The brake: `aws ssm put-parameter --name /apigw-remediation/kill-switch --value 'on: <why>' --overwrite`
    // turns every control into notify within seconds (docs/deploy.md). CloudFormation writes the
    // value only when the template's value changes, so a stack update leaves a pulled switch pulled.
    const killSwitch = new StringParameter(this, 'KillSwitch', {
      parameterName: KILL_SWITCH_PARAMETER_NAME,
      stringValue: 'off',
      tier: ParameterTier.STANDARD,
      description:
        'apigw-remediation kill switch: off, or on[: reason] to turn every control into notify (nothing is changed)',
    });

    // ---------------------------------------------------------------- functions
    // Central roles act only from this Region (one aggregation Region, or each Region on its own).
    const serviceRoleArns = MEMBER_ROLE_TASKS.map(
      (task) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${centralTaskRoleName(task, region)}`,
    );
    this.approvalApi = new ApprovalApi(this, 'ApprovalApi', { config, retention });

    const functions = new Map<string, ServiceFunction>();
    for (const task of TASKS) {
      const needs = task.needs as readonly TaskNeed[];
      const writer = API_GATEWAY_WRITER_TASKS.includes(task.substitution);
      const environment: Record<string, string> = {};
      if (needs.includes('memberRole')) environment[HOME_ACCOUNT_ENV] = Aws.ACCOUNT_ID;
      if (needs.includes('notifyTopic')) environment.NOTIFY_TOPIC_ARN = notifications.topicArn;
      if (needs.includes('killSwitch')) environment[KILL_SWITCH_PARAMETER_ENV] = killSwitch.parameterName;
      if (
        needs.includes('ledgerExemptions') ||
        needs.includes('ledgerWrite') ||
        needs.includes('ledgerUndo')
      ) {
        environment[LEDGER_TABLE_ENV] = ledger.tableName;
      }
      if (needs.includes('flapTableRead') || needs.includes('flapTableWrite')) {
        environment[FLAP_TABLE_ENV] = flapGuard.tableName;
      }
      if (needs.includes('approvals')) {
        environment.APPROVALS_TABLE_NAME = approvals.tableName;
        environment.SLACK_SECRET_ARN = slackSecret.secretArn;
        environment.APPROVAL_BASE_URL = this.approvalApi.baseUrl;
        environment.SLACK_CHANNEL_ID = props.slackChannelId;
      }
      if (needs.includes('pacing')) environment[PACING_TABLE_ENV] = locks.tableName;
      if (task.substitution === 'IntakeFunctionArn') {
        environment.SERVICE_ROLE_ARNS = serviceRoleArns.join(',');
      }

      const fn = new ServiceFunction(this, pascal(taskShortName(task)), {
        projectRoot,
        entry: task.entry,
        description: task.description,
        ...(needs.includes('memberRole') ? { roleName: centralTaskRoleName(task, region) } : {}),
        timeout: writer ? Duration.minutes(2) : Duration.seconds(60),
        environment,
        logRetention: retention,
        logLevel: 'INFO',
        ...(writer ? { grantedWildcardsReason: REMEDIATION_WILDCARDS_REASON } : {}),
      });
      const role = fn.role;
      const readsApiGateway = API_GATEWAY_TASKS.some(
        (candidate) => candidate.substitution === task.substitution,
      );
      if (needs.includes('memberRole')) {
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'AssumeMemberRole',
            actions: ['sts:AssumeRole'],
            resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.crossAccount.memberRoleName}`],
            conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId.valueAsString } },
          }),
        );
        acknowledge(
          role,
          `AwsSolutions-IAM5[Resource::arn:${NAG_PARTITION}:iam::*:role/${config.crossAccount.memberRoleName}]`,
          'The member role has the same name in every account of the organization and any of them may hold a ' +
            'stage to fix; aws:ResourceOrgID limits sts:AssumeRole to accounts of this organization.',
        );
      }
      // The undo task reads stages like the readers and takes back what a remediation changed
      // (remediators/ledger/undo-iam.ts), in the home account directly.
      const undoes = task.substitution === 'UndoFunctionArn';
      if (readsApiGateway || undoes) {
        const statementsFor = (partition: string, account: string) => {
          const scope = { partition, account, resources: config.resources };
          return [
            ...remediationReadStatements(scope),
            ...(writer ? remediationWriteStatements(scope) : []),
            ...(undoes ? remediationUndoStatements(scope) : []),
          ];
        };
        for (const statement of statementsFor(Aws.PARTITION, Aws.ACCOUNT_ID)) {
          role.addToPrincipalPolicy(statement);
        }
        acknowledgeAll(
          role,
          wildcardFindings(statementsFor(NAG_PARTITION, NAG_ACCOUNT)).filter(
            (finding) => finding !== 'AwsSolutions-IAM5[Resource::*]',
          ),
          REMEDIATION_WILDCARDS_REASON,
        );
      }
      if (needs.includes('locksTable')) locks.grantReadWriteData(role);
      if (needs.includes('killSwitch')) {
        // Only GetParameter (what Powertools' SSMProvider.get calls), only on this parameter;
        // a String parameter needs no KMS permission (Service Authorization Reference, SSM).
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'ReadKillSwitch',
            actions: ['ssm:GetParameter'],
            resources: [killSwitch.parameterArn],
          }),
        );
      }
      // A stage's exemptions: one BatchGetItem of known keys (ledger/exemption.ts); no query, no write.
      if (needs.includes('ledgerExemptions')) {
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'ReadExemptions',
            actions: ['dynamodb:BatchGetItem'],
            resources: [ledger.tableArn],
          }),
        );
      }
      // The paced calls' schedules (remediators/workflow/pacing.ts): a conditional UpdateItem of a
      // `pace#…` item, nothing else, no other item (dynamodb:LeadingKeys, the partition key; Service
      // Authorization Reference, Amazon DynamoDB: UpdateItem supports it).
      if (needs.includes('pacing')) {
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'PaceCalls',
            actions: ['dynamodb:UpdateItem'],
            resources: [locks.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${PACE_KEY_PREFIX}*`] } },
          }),
        );
      }
      // The admit task's delivery marker (a conditional PutItem of `event#{id}`): no read, no Delete.
      if (needs.includes('locksTableDeliveries')) locks.grant(role, 'dynamodb:PutItem');
      if (needs.includes('ledgerWrite')) {
        // The ledger's idempotent put (remediators/ledger/store.ts): a conditional PutItem, and on a
        // ConditionalCheckFailed a consistent GetItem to tell a retry's own earlier write from a
        // conflict; the exemption a rejected approval leaves is a PutItem too. On the table only:
        // the Record task never queries the byStage index.
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'WriteLedger',
            actions: ['dynamodb:PutItem', 'dynamodb:GetItem'],
            resources: [ledger.tableArn],
          }),
        );
      }
      if (needs.includes('ledgerUndo')) {
        // The undo task (remediators/ledger/undo.ts): GetItem of the remediation and of its own UNDO
        // entry (a retry), the idempotent PutItem of the UNDO entry and the exemptions' PutItem, and
        // a Query of the byStage index (the stage's entries: the newest remediation, earlier undos).
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'UndoLedger',
            actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
            resources: [ledger.tableArn],
          }),
        );
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'UndoLedgerByStage',
            actions: ['dynamodb:Query'],
            resources: [`${ledger.tableArn}/index/${LEDGER_STAGE_INDEX}`],
          }),
        );
      }
      // The snapshot task only reads; the record task reads and puts (iac/flap-store.ts). No Delete:
      // clearing a deferral is the operator's CLI, with the operator's own credentials.
      if (needs.includes('flapTableRead')) flapGuard.grant(role, 'dynamodb:GetItem');
      if (needs.includes('flapTableWrite')) flapGuard.grant(role, 'dynamodb:GetItem', 'dynamodb:PutItem');
      if (needs.includes('securityHub')) {
        // Findings are updated through the hub of the stage's Region (any Region), and own
        // findings of home-account stages imported there too (no assume in the home account).
        const hubStatement = (partition: string, account: string) =>
          new PolicyStatement({
            sid: 'UpdateFindings',
            actions: ['securityhub:BatchUpdateFindings'],
            resources: [`arn:${partition}:securityhub:*:${account}:hub/default`],
          });
        role.addToPrincipalPolicy(hubStatement(Aws.PARTITION, Aws.ACCOUNT_ID));
        for (const statement of ocsfUpdateGuardStatements(Aws.PARTITION, Aws.ACCOUNT_ID)) {
          role.addToPrincipalPolicy(statement);
        }
        role.addToPrincipalPolicy(
          securityHubImportStatement({ partition: Aws.PARTITION, account: Aws.ACCOUNT_ID }),
        );
        acknowledgeAll(
          role,
          wildcardFindings([
            hubStatement(NAG_PARTITION, NAG_ACCOUNT),
            ...ocsfUpdateGuardStatements(NAG_PARTITION, NAG_ACCOUNT),
            securityHubImportStatement({ partition: NAG_PARTITION, account: NAG_ACCOUNT }),
          ]),
          'Security Hub actions name this account’s own hub and default product; the Region is a wildcard because ' +
            'findings are updated and imported in the Region of the stage, which may be any Region.',
        );
      }
      // The owners' own topics (iac.ownerChannels, docs/decisions/0029): only the task that notifies, only those topics.
      const ownerTopics = [...new Set(config.iac.ownerChannels.map((channel) => channel.topicArn))];
      if (task.substitution === 'FinishFunctionArn' && ownerTopics.length > 0) {
        role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'PublishToOwnerChannels',
            actions: ['sns:Publish'],
            resources: ownerTopics,
          }),
        );
      }
      if (needs.includes('notifyTopic')) {
        notifications.grantPublish(role);
        acknowledge(
          role,
          'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          'Publishing to the encrypted topic needs data keys of its KMS key (kms:GenerateDataKey* as granted by ' +
            'the CDK), on that one key only.',
        );
      }
      if (needs.includes('approvals')) {
        // What docs/approvals.md declares for request-approval: store the token record with its
        // per-remediation guard (a transaction of two conditional puts), read it back on a retry,
        // renew the token and mark it posted.
        approvals.grant(role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
        slackSecret.grantRead(role);
      }
      functions.set(task.substitution, fn);
    }
    this.functions = functions;

    // ---------------------------------------------------------------- workflow
    const workflowLogs = new LogGroup(this, 'WorkflowLogs', {
      retention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const substitutions: Record<string, string> = {
      [DEFINITION_SUBSTITUTIONS.LocksTableName]: locks.tableName,
      [DEFINITION_SUBSTITUTIONS.Partition]: Aws.PARTITION,
    };
    // Each Task names the version of its function this deployment published, not $LATEST. An
    // execution keeps the definition it started with ("Running executions will continue to use
    // the previous definition and roleArn", Step Functions API Reference, UpdateStateMachine), so
    // an execution in flight (an approval waits up to a day) keeps calling the code it started
    // with. The versions are retained: a running execution's version must outlive the next
    // deployment; the role may invoke every version (grantInvoke below: "<function ARN>:*").
    // docs/decisions/0023.
    for (const [substitution, fn] of functions) {
      const version = fn.function.currentVersion;
      version.applyRemovalPolicy(RemovalPolicy.RETAIN);
      substitutions[substitution] = version.functionArn;
    }
    this.stateMachine = new StateMachine(this, 'Workflow', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(resolve(projectRoot, STATE_MACHINE_DEFINITION)),
      definitionSubstitutions: substitutions,
      tracingEnabled: true,
      // Execution data stays out of the logs: approval tasks carry task tokens, which act as
      // credentials for the execution, and stage snapshots belong in Security Hub, not in logs.
      logs: { destination: workflowLogs, level: LogLevel.ALL, includeExecutionData: false },
    });
    for (const fn of functions.values()) {
      fn.function.grantInvoke(this.stateMachine);
      const logicalId = this.getLogicalId(fn.function.node.defaultChild as CfnFunction);
      acknowledge(
        this.stateMachine,
        `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        'lambda:InvokeFunction on "<function ARN>:*" lets the workflow call the versions and aliases of its own ' +
          'function; the function itself is named exactly.',
      );
    }
    acknowledge(
      this.stateMachine,
      'AwsSolutions-IAM5[Resource::*]',
      'The log-delivery actions Step Functions needs for execution logging and the X-Ray write actions have no ' +
        'resource type (Step Functions and X-Ray documentation).',
    );

    const approvalHandlerProps = {
      projectRoot,
      approvalsTable: approvals,
      slackSecret,
      stateMachine: this.stateMachine,
      retention,
    };
    const approvalApiFunction = this.approvalApi.attachHandler(approvalHandlerProps);
    const approvalRedriveFunction = this.approvalApi.attachRedrive(approvalHandlerProps);

    // ---------------------------------------------------------------- triggers
    this.eventBus = new EventBus(this, 'EventBus', { eventBusName: CENTRAL_EVENT_BUS_NAME });
    this.eventBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OrganizationMembersForwardApiGatewayCalls',
        effect: Effect.ALLOW,
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': organizationId.valueAsString } },
      }),
    );

    const actionTarget = new CfnActionTarget(this, 'RemediateAction', {
      id: CUSTOM_ACTION_ID,
      name: CUSTOM_ACTION_NAME,
      description: CUSTOM_ACTION_DESCRIPTION,
    });
    // AWS::SecurityHub::ActionTarget is in the CloudFormation template reference, but the resource
    // registry snapshot cfn-lint ships (1.51) does not list it in any Region (E3006): a gap in the
    // linter's data, silenced on this one resource only.
    actionTarget.addMetadata('cfn-lint', { config: { ignore_checks: ['E3006'] } });
    acknowledge(
      actionTarget,
      'CloudFormation-Validate::F3006',
      'AWS::SecurityHub::ActionTarget is documented in the CloudFormation template reference; the Region schema ' +
        'snapshot the CDK validates against lacks it, as cfn-lint’s does.',
    );

    // "Undo API remediation" (docs/decisions/0030): CreateActionTarget takes a Name of up to 20
    // characters and an Id of up to 20 alphanumeric characters (Security Hub API reference,
    // CreateActionTarget); the intake tells it from Remediate by the event's resources (its ARN).
    const undoActionTarget = new CfnActionTarget(this, 'UndoAction', {
      id: UNDO_ACTION_ID,
      name: UNDO_ACTION_NAME,
      description: UNDO_ACTION_DESCRIPTION,
    });
    undoActionTarget.addMetadata('cfn-lint', { config: { ignore_checks: ['E3006'] } });
    acknowledge(
      undoActionTarget,
      'CloudFormation-Validate::F3006',
      'AWS::SecurityHub::ActionTarget is documented in the CloudFormation template reference; the Region schema ' +
        'snapshot the CDK validates against lacks it, as cfn-lint’s does.',
    );

    // Every rule delivers to the intake queue; the Pipe has the intake read each batch (its
    // enrichment) and starts one execution per batch (docs/decisions/0036, 0042). The enrichment is
    // the intake's code and settings in a function of its own: the Normalize state must tell an
    // enriched batch from a raw one, and its role, like the intake's, has no AWS permission.
    const intakeEnrichment = new ServiceFunction(this, 'IntakeEnrichment', {
      projectRoot,
      entry: INTAKE_ENRICHMENT_ENTRY,
      description:
        "The intake Pipe's enrichment: reads a batch of the intake queue before the execution starts",
      timeout: Duration.seconds(60),
      environment: { SERVICE_ROLE_ARNS: serviceRoleArns.join(',') },
      logRetention: retention,
      logLevel: 'INFO',
    });
    const front = new IntakeFront(this, 'IntakeFront', {
      stateMachine: this.stateMachine,
      enrichment: intakeEnrichment.function,
    });
    const deadLetterQueues: Queue[] = [front.deadLetters];
    const trigger = (ruleId: string, description: string, pattern: EventPatternJson, bus?: IEventBus) => {
      const deadLetters = new Queue(this, `${ruleId}DeadLetters`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(
        deadLetters,
        'AwsSolutions-SQS3',
        `This queue is itself the dead-letter queue of the ${ruleId} rule; the DLQ depth alarm watches it.`,
      );
      acknowledge(
        deadLetters,
        'Serverless-SQSRedrivePolicy',
        `This queue is itself the dead-letter queue of the ${ruleId} rule; its depth alarm calls a human, who redrives it.`,
      );
      deadLetterQueues.push(deadLetters);
      new Rule(this, ruleId, {
        description,
        ...(bus === undefined ? {} : { eventBus: bus }),
        eventPattern: asCdkEventPattern(pattern),
        targets: [
          // Grants events.amazonaws.com SendMessage on the queue on the condition aws:SourceArn = this rule.
          new SqsQueue(front.queue, {
            deadLetterQueue: deadLetters,
            retryAttempts: 8,
            maxEventAge: Duration.hours(6),
          }),
        ],
      });
    };
    // One rule per enabled Security Hub (config securityHub.formats): no rule for a disabled format.
    if (config.securityHub.formats.includes('asff')) {
      trigger(
        'SecurityHubFindings',
        'Failing API Gateway findings (Workflow NEW) start a remediation',
        securityHubFindingsPattern(),
      );
    }
    if (config.securityHub.formats.includes('ocsf')) {
      trigger(
        'SecurityHubOcsfFindings',
        'Failing API Gateway control findings of the new Security Hub (OCSF, status New) start a remediation',
        securityHubOcsfFindingsPattern(),
      );
    }
    trigger(
      'SecurityHubCustomAction',
      'The Security Hub custom action "Remediate API Gateway stage" starts a remediation',
      securityHubCustomActionPattern(actionTarget.attrActionTargetArn),
    );
    trigger(
      'SecurityHubUndoAction',
      'The Security Hub custom action "Undo API remediation" takes the chosen findings\' remediation back',
      securityHubCustomActionPattern(undoActionTarget.attrActionTargetArn),
    );
    trigger(
      'ApiGatewayDrift',
      'API Gateway changes made by anyone but apigw-remediation (forwarded by member accounts) start a remediation',
      cloudTrailDriftPattern(ownRoleNames(config.crossAccount.memberRoleName, [region])),
      this.eventBus,
    );

    new CfnOutput(this, 'ApprovalApiUrl', {
      description:
        'Approval API base URL (signed links); Slack interactivity Request URL = this + /slack/interactions',
      value: this.approvalApi.baseUrl,
    });
    new CfnOutput(this, 'SlackSecretArn', {
      description: 'Fill in botToken and signingSecret (docs/approvals.md)',
      value: slackSecret.secretArn,
    });
    new CfnOutput(this, 'CentralEventBusArn', {
      description: 'Member stacks forward API Gateway CloudTrail events here',
      value: this.eventBus.eventBusArn,
    });
    new CfnOutput(this, 'StateMachineArn', {
      description: 'The remediation workflow: apigw-remediation fix starts its executions here',
      value: this.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'LedgerTableName', {
      description: 'The remediation ledger: apigw-remediation history and undo read it',
      value: ledger.tableName,
    });
    new CfnOutput(this, 'NotificationsTopicArn', {
      description: 'Outcomes and alarms: subscribe the team (e-mail, AWS Chatbot)',
      value: notifications.topicArn,
    });

    new Monitoring(this, 'Monitoring', {
      stateMachine: this.stateMachine,
      deadLetterQueues,
      topic: notifications,
      functions: [...functions.values(), intakeEnrichment, approvalApiFunction, approvalRedriveFunction],
      outcomeLogs: taskFunction(functions, 'FinishFunctionArn').logGroup,
    });
  }
}

function taskFunction(
  functions: ReadonlyMap<string, ServiceFunction>,
  substitution: string,
): ServiceFunction {
  const fn = functions.get(substitution);
  if (fn === undefined) {
    throw new Error(`state-machines/tasks.ts has no task "${substitution}", which the CDK app needs`);
  }
  return fn;
}

/** `update-stage` → `UpdateStage`. */
function pascal(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
