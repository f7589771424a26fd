import { APIGatewayClient, CreateRestApiCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { describe, expect, it } from 'vitest';
import { MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';

describe('moto harness', () => {
  const moto = useMoto();
  const client = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });

  it('serves API Gateway on its own port', async () => {
    await client().send(new CreateRestApiCommand({ name: 'harness-check' }));
    const apis = await client().send(new GetRestApisCommand({}));
    expect(apis.items?.map((api) => api.name)).toEqual(['harness-check']);
  });

  it('starts every test from an empty emulator', async () => {
    const apis = await client().send(new GetRestApisCommand({}));
    expect(apis.items ?? []).toEqual([]);
  });
});
