import { ApiGatewayV2Client, GetApiCommand, GetStageCommand } from '@aws-sdk/client-apigatewayv2';
import { describe, expect, it } from 'vitest';
import { seedInsecureHttpStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent } from './harness.js';

describe('remediation state machine, HTTP API stage', () => {
  const moto = useMoto();

  it('turns on access logging for an APIGateway.9 finding and records REMEDIATED', async () => {
    const seeded = await seedInsecureHttpStage({ endpoint: moto.endpoint });
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint, emulateV2Writes: true });
    const event = fixtureEvent('securityhub-apigateway9-v2-consolidated.json', {
      z9y8x7w6v5: seeded.ref.apiId,
      '111122223333': MOTO_ACCOUNT,
    });

    const output = await harness.run(event);

    expect(JSON.stringify(output)).toContain('"outcome":"REMEDIATED"');
    const v2 = new ApiGatewayV2Client({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const stage = await v2.send(new GetStageCommand({ ApiId: seeded.ref.apiId, StageName: 'live' }));
    expect(stage.AccessLogSettings?.Format).toContain('$context.requestId');
    expect(stage.AccessLogSettings?.DestinationArn).toContain(`/${seeded.ref.apiId}/live`);
    expect(harness.records.map((record) => record.outcome)).toEqual(['REMEDIATED']);
    expect(harness.records[0]?.changes.map((change) => change.controlId)).toEqual([
      'APIGateway.9',
      'APIGateway.9',
    ]);
  });

  /** A person's UpdateApi on the seeded HTTP API, as CloudTrail reports it (every stage, the V2 baseline). */
  function updateApiEvent(apiId: string): unknown {
    const event = fixtureEvent('cloudtrail-updaterestapi-enable-endpoint.json', {
      '111122223333': MOTO_ACCOUNT,
    }) as { detail: Record<string, unknown> };
    return {
      ...event,
      detail: {
        ...event.detail,
        eventName: 'UpdateApi',
        requestParameters: { apiId, disableExecuteApiEndpoint: false },
      },
    };
  }

  it.each([
    [false, 'notifies the default-endpoint fix instead of deploying unattended', 'SKIPPED'],
    [true, 'deploys unattended only when allowUnattendedDeployments is true', 'REMEDIATED'],
  ] as const)(
    'auto mode, stage without autoDeploy, allowUnattendedDeployments %s: %s',
    async (allowed, _title, endpointOutcome) => {
      const seeded = await seedInsecureHttpStage({ endpoint: moto.endpoint });
      const harness = await createWorkflowHarness({
        endpoint: moto.endpoint,
        emulateV2Writes: true,
        config: {
          controls: { 'Baseline.DefaultEndpoint': 'auto', 'Baseline.StageThrottling': 'auto' },
          allowUnattendedDeployments: allowed,
        },
      });

      const output = await harness.run(updateApiEvent(seeded.ref.apiId));

      expect(JSON.stringify(output)).toContain('"outcome":"REMEDIATED"');
      const v2 = new ApiGatewayV2Client({
        region: MOTO_REGION,
        endpoint: moto.endpoint,
        credentials: motoCredentials,
      });
      const api = await v2.send(new GetApiCommand({ ApiId: seeded.ref.apiId }));
      expect(api.DisableExecuteApiEndpoint ?? false).toBe(allowed);
      expect(harness.coreCalls()['ApiGatewayV2.CreateDeployment'] ?? 0).toBe(allowed ? 1 : 0);
      const [record] = harness.records;
      const endpoint = record?.evaluations.find(
        (evaluation) => evaluation.controlId === 'Baseline.DefaultEndpoint',
      );
      expect(endpoint?.handling).toBe(allowed ? 'applied' : 'unattended-deployment');
      const endpointFinding = harness
        .batchImports()
        .flatMap((call) => call.Findings ?? [])
        .find((finding) => finding.GeneratorId === 'apigw-remediation/Baseline.DefaultEndpoint');
      if (endpointOutcome === 'SKIPPED') {
        expect(endpointFinding?.Description).toContain(
          "its fix needs a deployment, which publishes the API's current definition",
        );
      } else {
        expect(record?.changes).toContainEqual({
          controlId: 'Baseline.DefaultEndpoint',
          setting: 'deployment',
          // The seeded stage serves no deployment yet.
          before: null,
          after: "publishes the API's current definition",
        });
      }
    },
  );
});
