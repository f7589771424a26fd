/**
 * `apigw-remediation fix` against a deployed service (no --local), spawned as an operator runs it,
 * against a private moto_server named by AWS_ENDPOINT_URL: the central stack is found from its
 * CloudFormation outputs, an execution of its state machine is started (StartExecution) and followed
 * (DescribeExecution) to its outcome, and the remediation id is read from the ledger entry that
 * execution wrote.
 *
 * Why moto's own Step Functions, and what stands in: moto 5.2.1 takes StartExecution and
 * DescribeExecution, and with `execute_state_machine` on (POST /moto-api/config) it runs a
 * definition with its ASL interpreter, service integrations included (dynamodb:putItem reaches
 * moto's DynamoDB). It cannot run the deployed workflow itself: its Task states invoke Lambda
 * functions, which moto runs only in Docker. So the deployed state machine here is a stand-in of two
 * states that does what the real one hands back to the CLI: its Record step writes the stage's
 * REMEDIATION entry (actor = this execution, `$$.Execution.Id`) and it ends with the per-stage Map
 * output (`{stage, outcome, recorded}`, state-machines/remediation.asl.json), or it fails. Without
 * `execute_state_machine` moto keeps every execution RUNNING (SF_EXECUTION_HISTORY_TYPE only picks
 * the static history, FAILED or not), which could not show the CLI following one to its end. Nothing
 * is mocked in-process (no aws-sdk-client-mock): every call the CLI makes reaches moto. The workflow
 * itself is tested on the real ASL in test/workflow/.
 */
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as normalize } from '../../../remediators/handlers/intake.js';
import { RemediationEntrySchema } from '../../../remediators/ledger/entry.js';
import { createLedgerTable } from '../../../remediators/ledger/table.js';
import type { IntakeResult } from '../../../remediators/intake/types.js';
import { seedInsecureRestStage } from '../../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';
import { cliAgainst } from '../../helpers/spawn-cli.js';

const moto = useMoto();
const aws = () => ({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
const STACK = `ApigwRemediation-${MOTO_REGION}`;
const LEDGER = 'apigw-remediation-ledger-deployed';

/** DynamoDB's attribute-value JSON for the values a ledger entry holds (the ASL writes it as is). */
function attributeValue(value: unknown): Record<string, unknown> {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(attributeValue) };
  return {
    M: Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, attributeValue(item)]),
    ),
  };
}

/** The central stack as `findDeployedService` reads it: its two outputs (infra/central-stack.ts). */
async function deployStack(stateMachineArn: string): Promise<void> {
  const template = {
    Resources: { Notifications: { Type: 'AWS::SNS::Topic', Properties: {} } },
    Outputs: {
      StateMachineArn: { Value: stateMachineArn },
      LedgerTableName: { Value: LEDGER },
    },
  };
  await new CloudFormationClient(aws()).send(
    new CreateStackCommand({ StackName: STACK, TemplateBody: JSON.stringify(template) }),
  );
}

async function createStateMachine(definition: unknown): Promise<string> {
  const { stateMachineArn } = await new SFNClient(aws()).send(
    new CreateStateMachineCommand({
      name: 'apigw-remediation',
      definition: JSON.stringify(definition),
      roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/apigw-remediation-workflow`,
    }),
  );
  if (stateMachineArn === undefined) throw new Error('moto returned no stateMachineArn');
  return stateMachineArn;
}

async function seededStage() {
  const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint, customDomain: false });
  return {
    ref,
    stageArn: `arn:aws:apigateway:${MOTO_REGION}::/restapis/${ref.apiId}/stages/prod`,
  };
}

async function onlyExecution(stateMachineArn: string) {
  const sfn = new SFNClient(aws());
  const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  expect(executions).toHaveLength(1);
  return sfn.send(new DescribeExecutionCommand({ executionArn: executions[0]?.executionArn }));
}

beforeEach(async () => {
  const response = await fetch(`${moto.endpoint}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
  });
  expect(response.ok).toBe(true);
  await createLedgerTable(new DynamoDBClient(aws()), LEDGER);
});

