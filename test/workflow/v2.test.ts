import { ApiGatewayV2Client, GetStageCommand } from '@aws-sdk/client-apigatewayv2';
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
});
