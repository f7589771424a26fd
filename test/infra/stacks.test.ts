/**
 * The synthesized stacks: key properties of every resource (CDK assertions), the approval
 * API passing the service's own controls, cdk-nag (AwsSolutions + Serverless) with zero
 * unacknowledged findings and a written reason on every acknowledgement, and cfn-lint with no
 * error on every template. The app is synthesized once, in per-Region mode (two Regions).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_SLACK_CHANNEL_ID } from '../../config/deployability.js';
import {
  FIXING_CONTROL_IDS as REMEDIABLE_CONTROL_IDS,
  bindControls,
  controlsFor,
} from '../../remediators/controls/catalog.js';
import type { RestStageSnapshot } from '../../remediators/core/types.js';
import { TASKS } from '../../state-machines/tasks.js';
import { LEDGER_STAGE_INDEX } from '../../remediators/ledger/entry.js';
import { STATE_MACHINE_DEFINITION } from '../../infra/central-stack.js';
import { MEMBER_ROLE_TASKS, centralTaskRoleName, centralTaskRoleNamePattern } from '../../infra/names.js';
import { INTAKE_MAX_RECEIVE_COUNT } from '../../infra/intake-front.js';
import { PIPE_BATCH_SIZE, PIPE_BATCHING_WINDOW_SECONDS } from '../../remediators/intake/pipe-batch.js';
import { nagPacks } from '../../infra/nag.js';
import { OUTCOME_METRIC, RECORD_FAILURES_METRIC, REJECTED_METRIC } from '../../infra/monitoring.js';
import { PACE_KEY_PREFIX, PACING_TABLE_ENV } from '../../remediators/workflow/pacing.js';
import { PROJECT_ROOT, resourceByPrefix, synthesizeApp, type SynthesizedApp } from './synth.js';

type Json = Record<string, unknown>;

const REGIONS = ['us-east-1', 'eu-west-1'];
let synthesized: SynthesizedApp;

beforeAll(() => {
  synthesized = synthesizeApp(REGIONS);
});

function resources(template: SynthesizedApp['central'], type: string): [string, Json][] {
  return Object.entries(template.findResources(type)).map(([id, resource]) => [
    id,
    (resource as { Properties: Json }).Properties,
  ]);
}

/** Every policy statement attached (inline or as AWS::IAM::Policy) to a role, by the role's logical id. */
function statementsOfRole(template: SynthesizedApp['central'], roleLogicalId: string): Json[] {
  const inline = (template.findResources('AWS::IAM::Role')[roleLogicalId] as { Properties: Json }).Properties[
    'Policies'
  ] as { PolicyDocument: { Statement: Json[] } }[] | undefined;
  const attached = resources(template, 'AWS::IAM::Policy')
    .filter(([, properties]) =>
      (properties['Roles'] as Json[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap(([, properties]) => (properties['PolicyDocument'] as { Statement: Json[] }).Statement);
  return [...(inline ?? []).flatMap((policy) => policy.PolicyDocument.Statement), ...attached];
}

function actionsOf(statements: Json[]): string[] {
  return statements.flatMap((statement) => [statement['Action'] as string | string[]].flat());
}

describe('central stack', () => {
  it("creates one function per task plus the approval handler, its re-drive sweep and the intake Pipe's enrichment: Node 24, arm64, X-Ray, Powertools env", () => {
    const functions = resources(synthesized.central, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(TASKS.length + 3);
    for (const [, fn] of functions) {
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'apigw-remediation', LOG_LEVEL: 'INFO' } },
      });
      expect(fn['MemorySize']).toBeGreaterThan(128);
      expect(fn['Timeout']).toBeGreaterThan(3);
      expect(fn['LoggingConfig']).toMatchObject({ LogGroup: { Ref: expect.any(String) } });
      // The source map is deployed beside the bundle but not loaded at start (docs/decisions/0018).
      expect((fn['Environment'] as { Variables: Json }).Variables).not.toHaveProperty('NODE_OPTIONS');
    }
    const roles = new Set(functions.map(([, fn]) => JSON.stringify(fn['Role'])));
    expect(roles.size).toBe(functions.length);
  });

  it('gives every function its own log group with the configured retention', () => {
    const retention = synthesized.config.resources.accessLogGroups.retentionDays;
    const functions = resources(synthesized.central, 'AWS::Lambda::Function');
    const logGroups = synthesized.central.findResources('AWS::Logs::LogGroup');
    for (const [, fn] of functions) {
      const ref = (fn['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect((logGroups[ref] as { Properties: Json }).Properties['RetentionInDays']).toBe(retention);
    }
  });

  it('caps no workflow function globally: API Gateway’s quotas are per account, paced by the deploy slot and retries', () => {
    const reserved = (prefix: string) =>
      resourceByPrefix(synthesized.central, 'AWS::Lambda::Function', prefix).properties[
        'ReservedConcurrentExecutions'
      ];
    for (const prefix of [
      'PrepareFunction',
      'RemediateFunction',
      'VerifyFunction',
      'FinishFunction',
      'IntakeFunction',
    ]) {
      expect(reserved(prefix), prefix).toBeUndefined();
    }
  });

  it('names the member-role task roles per Region and tells intake this Region’s own role ARNs', () => {
    for (const task of MEMBER_ROLE_TASKS) {
      synthesized.central.hasResourceProperties('AWS::IAM::Role', {
        RoleName: centralTaskRoleName(task, 'us-east-1'),
      });
    }
    const intake = resourceByPrefix(
      synthesized.central,
      'AWS::Lambda::Function',
      'IntakeFunction',
    ).properties;
    const serviceRoleArns = JSON.stringify(
      (intake['Environment'] as { Variables: Json }).Variables['SERVICE_ROLE_ARNS'],
    );
    for (const task of MEMBER_ROLE_TASKS) {
      expect(serviceRoleArns).toContain(centralTaskRoleName(task, 'us-east-1'));
      expect(serviceRoleArns).not.toContain(centralTaskRoleName(task, 'eu-west-1'));
    }
  });

  it('lets only member-role tasks assume the member role, inside the organization; only writers change stages', () => {
    const roleIdOf = (prefix: string) =>
      (
        resourceByPrefix(synthesized.central, 'AWS::Lambda::Function', prefix).properties['Role'] as {
          'Fn::GetAtt': [string, string];
        }
      )['Fn::GetAtt'][0];
    const assume = (prefix: string) =>
      statementsOfRole(synthesized.central, roleIdOf(prefix)).filter((statement) =>
        actionsOf([statement]).includes('sts:AssumeRole'),
      );
    expect(assume('PrepareFunction')).toEqual([
      expect.objectContaining({
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/apigw-remediation-member']],
        },
        Condition: { StringEquals: { 'aws:ResourceOrgID': { Ref: 'OrganizationId' } } },
      }),
    ]);
    expect(assume('IntakeFunction')).toEqual([]);
    expect(assume('AcquireLockFunction')).toEqual([]);
    // Finish assumes the member role only to import own findings in the stage's account.
    expect(assume('FinishFunction')).toHaveLength(1);
    const prepareActions = actionsOf(statementsOfRole(synthesized.central, roleIdOf('PrepareFunction')));
    expect(prepareActions).toContain('apigateway:GET');
    expect(prepareActions).not.toContain('apigateway:PATCH');
    const remediateActions = actionsOf(statementsOfRole(synthesized.central, roleIdOf('RemediateFunction')));
    expect(remediateActions).toEqual(expect.arrayContaining(['apigateway:PATCH', 'wafv2:AssociateWebACL']));
    const finishActions = actionsOf(statementsOfRole(synthesized.central, roleIdOf('FinishFunction')));
    expect(finishActions).toEqual(
      expect.arrayContaining([
        'securityhub:BatchUpdateFindings',
        'securityhub:BatchImportFindings',
        'sns:Publish',
      ]),
    );
    expect(finishActions).not.toContain('apigateway:GET');
    expect(finishActions).not.toContain('apigateway:PATCH');
    // PutItem on the ledger (its run's entry, a rejection's exemption), the flap guard's table
    // (docs/decisions/0029) and the locks table (the release's "recently remediated" marker).
    const finishStatements = statementsOfRole(synthesized.central, roleIdOf('FinishFunction'));
    const puts = finishStatements.filter((statement) => actionsOf([statement]).includes('dynamodb:PutItem'));
    expect(JSON.stringify(puts)).toContain('LedgerTable');
    expect(JSON.stringify(puts)).toContain('IacFlapTable');
    // Prepare only reads the flap guard's state.
    const prepareStatements = statementsOfRole(synthesized.central, roleIdOf('PrepareFunction'));
    const flap = prepareStatements.filter((statement) => JSON.stringify(statement).includes('IacFlapTable'));
    expect(actionsOf(flap)).toEqual(['dynamodb:GetItem']);
  });

  it('lets the finding-updating roles change only status (In Progress, Resolved) and comment through BatchUpdateFindingsV2', () => {
    const roleIdOf = (prefix: string) =>
      (
        resourceByPrefix(synthesized.central, 'AWS::Lambda::Function', prefix).properties['Role'] as {
          'Fn::GetAtt': [string, string];
        }
      )['Fn::GetAtt'][0];
    for (const task of ['AdmitFunction', 'FinishFunction', 'ReportFailureFunction']) {
      const denied = statementsOfRole(synthesized.central, roleIdOf(task)).filter(
        (statement) => statement['Effect'] === 'Deny',
      );
      expect(denied, task).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Sid: 'NoOcsfSeverityUpdate',
            Action: 'securityhub:BatchUpdateFindings',
            Condition: { Null: { 'securityhub:OCSFSyntaxPath/SeverityId': 'false' } },
          }),
          expect.objectContaining({
            Sid: 'OnlyOcsfInProgressOrResolved',
            Action: 'securityhub:BatchUpdateFindings',
            Condition: {
              Null: { 'securityhub:OCSFSyntaxPath/StatusId': 'false' },
              StringNotEquals: { 'securityhub:OCSFSyntaxPath/StatusId': ['2', '4'] },
            },
          }),
        ]),
      );
    }
  });

  it('runs the ASL file as a Standard workflow with every substitution, full logging without data, and X-Ray', () => {
    const { properties } = resourceByPrefix(
      synthesized.central,
      'AWS::StepFunctions::StateMachine',
      'Workflow',
    );
    expect(properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
    const asl = readFileSync(join(PROJECT_ROOT, STATE_MACHINE_DEFINITION), 'utf8');
    const used = new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));
    const substituted = Object.keys(properties['DefinitionSubstitutions'] as Json);
    expect(new Set(substituted)).toEqual(used);
    for (const task of TASKS) expect(substituted).toContain(task.substitution);
    expect((properties['DefinitionSubstitutions'] as Json)['Partition']).toEqual({ Ref: 'AWS::Partition' });
  });

  it('pins every Task to a retained version of its function, which the workflow role may invoke', () => {
    const { properties } = resourceByPrefix(
      synthesized.central,
      'AWS::StepFunctions::StateMachine',
      'Workflow',
    );
    const substitutions = properties['DefinitionSubstitutions'] as Record<string, unknown>;
    const versions = synthesized.central.findResources('AWS::Lambda::Version') as Record<
      string,
      { Properties: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string }
    >;
    const functions = synthesized.central.findResources('AWS::Lambda::Function');
    for (const task of TASKS) {
      // A version's Ref is its version ARN (arn:…:function:name:N), never $LATEST.
      const versionId = (substitutions[task.substitution] as { Ref?: string }).Ref ?? '';
      const version = versions[versionId];
      expect(version, `${task.substitution} names a function version`).toBeDefined();
      expect(version?.DeletionPolicy).toBe('Retain');
      expect(version?.UpdateReplacePolicy).toBe('Retain');
      const functionId = (version?.Properties['FunctionName'] as { Ref?: string }).Ref ?? '';
      expect(functions[functionId], `${task.substitution}'s version belongs to a function`).toBeDefined();
      // The role may invoke the versions of an older deployment too (an execution in flight keeps them).
      const invoke = statementsOfRole(
        synthesized.central,
        (properties['RoleArn'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
      ).find(
        (statement) =>
          statement['Action'] === 'lambda:InvokeFunction' &&
          JSON.stringify(statement['Resource']).includes(`"${functionId}"`),
      );
      expect(JSON.stringify(invoke?.['Resource'])).toContain(':*');
    }
  });

  it('keeps locks, approvals, the ledger and the flap guard in encrypted tables with point-in-time recovery', () => {
    const tables = resources(synthesized.central, 'AWS::DynamoDB::Table').map(([, table]) => table);
    // The locks table and the flap guard's (docs/decisions/0029) share the key and TTL names.
    expect(tables).toHaveLength(4);
    for (const table of tables) {
      expect(table).toMatchObject({
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
    expect(tables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
        expect.objectContaining({
          KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }],
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        }),
      ]),
    );
  });

  it('keeps the ledger: entryId key, byStage index (stageArn, recordedAt, ALL), no TTL, retained, named to the Record task', () => {
    const ledgers = resources(synthesized.central, 'AWS::DynamoDB::Table').filter(([id]) =>
      id.startsWith('LedgerTable'),
    );
    expect(ledgers).toHaveLength(1);
    const [logicalId, ledger] = ledgers[0] ?? ['', {}];
    expect(ledger).toMatchObject({
      KeySchema: [{ AttributeName: 'entryId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStage',
          KeySchema: [
            { AttributeName: 'stageArn', KeyType: 'HASH' },
            { AttributeName: 'recordedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(ledger).not.toHaveProperty('TimeToLiveSpecification');
    const resource = synthesized.central.findResources('AWS::DynamoDB::Table')[logicalId] as Json;
    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    synthesized.central.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LEDGER_TABLE_NAME: { Ref: logicalId } }) },
    });
    expect(synthesized.central.findOutputs('LedgerTableName')['LedgerTableName']).toMatchObject({
      Value: { Ref: logicalId },
    });
    // Three roles reach the ledger: the decide task reads a stage's exemptions (BatchGetItem), the
    // Record task puts entries (PutItem, and GetItem to tell a retry's own write from a conflict),
    // both on the table alone; the undo task (docs/decisions/0030) reads and puts on the table and
    // queries the byStage index, and only that index.
    const ledgerStatements = resources(synthesized.central, 'AWS::IAM::Policy').flatMap(([, policy]) =>
      ((policy['PolicyDocument'] as Json)['Statement'] as Json[]).filter((statement) =>
        JSON.stringify(statement['Resource']).includes(`"${logicalId}"`),
      ),
    );
    expect(ledgerStatements).toEqual([
      expect.objectContaining({
        Sid: 'ReadExemptions',
        Action: 'dynamodb:BatchGetItem',
        Resource: { 'Fn::GetAtt': [logicalId, 'Arn'] },
      }),
      expect.objectContaining({
        Sid: 'WriteLedger',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [logicalId, 'Arn'] },
      }),
      expect.objectContaining({
        Sid: 'UndoLedger',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [logicalId, 'Arn'] },
      }),
      expect.objectContaining({
        Sid: 'UndoLedgerByStage',
        Action: 'dynamodb:Query',
        Resource: {
          'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, `/index/${LEDGER_STAGE_INDEX}`]],
        },
      }),
    ]);
  });

  it('lets the undo function take a stage back and create nothing; its report only notes findings and publishes', () => {
    const roleIdOf = (prefix: string) =>
      (
        resourceByPrefix(synthesized.central, 'AWS::Lambda::Function', prefix).properties['Role'] as {
          'Fn::GetAtt': [string, string];
        }
      )['Fn::GetAtt'][0];
    const undo = actionsOf(statementsOfRole(synthesized.central, roleIdOf('UndoFunction')));
    expect(undo).toEqual(
      expect.arrayContaining([
        'apigateway:GET',
        'apigateway:PATCH',
        'apigateway:DELETE',
        'wafv2:DisassociateWebACL',
        'dynamodb:Query',
        'sts:AssumeRole',
      ]),
    );
    for (const action of [
      'wafv2:CreateWebACL',
      'wafv2:AssociateWebACL',
      'logs:CreateLogGroup',
      'sns:Publish',
    ])
      expect(undo, action).not.toContain(action);
    expect(undo.filter((action) => action.startsWith('securityhub:'))).toEqual([]);
    const report = actionsOf(statementsOfRole(synthesized.central, roleIdOf('ReportUndoFunction')));
    expect(report).toEqual(expect.arrayContaining(['securityhub:BatchUpdateFindings', 'sns:Publish']));
    expect(report.filter((action) => /^(apigateway|wafv2|sts):/.test(action))).toEqual([]);
    // Its one DynamoDB action: a place in the paced schedules (docs/decisions/0038).
    expect(report.filter((action) => action.startsWith('dynamodb:'))).toEqual(['dynamodb:UpdateItem']);
  });

  it('lets each function that paces its calls update the schedules of the locks table, and no other item', () => {
    const locksTable = resources(synthesized.central, 'AWS::DynamoDB::Table').find(([, table]) =>
      JSON.stringify(table['KeySchema']).includes('"pk"'),
    );
    const paced = TASKS.filter((task) => (task.needs as readonly string[]).includes('pacing'));
    expect(paced.map((task) => task.substitution).sort()).toEqual([
      'AdmitFunctionArn',
      'FinishFunctionArn',
      'PrepareFunctionArn',
      'RemediateFunctionArn',
      'ReportFailureFunctionArn',
      'ReportUndoFunctionArn',
      'UndoFunctionArn',
      'VerifyFunctionArn',
    ]);
    for (const task of paced) {
      const prefix = `${task.substitution.replace(/FunctionArn$/, '')}Function`;
      const fn = resourceByPrefix(synthesized.central, 'AWS::Lambda::Function', prefix).properties;
      const variables = (fn['Environment'] as { Variables: Json }).Variables;
      expect(variables[PACING_TABLE_ENV], prefix).toEqual({ Ref: locksTable?.[0] });
      const role = (fn['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statement = statementsOfRole(synthesized.central, role).find(
        (candidate) => candidate['Sid'] === 'PaceCalls',
      );
      expect(statement, prefix).toEqual({
        Sid: 'PaceCalls',
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [locksTable?.[0], 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${PACE_KEY_PREFIX}*`] } },
      });
    }
  });

  it('holds the Slack credentials in one secret with the three keys the approvals read', () => {
    synthesized.central.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: JSON.stringify({ botToken: '', signingSecret: '' }),
        GenerateStringKey: 'linkSigningKey',
      },
    });
    const requestApproval = resourceByPrefix(
      synthesized.central,
      'AWS::Lambda::Function',
      'RequestApprovalFunction',
    );
    expect((requestApproval.properties['Environment'] as { Variables: Json }).Variables).toEqual(
      expect.objectContaining({
        APPROVALS_TABLE_NAME: expect.anything(),
        SLACK_SECRET_ARN: expect.anything(),
        APPROVAL_BASE_URL: expect.anything(),
        // The channel the deployment resolved (here the example test/infra/synth.ts passes).
        SLACK_CHANNEL_ID: EXAMPLE_SLACK_CHANNEL_ID,
      }),
    );
  });

  it('grants the approval functions only the table actions docs/approvals.md declares', () => {
    const actionsOfFunction = (prefix: string) => {
      const role = (
        resourceByPrefix(synthesized.central, 'AWS::Lambda::Function', prefix).properties['Role'] as {
          'Fn::GetAtt': [string, string];
        }
      )['Fn::GetAtt'][0];
      return actionsOf(statementsOfRole(synthesized.central, role)).filter((action) =>
        action.startsWith('dynamodb:'),
      );
    };
    expect(actionsOfFunction('RequestApprovalFunction').sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actionsOfFunction('ApprovalApiHandlerFunction').sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actionsOfFunction('ApprovalApiRedriveFunction').sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
  });

  it('runs the approval re-drive sweep every minute, one at a time, and lets it and the API read only executions', () => {
    const sweep = resourceByPrefix(
      synthesized.central,
      'AWS::Lambda::Function',
      'ApprovalApiRedriveFunction',
    );
    expect(sweep.properties['ReservedConcurrentExecutions']).toBe(1);
    const schedule = resourceByPrefix(synthesized.central, 'AWS::Events::Rule', 'ApprovalApiRedriveSchedule');
    expect(schedule.properties['ScheduleExpression']).toBe('rate(1 minute)');
    expect(schedule.properties['Targets']).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [sweep.logicalId, 'Arn'] } }),
    ]);
    const [workflowId, ...moreMachines] = resources(
      synthesized.central,
      'AWS::StepFunctions::StateMachine',
    ).map(([id]) => id);
    expect(moreMachines).toEqual([]);
    for (const prefix of ['ApprovalApiHandlerFunction', 'ApprovalApiRedriveFunction']) {
      const role = (
        resourceByPrefix(synthesized.central, 'AWS::Lambda::Function', prefix).properties['Role'] as {
          'Fn::GetAtt': [string, string];
        }
      )['Fn::GetAtt'][0];
      const states = actionsOf(statementsOfRole(synthesized.central, role)).filter((action) =>
        action.startsWith('states:'),
      );
      expect(states.sort(), prefix).toEqual([
        'states:DescribeExecution',
        'states:GetExecutionHistory',
        'states:SendTaskFailure',
        'states:SendTaskSuccess',
        // Only the approval API starts a run (the Slack Undo button), on the workflow's ARN only.
        ...(prefix === 'ApprovalApiHandlerFunction' ? ['states:StartExecution'] : []),
      ]);
      const starts = statementsOfRole(synthesized.central, role).filter((statement) =>
        actionsOf([statement]).includes('states:StartExecution'),
      );
      expect(
        starts.map((statement) => statement['Resource']),
        prefix,
      ).toEqual(prefix === 'ApprovalApiHandlerFunction' ? [{ Ref: workflowId }] : []);
    }
    const handler = resourceByPrefix(
      synthesized.central,
      'AWS::Lambda::Function',
      'ApprovalApiHandlerFunction',
    );
    expect(
      (handler.properties['Environment'] as { Variables: Record<string, unknown> }).Variables[
        'STATE_MACHINE_ARN'
      ],
    ).toEqual({ Ref: workflowId });
  });

  it('outputs what the deployer needs next: approval URL, Slack secret, central bus, topic', () => {
    const outputs = Object.keys(synthesized.central.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApprovalApiUrl',
        'SlackSecretArn',
        'CentralEventBusArn',
        'NotificationsTopicArn',
        'StateMachineArn',
        'LedgerTableName',
      ]),
    );
  });

  it('encrypts the notification topic with a rotating key and denies plain HTTP to it and every queue', () => {
    synthesized.central.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    synthesized.central.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const queues = resources(synthesized.central, 'AWS::SQS::Queue');
    // Five rule dead-letter queues, the intake queue and its dead-letter queue.
    expect(queues).toHaveLength(7);
    for (const [, queue] of queues) expect(queue['SqsManagedSseEnabled']).toBe(true);
    const denyPlainHttp = Match.objectLike({
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
    synthesized.central.resourcePropertiesCountIs('AWS::SQS::QueuePolicy', denyPlainHttp, 7);
    synthesized.central.resourcePropertiesCountIs('AWS::SNS::TopicPolicy', denyPlainHttp, 1);
  });

  it('queues the events of five rules (ASFF and OCSF findings, the Remediate and Undo custom actions, drift), each with a dead-letter queue and a retry policy', () => {
    const rules = resources(synthesized.central, 'AWS::Events::Rule').filter(
      ([id]) => !id.startsWith('ApprovalApiRedriveSchedule'),
    );
    expect(rules.map(([id]) => id.replace(/[A-F0-9]{8}$/, '')).sort()).toEqual([
      'ApiGatewayDrift',
      'SecurityHubCustomAction',
      'SecurityHubFindings',
      'SecurityHubOcsfFindings',
      'SecurityHubUndoAction',
    ]);
    for (const [, rule] of rules) {
      expect(rule['Targets']).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^IntakeFrontQueue/), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetters/), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 6 * 3600 },
        }),
      ]);
    }
    // Only these rules may send to the intake queue: events.amazonaws.com on aws:SourceArn of each.
    const [, intakePolicy] = resources(synthesized.central, 'AWS::SQS::QueuePolicy').find(([id]) =>
      id.startsWith('IntakeFrontQueuePolicy'),
    ) ?? ['', {}];
    const sends = (intakePolicy['PolicyDocument'] as { Statement: Json[] }).Statement.filter((statement) =>
      JSON.stringify(statement['Principal']).includes('events.amazonaws.com'),
    );
    expect(sends).toHaveLength(rules.length);
    for (const statement of sends) {
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': expect.anything() } },
      });
    }
    const drift = resourceByPrefix(synthesized.central, 'AWS::Events::Rule', 'ApiGatewayDrift').properties;
    expect(drift['EventBusName']).toEqual({ Ref: expect.stringMatching(/^EventBus/) });
  });

  it('starts one execution per batch of the intake queue through a Pipe, fire and forget, the batch read by the intake enrichment, with least-privilege roles', () => {
    synthesized.central.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IntakeFrontDeadLetters'), 'Arn'] },
        maxReceiveCount: INTAKE_MAX_RECEIVE_COUNT,
      },
    });
    const pipe = resourceByPrefix(synthesized.central, 'AWS::Pipes::Pipe', 'IntakeFrontPipe').properties;
    expect(pipe).toMatchObject({
      Source: { 'Fn::GetAtt': [expect.stringMatching(/^IntakeFrontQueue/), 'Arn'] },
      SourceParameters: {
        SqsQueueParameters: {
          BatchSize: PIPE_BATCH_SIZE,
          MaximumBatchingWindowInSeconds: PIPE_BATCHING_WINDOW_SECONDS,
        },
      },
      Enrichment: { 'Fn::GetAtt': [expect.stringMatching(/^IntakeEnrichmentFunction/), 'Arn'] },
      Target: { Ref: expect.stringMatching(/^Workflow/) },
      TargetParameters: { StepFunctionStateMachineParameters: { InvocationType: 'FIRE_AND_FORGET' } },
    });
    const policy = resources(synthesized.central, 'AWS::IAM::Policy').find(([id]) =>
      id.startsWith('IntakeFrontPipeRoleDefaultPolicy'),
    );
    const statements = (policy?.[1]['PolicyDocument'] as { Statement: Json[] }).Statement;
    expect(statements.map((statement) => [statement['Action'], statement['Resource']])).toEqual([
      [
        ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
        { 'Fn::GetAtt': [expect.stringMatching(/^IntakeFrontQueue/), 'Arn'] },
      ],
      [
        'lambda:InvokeFunction',
        { 'Fn::GetAtt': [expect.stringMatching(/^IntakeEnrichmentFunction/), 'Arn'] },
      ],
      ['states:StartExecution', { Ref: expect.stringMatching(/^Workflow/) }],
    ]);
    // The enrichment makes no AWS call: its role may write its own logs and traces (active tracing,
    // as every function), nothing else.
    const enrichment = resourceByPrefix(
      synthesized.central,
      'AWS::Lambda::Function',
      'IntakeEnrichmentFunction',
    );
    expect(enrichment.properties).toMatchObject({
      Handler: 'index.handler',
      Environment: { Variables: { SERVICE_ROLE_ARNS: expect.anything() } },
    });
    const enrichmentActions = resources(synthesized.central, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('IntakeEnrichmentRoleDefaultPolicy'))
      .flatMap(([, policy]) => (policy['PolicyDocument'] as { Statement: Json[] }).Statement)
      .flatMap((statement) => [statement['Action']].flat());
    expect(new Set(enrichmentActions)).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]),
    );
  });

  it('receives member accounts’ events on its own bus, from this organization only', () => {
    synthesized.central.hasResourceProperties('AWS::Events::EventBus', { Name: 'apigw-remediation' });
    synthesized.central.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
      }),
    });
  });

  it('offers the Security Hub custom actions Remediate and Undo, within CreateActionTarget’s limits, each with its own rule', () => {
    synthesized.central.hasResourceProperties('AWS::SecurityHub::ActionTarget', {
      Id: 'ApigwRemediate',
      Name: 'Remediate API stage',
      Description: Match.stringLikeRegexp('^Remediate API Gateway stage'),
    });
    synthesized.central.hasResourceProperties('AWS::SecurityHub::ActionTarget', {
      Id: 'ApigwUndo',
      Name: 'Undo API remediation',
      Description: Match.stringLikeRegexp('^Undo API Gateway remediation'),
    });
    // CreateActionTarget: Name up to 20 characters, Id up to 20 alphanumeric characters.
    for (const [, target] of resources(synthesized.central, 'AWS::SecurityHub::ActionTarget')) {
      expect(String(target['Name']).length).toBeLessThanOrEqual(20);
      expect(String(target['Id'])).toMatch(/^[A-Za-z0-9]{1,20}$/);
    }
    const undoTarget = resources(synthesized.central, 'AWS::SecurityHub::ActionTarget').find(
      ([, target]) => target['Id'] === 'ApigwUndo',
    )?.[0];
    const undoRule = resourceByPrefix(synthesized.central, 'AWS::Events::Rule', 'SecurityHubUndoAction');
    expect(undoRule.properties['EventPattern']).toEqual({
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Custom Action'],
      resources: [{ 'Fn::GetAtt': [undoTarget, 'ActionTargetArn'] }],
    });
  });

  it('alarms on failed and timed-out executions, every dead-letter queue, FAILED outcomes, intake rejections and record failures', () => {
    const alarms = resources(synthesized.central, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm);
    // The intake queue's dead-letter queue is the sixth.
    expect(alarms).toHaveLength(2 + 6 + 1 + 2);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: expect.stringMatching(/^Notifications/) }],
      });
    }
    expect(alarms.map((alarm) => alarm['MetricName']).sort()).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      RECORD_FAILURES_METRIC,
      REJECTED_METRIC,
      OUTCOME_METRIC.metricName,
    ]);
    for (const metricName of [REJECTED_METRIC, RECORD_FAILURES_METRIC]) {
      synthesized.central.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'ApigwRemediation',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'apigw-remediation' }],
        Statistic: 'Sum',
      });
    }
    synthesized.central.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ApigwRemediation',
      MetricName: 'Remediations',
      Dimensions: Match.arrayEquals([
        { Name: 'Outcome', Value: 'FAILED' },
        { Name: 'service', Value: 'apigw-remediation' },
      ]),
    });
  });

  it('has a dashboard of outcomes by status, control and account', () => {
    const { properties } = resourceByPrefix(synthesized.central, 'AWS::CloudWatch::Dashboard', 'Monitoring');
    expect(properties['DashboardName']).toBe('apigw-remediation-us-east-1');
    const body = JSON.stringify(properties['DashboardBody']);
    for (const title of ['Outcomes by status', 'Outcomes by control', 'Outcomes by account']) {
      expect(body).toContain(title);
    }
    expect(body).toContain('MetricName=\\\\\\"Remediations\\\\\\"');
    // By control from the metric (ControlId dimension), not from the logs.
    expect(body).toContain('{ApigwRemediation,ControlId,Outcome,service}');
  });
});

describe('approval API (the service eats its own cooking)', () => {
  function stage(): Json {
    return resourceByPrefix(synthesized.central, 'AWS::ApiGateway::Stage', 'ApprovalApi').properties;
  }

  it('logs executions and JSON access logs with $context.requestId, traces, and throttles within the baseline', () => {
    const throttling = synthesized.config.parameters['Baseline.StageThrottling'];
    const { executionLogLevel } = synthesized.config.parameters['APIGateway.1'];
    expect(stage()).toMatchObject({
      StageName: 'prod',
      TracingEnabled: true,
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: executionLogLevel,
          DataTraceEnabled: false,
          MetricsEnabled: true,
        },
      ],
    });
    const [methodSettings] = stage()['MethodSettings'] as Json[];
    expect(methodSettings?.['ThrottlingRateLimit']).toBeLessThanOrEqual(throttling.rateLimit);
    expect(methodSettings?.['ThrottlingBurstLimit']).toBeLessThanOrEqual(throttling.burstLimit);
    const accessLog = stage()['AccessLogSetting'] as { Format: string; DestinationArn: unknown };
    expect(JSON.parse(accessLog.Format)).toMatchObject({ requestId: '$context.requestId' });
    // The log group ARN without the `:*` of its Arn attribute, the form API Gateway stores
    // (@aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard), so drift detection stays quiet.
    expect(accessLog.DestinationArn).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:aws:logs:us-east-1:',
          { Ref: 'AWS::AccountId' },
          ':log-group:',
          { Ref: expect.stringMatching(/AccessLogs/) },
        ],
      ],
    });
    synthesized.central.hasResourceProperties('AWS::ApiGateway::Account', {
      CloudWatchRoleArn: Match.anyValue(),
    });
  });

  it('is protected by a regional web ACL with the baseline rules, associated with its stage', () => {
    const { managedRuleGroups, rateLimitPer5Minutes } = synthesized.config.resources.webAcl;
    const acl = resourceByPrefix(synthesized.central, 'AWS::WAFv2::WebACL', 'ApprovalApiWebAcl').properties;
    expect(acl['Scope']).toBe('REGIONAL');
    const rules = acl['Rules'] as Json[];
    expect(rules.map((rule) => rule['Name'])).toEqual([...managedRuleGroups, 'RatePerClientIp']);
    expect(rules.at(-1)).toMatchObject({
      Statement: { RateBasedStatement: { Limit: rateLimitPer5Minutes, AggregateKeyType: 'IP' } },
    });
    // Slack's block_actions bodies carry the whole message and may exceed the CRS 8 KB body limit.
    expect(rules.find((rule) => rule['Name'] === 'AWSManagedRulesCommonRuleSet')).toMatchObject({
      Statement: {
        ManagedRuleGroupStatement: {
          RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
        },
      },
    });
    synthesized.central.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApprovalApiWebAcl'), 'Arn'] },
      ResourceArn: Match.anyValue(),
    });
  });

  it('passes every control the service remediates, evaluated by the service’s own catalog', () => {
    const settings = stage();
    const [methodSettings] = settings['MethodSettings'] as Json[];
    const accessLog = settings['AccessLogSetting'] as { Format: string };
    const snapshot: RestStageSnapshot = {
      status: 'FOUND',
      apiType: 'REST',
      ref: {
        partition: 'aws',
        region: 'us-east-1',
        account: '111122223333',
        apiType: 'REST',
        apiId: 'abcdef1234',
        stageName: 'prod',
      },
      parts: ['stage', 'api', 'account', 'customDomains'],
      stage: {
        tracingEnabled: settings['TracingEnabled'] === true,
        cacheClusterEnabled: settings['CacheClusterEnabled'] === true,
        // The association in the template gives the stage a web ACL once deployed.
        webAclArn:
          'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/apigw-remediation-baseline-approvals/id',
        accessLogSettings: {
          destinationArn: 'arn:aws:logs:us-east-1:111122223333:log-group:approvals-access',
          format: accessLog.Format,
        },
        methodSettings: {
          '*/*': {
            loggingLevel: methodSettings?.['LoggingLevel'] as string,
            dataTraceEnabled: methodSettings?.['DataTraceEnabled'] as boolean,
            metricsEnabled: methodSettings?.['MetricsEnabled'] as boolean,
            throttlingRateLimit: methodSettings?.['ThrottlingRateLimit'] as number,
            throttlingBurstLimit: methodSettings?.['ThrottlingBurstLimit'] as number,
          },
        },
        tags: {},
      },
      api: {
        name: 'apigw-remediation-approvals',
        protocol: 'REST',
        disableExecuteApiEndpoint: false,
        endpointTypes: ['REGIONAL'],
        tags: {},
      },
      account: { cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/approvals-cloudwatch' },
      // The stack maps no custom domain: the default endpoint is the only way in, so it stays.
      customDomains: [],
    };
    const remediable = controlsFor('REST').filter((control) =>
      (REMEDIABLE_CONTROL_IDS as readonly string[]).includes(control.id),
    );
    expect(remediable.length).toBeGreaterThanOrEqual(7);
    for (const control of remediable) {
      const [bound] = bindControls([control.id], synthesized.config);
      const evaluation = bound?.evaluate(snapshot);
      expect({ control: control.id, status: evaluation?.status, reason: evaluation?.reason }).toEqual({
        control: control.id,
        status: expect.stringMatching(/^(COMPLIANT|NOT_APPLICABLE)$/),
        reason: evaluation?.reason,
      });
    }
  });
});

describe('member stack (StackSet)', () => {
  function memberRole(): { logicalId: string; properties: Json } {
    return resourceByPrefix(synthesized.member, 'AWS::IAM::Role', 'MemberRole');
  }

  it('is a standalone template: parameters only, no asset, no Lambda, no bootstrap check', () => {
    const template = synthesized.member.toJSON() as Json;
    expect(Object.keys(template['Parameters'] as Json).sort()).toEqual([
      'CentralAccountId',
      'CentralEventBusRegion',
      'GlobalResourcesRegion',
      'OrganizationId',
    ]);
    synthesized.member.resourceCountIs('AWS::Lambda::Function', 0);
    expect(JSON.stringify(template)).not.toContain('cdk-hnb659fds');
  });

  it('trusts only the central member-role task roles (any Region), within the organization', () => {
    const { properties } = memberRole();
    expect(properties['RoleName']).toBe(synthesized.config.crossAccount.memberRoleName);
    const [trust, ...others] = (properties['AssumeRolePolicyDocument'] as { Statement: Json[] }).Statement;
    expect(others).toEqual([]);
    expect(trust).toMatchObject({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: {
        AWS: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'CentralAccountId' }, ':root'],
          ],
        },
      },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
    });
    const trusted = ((trust?.['Condition'] as Json)['ArnLike'] as Json)['aws:PrincipalArn'] as unknown[];
    expect(trusted).toEqual(
      MEMBER_ROLE_TASKS.map((task) => ({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':iam::',
            { Ref: 'CentralAccountId' },
            `:role/${centralTaskRoleNamePattern(task)}`,
          ],
        ],
      })),
    );
    for (const task of MEMBER_ROLE_TASKS) {
      const pattern = new RegExp(`^${centralTaskRoleNamePattern(task).replace('*', '[a-z0-9-]+')}$`);
      for (const region of REGIONS) expect(centralTaskRoleName(task, region)).toMatch(pattern);
    }
  });

  it('lets the member role create the baseline web ACL on every resource type CreateWebACL is authorized on, in its own account only', () => {
    const statements = statementsOfRole(synthesized.member, memberRole().logicalId).filter((statement) =>
      actionsOf([statement]).includes('wafv2:CreateWebACL'),
    );
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements)).toEqual(['wafv2:CreateWebACL']);
    const resources = (statements[0] as { Resource: Json[] }).Resource.map((resource) =>
      JSON.stringify(resource),
    );
    // The SAR's resource types of CreateWebACL: webacl, managedruleset, rulegroup, ipset, regexpatternset.
    const paths = [
      `regional/webacl/${synthesized.config.resources.webAcl.name}/*`,
      'regional/managedruleset/*',
      'regional/rulegroup/*/*',
      'regional/ipset/*/*',
      'regional/regexpatternset/*/*',
    ];
    expect(resources).toHaveLength(paths.length);
    for (const path of paths) {
      expect(resources.filter((resource) => resource.includes(`:${path}"`))).toHaveLength(1);
    }
    for (const resource of resources) expect(resource).toContain('{"Ref":"AWS::AccountId"}');
  });

  it('grants every IAM action docs/controls.md lists for the remediations, and passes only the CloudWatch role', () => {
    const statements = statementsOfRole(synthesized.member, memberRole().logicalId);
    const granted = new Set(actionsOf(statements));
    const documented = new Set(
      [
        ...readFileSync(join(PROJECT_ROOT, 'docs', 'controls.md'), 'utf8').matchAll(
          /`((?:apigateway|wafv2|logs|iam):\w+)`/g,
        ),
      ].map((match) => match[1] as string),
    );
    expect(documented.size).toBeGreaterThan(10);
    expect([...documented].filter((action) => !granted.has(action))).toEqual([]);
    const passRole = statements.filter((statement) => actionsOf([statement]).includes('iam:PassRole'));
    expect(passRole).toEqual([
      expect.objectContaining({
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::',
              { Ref: 'AWS::AccountId' },
              `:role/${synthesized.config.resources.cloudWatchRole.name}`,
            ],
          ],
        },
        Condition: { StringEquals: { 'iam:PassedToService': 'apigateway.amazonaws.com' } },
      }),
    ]);
    expect(granted).toContain('securityhub:BatchImportFindings');
    expect([...granted].filter((action) => action.endsWith(':*') || action === '*')).toEqual([]);
  });

  it('lets the member role take a remediation back and list APIs for the CLI scan, on exactly those resources', () => {
    const statements = statementsOfRole(synthesized.member, memberRole().logicalId);
    const bySid = (sid: string) => statements.filter((statement) => statement['Sid'] === sid);
    const arn = (path: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:apigateway:*::${path}`]],
    });
    // The undo's DisassociateWebACL (wafv2 on the protected stage, and the stage's SetWebACL).
    expect(bySid('UndoWebAclAssociation')).toEqual([
      expect.objectContaining({
        Action: ['apigateway:SetWebACL', 'wafv2:DisassociateWebACL'],
        Resource: arn('/restapis/??????????/stages/*'),
      }),
    ]);
    // apigatewayv2 DeleteAccessLogSettings: DELETE on the stage's accesslogsettings only.
    expect(bySid('UndoV2AccessLogging')).toEqual([
      expect.objectContaining({
        Action: 'apigateway:DELETE',
        Resource: arn('/apis/??????????/stages/*/accesslogsettings'),
      }),
    ]);
    // `scan --role-name`: GetRestApis and GetApis on the collections themselves.
    expect(bySid('ListApis')).toEqual([
      expect.objectContaining({ Action: 'apigateway:GET', Resource: [arn('/apis'), arn('/restapis')] }),
    ]);
  });

  it('creates the account-wide roles only in the instance of GlobalResourcesRegion (IAM is global)', () => {
    const template = synthesized.member.toJSON() as { Conditions: Json; Resources: Record<string, Json> };
    expect(template.Conditions['CreatesGlobalResources']).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'GlobalResourcesRegion' }],
    });
    const roles = Object.entries(template.Resources).filter(
      ([, resource]) => resource['Type'] === 'AWS::IAM::Role',
    );
    const conditioned = roles.filter(([, resource]) => resource['Condition'] === 'CreatesGlobalResources');
    expect(conditioned.map(([id]) => id.replace(/[A-F0-9]{8}$/, '')).sort()).toEqual([
      'ApiGatewayCloudWatchRole',
      'MemberRole',
    ]);
  });

  it('creates the API Gateway CloudWatch Logs role with the AWS managed push policy', () => {
    synthesized.member.hasResourceProperties('AWS::IAM::Role', {
      RoleName: synthesized.config.resources.cloudWatchRole.name,
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
      }),
      ManagedPolicyArns: [
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
            ],
          ],
        },
      ],
    });
  });

  it('forwards API Gateway drift to the central bus, with a dead-letter queue', () => {
    const rule = resourceByPrefix(
      synthesized.member,
      'AWS::Events::Rule',
      'ForwardApiGatewayCalls',
    ).properties;
    const [target] = rule['Targets'] as Json[];
    expect(target).toMatchObject({
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ForwardDeadLetters/), 'Arn'] } },
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ForwardApiGatewayCallsEventsRole/), 'Arn'] },
    });
    const arn = JSON.stringify(target?.['Arn']);
    expect(arn).toContain('event-bus/apigw-remediation');
    expect(arn).toContain('CentralBusInThisRegion');
    expect(arn).toContain('CentralEventBusRegion');
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged with the AwsSolutions and Serverless packs', () => {
    const packs = nagPacks(synthesized.app);
    expect(packs.map((pack) => pack.readPackName)).toEqual(['AwsSolutions', 'Serverless']);
    for (const pack of packs) {
      const report = pack.validateScope(synthesized.app);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    }
  });

  it('has a specific written reason on every acknowledgement, and no blanket wildcard acknowledgement', () => {
    const acknowledgements: { path: string; id: string; reason: string }[] = [];
    const visit = (construct: IConstruct) => {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          acknowledgements.push({ path: construct.node.path, id, reason: String(reason) });
        }
      }
      for (const child of construct.node.children) visit(child);
    };
    visit(synthesized.app);
    expect(acknowledgements.length).toBeGreaterThan(10);
    for (const { id, reason } of acknowledgements) {
      expect(reason.length, id).toBeGreaterThan(40);
      expect(id).not.toMatch(/IAM5$/);
    }
  });
});

describe('cfn-lint', () => {
  it('reports no error on any synthesized template', () => {
    const templates = readdirSync(synthesized.outdir)
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => join(synthesized.outdir, file));
    expect(templates).toHaveLength(REGIONS.length + 1);
    const run = spawnSync('cfn-lint', ['--format', 'json', ...templates], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    const findings = JSON.parse(run.stdout || '[]') as {
      Level: string;
      Rule: { Id: string };
      Message: string;
    }[];
    expect(findings.filter((finding) => finding.Level === 'Error')).toEqual([]);
    // cfn-lint's exit code is a bit mask: 2 means errors.
    expect((run.status ?? 2) & 2).toBe(0);
  });
});
