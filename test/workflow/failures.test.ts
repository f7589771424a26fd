/**
 * Nothing silent: what stops before the per-stage path (intake rejections, ownership refused,
 * stages not listed) and a record Security Hub refused are each reported where an operator sees
 * them — Security Hub when it accepts the record, the notification topic, and the metrics the
 * alarms watch (RecordFailures, Remediations FAILED; the intake counts Rejected itself).
 */
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  type BatchUpdateFindingsCommandInput,
} from '@aws-sdk/client-securityhub';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent, pipeBatch, type WorkflowHarness } from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
const FINDING_ID = `arn:aws:securityhub:us-east-1:${MOTO_ACCOUNT}:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351`;

function fault(name: string, message: string): () => Error {
  return () => Object.assign(new Error(message), { name });
}

function messages(harness: WorkflowHarness): { subject: string; title: string; description: string }[] {
  return harness.published.map((input) => {
    const body = JSON.parse(input.Message ?? '{}') as { content: { title: string; description: string } };
    return { subject: input.Subject ?? '', title: body.content.title, description: body.content.description };
  });
}

const metricNames = (harness: WorkflowHarness) =>
  harness.metrics.map((metric) => `${metric.name}${JSON.stringify(metric.dimensions)}`);

describe('remediation state machine: nothing silent', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  const replacements = () => ({ [FIXTURE_API_ID]: seeded.ref.apiId, [FIXTURE_ACCOUNT]: MOTO_ACCOUNT });
  const loggingFinding = () => fixtureEvent('securityhub-apigateway1-rest-consolidated.json', replacements());
  const apiDrift = () => fixtureEvent('cloudtrail-updaterestapi-enable-endpoint.json', replacements());

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
  });

  it('stages not listed after CloudTrail drift: a WARNING finding of its own on the API, a notification, a FAILED count', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });

    const output = await harness.run(apiDrift(), {
      coreClientsFault: fault('AccessDenied', 'not authorized to perform sts:AssumeRole on the member role'),
    });

    expect(JSON.stringify(output)).toContain('"outcome":"FAILED"');
    expect(JSON.stringify(output)).toContain('"failure":"EXPAND_FAILED"');
    expect(harness.calls).toEqual(['Normalize', 'Admit']);
    const [finding, ...others] = harness.batchImports().flatMap((call) => call.Findings ?? []);
    expect(others).toEqual([]);
    const apiArn = `arn:aws:apigateway:${MOTO_REGION}::/restapis/${seeded.ref.apiId}`;
    expect(finding).toMatchObject({
      Id: `apigw-remediation/stages-unlisted/${apiArn}`,
      ProductArn: `arn:aws:securityhub:${MOTO_REGION}:${MOTO_ACCOUNT}:product/${MOTO_ACCOUNT}/default`,
      GeneratorId: 'apigw-remediation/stages-unlisted',
      AwsAccountId: MOTO_ACCOUNT,
      Compliance: { Status: 'WARNING' },
      RecordState: 'ACTIVE',
      Resources: [{ Type: 'AwsApiGatewayRestApi', Id: apiArn, Partition: 'aws', Region: MOTO_REGION }],
    });
    expect(finding?.Description).toContain(
      `the stages of API ${seeded.ref.apiId} could not be listed, so none was checked: AccessDenied: not authorized`,
    );
    // A new finding: Workflow, Note and fields come with the import, no update follows.
    expect(harness.batchUpdates()).toEqual([]);
    expect(finding?.Workflow?.Status).toBe('NOTIFIED');
    expect(finding?.Note?.Text).toMatch(
      /^FAILED \(nobody \(the request stopped before any stage was checked\)\): /,
    );
    expect(finding?.Note?.Text).toContain('AccessDenied: not authorized');
    expect(finding?.UserDefinedFields).toMatchObject({ outcome: 'FAILED', actions: 'none' });
    const [message, ...more] = messages(harness);
    expect(more).toEqual([]);
    expect(message?.title).toContain(`FAILED (EXPAND_FAILED): API ${seeded.ref.apiId}`);
    expect(message?.description).toContain(
      `*Security Hub:* recorded on apigw-remediation/stages-unlisted/${apiArn}`,
    );
    expect(metricNames(harness)).toEqual(['Remediations{"Outcome":"FAILED"}']);
  });

  it('admit failed for good: FAILED recorded on the finding it may have owned, the drift request counted as not recorded, one notification', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    const broken = () => async () => {
      throw Object.assign(new Error('the admit function crashed'), { name: 'InjectedFailure' });
    };

    // The execution fails (AdmitFailed), after its Catch reported the batch.
    await expect(
      harness.run(pipeBatch([loggingFinding(), apiDrift()]), { wrapState: { Admit: broken } }),
    ).rejects.toThrow(/the admit task failed; every request of the batch was reported FAILED/);

    // The whole Admit state was replaced (calls lists the real handlers that ran).
    expect(harness.calls).toEqual(['Normalize', 'ReportAdmitFailure']);
    const [record, ...more] = harness.batchUpdates();
    expect(more).toEqual([]);
    expect(record?.FindingIdentifiers?.map((identifier) => identifier.Id)).toEqual([FINDING_ID]);
    expect(record?.Workflow?.Status).toBe('NOTIFIED');
    expect(record?.Note?.Text).toMatch(
      /^FAILED \(nobody \(the request stopped before any stage was checked\)\): /,
    );
    expect(record?.Note?.Text).toContain(
      'the batch this finding arrived in could not be admitted, so nothing was checked or changed: InjectedFailure: the admit function crashed',
    );
    const [message, ...others] = messages(harness);
    expect(others).toEqual([]);
    expect(message?.title).toContain('2 request(s) of the batch not admitted');
    expect(message?.description).toContain(
      '*Security Hub:* FAILED recorded on 1 of the 1 finding(s); 1 request(s) without a finding (CloudTrail drift) recorded nowhere else',
    );
    expect(metricNames(harness).sort()).toEqual(['RecordFailures{}', 'Remediations{"Outcome":"FAILED"}']);
  });

  it('ownership refused: not recorded (Security Hub refused), so notified and counted in RecordFailures', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    harness.securityHub.on(BatchUpdateFindingsCommand).rejects(
      Object.assign(new Error('User is not authorized to perform securityhub:BatchUpdateFindings'), {
        name: 'AccessDeniedException',
      }),
    );

    const output = await harness.run(loggingFinding());

    expect(JSON.stringify(output)).toContain('"failure":"OWNERSHIP_NOT_TAKEN"');
    expect(harness.calls).toEqual(['Normalize', 'Admit']);
    const [message, ...more] = messages(harness);
    expect(more).toEqual([]);
    expect(message?.title).toContain('FAILED (OWNERSHIP_NOT_TAKEN)');
    expect(message?.description).toContain(`Security Hub refused to take ownership of finding ${FINDING_ID}`);
    expect(message?.description).toContain('AccessDeniedException: User is not authorized');
    expect(message?.description).toContain('*Security Hub:* NOT recorded');
    expect(metricNames(harness).sort()).toEqual(['RecordFailures{}', 'Remediations{"Outcome":"FAILED"}']);
  });

  it('stages not listed and the own finding refused too: notified as not recorded, counted in RecordFailures', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    harness.securityHub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [{ Id: 'x', ErrorCode: 'AccessDeniedException', ErrorMessage: 'not subscribed' }],
    });

    await harness.run(apiDrift(), { coreClientsFault: fault('AccessDenied', 'no member role') });

    expect(harness.batchUpdates()).toEqual([]);
    expect(messages(harness)[0]?.description).toContain(
      '*Security Hub:* NOT recorded: SecurityHubWriteError: BatchImportFindings refused 1 finding(s)',
    );
    expect(metricNames(harness)).toContain('RecordFailures{}');
  });

  it('intake rejections are notified with their errors, and the valid part of the event still runs', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    const event = loggingFinding() as { detail: { findings: Record<string, unknown>[] } };
    const [finding] = event.detail.findings;
    event.detail.findings.push({ ...finding, Id: 'broken', Resources: 'not a list' });

    const output = (await harness.run(event)) as { rejected: { error: string }[] };

    expect(output.rejected.length).toBe(1);
    expect(JSON.stringify(output)).toContain('"outcome":"REMEDIATED"');
    expect(harness.calls.slice(0, 2)).toEqual(['Normalize', 'Admit']);
    const rejection = messages(harness).find((message) => message.title.startsWith('REJECTED by intake'));
    expect(rejection?.title).toBe('REJECTED by intake: 1 event item(s)');
    expect(rejection?.description).toContain(`• ${output.rejected[0]?.error ?? '?'}`);
    expect(rejection?.description).toContain('execution:apigw-remediation:');
  });

  it('an event with nothing rejected does not report rejections', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    await harness.run(loggingFinding());
    expect(messages(harness).map((message) => message.title)).not.toContainEqual(
      expect.stringContaining('REJECTED by intake'),
    );
    expect(messages(harness)).toHaveLength(1);
  });

  it('a stage outcome Security Hub refused is notified (even ALREADY_COMPLIANT) and counted in RecordFailures', async () => {
    const harness = await createWorkflowHarness({ endpoint: moto.endpoint });
    await harness.run(loggingFinding());
    harness.securityHub
      .on(BatchUpdateFindingsCommand)
      .callsFake((input: BatchUpdateFindingsCommandInput) =>
        input.Note?.Text?.startsWith('ALREADY_COMPLIANT') === true
          ? Promise.reject(Object.assign(new Error('hub unavailable'), { name: 'InternalException' }))
          : { ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] },
      );
    const publishedBefore = harness.published.length;

    const output = await harness.run(loggingFinding());

    expect(JSON.stringify(output)).toContain('"recorded":false');
    const [message, ...more] = messages(harness).slice(publishedBefore);
    expect(more).toEqual([]);
    expect(message?.title).toContain('ALREADY_COMPLIANT');
    expect(message?.description).toContain(
      '*Security Hub:* NOT recorded: InternalException: hub unavailable',
    );
    expect(metricNames(harness)).toContain('RecordFailures{}');
  });
});
