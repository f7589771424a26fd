/**
 * The ledger written by the real state machine (real ASL, real handlers on moto_server): every run
 * of a stage leaves exactly one REMEDIATION entry, read back from DynamoDB in moto, whatever its
 * outcome; a retried Record writes nothing twice; a ledger that cannot be written loses neither the
 * Security Hub record nor the run, and a Security Hub that refuses the record loses no entry.
 */
import { APIGatewayClient, GetStageCommand, TagResourceCommand } from '@aws-sdk/client-api-gateway';
import { BatchUpdateFindingsCommand } from '@aws-sdk/client-securityhub';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RemediationEntry } from '../../remediators/ledger/entry.js';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent, type TaskHandler, type WorkflowHarness } from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
const FINDING_ID = `arn:aws:securityhub:us-east-1:${MOTO_ACCOUNT}:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351`;
const APPROVER = { id: 'U024BE7LH', name: 'Dana Approver' };

function outcomesOf(output: unknown): string[] {
  return [...JSON.stringify(output).matchAll(/"outcome":"([A-Z_]+)"/g)].map((match) => match[1] ?? '');
}

describe('the ledger written by the workflow', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  let harness: WorkflowHarness;

  const apiGateway = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const stageArn = () => `arn:aws:apigateway:${MOTO_REGION}::/restapis/${seeded.ref.apiId}/stages/prod`;
  const finding = (file = 'securityhub-apigateway1-rest-consolidated.json') =>
    fixtureEvent(file, { [FIXTURE_API_ID]: seeded.ref.apiId, [FIXTURE_ACCOUNT]: MOTO_ACCOUNT });
  const tagStage = (tags: Record<string, string>) =>
    apiGateway().send(new TagResourceCommand({ resourceArn: stageArn(), tags }));
  const entries = async (): Promise<RemediationEntry[]> =>
    (await harness.ledger.listByStage(stageArn())).filter(
      (entry): entry is RemediationEntry => entry.kind === 'REMEDIATION',
    );

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    harness = await createWorkflowHarness({ endpoint: moto.endpoint, config: {} });
  });

  it('REMEDIATED: one entry with the exact before → after, the execution, automatic, the finding', async () => {
    const output = await harness.run(finding());

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    const record = harness.records.at(-1);
    const [entry, ...more] = await entries();
    expect(more).toEqual([]);
    expect(entry).toEqual({
      kind: 'REMEDIATION',
      entryId: record?.remediationId,
      stageArn: stageArn(),
      account: MOTO_ACCOUNT,
      region: MOTO_REGION,
      partition: 'aws',
      apiType: 'REST',
      apiId: seeded.ref.apiId,
      stageName: 'prod',
      recordedAt: record?.recordedAt,
      actor: { kind: 'execution', executionArn: record?.executionArn },
      outcome: 'REMEDIATED',
      controls: ['APIGateway.1'],
      changes: [
        {
          controlId: 'APIGateway.1',
          setting: 'methodSettings[*/*].loggingLevel',
          before: 'OFF',
          after: 'ERROR',
        },
      ],
      // The seeded account has the Region's CloudWatch role set already: nothing was created.
      prerequisitesCreated: expect.any(Array),
      approver: 'automatic',
      reason: record?.reason,
      findingIds: [FINDING_ID],
      trigger: 'securityhub',
      // The seeded stage carries no CloudFormation tags and no Terraform marker (issue 14).
      owner: { kind: 'unmanaged' },
    });
    expect(entry?.recordedAt).toMatch(/Z$/);
  });

  it('APIGateway.4: the entry holds the web ACL ARN that was associated, and the web ACL it created', async () => {
    harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: { 'APIGateway.4': 'auto' } },
    });

    await harness.run(finding('securityhub-apigateway4-rest-consolidated.json'));

    const stage = await apiGateway().send(
      new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' }),
    );
    const [entry] = await entries();
    expect(entry?.changes).toEqual([
      { controlId: 'APIGateway.4', setting: 'webAclArn', before: null, after: stage.webAclArn },
    ]);
    expect(entry?.prerequisitesCreated).toEqual([{ kind: 'webAcl', id: stage.webAclArn }]);
  });

  it('ALREADY_COMPLIANT: a second run leaves its own entry, with no change', async () => {
    await harness.run(finding());
    await harness.run(finding());

    const [first, second, ...more] = await entries();
    expect(more).toEqual([]);
    expect(first?.outcome).toBe('REMEDIATED');
    expect(second).toMatchObject({ outcome: 'ALREADY_COMPLIANT', findingIds: [FINDING_ID] });
    expect(second?.entryId).not.toBe(first?.entryId);
  });

  it('REJECTED: one entry naming the approver, the change that was not made', async () => {
    await tagStage({ 'apigw-remediation:mode': 'approve' });
    await harness.run(finding(), {
      approval: async () => {
        const rejection = new Error(
          JSON.stringify({
            decision: 'REJECTED',
            approver: APPROVER,
            decidedAt: new Date().toISOString(),
            comment: 'change freeze',
            channel: 'slack',
          }),
        );
        rejection.name = 'ApprovalRejected';
        throw rejection;
      },
    });

    const [entry, ...more] = await entries();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      outcome: 'REJECTED',
      approver: 'Dana Approver (U024BE7LH)',
      reason: 'rejected: change freeze',
      changes: [{ controlId: 'APIGateway.1', before: 'OFF', after: 'ERROR' }],
      prerequisitesCreated: [],
    });
  });

  it('FAILED: one entry with the error', async () => {
    await harness.run(finding(), {
      wrap: {
        UpdateStage: () => async () => {
          const rejected = new Error('Invalid patch path /*/*/logging/loglevel');
          rejected.name = 'BadRequestException';
          throw rejected;
        },
      },
    });

    const [entry, ...more] = await entries();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      outcome: 'FAILED',
      reason: 'BadRequestException: Invalid patch path /*/*/logging/loglevel',
    });
  });

  it('a retried Record (throttled after it wrote) leaves one entry, not a conflict', async () => {
    let attempts = 0;
    const outputs: unknown[] = [];
    await harness.run(finding(), {
      wrap: {
        Record: (real: TaskHandler) => async (input) => {
          attempts += 1;
          const result = await real(input);
          outputs.push(result);
          if (attempts === 1) {
            const throttled = new Error('Rate exceeded');
            throttled.name = 'ThrottlingException';
            throw throttled;
          }
          return result;
        },
      },
    });

    expect(attempts).toBe(2);
    expect(outputs).toMatchObject([
      { ledger: { status: 'written' } },
      { ledger: { status: 'already-written' } },
    ]);
    expect(await entries()).toHaveLength(1);
    expect(harness.metrics.filter((metric) => metric.name === 'RecordFailures')).toEqual([]);
  });

  it('a ledger that cannot be written: Security Hub still gets the record, the run is not FAILED, RecordFailures counts it', async () => {
    const outputs: unknown[] = [];
    const output = await harness.run(finding(), {
      wrap: {
        Record: (real: TaskHandler) => async (input) => {
          const original = harness.deps.dynamo().send.bind(harness.deps.dynamo());
          const dynamo = harness.deps.dynamo();
          dynamo.send = (async (command: {
            constructor: { name: string };
            input: { TableName?: string };
          }) => {
            if (command.input.TableName === 'apigw-remediation-ledger') {
              const denied = new Error('User is not authorized to perform: dynamodb:PutItem');
              denied.name = 'AccessDeniedException';
              throw denied;
            }
            return original(command as never);
          }) as never;
          try {
            const result = await real(input);
            outputs.push(result);
            return result;
          } finally {
            dynamo.send = original as never;
          }
        },
      },
    });

    expect(outcomesOf(output)).toContain('REMEDIATED');
    expect(outputs).toMatchObject([
      {
        recorded: true,
        ledger: { status: 'failed', error: expect.stringContaining('AccessDeniedException') },
      },
    ]);
    expect(harness.batchUpdates().at(-1)?.Workflow?.Status).toBe('RESOLVED');
    expect(harness.metrics).toContainEqual({ name: 'RecordFailures', dimensions: {}, value: 1 });
    expect(await entries()).toEqual([]);
  });

  it('a Security Hub that refuses the record: the entry is written all the same, the record reported NOT recorded', async () => {
    const output = await harness.run(finding(), {
      wrap: {
        Record: (real: TaskHandler) => async (input) => {
          // From here on (Record is the run's last Security Hub writer): the hub refuses.
          harness.securityHub
            .on(BatchUpdateFindingsCommand)
            .rejects(Object.assign(new Error('no hub'), { name: 'InvalidAccessException' }));
          return real(input);
        },
      },
    });

    expect(JSON.stringify(output)).toContain('"recorded":false');
    const [entry, ...more] = await entries();
    expect(more).toEqual([]);
    expect(entry?.outcome).toBe('REMEDIATED');
  });
});

