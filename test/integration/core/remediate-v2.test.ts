import {
  ApiGatewayV2Client,
  DeleteStageCommand,
  GetApiCommand,
  GetStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../config/schema.js';
import { FIXING_CONTROL_IDS, baselineControlIds } from '../../../remediators/controls/catalog.js';
import { accessLogGroupArn, accessLogGroupName } from '../../../remediators/controls/stage-settings.js';
import { callsBetween } from '../../../remediators/core/clients.js';
import type { ControlId, StageRef } from '../../../remediators/core/types.js';
import type { OutcomeRecord } from '../../../remediators/workflow/outcome.js';
import { seedInsecureHttpStage, seedInsecureWebSocketStage } from '../../helpers/insecure-apis.js';
import { MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';
import {
  coreCallCounts,
  createWorkflowHarness,
  onlyControls,
  stageDriftEvent,
  type WorkflowHarness,
} from '../../workflow/harness.js';

const moto = useMoto();
const config = ConfigSchema.parse({});
const { resources, parameters } = config;
const V2_REMEDIABLE: readonly ControlId[] = baselineControlIds('V2').filter((id) =>
  (FIXING_CONTROL_IDS as readonly string[]).includes(id),
);

let apiGatewayV2: ApiGatewayV2Client;
beforeEach(() => {
  apiGatewayV2 = new ApiGatewayV2Client({
    region: MOTO_REGION,
    endpoint: moto.endpoint,
    credentials: motoCredentials,
  });
});

/**
 * A harness whose drift events check exactly `controlIds` (each in mode auto). The seeded HTTP API
 * stage does not auto-deploy: its default-endpoint fix needs a deployment, made here unattended.
 */
function harnessFor(controlIds: readonly ControlId[]) {
  return createWorkflowHarness({
    endpoint: moto.endpoint,
    emulateV2Writes: true,
    config: { controls: onlyControls(controlIds), allowUnattendedDeployments: true },
  });
}

/** One run of the real state machine for a person's UpdateApi: the one outcome recorded, the core's calls. */
async function remediate(harness: WorkflowHarness, ref: StageRef) {
  const before = harness.records.length;
  const callsBefore = coreCallCounts(harness);
  await harness.run(stageDriftEvent(ref));
  const records = harness.records.slice(before);
  expect(records).toHaveLength(1);
  return { record: records[0] as OutcomeRecord, calls: callsBetween(callsBefore, coreCallCounts(harness)) };
}

async function readStage(ref: StageRef) {
  return apiGatewayV2.send(new GetStageCommand({ ApiId: ref.apiId, StageName: ref.stageName }));
}

describe('the state machine on insecure API Gateway V2 stages (moto)', () => {
  it('HTTP API: access logs, throttling and the default endpoint in one UpdateStage and one UpdateApi', async () => {
    const { ref } = await seedInsecureHttpStage({ endpoint: moto.endpoint });

    const { record, calls } = await remediate(await harnessFor(V2_REMEDIABLE), ref);

    expect(record.outcome).toBe('REMEDIATED');
    expect(record.evaluations.filter((evaluation) => evaluation.compliance === 'FAILED')).toEqual([]);
    expect(calls.updateStageCalls).toBe(1);
    expect(calls.deployments).toBe(1);
    expect([...new Set(record.changes.map((change) => change.controlId))]).toEqual([
      'APIGateway.9',
      'Baseline.StageThrottling',
      'Baseline.DefaultEndpoint',
    ]);
    // Execution logging (APIGateway.1) does not exist for HTTP APIs: the record leaves it out.
    expect(record.evaluations.map((evaluation) => evaluation.controlId)).not.toContain('APIGateway.1');
    const writes = Object.keys(calls.byOperation).filter(
      (operation) => !/\.(Get|List|Describe)/.test(operation),
    );
    expect(writes.sort()).toEqual([
      'ApiGatewayV2.CreateDeployment',
      'ApiGatewayV2.UpdateApi',
      'ApiGatewayV2.UpdateStage',
      'CloudWatchLogs.CreateLogGroup',
      'CloudWatchLogs.PutRetentionPolicy',
    ]);
    expect(calls.writes).toBe(5);

    const stage = await readStage(ref);
    expect(stage.AccessLogSettings).toEqual({
      DestinationArn: accessLogGroupArn(resources, ref, 'HTTP'),
      Format: parameters['APIGateway.9'].httpFormat,
    });
    expect(stage.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: parameters['Baseline.StageThrottling'].rateLimit,
      ThrottlingBurstLimit: parameters['Baseline.StageThrottling'].burstLimit,
      // Settings the service did not touch survive the update.
      DetailedMetricsEnabled: false,
    });
    expect(stage.Tags).toEqual({ env: ref.stageName });
    const api = await apiGatewayV2.send(new GetApiCommand({ ApiId: ref.apiId }));
    expect(api.DisableExecuteApiEndpoint).toBe(true);
    const logs = new CloudWatchLogsClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const groups = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: accessLogGroupName(resources, ref, 'HTTP') }),
    );
    expect(groups.logGroups?.[0]?.retentionInDays).toBe(resources.accessLogGroups.retentionDays);
  });

  it('HTTP API: zero writes when run again', async () => {
    const { ref } = await seedInsecureHttpStage({ endpoint: moto.endpoint });
    const harness = await harnessFor(V2_REMEDIABLE);
    await remediate(harness, ref);

    const again = await remediate(harness, ref);

    expect(again.record.outcome).toBe('ALREADY_COMPLIANT');
    expect(again.calls.writes).toBe(0);
    expect(again.record.changes).toEqual([]);
  });

  it('HTTP $default stage: the log group name replaces $ and the stage is found by its real name', async () => {
    const { ref } = await seedInsecureHttpStage({
      endpoint: moto.endpoint,
      stageName: '$default',
      customDomain: false,
    });

    const { record } = await remediate(await harnessFor(['APIGateway.9']), ref);

    expect(record.outcome).toBe('REMEDIATED');
    expect(accessLogGroupName(resources, ref, 'HTTP')).toBe(
      `/aws/vendedlogs/apigateway/access-logs/${ref.apiId}/#default`,
    );
    const stage = await readStage(ref);
    expect(stage.AccessLogSettings?.DestinationArn).toBe(accessLogGroupArn(resources, ref, 'HTTP'));
  });

  it('WebSocket API: execution logging with the account CloudWatch role, access logs, throttling', async () => {
    const { ref } = await seedInsecureWebSocketStage({ endpoint: moto.endpoint, customDomain: false });

    const harness = await harnessFor(V2_REMEDIABLE);

    const { record, calls } = await remediate(harness, ref);

    expect(record.outcome).toBe('REMEDIATED');
    expect(calls.updateStageCalls).toBe(1);
    expect(calls.deployments).toBe(0);
    const writes = Object.keys(calls.byOperation).filter(
      (operation) => !/\.(Get|List|Describe)/.test(operation),
    );
    expect(writes.sort()).toEqual([
      'APIGateway.UpdateAccount',
      'ApiGatewayV2.UpdateStage',
      'CloudWatchLogs.CreateLogGroup',
      'CloudWatchLogs.PutRetentionPolicy',
    ]);
    const stage = await readStage(ref);
    expect(stage.DefaultRouteSettings).toMatchObject({
      LoggingLevel: parameters['APIGateway.1'].executionLogLevel,
      ThrottlingRateLimit: parameters['Baseline.StageThrottling'].rateLimit,
      ThrottlingBurstLimit: parameters['Baseline.StageThrottling'].burstLimit,
      DataTraceEnabled: false,
    });
    expect(stage.AccessLogSettings?.DestinationArn).toBe(accessLogGroupArn(resources, ref, 'WEBSOCKET'));

    const again = await remediate(harness, ref);
    expect(again.record.outcome).toBe('ALREADY_COMPLIANT');
    expect(again.calls.writes).toBe(0);
  });

  it('records RESOURCE_GONE for a V2 stage deleted before the stage is read', async () => {
    const { ref } = await seedInsecureHttpStage({ endpoint: moto.endpoint });
    const harness = await harnessFor(V2_REMEDIABLE);
    const deleteFirst = (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
      await apiGatewayV2.send(new DeleteStageCommand({ ApiId: ref.apiId, StageName: ref.stageName }));
      return real(input);
    };

    const callsBefore = coreCallCounts(harness);
    // Before the decide step: its read is the one Prepare makes (its snapshot step takes it).
    await harness.run(stageDriftEvent(ref), { wrap: { Decide: deleteFirst } });

    expect(harness.records.map((record) => record.outcome)).toEqual(['RESOURCE_GONE']);
    expect(callsBetween(callsBefore, coreCallCounts(harness)).writes).toBe(0);
  });
});