describe('apigw-remediation fix (deployed service)', () => {
  it('starts the stack’s state machine with the CLI request, follows it to SUCCEEDED and reads the remediation id from the ledger', async () => {
    const { ref, stageArn } = await seededStage();
    const entryId = randomUUID();
    // What the Record task writes for this stage; the actor is filled in by the execution itself.
    const entry = RemediationEntrySchema.parse({
      kind: 'REMEDIATION',
      entryId,
      stageArn,
      account: MOTO_ACCOUNT,
      region: MOTO_REGION,
      partition: 'aws',
      apiType: 'REST',
      apiId: ref.apiId,
      stageName: 'prod',
      recordedAt: new Date().toISOString(),
      actor: { kind: 'execution', executionArn: 'filled in by the execution' },
      outcome: 'REMEDIATED',
      controls: ['APIGateway.3'],
      changes: [{ controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true }],
      prerequisitesCreated: [],
      approver: 'automatic',
      reason: 'fixed APIGateway.3',
      findingIds: [],
      trigger: 'cli',
    });
    const item = attributeValue(entry).M as Record<string, unknown>;
    const stateMachineArn = await createStateMachine({
      StartAt: 'Record',
      States: {
        Record: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: {
            TableName: LEDGER,
            Item: {
              ...item,
              actor: { M: { kind: { S: 'execution' }, executionArn: { 'S.$': '$$.Execution.Id' } } },
            },
          },
          ResultPath: null,
          Next: 'StageResults',
        },
        StageResults: {
          Type: 'Pass',
          Parameters: { results: [{ stage: ref, outcome: 'REMEDIATED', recorded: true }] },
          End: true,
        },
      },
    });
    await deployStack(stateMachineArn);

    const fix = await cliAgainst(moto.endpoint, ['fix', '--api', ref.apiId, '--control', 'APIGateway.3']);

    expect(fix.stderr).toContain(`fix: the deployed workflow ${stateMachineArn} (stack ${STACK})`);
    expect(fix.stderr).not.toContain('in-process');
    const execution = await onlyExecution(stateMachineArn);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.name).toMatch(/^cli-\d{8}T\d{6}-[0-9a-f]{8}-1$/);
    expect(fix.stdout).toContain(
      `${stageArn}: REMEDIATED, remediation ${entryId}, execution ${execution.executionArn}\n`,
    );
    expect(fix.stdout).toMatch(/fix cli-\S+: 1 stage\(s\), every stage compliant\n/);
    expect(fix.code).toBe(0);

    // The execution's input is the CLI request, and the workflow's own Normalize reads it as one.
    const input = JSON.parse(execution.input ?? '{}') as { source: string; detail: Record<string, unknown> };
    expect(input.source).toBe('apigw-remediation.cli');
    expect(input.detail).toEqual({
      account: MOTO_ACCOUNT,
      stageArn,
      controls: ['APIGateway.3'],
      requestedBy: expect.stringMatching(/^arn:aws:(iam|sts)::123456789012:/),
    });
    const normalized = (await normalize(input)) as IntakeResult;
    expect(normalized.rejected).toEqual([]);
    expect(normalized.requests).toMatchObject([
      { trigger: 'cli', apiId: ref.apiId, stageName: 'prod', controls: ['APIGateway.3'] },
    ]);
    // The CLI changed nothing itself: changing the stage is the deployed workflow's job.
    const stage = await new APIGatewayClient(aws()).send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: 'prod' }),
    );
    expect(stage.tracingEnabled).not.toBe(true);
  }, 60_000);

  it('reports an execution that fails with its status, error and cause: exit 1', async () => {
    const { ref, stageArn } = await seededStage();
    const stateMachineArn = await createStateMachine({
      StartAt: 'Failed',
      States: {
        Failed: { Type: 'Fail', Error: 'WorkflowNotStarted', Cause: 'the workflow could not start' },
      },
    });
    await deployStack(stateMachineArn);

    const fix = await cliAgainst(moto.endpoint, ['fix', '--api', ref.apiId, '--control', 'APIGateway.3']);

    const execution = await onlyExecution(stateMachineArn);
    expect(execution.status).toBe('FAILED');
    expect(fix.stdout).toContain(
      `${stageArn}: FAILED, remediation (not in the ledger), execution ${execution.executionArn}\n`,
    );
    expect(fix.stdout).toContain(
      `  execution ${execution.executionArn}: {"failed":{"status":"FAILED","error":"WorkflowNotStarted","cause":"the workflow could not start"}}\n`,
    );
    expect(fix.stdout).toMatch(/fix cli-\S+: 1 stage\(s\), not every stage compliant\n/);
    expect(fix.code).toBe(1);
  }, 60_000);
});