describe('the ledger of a joined run', () => {
  const moto = useMoto();

  it('the holder leaves one entry listing both findings; the joiner leaves none', async () => {
    const seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint, config: {} });
    const stageArn = `arn:aws:apigateway:${MOTO_REGION}::/restapis/${seeded.ref.apiId}/stages/prod`;
    await new APIGatewayClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    }).send(
      new TagResourceCommand({
        resourceArn: stageArn,
        tags: { 'apigw-remediation:mode:APIGateway.1': 'approve' },
      }),
    );
    let approve: () => void = () => undefined;
    const given = new Promise<void>((resolve) => {
      approve = resolve;
    });
    const holderRun = harness.run(
      fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
        [FIXTURE_API_ID]: seeded.ref.apiId,
        [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
      }),
      {
        approval: async () => {
          await given;
          return {
            decision: 'APPROVED',
            approver: APPROVER,
            decidedAt: new Date().toISOString(),
            channel: 'slack',
          };
        },
      },
    );
    for (let attempt = 0; attempt < 400 && harness.approvalRequests.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const ocsf = readFileSync(
      new URL('../fixtures/ocsf/ocsf-apigateway1-rest-member.json', import.meta.url),
      'utf8',
    )
      .split(FIXTURE_API_ID)
      .join(seeded.ref.apiId)
      .split(FIXTURE_ACCOUNT)
      .join(MOTO_ACCOUNT);
    expect(outcomesOf(await harness.run(JSON.parse(ocsf) as unknown))).toEqual(['JOINED']);
    approve();
    expect(outcomesOf(await holderRun)).toEqual(['REMEDIATED']);

    const entries = await harness.ledger.listByStage(stageArn);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      outcome: 'REMEDIATED',
      approver: 'Dana Approver (U024BE7LH)',
      // The ASFF finding and its OCSF twin share the finding ARN: both records are listed.
      findingIds: [FINDING_ID, FINDING_ID],
    });
  });
});
