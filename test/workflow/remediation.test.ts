import {
  APIGatewayClient,
  DeleteStageCommand,
  GetStageCommand,
  TagResourceCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent, type WorkflowHarness } from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
const FINDING_ID = `arn:aws:securityhub:us-east-1:${MOTO_ACCOUNT}:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351`;

const APPROVER = { id: 'U024BE7LH', name: 'Dana Approver' };

function outcomesOf(output: unknown): string[] {
  return [...JSON.stringify(output).matchAll(/"outcome":"([A-Z_]+)"/g)].map((match) => match[1] ?? '');
}

describe('remediation state machine', () => {
  const moto = useMoto();
  let seeded: SeededStage;

  const apiGateway = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const logLevel = async () =>
    (await apiGateway().send(new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' })))
      .methodSettings?.['*/*']?.loggingLevel;
  const tagStage = (tags: Record<string, string>) =>
    apiGateway().send(
      new TagResourceCommand({
        resourceArn: `arn:aws:apigateway:${MOTO_REGION}::/restapis/${seeded.ref.apiId}/stages/prod`,
        tags,
      }),
    );
  const loggingFinding = () =>
    fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
      [FIXTURE_API_ID]: seeded.ref.apiId,
      [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
    });
  const harnessWith = (config: unknown = {}) => createWorkflowHarness({ endpoint: moto.endpoint, config });
  const lastUpdate = (harness: WorkflowHarness) => harness.batchUpdates().at(-1);

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
  });

  it('takes ownership first, fixes execution logging automatically and records REMEDIATED', async () => {
    const harness = await harnessWith();
    expect(await logLevel()).toBe('OFF');

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(await logLevel()).toBe('ERROR');
    expect(harness.calls.slice(0, 2)).toEqual(['Normalize', 'Admit']);
    // The stage and API are read once by Prepare (its decide step's read serves its snapshot step)
    // and once more by Verify.
    const calls = harness.coreCalls();
    expect([calls['APIGateway.GetStage'], calls['APIGateway.GetRestApi']]).toEqual([2, 2]);
    const [ownership] = harness.batchUpdates();
    expect(ownership?.Workflow?.Status).toBe('NOTIFIED');
    expect(ownership?.FindingIdentifiers?.[0]?.Id).toBe(FINDING_ID);
    const last = lastUpdate(harness);
    expect(last?.Workflow?.Status).toBe('RESOLVED');
    expect(last?.FindingIdentifiers).toEqual([
      { Id: FINDING_ID, ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub' },
    ]);
    expect(last?.Note?.Text).toContain('methodSettings[*/*].loggingLevel: OFF → ERROR');
    expect(last?.Note?.Text).toContain('(automatic)');
    expect(last?.Note?.Text).toContain(`execution:apigw-remediation:`);
    expect(last?.UserDefinedFields).toMatchObject({ outcome: 'REMEDIATED', approver: 'automatic' });
    expect(harness.batchImports()).toEqual([]);
    expect(harness.published).toHaveLength(1);
    expect(harness.published[0]?.Message).toContain('REMEDIATED');
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('fixes APIGateway.4 automatically with one ListWebACLs in the whole run: update-stage reuses the ACL apply found', async () => {
    const harness = await harnessWith({ controls: { 'APIGateway.4': 'auto' } });
    const webAclFinding = fixtureEvent('securityhub-apigateway4-rest-consolidated.json', {
      [FIXTURE_API_ID]: seeded.ref.apiId,
      [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
    });

    const output = await harness.run(webAclFinding);

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(harness.calls).toContain('UpdateStage');
    const calls = harness.coreCalls();
    expect(calls['WAFV2.ListWebACLs']).toBe(1);
    expect(calls['WAFV2.CreateWebACL']).toBe(1);
    expect(calls['WAFV2.AssociateWebACL']).toBe(1);
    const stage = await apiGateway().send(
      new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' }),
    );
    expect(stage.webAclArn).toMatch(/webacl\/apigw-remediation-baseline\//);
  });

  it('asks for approval when a stage tag says approve, and applies what was approved', async () => {
    await tagStage({ 'apigw-remediation:mode:APIGateway.1': 'approve' });
    const harness = await harnessWith();

    const output = await harness.run(loggingFinding(), {
      approval: async () => ({
        decision: 'APPROVED',
        approver: APPROVER,
        decidedAt: new Date().toISOString(),
        channel: 'slack',
      }),
    });

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(await logLevel()).toBe('ERROR');
    const [request] = harness.approvalRequests;
    expect(request).toMatchObject({
      apiId: seeded.ref.apiId,
      stageName: 'prod',
      controls: ['APIGateway.1'],
      changes: [
        {
          controlId: 'APIGateway.1',
          setting: 'methodSettings[*/*].loggingLevel',
          before: 'OFF',
          after: 'ERROR',
        },
      ],
    });
    expect(String(request?.taskToken)).toMatch(/^local-task-token-/);
    expect(Date.parse(String(request?.expiresAt)) - Date.parse(String(request?.requestedAt))).toBe(
      86_400_000,
    );
    expect(lastUpdate(harness)?.UserDefinedFields?.approver).toBe('Dana Approver (U024BE7LH)');
    expect(lastUpdate(harness)?.Note?.Text).toContain('Dana Approver (U024BE7LH)');
  });

  it('applies nothing after approval when the change was made meanwhile: the stage is re-read first', async () => {
    await tagStage({ 'apigw-remediation:mode:APIGateway.1': 'approve' });
    const harness = await harnessWith();

    const output = await harness.run(loggingFinding(), {
      approval: async () => {
        await apiGateway().send(
          new UpdateStageCommand({
            restApiId: seeded.ref.apiId,
            stageName: 'prod',
            patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'INFO' }],
          }),
        );
        return {
          decision: 'APPROVED',
          approver: APPROVER,
          decidedAt: new Date().toISOString(),
          channel: 'slack',
        };
      },
    });

    expect(outcomesOf(output)).toEqual(['ALREADY_COMPLIANT']);
    // The approved OFF → ERROR is not written over the INFO set during the wait.
    expect(await logLevel()).toBe('INFO');
    expect(harness.calls).toContain('Recheck');
    expect(harness.calls).not.toContain('Apply');
    expect(harness.coreCalls()['APIGateway.UpdateStage']).toBeUndefined();
    expect(lastUpdate(harness)?.Note?.Text).toContain('APIGateway.1: no longer needs a change');
  });

  it('applies an approved plan that did not change, through the recheck', async () => {
    await tagStage({ 'apigw-remediation:mode:APIGateway.1': 'approve' });
    const harness = await harnessWith();

    const output = await harness.run(loggingFinding(), {
      approval: async () => ({
        decision: 'APPROVED',
        approver: APPROVER,
        decidedAt: new Date().toISOString(),
        channel: 'slack',
      }),
    });

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(
      harness.calls.slice(harness.calls.indexOf('Snapshot'), harness.calls.indexOf('Snapshot') + 3),
    ).toEqual(['Snapshot', 'Recheck', 'Apply']);
    expect(harness.records[0]?.reason).toBe(
      'fixed APIGateway.1; re-read after the approval wait: the stage is as it was when approved',
    );
  });

  it('records REJECTED, with the approver, and changes nothing when the approver rejects', async () => {
    await tagStage({ 'apigw-remediation:mode': 'approve' });
    const harness = await harnessWith();

    const output = await harness.run(loggingFinding(), {
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

    expect(outcomesOf(output)).toEqual(['REJECTED']);
    expect(await logLevel()).toBe('OFF');
    expect(harness.calls).not.toContain('Apply');
    expect(lastUpdate(harness)?.Workflow?.Status).toBe('NOTIFIED');
    expect(lastUpdate(harness)?.Note?.Text).toContain('rejected: change freeze');
    expect(lastUpdate(harness)?.UserDefinedFields?.approver).toBe('Dana Approver (U024BE7LH)');
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('records EXPIRED when nobody decides in time (approval.onTimeout skip)', async () => {
    await tagStage({ 'apigw-remediation:mode': 'approve' });
    const harness = await harnessWith();

    const output = await harness.run(loggingFinding(), {
      approval: async () => {
        const timeout = new Error('Task timed out');
        timeout.name = 'States.Timeout';
        throw timeout;
      },
    });

    expect(outcomesOf(output)).toEqual(['EXPIRED']);
    expect(await logLevel()).toBe('OFF');
    expect(lastUpdate(harness)?.Workflow?.Status).toBe('NOTIFIED');
    expect(lastUpdate(harness)?.Note?.Text).toContain('nobody decided within 86400 s');
    expect(harness.published).toHaveLength(1);
  });

  const timedOut = async () => {
    const timeout = new Error('Task timed out');
    timeout.name = 'States.Timeout';
    throw timeout;
  };

  it('follows a decision that won over the timeout in the approvals table: approved, applied, approver named', async () => {
    await tagStage({ 'apigw-remediation:mode': 'approve' });
    const harness = await harnessWith();
    const settlements: Record<string, unknown>[] = [];
    const decision = {
      decision: 'APPROVED',
      approver: APPROVER,
      decidedAt: '2026-11-22T09:59:59.000Z',
      channel: 'slack',
    };

    const output = await harness.run(loggingFinding(), {
      approval: timedOut,
      timeoutSettlement: async (event) => {
        settlements.push(event);
        return { outcome: 'APPROVED', decision };
      },
    });

    expect(settlements).toHaveLength(1);
    expect(settlements[0]).toMatchObject({ settle: 'TIMEOUT', remediationId: expect.any(String) });
    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(await logLevel()).toBe('ERROR');
    expect(lastUpdate(harness)?.UserDefinedFields?.approver).toBe('Dana Approver (U024BE7LH)');
    expect(lastUpdate(harness)?.Note?.Text).not.toContain('timed out');
  });

  it('follows a rejection that won over the timeout: REJECTED, nothing applied, even with onTimeout apply', async () => {
    await tagStage({ 'apigw-remediation:mode': 'approve' });
    const harness = await harnessWith({ approval: { onTimeout: 'apply' } });
    const decision = {
      decision: 'REJECTED',
      approver: APPROVER,
      decidedAt: '2026-11-22T09:59:59.000Z',
      channel: 'slack',
      comment: 'not during the freeze',
    };

    const output = await harness.run(loggingFinding(), {
      approval: timedOut,
      timeoutSettlement: async () => ({ outcome: 'REJECTED', decision, cause: JSON.stringify(decision) }),
    });

    expect(outcomesOf(output)).toEqual(['REJECTED']);
    expect(await logLevel()).toBe('OFF');
    expect(lastUpdate(harness)?.UserDefinedFields?.approver).toBe('Dana Approver (U024BE7LH)');
  });

  it('applies anyway after an approval timeout when approval.onTimeout is apply', async () => {
    await tagStage({ 'apigw-remediation:mode': 'approve' });
    const harness = await harnessWith({ approval: { onTimeout: 'apply' } });

    const output = await harness.run(loggingFinding(), {
      approval: async () => {
        const timeout = new Error('Task timed out');
        timeout.name = 'States.Timeout';
        throw timeout;
      },
    });

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(await logLevel()).toBe('ERROR');
    expect(lastUpdate(harness)?.UserDefinedFields?.approver).toBe(
      'nobody (approval timed out; applied by policy)',
    );
  });

  it('records ALREADY_COMPLIANT and does not notify when the stage already passes', async () => {
    const harness = await harnessWith();
    await harness.run(loggingFinding());
    const publishedBefore = harness.published.length;

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['ALREADY_COMPLIANT']);
    expect(lastUpdate(harness)?.Workflow?.Status).toBe('RESOLVED');
    expect(lastUpdate(harness)?.UserDefinedFields?.outcome).toBe('ALREADY_COMPLIANT');
    expect(harness.published).toHaveLength(publishedBefore);
  });

  it('records DRY_RUN with what would change and changes nothing in dry-run mode', async () => {
    const harness = await harnessWith({ dryRun: true });

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['DRY_RUN']);
    expect(await logLevel()).toBe('OFF');
    expect(harness.calls).not.toContain('Apply');
    expect(lastUpdate(harness)?.Workflow?.Status).toBe('NOTIFIED');
    expect(lastUpdate(harness)?.Note?.Text).toContain(
      'Would change: APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR',
    );
  });

  it('records SKIPPED and leaves no lock when a stage tag turns the control off (the lock it took first is released)', async () => {
    await tagStage({ 'apigw-remediation:mode': 'off' });
    const harness = await harnessWith();

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['SKIPPED']);
    expect(await logLevel()).toBe('OFF');
    // Prepare takes the lock before it decides (docs/decisions/0043); Finish releases it.
    expect(harness.calls.indexOf('AcquireLock')).toBeLessThan(harness.calls.indexOf('Decide'));
    expect(harness.calls).not.toContain('Snapshot');
    expect(await harness.lockItems('stage#')).toEqual([]);
    expect(lastUpdate(harness)?.Note?.Text).toContain('every requested control is off');
    expect(lastUpdate(harness)?.Note?.Text).toContain('stage tag apigw-remediation:mode=off');
  });

  it('only reports and notifies when a stage tag sets the control to notify', async () => {
    await tagStage({ 'apigw-remediation:mode:APIGateway.1': 'notify' });
    const harness = await harnessWith();

    const output = await harness.run(loggingFinding());

    expect(outcomesOf(output)).toEqual(['SKIPPED']);
    expect(await logLevel()).toBe('OFF');
    expect(harness.calls).not.toContain('Apply');
    expect(lastUpdate(harness)?.Workflow?.Status).toBe('NOTIFIED');
    expect(lastUpdate(harness)?.Note?.Text).toContain('(notify)');
    expect(harness.published).toHaveLength(1);
    expect(harness.published[0]?.Message).toContain('*Would change:*');
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('records RESOURCE_GONE and releases the lock when the stage is deleted mid-way', async () => {
    const harness = await harnessWith();

    const output = await harness.run(loggingFinding(), {
      wrap: {
        Apply: (real) => async (input) => {
          await apiGateway().send(new DeleteStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' }));
          return real(input);
        },
      },
    });

    expect(outcomesOf(output)).toEqual(['RESOURCE_GONE']);
    expect(harness.calls).toContain('UpdateStage');
    expect(lastUpdate(harness)?.Workflow?.Status).toBe('RESOLVED');
    expect(lastUpdate(harness)?.Note?.Text).toContain('the stage disappeared during the remediation');
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('retries a throttled task with backoff and then succeeds', async () => {
    const harness = await harnessWith();
    let snapshotCalls = 0;

    const output = await harness.run(loggingFinding(), {
      wrap: {
        Snapshot: (real) => async (input) => {
          snapshotCalls += 1;
          if (snapshotCalls <= 2) {
            const throttled = new Error('Too Many Requests');
            throttled.name = 'TooManyRequestsException';
            throw throttled;
          }
          return real(input);
        },
      },
    });

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(snapshotCalls).toBe(3);
    expect(await logLevel()).toBe('ERROR');
  });

  it('records FAILED with the error and releases the lock when a step fails', async () => {
    const harness = await harnessWith();

    const output = await harness.run(loggingFinding(), {
      wrap: {
        UpdateStage: () => async () => {
          const rejected = new Error('Invalid patch path /*/*/logging/loglevel');
          rejected.name = 'BadRequestException';
          throw rejected;
        },
      },
    });

    expect(outcomesOf(output)).toEqual(['FAILED']);
    expect(await logLevel()).toBe('OFF');
    const last = lastUpdate(harness);
    expect(last?.Workflow?.Status).toBe('NOTIFIED');
    expect(last?.Note?.Text).toContain('BadRequestException: Invalid patch path /*/*/logging/loglevel');
    expect(last?.UserDefinedFields?.outcome).toBe('FAILED');
    expect(harness.calls.slice(-3)).toEqual(['Record', 'Notify', 'ReleaseLock']);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('ends two concurrent requests for one stage in one change: the second joins the first or finds it compliant', async () => {
    const harness = await harnessWith();
    let updateStageCalls = 0;
    const wrap = {
      UpdateStage: (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
        updateStageCalls += 1;
        return real(input);
      },
    };

    const outputs = await Promise.all([
      harness.run(loggingFinding(), { wrap }),
      harness.run(loggingFinding(), { wrap }),
    ]);

    // The second either joined the first while it worked (JOINED, test/workflow/join.test.ts) or
    // waited for the lock and re-read the stage (ALREADY_COMPLIANT): which depends on timing.
    const [second, ...rest] = outputs.flatMap(outcomesOf).filter((outcome) => outcome !== 'REMEDIATED');
    expect(rest).toEqual([]);
    expect(['JOINED', 'ALREADY_COMPLIANT']).toContain(second);
    expect(updateStageCalls).toBe(1);
    expect(harness.calls.filter((call) => call === 'AcquireLock').length).toBeGreaterThanOrEqual(2);
    expect(harness.calls.filter((call) => call === 'ReleaseLock')).toHaveLength(second === 'JOINED' ? 1 : 2);
    // The finding ends with the outcome of the run that changed the stage, never JOINED.
    expect(harness.batchUpdates().at(-1)?.Workflow?.Status).toBe('RESOLVED');
    expect(await logLevel()).toBe('ERROR');
    expect(await harness.lockItems('stage#')).toEqual([]);
  });
});
