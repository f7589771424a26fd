/**
 * The fault matrix of issue 10 for the per-stage part, through the REAL state machine and the real
 * coarse tasks (docs/decisions/0035): throttling on every service a coarse task calls, a 5xx, the
 * stage deleted between read and write, a failure between the API-level change and the UpdateStage
 * (the retry completes it, nothing applied twice), a Security Hub write failure, a Lambda timeout
 * in Remediate and in Prepare, a paced call refused its place (decision 0038). Each case asserts
 * exactly one recorded outcome for the finding and no stage lock left held.
 *
 * Faults are put into the SDK: the client class's `send` answers the first matching command with
 * the service's own throttling error, as the SDK surfaces it once its own retries are spent; the
 * state machine's Retry then runs the coarse task again with the same input.
 */
import {
  APIGatewayClient,
  DeleteStageCommand,
  GetRestApiCommand,
  GetStageCommand,
} from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SNSClient } from '@aws-sdk/client-sns';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  BatchUpdateFindingsCommand,
  type BatchUpdateFindingsCommandInput,
} from '@aws-sdk/client-securityhub';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LOCKS_TABLE_KEY } from '../../remediators/workflow/lock.js';
import { CALLS_PACED_ERROR, memberPaceScope, paceKey } from '../../remediators/workflow/pacing.js';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import {
  createWorkflowHarness,
  fixtureEvent,
  LOCKS_TABLE,
  onlyControls,
  stageDriftEvent,
  type TaskHandler,
  type WorkflowHarness,
} from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';

interface Sender {
  send(command: unknown, ...rest: unknown[]): Promise<unknown>;
}
type ClientClass = { prototype: Sender };

/** The first `times` calls of `commandName` on every client of `clientClass` fail with `errorName`. */
function failCommand(
  clientClass: ClientClass,
  commandName: string,
  errorName: string,
  times = 1,
  matches: (input: Record<string, unknown>) => boolean = () => true,
) {
  const original = clientClass.prototype.send;
  let left = times;
  let failed = 0;
  vi.spyOn(clientClass.prototype, 'send').mockImplementation(function (
    this: Sender,
    command: unknown,
    ...rest: unknown[]
  ) {
    if (
      left > 0 &&
      (command as object).constructor.name === commandName &&
      matches((command as { input: Record<string, unknown> }).input)
    ) {
      left -= 1;
      failed += 1;
      return Promise.reject(
        Object.assign(new Error(`${errorName}: injected by the fault matrix`), {
          name: errorName,
          $metadata: { httpStatusCode: errorName === 'ServiceUnavailableException' ? 503 : 429 },
        }),
      );
    }
    return original.call(this, command, ...rest);
  });
  return { failed: () => failed };
}

/** The outcome updates of Security Hub (not the ownership note), per finding id. */
function outcomeRecords(harness: WorkflowHarness): Map<string, string[]> {
  const byFinding = new Map<string, string[]>();
  for (const update of harness.batchUpdates()) {
    const outcome = update.UserDefinedFields?.outcome;
    if (outcome === undefined) continue;
    for (const identifier of update.FindingIdentifiers ?? []) {
      byFinding.set(identifier.Id ?? '', [...(byFinding.get(identifier.Id ?? '') ?? []), outcome]);
    }
  }
  return byFinding;
}

function outcomesOf(output: unknown): string[] {
  return [...JSON.stringify(output).matchAll(/"outcome":"([A-Z_]+)"/g)].map((match) => match[1] ?? '');
}

