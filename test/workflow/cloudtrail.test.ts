import {
  APIGatewayClient,
  GetRestApiCommand,
  GetStageCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent } from './harness.js';

const APPROVER = { id: 'U024BE7LH', name: 'Dana Approver' };

describe('remediation state machine, drift seen in CloudTrail', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  const apiGateway = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const drift = (file: string) =>
    fixtureEvent(file, { a1b2c3d4e5: seeded.ref.apiId, '111122223333': MOTO_ACCOUNT });

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
  });

  it('remediates the whole REST baseline after approval without a deployment, and imports findings of its own', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    const seededStage = await apiGateway().send(
      new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' }),
    );

    const output = await harness.run(drift('cloudtrail-updatestage-by-user.json'), {
      approval: async () => ({
        decision: 'APPROVED',
        approver: APPROVER,
        decidedAt: new Date().toISOString(),
        channel: 'slack',
      }),
    });

    expect(JSON.stringify(output)).toContain('"outcome":"REMEDIATED"');
    // No finding, so no ownership taken.
    expect(
      harness.batchUpdates().filter((update) => update.Note?.Text?.includes('is working on this finding')),
    ).toEqual([]);
    expect(harness.calls).toEqual(expect.arrayContaining(['Recheck', 'Apply', 'UpdateStage', 'Verify']));
    // The default endpoint takes effect with the stage update: the REST API is never redeployed.
    expect(harness.calls).not.toContain('ClaimDeploySlot');
    expect(harness.calls).not.toContain('Redeploy');
    expect(harness.coreCalls()['APIGateway.CreateDeployment']).toBeUndefined();
    const stage = await apiGateway().send(
      new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' }),
    );
    expect(stage.deploymentId).toBe(seededStage.deploymentId);
    expect(stage.methodSettings?.['*/*']?.loggingLevel).toBe('ERROR');
    expect(stage.tracingEnabled).toBe(true);
    expect(stage.webAclArn).toContain('apigw-remediation-baseline');
    const api = await apiGateway().send(new GetRestApiCommand({ restApiId: seeded.ref.apiId }));
    expect(api.disableExecuteApiEndpoint).toBe(true);

    const imported = harness.batchImports().flatMap((call) => call.Findings ?? []);
    const productArn = `arn:aws:securityhub:${MOTO_REGION}:${MOTO_ACCOUNT}:product/${MOTO_ACCOUNT}/default`;
    expect(imported.length).toBeGreaterThan(1);
    for (const finding of imported) {
      expect(finding.ProductArn).toBe(productArn);
      expect(finding.GeneratorId).toMatch(/^apigw-remediation\//);
      expect(finding.Resources?.[0]?.Id).toBe(
        `arn:aws:apigateway:${MOTO_REGION}::/restapis/${seeded.ref.apiId}/stages/prod`,
      );
    }
    const logging = imported.find((finding) => finding.GeneratorId === 'apigw-remediation/APIGateway.1');
    expect(logging?.Compliance?.Status).toBe('PASSED');
    // All new: Workflow, Note and fields come with the import itself, no update follows.
    expect(harness.batchUpdates()).toEqual([]);
    const idsWith = (status: string) =>
      imported.filter((finding) => finding.Workflow?.Status === status).map((finding) => finding.Id);
    const stillFailing = imported
      .filter((finding) => finding.Compliance?.Status === 'FAILED')
      .map((finding) => finding.Id);
    expect(idsWith('NOTIFIED').sort()).toEqual(stillFailing.sort());
    expect([...idsWith('RESOLVED'), ...idsWith('NOTIFIED')].sort()).toEqual(
      imported.map((finding) => finding.Id).sort(),
    );
    const fixed = logging;
    expect(fixed?.Note?.Text).toMatch(/^REMEDIATED \(Dana Approver \(U024BE7LH\)\): fixed APIGateway\.1: /);
    expect(fixed?.Note?.Text).toContain(
      'Changed: APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR.',
    );
    expect(fixed?.Note?.Text).not.toContain('APIGateway.3');
    expect(fixed?.UserDefinedFields?.approver).toBe('Dana Approver (U024BE7LH)');
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('re-reads the stage after the approval wait: applies what is unchanged, drops what is done, holds back what changed', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });

    const output = await harness.run(drift('cloudtrail-updatestage-by-user.json'), {
      approval: async () => {
        // While the approval waited, someone turned tracing on and changed the throttle the approver saw (10000).
        await apiGateway().send(
          new UpdateStageCommand({
            restApiId: seeded.ref.apiId,
            stageName: 'prod',
            patchOperations: [
              { op: 'replace', path: '/tracingEnabled', value: 'true' },
              { op: 'replace', path: '/*/*/throttling/rateLimit', value: '5000' },
            ],
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

    expect(JSON.stringify(output)).toContain('"outcome":"REMEDIATED"');
    const [request] = harness.approvalRequests;
    expect(request?.changes).toContainEqual({
      controlId: 'Baseline.StageThrottling',
      setting: 'methodSettings[*/*].throttlingRateLimit',
      before: 10000,
      after: 1000,
    });
    const stage = await apiGateway().send(
      new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' }),
    );
    // Not silently applied: the throttle stays as the person left it, burst included (one fix per control).
    expect(stage.methodSettings?.['*/*']?.throttlingRateLimit).toBe(5000);
    expect(stage.methodSettings?.['*/*']?.throttlingBurstLimit).toBe(5000);
    // The unchanged part of the approved plan is applied.
    expect(stage.methodSettings?.['*/*']?.loggingLevel).toBe('ERROR');
    expect(stage.tracingEnabled).toBe(true);

    const [record] = harness.records;
    expect(record?.reason).toContain(
      'Baseline.StageThrottling not applied, the stage changed while waiting for approval: ' +
        'methodSettings[*/*].throttlingRateLimit was 10000 when approved and is now 5000',
    );
    expect(record?.reason).toContain('APIGateway.3: no longer needs a change');
    expect(record?.changes.map((change) => change.controlId)).not.toContain('Baseline.StageThrottling');
    expect(
      record?.evaluations.find((evaluation) => evaluation.controlId === 'Baseline.StageThrottling'),
    ).toMatchObject({
      compliance: 'FAILED',
      handling: 'stage-changed',
    });
    const throttling = harness
      .batchImports()
      .flatMap((call) => call.Findings ?? [])
      .find((finding) => finding.GeneratorId === 'apigw-remediation/Baseline.StageThrottling');
    expect(throttling?.Compliance?.Status).toBe('FAILED');
    expect(throttling?.Description).toContain('the stage changed while waiting for approval');
  });

  it('imports findings only for the controls that failed before the run, each noted with its own outcome', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });

    await harness.run(drift('cloudtrail-updatestage-by-user.json'), {
      approval: async () => ({
        decision: 'APPROVED',
        approver: APPROVER,
        decidedAt: new Date().toISOString(),
        channel: 'slack',
      }),
    });

    // The seeded stage passes APIGateway.11 (TLS 1.2 domain) and fails the other eight controls.
    const [record] = harness.records;
    expect(record?.evaluations.find((evaluation) => evaluation.controlId === 'APIGateway.11')).toMatchObject({
      before: 'COMPLIANT',
    });
    const imported = harness.batchImports().flatMap((call) => call.Findings ?? []);
    expect(imported.map((finding) => finding.GeneratorId).sort()).toEqual(
      [
        'APIGateway.1',
        'APIGateway.2',
        'APIGateway.3',
        'APIGateway.4',
        'APIGateway.5',
        'Baseline.DefaultEndpoint',
        'Baseline.RestAccessLogging',
        'Baseline.StageThrottling',
      ]
        .map((id) => `apigw-remediation/${id}`)
        .sort(),
    );
    const clientCertificate = imported.find(
      (finding) => finding.GeneratorId === 'apigw-remediation/APIGateway.2',
    );
    expect(clientCertificate?.Compliance?.Status).toBe('FAILED');
    expect(clientCertificate?.Description).toMatch(
      /^APIGateway\.2 fails, reported only \(no safe automatic fix\): clientCertificateId is not set/,
    );
    const reportOnly = clientCertificate;
    expect(reportOnly?.Workflow?.Status).toBe('NOTIFIED');
    expect(reportOnly?.Note?.Text).toMatch(
      /^SKIPPED \(nobody \(report-only\)\): APIGateway\.2 fails, reported only \(no safe automatic fix\): clientCertificateId is not set/,
    );
    expect(reportOnly?.Note?.Text).not.toMatch(/REMEDIATED|fixed|Changed:/);
    expect(reportOnly?.UserDefinedFields).toMatchObject({ outcome: 'SKIPPED', actions: 'none' });

    // Outcomes by control: one count per control of the record, no account or API dimension.
    const byControl = harness.metrics
      .filter((metric) => metric.name === 'Remediations' && 'ControlId' in metric.dimensions)
      .map((metric) => `${metric.dimensions.ControlId}=${metric.dimensions.Outcome}`)
      .sort();
    expect(byControl).toEqual(
      [
        'APIGateway.1=REMEDIATED',
        'APIGateway.11=ALREADY_COMPLIANT',
        'APIGateway.2=SKIPPED',
        'APIGateway.3=REMEDIATED',
        'APIGateway.4=REMEDIATED',
        'APIGateway.5=REMEDIATED',
        'Baseline.DefaultEndpoint=REMEDIATED',
        'Baseline.RestAccessLogging=REMEDIATED',
        'Baseline.StageThrottling=REMEDIATED',
      ].sort(),
    );
    expect(harness.metrics).toContainEqual({
      name: 'Remediations',
      dimensions: { Outcome: 'REMEDIATED' },
      value: 1,
    });
    for (const metric of harness.metrics) {
      expect(Object.keys(metric.dimensions).every((key) => ['Outcome', 'ControlId'].includes(key))).toBe(
        true,
      );
    }
  });

  it('keeps when its own findings were first seen when a later drift re-imports them', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint, config: { dryRun: true } });

    await harness.run(drift('cloudtrail-updatestage-by-user.json'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await harness.run(drift('cloudtrail-updatestage-by-user.json'));

    // Dry run: the stage still fails, so the second run imports the same findings (same Ids) again.
    const [first, second] = harness.batchImports().map((call) => call.Findings ?? []);
    const [firstRecord, secondRecord] = harness.records;
    expect(second?.map((finding) => finding.Id)).toEqual(first?.map((finding) => finding.Id));
    expect(secondRecord?.recordedAt).not.toBe(firstRecord?.recordedAt);
    for (const finding of second ?? []) {
      expect(finding).toMatchObject({
        CreatedAt: firstRecord?.recordedAt,
        FirstObservedAt: firstRecord?.recordedAt,
        LastObservedAt: secondRecord?.recordedAt,
        UpdatedAt: secondRecord?.recordedAt,
      });
    }
  });

  it('checks every stage of the API when the call names none (UpdateRestApi)', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint, config: { dryRun: true } });

    const output = await harness.run(drift('cloudtrail-updaterestapi-enable-endpoint.json'));

    expect(harness.calls.slice(0, 2)).toEqual(['Normalize', 'Admit']);
    expect(JSON.stringify(output)).toContain('"stageName":"prod"');
    expect(JSON.stringify(output)).toContain('"outcome":"DRY_RUN"');
  });
});
