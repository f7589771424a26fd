/**
 * The brakes (issue 8, defect 10), through the real state machine with the real handlers on moto:
 * the kill switch (an SSM parameter read by the decide task, and again by the apply task after an
 * approval wait) and the blast-radius cap (an hourly counter per account in the locks table, taken
 * by the apply task). Either way the stage is notified, not changed, and the record says why.
 */
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { claimChangeBudget, changeBudgetKey } from '../../remediators/workflow/change-budget.js';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { createLocksTable } from '../helpers/locks-table.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import {
  createWorkflowHarness,
  fixtureEvent,
  KILL_SWITCH_PARAMETER,
  type WorkflowHarness,
} from './harness.js';

const APPROVER = { id: 'U024BE7LH', name: 'Dana Approver' };

function outcomesOf(output: unknown): string[] {
  return [...JSON.stringify(output).matchAll(/"outcome":"([A-Z_]+)"/g)].map((match) => match[1] ?? '');
}

function notificationTexts(harness: WorkflowHarness): string[] {
  return harness.published.map((message) => `${message.Subject ?? ''}\n${message.Message ?? ''}`);
}

describe('brakes: kill switch and blast-radius cap', () => {
  const moto = useMoto();
  let seeded: SeededStage;

  const apiGateway = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const logLevelOf = async (stage: SeededStage) =>
    (await apiGateway().send(new GetStageCommand({ restApiId: stage.ref.apiId, stageName: 'prod' })))
      .methodSettings?.['*/*']?.loggingLevel;
  const loggingFinding = (stage: SeededStage) =>
    fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
      a1b2c3d4e5: stage.ref.apiId,
      '111122223333': MOTO_ACCOUNT,
    });
  const setKillSwitch = (value: string) =>
    new SSMClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials }).send(
      new PutParameterCommand({ Name: KILL_SWITCH_PARAMETER, Type: 'String', Value: value, Overwrite: true }),
    );

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
  });

  it('kill switch on: an auto control only notifies, nothing changes, and the record says why', async () => {
    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      killSwitch: 'on: INC-4711 bad rollout',
    });

    const output = await harness.run(loggingFinding(seeded));

    expect(outcomesOf(output)).toEqual(['SKIPPED']);
    expect(await logLevelOf(seeded)).toBe('OFF');
    expect(harness.calls).not.toContain('Apply');
    expect(harness.calls).not.toContain('UpdateStage');
    const [record] = harness.records;
    expect(record?.reason).toMatch(
      /^kill switch on: INC-4711 bad rollout \(SSM parameter \/apigw-remediation\/kill-switch\)\. not changed by configuration: APIGateway\.1 /,
    );
    expect(record?.changes).toEqual([
      expect.objectContaining({ setting: 'methodSettings[*/*].loggingLevel', before: 'OFF', after: 'ERROR' }),
    ]);
    const last = harness.batchUpdates().at(-1);
    expect(last?.Workflow?.Status).toBe('NOTIFIED');
    expect(last?.Note?.Text).toContain('kill switch on: INC-4711 bad rollout');
    expect(notificationTexts(harness).join('\n')).toContain('kill switch on: INC-4711 bad rollout');
    expect(await harness.lockItems('changes#')).toEqual([]);
  });

  it('kill switch with a value it does not understand counts as on', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint, killSwitch: 'disabled' });

    expect(outcomesOf(await harness.run(loggingFinding(seeded)))).toEqual(['SKIPPED']);
    expect(await logLevelOf(seeded)).toBe('OFF');
    expect(harness.records[0]?.reason).toMatch(/^kill switch on: the value "disabled" is neither "off" nor/);
  });

  it('kill switch pulled while an approval waits: the approved change is not applied', async () => {
    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: { 'APIGateway.1': 'approve' } },
    });

    const output = await harness.run(loggingFinding(seeded), {
      approval: async () => {
        await setKillSwitch('on: change freeze');
        return {
          decision: 'APPROVED',
          approver: APPROVER,
          decidedAt: new Date().toISOString(),
          channel: 'slack',
        };
      },
    });

    expect(outcomesOf(output)).toEqual(['SKIPPED']);
    expect(await logLevelOf(seeded)).toBe('OFF');
    expect(harness.calls).toContain('Apply');
    expect(harness.calls).not.toContain('UpdateStage');
    const [record] = harness.records;
    expect(record?.reason).toBe(
      'kill switch on: change freeze (SSM parameter /apigw-remediation/kill-switch): notified, not changed',
    );
    expect(record?.changes.map((change) => change.setting)).toEqual(['methodSettings[*/*].loggingLevel']);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('blast-radius cap: the second stage changed in the account this hour is notified, not changed', async () => {
    const other = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { limits: { maxStagesChangedPerAccountPerHour: 1 } },
    });

    expect(outcomesOf(await harness.run(loggingFinding(seeded)))).toEqual(['REMEDIATED']);
    expect(await logLevelOf(seeded)).toBe('ERROR');
    // A stage that needs no change takes nothing from the budget.
    expect(outcomesOf(await harness.run(loggingFinding(seeded)))).toEqual(['ALREADY_COMPLIANT']);

    const capped = await harness.run(loggingFinding(other));

    expect(outcomesOf(capped)).toEqual(['SKIPPED']);
    expect(await logLevelOf(other)).toBe('OFF');
    expect(harness.calls.filter((call) => call === 'UpdateStage')).toHaveLength(1);
    const record = harness.records.at(-1);
    expect(record?.stage.apiId).toBe(other.ref.apiId);
    expect(record?.reason).toMatch(
      new RegExp(
        `^blast-radius cap reached: 1 stage\\(s\\) of account ${MOTO_ACCOUNT} already changed in the hour \\d{4}-\\d\\d-\\d\\dT\\d\\d:00 UTC \\(limits\\.maxStagesChangedPerAccountPerHour = 1\\); notified, not changed`,
      ),
    );
    expect(record?.changes.map((change) => change.setting)).toContain('methodSettings[*/*].loggingLevel');
    const last = harness.batchUpdates().at(-1);
    expect(last?.Workflow?.Status).toBe('NOTIFIED');
    expect(last?.UserDefinedFields?.outcome).toBe('SKIPPED');
    expect(notificationTexts(harness).at(-1)).toContain('blast-radius cap reached');
    const counters = await harness.lockItems('changes#');
    expect(counters).toHaveLength(1);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });
});