describe('fault matrix: one recorded outcome per finding, no lock left held', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  const apiGateway = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const replacements = () => ({ [FIXTURE_API_ID]: seeded.ref.apiId, [FIXTURE_ACCOUNT]: MOTO_ACCOUNT });
  const loggingFinding = () => fixtureEvent('securityhub-apigateway1-rest-consolidated.json', replacements());
  const webAclFinding = () => fixtureEvent('securityhub-apigateway4-rest-consolidated.json', replacements());
  const logLevel = async () =>
    (await apiGateway().send(new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' })))
      .methodSettings?.['*/*']?.loggingLevel;

  /** The run's finding got exactly one outcome, `outcome`, and the stage lock is gone. */
  async function expectOneOutcome(harness: WorkflowHarness, outcome: string): Promise<void> {
    const records = [...outcomeRecords(harness).values()];
    expect(records).toEqual([[outcome]]);
    expect(await harness.lockItems('stage#')).toEqual([]);
  }

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('API Gateway throttles the UpdateStage: Remediate runs again and the stage is updated once', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    const fault = failCommand(APIGatewayClient, 'UpdateStageCommand', 'TooManyRequestsException');

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(fault.failed()).toBe(1);
    expect(harness.calls.filter((call) => call === 'UpdateStage')).toHaveLength(2);
    expect(harness.coreCalls()['APIGateway.UpdateStage']).toBe(1);
    expect(await logLevel()).toBe('ERROR');
    await expectOneOutcome(harness, 'REMEDIATED');
  });

  it("the member account's API Gateway schedule is full: Prepare is refused its place (CallsPaced), retried, and remediates once", async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    const key = paceKey(
      'apiGateway',
      memberPaceScope({ partition: 'aws', account: MOTO_ACCOUNT, region: MOTO_REGION }),
    );
    const db = harness.deps.dynamo();
    // Another run's burst took every place for the next minute.
    await db.send(
      new PutCommand({ TableName: LOCKS_TABLE, Item: { [LOCKS_TABLE_KEY]: key, tat: Date.now() + 60_000 } }),
    );
    const refusals: string[] = [];
    const output = await harness.run(loggingFinding(), {
      wrap: {
        // The refusal reaches the state machine through the real Prepare; once seen, the schedule
        // empties (its minute passed), and the retried Prepare gets its places.
        Decide: (real) => async (input) => {
          try {
            return await real(input);
          } catch (error) {
            if ((error as Error).name === CALLS_PACED_ERROR) {
              refusals.push((error as Error).message);
              await db.send(new DeleteCommand({ TableName: LOCKS_TABLE, Key: { [LOCKS_TABLE_KEY]: key } }));
            }
            throw error;
          }
        },
      },
    });

    expect(refusals).toEqual([expect.stringMatching(/^GetStage is paced \(apiGateway in aws\//)]);
    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(harness.calls.filter((call) => call === 'Decide')).toHaveLength(2);
    expect(harness.coreCalls()['APIGateway.UpdateStage']).toBe(1);
    expect(await logLevel()).toBe('ERROR');
    await expectOneOutcome(harness, 'REMEDIATED');
    // The places the run took are in its account's schedule.
    expect(await harness.lockItems('pace#apiGateway#')).toEqual([expect.objectContaining({ pk: key })]);
  });

  it('a failure between the API-level change and the UpdateStage: the retry completes it, nothing applied twice', async () => {
    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: onlyControls(['APIGateway.1', 'Baseline.DefaultEndpoint']) },
    });
    const fault = failCommand(APIGatewayClient, 'UpdateStageCommand', 'TooManyRequestsException');

    const output = await harness.run(stageDriftEvent(seeded.ref));

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(fault.failed()).toBe(1);
    const calls = harness.coreCalls();
    // Re-sent on the retry with the same patch (decision 0035); the stage update is sent once.
    expect(calls['APIGateway.UpdateRestApi']).toBe(2);
    expect(calls['APIGateway.UpdateStage']).toBe(1);
    const api = await apiGateway().send(new GetRestApiCommand({ restApiId: seeded.ref.apiId }));
    expect(api.disableExecuteApiEndpoint).toBe(true);
    expect(await logLevel()).toBe('ERROR');
    // The record lists each change once, with the value it had before the first attempt.
    const [entry] = (await harness.ledger.list()).filter((candidate) => candidate.kind === 'REMEDIATION');
    const settings = JSON.stringify(entry);
    expect(settings.match(/disableExecuteApiEndpoint/g)).toHaveLength(1);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('WAF throttles the association: Remediate runs again, one web ACL created and associated', async () => {
    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: { 'APIGateway.4': 'auto' } },
    });
    const fault = failCommand(WAFV2Client, 'AssociateWebACLCommand', 'ThrottlingException');

    const output = await harness.run(webAclFinding());

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(fault.failed()).toBe(1);
    const calls = harness.coreCalls();
    expect(calls['WAFV2.CreateWebACL']).toBe(1);
    expect(calls['WAFV2.AssociateWebACL']).toBe(1);
    await expectOneOutcome(harness, 'REMEDIATED');
  });

  it('CloudWatch Logs throttles the log group: Remediate runs again and creates it once', async () => {
    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: onlyControls(['Baseline.RestAccessLogging']) },
    });
    const fault = failCommand(CloudWatchLogsClient, 'CreateLogGroupCommand', 'ThrottlingException');

    const output = await harness.run(stageDriftEvent(seeded.ref));

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(fault.failed()).toBe(1);
    expect(harness.coreCalls()['CloudWatchLogs.CreateLogGroup']).toBe(1);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('DynamoDB throttles the stage lock: Prepare runs again and takes it (its own, not another run’s)', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    // The stage lock's put, not Admit's delivery marker (`event#{id}`, decision 0036) before it.
    const fault = failCommand(
      DynamoDBDocumentClient,
      'PutCommand',
      'ProvisionedThroughputExceededException',
      1,
      (input) => !String((input.Item as Record<string, unknown> | undefined)?.pk).startsWith('event#'),
    );

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(fault.failed()).toBe(1);
    expect(harness.calls.filter((call) => call === 'AcquireLock')).toHaveLength(2);
    await expectOneOutcome(harness, 'REMEDIATED');
  });

  it('DynamoDB throttles after the lock was taken: the retried Prepare renews its own lock', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    let snapshots = 0;

    const output = await harness.run(loggingFinding(), {
      wrap: {
        Snapshot: (real) => async (input) => {
          snapshots += 1;
          if (snapshots === 1) {
            throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
          }
          return real(input);
        },
      },
    });

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(harness.calls.filter((call) => call === 'AcquireLock')).toHaveLength(2);
    await expectOneOutcome(harness, 'REMEDIATED');
  });

  it('Security Hub throttles the outcome: Finish runs again and records it once', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    let outcomeCalls = 0;
    harness.securityHub.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) => {
      if (input.UserDefinedFields?.outcome !== undefined) {
        outcomeCalls += 1;
        if (outcomeCalls === 1) {
          return Promise.reject(
            Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }),
          );
        }
      }
      return { ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] };
    });

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(outcomeCalls).toBe(2);
    // The refused call is kept by the mock too: one accepted outcome update.
    expect([...outcomeRecords(harness).values()]).toEqual([['REMEDIATED', 'REMEDIATED']]);
    expect(harness.records).toHaveLength(1);
    expect(harness.published).toHaveLength(1);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('Security Hub refuses the outcome: notified as not recorded, the lock still released', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    harness.securityHub
      .on(BatchUpdateFindingsCommand)
      .callsFake((input: BatchUpdateFindingsCommandInput) =>
        input.UserDefinedFields?.outcome === undefined
          ? { ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] }
          : Promise.reject(Object.assign(new Error('hub unavailable'), { name: 'InternalException' })),
      );

    const output = await harness.run(loggingFinding());

    expect(JSON.stringify(output)).toContain('"recorded":false');
    expect([...outcomeRecords(harness).values()]).toEqual([['REMEDIATED']]);
    expect(harness.published[0]?.Message).toContain('NOT recorded: InternalException: hub unavailable');
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('SNS throttles the notification: kept as the notification’s error, the outcome recorded once, the lock released', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    const fault = failCommand(SNSClient, 'PublishCommand', 'ThrottledException');

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(fault.failed()).toBe(1);
    expect(harness.calls.filter((call) => call === 'Record')).toHaveLength(1);
    await expectOneOutcome(harness, 'REMEDIATED');
  });

  it('a 5xx that outlasts the SDK’s retries: FAILED with the error, recorded once, the lock released', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    failCommand(APIGatewayClient, 'UpdateStageCommand', 'ServiceUnavailableException', 10);

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['FAILED']);
    expect(harness.calls.filter((call) => call === 'UpdateStage')).toHaveLength(1);
    expect(harness.batchUpdates().at(-1)?.Note?.Text).toContain('ServiceUnavailableException');
    await expectOneOutcome(harness, 'FAILED');
  });

  it('the stage deleted between the read and the write: RESOURCE_GONE, recorded once, the lock released', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    const output = await harness.run(loggingFinding(), {
      wrap: {
        UpdateStage: (real) => async (input) => {
          await apiGateway().send(new DeleteStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' }));
          return real(input);
        },
      },
    });

    expect(outcomesOf(output)).toEqual(['RESOURCE_GONE']);
    await expectOneOutcome(harness, 'RESOURCE_GONE');
  });

  const timeout =
    (real: TaskHandler): TaskHandler =>
    async (input) => {
      await real(input);
      throw Object.assign(new Error('Task timed out'), { name: 'States.Timeout' });
    };

  it('a Lambda timeout in Remediate after it changed the stage: FAILED, recorded once, the lock released', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });

    const output = await harness.run(loggingFinding(), { wrapState: { Remediate: timeout } });

    expect(outcomesOf(output)).toEqual(['FAILED']);
    expect(harness.calls).not.toContain('Verify');
    expect(harness.batchUpdates().at(-1)?.Note?.Text).toContain('States.Timeout');
    await expectOneOutcome(harness, 'FAILED');
  });

  it('a Lambda timeout in Prepare after it took the lock: Finish releases the lock by its derived owner', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });

    const output = await harness.run(loggingFinding(), { wrapState: { Prepare: timeout } });

    expect(outcomesOf(output)).toEqual(['FAILED']);
    expect(harness.calls.filter((call) => call === 'AcquireLock')).toHaveLength(1);
    expect(harness.calls).toContain('ReleaseLock');
    await expectOneOutcome(harness, 'FAILED');
  });
});
