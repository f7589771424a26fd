import { APIGatewayClient, DeleteRestApiCommand } from '@aws-sdk/client-api-gateway';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDecideHandler } from '../../remediators/handlers/decide.js';
import { createExpandStagesHandler } from '../../remediators/handlers/expand-stages.js';
import { createReleaseLockHandler } from '../../remediators/handlers/release-lock.js';
import { createSnapshotHandler } from '../../remediators/handlers/snapshot.js';
import { seedInsecureRestStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createLocksTable } from '../helpers/locks-table.js';
import { createWorkflowDeps, LOCKS_TABLE, testConfig } from './harness.js';

describe('workflow task handlers at their edges', () => {
  const moto = useMoto();
  // The API Gateway calls take their place in the locks table's schedules (docs/decisions/0038).
  beforeEach(async () => {
    await createLocksTable(moto.endpoint, LOCKS_TABLE);
  });
  const deps = () =>
    createWorkflowDeps({ endpoint: moto.endpoint, config: testConfig(), homeAccount: MOTO_ACCOUNT });
  const request = (apiId: string, stageName: string | null) => ({
    trigger: 'cloudtrail',
    account: MOTO_ACCOUNT,
    region: MOTO_REGION,
    partition: 'aws',
    apiType: 'REST',
    apiId,
    stageName,
    controls: ['APIGateway.1'],
  });

  it('rejects a malformed task input naming the task, the field and the input', async () => {
    const handler = createDecideHandler(deps());
    await expect(handler({ executionArn: 'x', locksTable: 't', request: { account: '12' } })).rejects.toThrow(
      /^decide: the task input does not have the expected shape:[\s\S]*request\.account[\s\S]*input: \{"executionArn":"x"/,
    );
  });

  it('expands a request without a stage to every stage of the API, and to none once the API is gone', async () => {
    const seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const expand = createExpandStagesHandler(deps());
    const expansion = await expand({ request: request(seeded.ref.apiId, null) });
    expect(expansion.stages.map((stage) => stage.stageName)).toEqual(['prod']);

    await new APIGatewayClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    }).send(new DeleteRestApiCommand({ restApiId: seeded.ref.apiId }));
    expect(await expand({ request: request(seeded.ref.apiId, null) })).toEqual({
      stages: [],
      reason: `API ${seeded.ref.apiId} no longer exists`,
    });
  });

  it('routes a stage that no longer exists to GONE when deciding and when reading', async () => {
    const stage = {
      account: MOTO_ACCOUNT,
      region: MOTO_REGION,
      partition: 'aws',
      apiType: 'REST',
      apiId: 'nosuchapi1',
      stageName: 'prod',
    };
    const item = { executionArn: 'arn:exec', locksTable: 't', request: request('nosuchapi1', 'prod'), stage };
    const decision = await createDecideHandler(deps())(item);
    expect(decision.route).toBe('GONE');
    const plan = await createSnapshotHandler(deps())({
      ...item,
      decision: {
        ...decision,
        route: 'PROCEED',
        controls: [{ controlId: 'APIGateway.1', mode: 'auto', source: 'test', dryRun: false }],
      },
    });
    expect(plan.next).toBe('GONE');
  });

  it('has nothing to release on paths that ended before the lock was taken', async () => {
    const seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const release = createReleaseLockHandler(deps());
    expect(
      await release({
        executionArn: 'arn:exec',
        locksTable: 't',
        request: request(seeded.ref.apiId, 'prod'),
        stage: seeded.ref,
      }),
    ).toEqual({ released: false });
  });
});
