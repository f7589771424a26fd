import {
  ApiGatewayV2Client,
  DeleteStageCommand,
  GetApiCommand,
  GetStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../config/schema.js';
import {
  FIXING_CONTROL_IDS,
  baselineControlIds,
  bindControls,
} from '../../../remediators/controls/catalog.js';
import { accessLogGroupArn, accessLogGroupName } from '../../../remediators/controls/stage-settings.js';
import { remediateStage as remediateStageUnchecked } from '../../../remediators/core/apply.js';
import { createCoreCache } from '../../../remediators/core/cache.js';
import { createCoreClients, type CoreClients } from '../../../remediators/core/clients.js';
import type { ControlId, StageRef } from '../../../remediators/core/types.js';
import { seedInsecureHttpStage, seedInsecureWebSocketStage } from '../../helpers/insecure-apis.js';
import { emulateMotoV2StageWrites } from '../../helpers/moto-gaps.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';
import { asMemberRole } from '../../strict-aws/scopes.js';

const moto = useMoto();
/** The core's calls, checked as the member role's (test/strict-aws). */
const remediateStage = asMemberRole(MOTO_ACCOUNT, remediateStageUnchecked);
const config = ConfigSchema.parse({});
const { resources, parameters } = config;
const V2_REMEDIABLE: readonly ControlId[] = baselineControlIds('V2').filter((id) =>
  (FIXING_CONTROL_IDS as readonly string[]).includes(id),
);

let clients: CoreClients;
let apiGatewayV2: ApiGatewayV2Client;
beforeEach(() => {
  const motoConfig = { region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials };
  clients = createCoreClients({ ...motoConfig, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } });
  apiGatewayV2 = new ApiGatewayV2Client(motoConfig);
  emulateMotoV2StageWrites(clients.apiGatewayV2, apiGatewayV2);
});

function remediate(ref: StageRef, controlIds: readonly ControlId[]) {
  return remediateStage(ref, bindControls(controlIds, config), config, {
    clients,
    cache: createCoreCache(),
    verify: { attempts: 1 },
  });
}

async function readStage(ref: StageRef) {
  return apiGatewayV2.send(new GetStageCommand({ ApiId: ref.apiId, StageName: ref.stageName }));
}

describe('remediateStage on insecure API Gateway V2 stages (moto)', () => {
  it('HTTP API: access logs, throttling and the default endpoint in one UpdateStage and one UpdateApi', async () => {
    const { ref } = await seedInsecureHttpStage({ endpoint: moto.endpoint });

    const result = await remediate(ref, V2_REMEDIABLE);

    expect(result.outcome).toBe('REMEDIATED');
    expect(result.verified).toBe(true);
    expect(result.apiCalls.updateStageCalls).toBe(1);
    expect(result.apiCalls.deployments).toBe(1);
    expect([...new Set(result.changes.map((change) => change.controlId))]).toEqual([
      'APIGateway.9',
      'Baseline.StageThrottling',
      'Baseline.DefaultEndpoint',
    ]);
    // Execution logging (APIGateway.1) does not exist for HTTP APIs.
    expect(result.evaluations.find((evaluation) => evaluation.controlId === 'APIGateway.1')?.status).toBe(
      'NOT_APPLICABLE',
    );
    expect(result.actions.map((action) => action.action)).toEqual([
      'CreateLogGroup',
      'PutRetentionPolicy',
      'UpdateApi',
      'CreateDeployment',
      'UpdateStage',
    ]);

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
    await remediate(ref, V2_REMEDIABLE);

    const again = await remediate(ref, V2_REMEDIABLE);

    expect(again.outcome).toBe('ALREADY_COMPLIANT');
    expect(again.apiCalls.writes).toBe(0);
    expect(again.actions).toEqual([]);
  });

  it('HTTP $default stage: the log group name replaces $ and the stage is found by its real name', async () => {
    const { ref } = await seedInsecureHttpStage({
      endpoint: moto.endpoint,
      stageName: '$default',
      customDomain: false,
    });

    const result = await remediate(ref, ['APIGateway.9']);

    expect(result.outcome).toBe('REMEDIATED');
    expect(accessLogGroupName(resources, ref, 'HTTP')).toBe(
      `/aws/vendedlogs/apigateway/access-logs/${ref.apiId}/#default`,
    );
    const stage = await readStage(ref);
    expect(stage.AccessLogSettings?.DestinationArn).toBe(accessLogGroupArn(resources, ref, 'HTTP'));
  });

  it('WebSocket API: execution logging with the account CloudWatch role, access logs, throttling', async () => {
    const { ref } = await seedInsecureWebSocketStage({ endpoint: moto.endpoint, customDomain: false });

    const result = await remediate(ref, V2_REMEDIABLE);

    expect(result.outcome).toBe('REMEDIATED');
    expect(result.apiCalls.updateStageCalls).toBe(1);
    expect(result.apiCalls.deployments).toBe(0);
    expect(result.actions.map((action) => action.action)).toEqual([
      'CreateLogGroup',
      'PutRetentionPolicy',
      'UpdateAccount',
      'UpdateStage',
    ]);
    const stage = await readStage(ref);
    expect(stage.DefaultRouteSettings).toMatchObject({
      LoggingLevel: parameters['APIGateway.1'].executionLogLevel,
      ThrottlingRateLimit: parameters['Baseline.StageThrottling'].rateLimit,
      ThrottlingBurstLimit: parameters['Baseline.StageThrottling'].burstLimit,
      DataTraceEnabled: false,
    });
    expect(stage.AccessLogSettings?.DestinationArn).toBe(accessLogGroupArn(resources, ref, 'WEBSOCKET'));

    const again = await remediate(ref, V2_REMEDIABLE);
    expect(again.apiCalls.writes).toBe(0);
  });

  it('reports RESOURCE_GONE for a deleted V2 stage', async () => {
    const { ref } = await seedInsecureHttpStage({ endpoint: moto.endpoint });
    await apiGatewayV2.send(new DeleteStageCommand({ ApiId: ref.apiId, StageName: ref.stageName }));

    const result = await remediate(ref, V2_REMEDIABLE);

    expect(result.outcome).toBe('RESOURCE_GONE');
    expect(result.apiCalls.writes).toBe(0);
  });
});
