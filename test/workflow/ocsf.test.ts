/**
 * The real state machine (real ASL, real handlers on moto_server) started by the new Security Hub's
 * OCSF findings: ownership and the record go through BatchUpdateFindingsV2, and an ASFF + OCSF pair
 * of the same control finding ends in one remediation with both findings recorded.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent, type WorkflowHarness } from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
const FINDING_ID = `arn:aws:securityhub:us-east-1:${MOTO_ACCOUNT}:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351`;
const PRODUCT_V2 = 'arn:aws:securityhub:us-east-1::productv2/aws/securityhub';
const CHANGE = 'APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR';

function outcomesOf(output: unknown): string[] {
  return [...JSON.stringify(output).matchAll(/"outcome":"([A-Z_]+)"/g)].map((match) => match[1] ?? '');
}

function executionOf(note: string | undefined): string | undefined {
  return /Execution: (\S+)$/.exec(note ?? '')?.[1];
}

describe('remediation state machine on OCSF findings (Findings Imported V2)', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  let harness: WorkflowHarness;

  const logLevel = async () =>
    (
      await new APIGatewayClient({
        region: MOTO_REGION,
        endpoint: moto.endpoint,
        credentials: motoCredentials,
      }).send(new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' }))
    ).methodSettings?.['*/*']?.loggingLevel;

  /** The member account's finding, delivered to the administrator account (the envelope's 999988887777). */
  const ocsfFinding = (): unknown => {
    let text = readFileSync(
      new URL('../fixtures/ocsf/ocsf-apigateway1-rest-member.json', import.meta.url),
      'utf8',
    );
    text = text.split(FIXTURE_API_ID).join(seeded.ref.apiId).split(FIXTURE_ACCOUNT).join(MOTO_ACCOUNT);
    // Each call a new event (a new EventBridge id), as fixtureEvent makes them.
    return { ...(JSON.parse(text) as object), id: randomUUID() };
  };
  const asffFinding = () =>
    fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
      [FIXTURE_API_ID]: seeded.ref.apiId,
      [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
    });

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    harness = await createWorkflowHarness({ endpoint: moto.endpoint, config: {} });
  });

  it('takes ownership (status In Progress), fixes the stage and records Resolved with BatchUpdateFindingsV2', async () => {
    expect(await logLevel()).toBe('OFF');

    const output = await harness.run(ocsfFinding());

    expect(outcomesOf(output)).toEqual(['REMEDIATED']);
    expect(await logLevel()).toBe('ERROR');
    expect(harness.calls.slice(0, 2)).toEqual(['Normalize', 'Admit']);
    // Nothing of the OCSF finding goes through the ASFF API.
    expect(harness.batchUpdates()).toEqual([]);
    expect(harness.batchImports()).toEqual([]);
    const identifier = {
      CloudAccountUid: MOTO_ACCOUNT,
      FindingInfoUid: FINDING_ID,
      MetadataProductUid: PRODUCT_V2,
    };
    const [ownership, record, ...more] = harness.batchUpdatesV2();
    expect(more).toEqual([]);
    expect(ownership).toMatchObject({ FindingIdentifiers: [identifier], StatusId: 2 });
    expect(ownership?.Comment).toMatch(/^apigw-remediation is working on this finding\. Execution: /);
    expect(ownership?.MetadataUids).toBeUndefined();
    expect(record).toMatchObject({ FindingIdentifiers: [identifier], StatusId: 4 });
    expect(record?.SeverityId).toBeUndefined();
    expect(record?.Comment).toContain('REMEDIATED (automatic)');
    expect(record?.Comment).toContain(CHANGE);
    expect(record?.Comment).toContain('execution:apigw-remediation:');
    expect(record?.Comment?.length).toBeLessThanOrEqual(512);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('records FAILED on the OCSF finding (status In Progress, never back to New) when a step fails', async () => {
    const output = await harness.run(ocsfFinding(), {
      wrap: {
        UpdateStage: () => async () => {
          throw new Error('injected failure');
        },
      },
    });

    expect(outcomesOf(output)).toContain('FAILED');
    const record = harness.batchUpdatesV2().at(-1);
    expect(record?.StatusId).toBe(2);
    expect(record?.Comment).toMatch(/^FAILED \(/);
    expect(record?.Comment).toContain('injected failure');
  });

  it('ends an ASFF + OCSF pair of the same finding, delivered at once, in ONE remediation with both findings recorded', async () => {
    let updateStageCalls = 0;
    const wrap = {
      UpdateStage: (real: (input: unknown) => Promise<unknown>) => async (input: unknown) => {
        updateStageCalls += 1;
        return real(input);
      },
    };

    const outputs = await Promise.all([
      harness.run(asffFinding(), { wrap }),
      harness.run(ocsfFinding(), { wrap }),
    ]);

    expect(updateStageCalls).toBe(1);
    expect(await logLevel()).toBe('ERROR');
    const asff = harness.batchUpdates().at(-1);
    const ocsf = harness.batchUpdatesV2().at(-1);
    expect(asff?.FindingIdentifiers?.[0]?.Id).toBe(FINDING_ID);
    expect(ocsf?.FindingIdentifiers?.[0]?.FindingInfoUid).toBe(FINDING_ID);
    // Both resolved, both say what changed, both name the one execution that changed it.
    expect(asff?.Workflow?.Status).toBe('RESOLVED');
    expect(ocsf?.StatusId).toBe(4);
    expect(asff?.Note?.Text).toContain(CHANGE);
    expect(ocsf?.Comment).toContain(CHANGE);
    expect(executionOf(asff?.Note?.Text)).toBeDefined();
    expect(executionOf(ocsf?.Comment)).toBe(executionOf(asff?.Note?.Text));
    // The second run either joined the first while it was still working (JOINED: the first records
    // on both findings, test/workflow/join.test.ts) or waited for its lock and was credited by the
    // marker (ALREADY_COMPLIANT, its record naming the remediation it was fixed by): which one
    // depends on when its AcquireLock ran. Either way its own output says what it did itself.
    const second = outputs.flatMap(outcomesOf).filter((outcome) => outcome !== 'REMEDIATED');
    expect(second).toHaveLength(1);
    expect(['JOINED', 'ALREADY_COMPLIANT']).toContain(second[0]);
    const finals = harness.records.filter((record) => record.outcome !== 'JOINED');
    expect(finals.map((record) => record.outcome)).toEqual(
      second[0] === 'JOINED' ? ['REMEDIATED'] : ['REMEDIATED', 'REMEDIATED'],
    );
    expect(new Set(finals.map((record) => record.remediationId)).size).toBe(1);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('credits the OCSF twin that arrives after the ASFF run finished, and names that remediation', async () => {
    await harness.run(asffFinding());
    const [first] = harness.records;

    await harness.run(ocsfFinding());

    const ocsf = harness.batchUpdatesV2().at(-1);
    expect(ocsf?.StatusId).toBe(4);
    expect(ocsf?.Comment).toMatch(/^REMEDIATED \(automatic\): fixed APIGateway\.1 by remediation /);
    expect(ocsf?.Comment).toContain(first?.remediationId.slice(0, 8));
    expect(ocsf?.Comment).toContain(CHANGE);
    expect(executionOf(ocsf?.Comment)).toBe(first?.executionArn);
    expect(harness.records.at(-1)?.remediationId).toBe(first?.remediationId);
  });

  it('does not credit the same finding seen again: its own record already says REMEDIATED', async () => {
    await harness.run(ocsfFinding());
    const output = await harness.run(ocsfFinding());

    expect(outcomesOf(output)).toEqual(['ALREADY_COMPLIANT']);
    const last = harness.batchUpdatesV2().at(-1);
    expect(last?.StatusId).toBe(4);
    expect(last?.Comment).toMatch(/^ALREADY_COMPLIANT/);
  });
});
