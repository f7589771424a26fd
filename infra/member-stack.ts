/**
 * The stack every member account gets (a service-managed StackSet, every Region in use):
 * - the role the central remediators assume, with only the actions the remediation uses;
 * - the API Gateway CloudWatch Logs role that execution logging needs (APIGateway.1);
 * - a rule forwarding API Gateway CloudTrail calls to the central event bus, because
 *   CloudTrail events reach EventBridge only in the account (and Region) where the call was made.
 *
 * No Lambda and no asset: a StackSet template must stand alone. The StackSet deploys one
 * instance per account and Region; the IAM roles are account-wide, so only the instance in
 * `GlobalResourcesRegion` creates them.
 */
import { Aws, CfnCondition, CfnParameter, DefaultStackSynthesizer, Duration, Fn, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { ArnPrincipal, ManagedPolicy, PolicyDocument, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { RemediationConfig } from '../config/schema.js';
import { asCdkEventPattern, cloudTrailDriftPattern } from './event-patterns.js';
import {
  CENTRAL_EVENT_BUS_NAME,
  MEMBER_ROLE_TASKS,
  centralTaskRoleNamePattern,
  ownRoleNames,
} from './names.js';
import {
  REMEDIATION_WILDCARDS_REASON,
  remediationReadStatements,
  remediationUndoStatements,
  remediationWriteStatements,
  cliScanStatement,
  securityHubImportStatement,
} from './permissions.js';
import {
  NAG_ACCOUNT,
  NAG_PARTITION,
  PUSH_TO_CLOUDWATCH_LOGS_FINDING,
  PUSH_TO_CLOUDWATCH_LOGS_POLICY,
  PUSH_TO_CLOUDWATCH_LOGS_REASON,
  acknowledge,
  acknowledgeAll,
  wildcardFindings,
} from './nag.js';

export interface MemberStackProps extends StackProps {
  readonly config: RemediationConfig;
}

export class MemberStack extends Stack {
  readonly memberRole: Role;
  readonly cloudWatchRole: Role;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, {
      ...props,
      // Member accounts are not CDK-bootstrapped: no bootstrap version check in the template.
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    const { config } = props;

    const organizationId = new CfnParameter(this, 'OrganizationId', {
      type: 'String',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      description: 'AWS Organizations id (o-...): only principals of this organization may assume the role',
    });
    const centralAccountId = new CfnParameter(this, 'CentralAccountId', {
      type: 'String',
      allowedPattern: '^\\d{12}$',
      description: 'The security tooling account where the central stack runs',
    });
    const centralEventBusRegion = new CfnParameter(this, 'CentralEventBusRegion', {
      type: 'String',
      default: '',
      allowedPattern: '^([a-z]{2}(-[a-z]+)+-\\d)?$',
      description:
        'Region of the central event bus (the aggregation Region); empty = this Region (one central stack per Region)',
    });

    const globalResourcesRegion = new CfnParameter(this, 'GlobalResourcesRegion', {
      type: 'String',
      allowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d$',
      description:
        'The one Region whose stack instance creates the account-wide IAM roles (IAM is global: a second Region would collide)',
    });
    const createsGlobalResources = new CfnCondition(this, 'CreatesGlobalResources', {
      expression: Fn.conditionEquals(Aws.REGION, globalResourcesRegion.valueAsString),
    });

    const centralRolePatterns = MEMBER_ROLE_TASKS.map(
      (task) =>
        `arn:${Aws.PARTITION}:iam::${centralAccountId.valueAsString}:role/${centralTaskRoleNamePattern(task)}`,
    );

    const homeAccount = { partition: Aws.PARTITION, account: Aws.ACCOUNT_ID, resources: config.resources };
    this.memberRole = new Role(this, 'MemberRole', {
      roleName: config.crossAccount.memberRoleName,
      description: 'Assumed by the apigw-remediation central functions to read and fix API Gateway stages',
      // The central account plus aws:PrincipalArn patterns (one per task, any Region): a trust
      // policy naming the roles as principals would fail to deploy before they exist.
      assumedBy: new ArnPrincipal(
        `arn:${Aws.PARTITION}:iam::${centralAccountId.valueAsString}:root`,
      ).withConditions({
        ArnLike: { 'aws:PrincipalArn': centralRolePatterns },
        StringEquals: { 'aws:PrincipalOrgID': organizationId.valueAsString },
      }),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        remediation: new PolicyDocument({
          statements: [
            ...remediationReadStatements(homeAccount),
            ...remediationWriteStatements(homeAccount),
            ...remediationUndoStatements(homeAccount),
            cliScanStatement(homeAccount),
            securityHubImportStatement(homeAccount),
          ],
        }),
      },
    });
    const nagScope = { partition: NAG_PARTITION, account: NAG_ACCOUNT, resources: config.resources };
    acknowledgeAll(
      this.memberRole,
      wildcardFindings([
        ...remediationReadStatements(nagScope),
        ...remediationWriteStatements(nagScope),
        ...remediationUndoStatements(nagScope),
        cliScanStatement(nagScope),
        securityHubImportStatement(nagScope),
      ]),
      REMEDIATION_WILDCARDS_REASON,
    );

    this.cloudWatchRole = new Role(this, 'ApiGatewayCloudWatchRole', {
      roleName: config.resources.cloudWatchRole.name,
      description: 'Lets API Gateway write execution and access logs to CloudWatch Logs (account setting)',
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName(PUSH_TO_CLOUDWATCH_LOGS_POLICY)],
    });
    acknowledge(this.cloudWatchRole, PUSH_TO_CLOUDWATCH_LOGS_FINDING, PUSH_TO_CLOUDWATCH_LOGS_REASON);

    for (const role of [this.memberRole, this.cloudWatchRole]) {
      (role.node.defaultChild as CfnRole).cfnOptions.condition = createsGlobalResources;
    }

    const sameRegion = new CfnCondition(this, 'CentralBusInThisRegion', {
      expression: Fn.conditionEquals(centralEventBusRegion.valueAsString, ''),
    });
    const busRegion = Fn.conditionIf(
      sameRegion.logicalId,
      Aws.REGION,
      centralEventBusRegion.valueAsString,
    ).toString();
    const centralBus = EventBus.fromEventBusArn(
      this,
      'CentralEventBus',
      `arn:${Aws.PARTITION}:events:${busRegion}:${centralAccountId.valueAsString}:event-bus/${CENTRAL_EVENT_BUS_NAME}`,
    );
    const forwardDeadLetters = new Queue(this, 'ForwardDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      forwardDeadLetters,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the forwarding rule.',
    );
    acknowledge(
      forwardDeadLetters,
      'Serverless-SQSRedrivePolicy',
      'This queue is itself the dead-letter queue of the forwarding rule; a queue behind it would only move the problem.',
    );
    new Rule(this, 'ForwardApiGatewayCalls', {
      description: 'Forwards API Gateway changes made by anyone but apigw-remediation to the central bus',
      eventPattern: asCdkEventPattern(
        // In member accounts only the member role acts; the central rule also excludes the
        // central roles, which act directly in the tooling account.
        cloudTrailDriftPattern(ownRoleNames(config.crossAccount.memberRoleName, [])),
      ),
      targets: [
        new EventBusTarget(centralBus, {
          deadLetterQueue: forwardDeadLetters,
        }),
      ],
    });
  }

  /**
   * This stack's template, for the member StackSet's TemplateBody (infra/member-stackset.ts): the
   * same template `cdk synth` writes for this stack. Called while the app synthesizes.
   */
  templateForStackSet(): unknown {
    return this._toCloudFormation();
  }
}
