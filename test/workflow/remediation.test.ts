import { GetStageCommand, APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent, type WorkflowHarness } from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
const FINDING_ID =
  'arn:aws:securityhub:us-east-1:111122223333:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351';

describe('remediation state machine', () => {
  const moto = useMoto();
  let harness: WorkflowHarness;
  let seeded: SeededStage;

  const apiGateway = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const logLevel = async () =>
    (await apiGateway().send(new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' })))
      .methodSettings?.['*/*']?.loggingLevel;
  const loggingFinding = () =>
    fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
      [FIXTURE_API_ID]: seeded.ref.apiId,
      [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
    });

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    harness = await createWorkflowHarness({ endpoint: moto.endpoint });
  });

  it('fixes execution logging automatically and records REMEDIATED', async () => {
    expect(await logLevel()).toBe('OFF');
    const output = await harness.run(loggingFinding());

    expect(await logLevel()).toBe('ERROR');
    expect(JSON.stringify(output)).toContain('"outcome":"REMEDIATED"');
    expect(harness.calls.slice(0, 2)).toEqual(['Normalize', 'TakeOwnership']);
    const [ownership, ...rest] = harness.batchUpdates();
    expect(ownership?.Workflow?.Status).toBe('NOTIFIED');
    const last = rest.at(-1);
    expect(last?.Workflow?.Status).toBe('RESOLVED');
    expect(last?.FindingIdentifiers?.[0]?.Id).toBe(FINDING_ID.replace(FIXTURE_ACCOUNT, MOTO_ACCOUNT));
    expect(last?.Note?.Text).toContain('OFF → ERROR');
    expect(last?.Note?.Text).toContain('automatic');
    expect(last?.UserDefinedFields?.outcome).toBe('REMEDIATED');
    expect(last?.UserDefinedFields?.approver).toBe('automatic');
    expect(harness.published).toHaveLength(1);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });
});