describe('change budget (the hourly counter, DynamoDB conditional update on moto)', () => {
  const moto = useMoto();
  const table = 'budget-test';
  const stage = { partition: 'aws', account: '111122223333' } as const;
  const hour = Date.UTC(2026, 2, 14, 9, 15);
  let db: DynamoDBDocumentClient;

  beforeEach(async () => {
    db = await createLocksTable(moto.endpoint, table);
  });

  it('counts each remediation once (a retried task is granted again without counting) up to the cap', async () => {
    expect(await claimChangeBudget(db, table, stage, 'run-a', 2, hour)).toEqual({
      granted: true,
      changed: 1,
    });
    expect(await claimChangeBudget(db, table, stage, 'run-a', 2, hour)).toEqual({
      granted: true,
      changed: 1,
    });
    expect(await claimChangeBudget(db, table, stage, 'run-b', 2, hour)).toEqual({
      granted: true,
      changed: 2,
    });
    expect(await claimChangeBudget(db, table, stage, 'run-c', 2, hour)).toEqual({
      granted: false,
      changed: 2,
    });
    expect(await claimChangeBudget(db, table, stage, 'run-b', 2, hour)).toEqual({
      granted: true,
      changed: 2,
    });
  });

  it('is per account and per clock hour, and the hour item expires (TTL) an hour after the hour', async () => {
    expect((await claimChangeBudget(db, table, stage, 'run-a', 1, hour)).granted).toBe(true);
    expect((await claimChangeBudget(db, table, stage, 'run-b', 1, hour)).granted).toBe(false);
    expect(
      (await claimChangeBudget(db, table, { ...stage, account: '444455556666' }, 'run-b', 1, hour)).granted,
    ).toBe(true);
    const nextHour = hour + 3_600_000;
    expect((await claimChangeBudget(db, table, stage, 'run-b', 1, nextHour)).granted).toBe(true);
    expect(changeBudgetKey(stage, hour)).toBe('changes#aws#111122223333#2026-03-14T09');
    const item = await db.send(
      new GetCommand({ TableName: table, Key: { pk: changeBudgetKey(stage, hour) } }),
    );
    expect(item.Item?.expiresAt).toBe(Date.UTC(2026, 2, 14, 11, 0) / 1000);
  });
});
