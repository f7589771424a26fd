import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildNote,
  buildUserDefinedFields,
  chunk,
  findingTimes,
  MAX_NOTE_LENGTH,
  outcomeUpdates,
  ownershipUpdates,
  ownFindings,
  ownProductArn,
  stagesUnlistedFinding,
} from '../../../remediators/securityhub/findings.js';
import { toRequestFailureRecord } from '../../../remediators/workflow/request-failure.js';
import type { RemediationRequest } from '../../../remediators/workflow/state.js';
import { OUTCOMES } from '../../../remediators/workflow/state.js';
import { EXECUTION_ARN, outcomeRecord, STAGE } from '../workflow/fixtures.js';

const identifiers = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ Id: `finding-${index}`, ProductArn: 'arn:product' }));

describe('chunk', () => {
  it('splits into calls of at most 100 findings, keeping every finding once and in order', () => {
    const chunks = chunk(identifiers(250));
    expect(chunks.map((part) => part.length)).toEqual([100, 100, 50]);
    expect(chunks.flat().map((finding) => finding.Id)).toEqual(identifiers(250).map((finding) => finding.Id));
  });
});

describe('ownershipUpdates', () => {
  it('sets Workflow NOTIFIED with a note naming the execution, 100 findings per call', () => {
    const updates = ownershipUpdates(identifiers(101), EXECUTION_ARN);
    expect(updates).toHaveLength(2);
    expect(updates[0]?.Workflow).toEqual({ Status: 'NOTIFIED' });
    expect(updates[0]?.Note?.Text).toContain(EXECUTION_ARN);
    expect(updates[1]?.FindingIdentifiers).toEqual([{ Id: 'finding-100', ProductArn: 'arn:product' }]);
  });
});

describe('outcomeUpdates', () => {
  it('resolves successful outcomes and leaves the others NOTIFIED for a human', () => {
    const status = (outcome: (typeof OUTCOMES)[number]) =>
      outcomeUpdates(outcomeRecord({ outcome }), identifiers(1))[0]?.Workflow?.Status;
    expect(Object.fromEntries(OUTCOMES.map((outcome) => [outcome, status(outcome)]))).toEqual({
      REMEDIATED: 'RESOLVED',
      ALREADY_COMPLIANT: 'RESOLVED',
      RESOURCE_GONE: 'RESOLVED',
      DRY_RUN: 'NOTIFIED',
      SKIPPED: 'NOTIFIED',
      REJECTED: 'NOTIFIED',
      EXPIRED: 'NOTIFIED',
      FAILED: 'NOTIFIED',
      JOINED: 'NOTIFIED',
      DEFERRED_TO_OWNER: 'NOTIFIED',
    });
  });
});

describe('buildNote', () => {
  it('says what changed, before → after, who decided and the execution', () => {
    expect(buildNote(outcomeRecord())).toBe(
      `REMEDIATED (automatic): fixed APIGateway.1. Changed: APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR. Execution: ${EXECUTION_ARN}`,
    );
  });

  it('never exceeds 512 characters and always keeps the execution ARN', () => {
    const change = fc.record({
      controlId: fc.constantFrom('APIGateway.1', 'APIGateway.3', 'Baseline.StageThrottling'),
      setting: fc.string({ maxLength: 200 }),
      before: fc.oneof(fc.string({ maxLength: 100 }), fc.integer(), fc.boolean(), fc.constant(null)),
      after: fc.oneof(fc.string({ maxLength: 100 }), fc.integer(), fc.boolean(), fc.constant(null)),
    });
    fc.assert(
      fc.property(
        fc.array(change, { maxLength: 30 }),
        fc.string({ maxLength: 2000 }),
        fc.string({ maxLength: 300 }),
        fc.constantFrom(...OUTCOMES),
        (changes, reason, approver, outcome) => {
          const note = buildNote(outcomeRecord({ changes, reason, approver, outcome }));
          expect(note.length).toBeLessThanOrEqual(MAX_NOTE_LENGTH);
          expect(note.endsWith(`Execution: ${EXECUTION_ARN}`)).toBe(true);
        },
      ),
    );
  });

  it('shows how many changes it had to leave out', () => {
    const changes = Array.from({ length: 40 }, (_, index) => ({
      controlId: 'Baseline.StageThrottling' as const,
      setting: `methodSettings[~1route${index}/GET].throttlingRateLimit`,
      before: 10000,
      after: 1000,
    }));
    expect(buildNote(outcomeRecord({ changes }))).toMatch(/\(\+\d+ more\)\./);
  });
});

describe('buildUserDefinedFields', () => {
  it('carries the remediation id, execution, actions, approver, outcome and service version', () => {
    expect(buildUserDefinedFields(outcomeRecord())).toEqual({
      remediationId: 'rem-1',
      executionArn: EXECUTION_ARN,
      actions: 'APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR',
      approver: 'automatic',
      outcome: 'REMEDIATED',
      serviceVersion: '0.1.0',
    });
  });

  it('keeps every value under 1,024 characters and never sends an empty one', () => {
    const changes = Array.from({ length: 80 }, (_, index) => ({
      controlId: 'APIGateway.5' as const,
      setting: `methodSettings[~1resource${index}/GET].cacheDataEncrypted`,
      before: false,
      after: true,
    }));
    const fields = buildUserDefinedFields(outcomeRecord({ changes, approver: '' }));
    for (const [key, value] of Object.entries(fields)) {
      expect(key.length).toBeLessThan(128);
      expect(value.length).toBeLessThan(1024);
      expect(value.length).toBeGreaterThan(0);
    }
    expect(fields.actions?.endsWith('…')).toBe(true);
    expect(fields.approver).toBe('-');
  });
});

describe('ownFindings', () => {
  it('builds one ASFF finding per checked control on the stage, under the account default product', () => {
    const record = outcomeRecord({
      trigger: 'cloudtrail',
      evaluations: [
        { controlId: 'APIGateway.1', compliance: 'PASSED', reason: 'loggingLevel is ERROR' },
        { controlId: 'APIGateway.4', compliance: 'FAILED', reason: 'no web ACL' },
      ],
    });
    const findings = ownFindings(record, { 'APIGateway.1': 'Execution logging' }).map(
      ({ finding }) => finding,
    );
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: 'apigw-remediation/APIGateway.1/arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod',
      ProductArn: ownProductArn('aws', 'us-east-1', '111122223333'),
      GeneratorId: 'apigw-remediation/APIGateway.1',
      AwsAccountId: '111122223333',
      Title: 'APIGateway.1 Execution logging',
      Compliance: { Status: 'PASSED' },
      Severity: { Label: 'INFORMATIONAL' },
      RecordState: 'ACTIVE',
      Resources: [
        { Type: 'AwsApiGatewayStage', Id: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod' },
      ],
    });
    expect(findings[1]).toMatchObject({ Compliance: { Status: 'FAILED' }, Severity: { Label: 'MEDIUM' } });
    expect(ownProductArn('aws', 'us-east-1', '111122223333')).toBe(
      'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
    );
  });

  it('archives the findings of a stage that is gone, and uses the V2 stage type for V2 APIs', () => {
    const [finding] = ownFindings(
      outcomeRecord({
        outcome: 'RESOURCE_GONE',
        stage: { ...STAGE, apiType: 'V2', partition: 'aws-us-gov', region: 'us-gov-west-1' },
      }),
      {},
    ).map((own) => own.finding);
    expect(finding?.RecordState).toBe('ARCHIVED');
    expect(finding?.Resources?.[0]).toMatchObject({
      Type: 'AwsApiGatewayV2Stage',
      Id: 'arn:aws-us-gov:apigateway:us-gov-west-1::/apis/a1b2c3d4e5/stages/prod',
      Partition: 'aws-us-gov',
    });
  });

  it('leaves out controls that passed before the run, and describes each finding by its own control', () => {
    const record = outcomeRecord({
      trigger: 'cloudtrail',
      findingId: undefined,
      evaluations: [
        {
          controlId: 'APIGateway.1',
          compliance: 'PASSED',
          reason: 'loggingLevel is ERROR',
          before: 'NON_COMPLIANT',
          handling: 'applied',
        },
        {
          controlId: 'APIGateway.2',
          compliance: 'FAILED',
          reason: 'no client certificate',
          before: 'NON_COMPLIANT',
          handling: 'report-only',
        },
        { controlId: 'APIGateway.3', compliance: 'PASSED', reason: 'tracing is on', before: 'COMPLIANT' },
      ],
    });
    const own = ownFindings(record, {});
    expect(own.map(({ finding }) => finding.GeneratorId)).toEqual([
      'apigw-remediation/APIGateway.1',
      'apigw-remediation/APIGateway.2',
    ]);
    expect(own.map(({ finding }) => finding.Description)).toEqual([
      'fixed APIGateway.1: loggingLevel is ERROR (checked after cloudtrail drift; outcome REMEDIATED)',
      'APIGateway.2 fails, reported only (no safe automatic fix): no client certificate (checked after cloudtrail drift; outcome SKIPPED)',
    ]);
    expect(own.map(({ control }) => control.outcome)).toEqual(['REMEDIATED', 'SKIPPED']);
  });
});

describe('first-seen timestamps of own findings', () => {
  const NOW = '2026-11-21T10:00:00.000Z';
  const FIRST = '2026-09-01T08:00:00.000Z';
  const CREATED = '2026-09-01T08:05:00.000Z';

  it('a new finding is created, first and last observed, and updated now', () => {
    expect(findingTimes(NOW, undefined)).toEqual({
      CreatedAt: NOW,
      FirstObservedAt: NOW,
      LastObservedAt: NOW,
      UpdatedAt: NOW,
    });
  });

  it('a re-imported finding keeps its CreatedAt and FirstObservedAt; only LastObservedAt and UpdatedAt move', () => {
    expect(findingTimes(NOW, { createdAt: CREATED, firstObservedAt: FIRST })).toEqual({
      CreatedAt: CREATED,
      FirstObservedAt: FIRST,
      LastObservedAt: NOW,
      UpdatedAt: NOW,
    });
    // Imported before FirstObservedAt was set: it was first seen when it was created.
    expect(findingTimes(NOW, { createdAt: CREATED })).toMatchObject({
      CreatedAt: CREATED,
      FirstObservedAt: CREATED,
    });
  });

  it('ownFindings takes the existing findings by Id: an existing control keeps its times, a new one gets now', () => {
    const record = outcomeRecord({
      trigger: 'cloudtrail',
      findingId: undefined,
      evaluations: [
        { controlId: 'APIGateway.1', compliance: 'FAILED', reason: 'OFF', before: 'NON_COMPLIANT' },
        { controlId: 'APIGateway.4', compliance: 'FAILED', reason: 'no web ACL', before: 'NON_COMPLIANT' },
      ],
    });
    const existingId =
      'apigw-remediation/APIGateway.1/arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';
    const findings = ownFindings(
      record,
      {},
      undefined,
      new Map([[existingId, { createdAt: CREATED, firstObservedAt: FIRST }]]),
    ).map(({ finding }) => finding);
    expect(
      findings.map((finding) => [finding.Id?.split('/')[1], finding.CreatedAt, finding.FirstObservedAt]),
    ).toEqual([
      ['APIGateway.1', CREATED, FIRST],
      ['APIGateway.4', record.recordedAt, record.recordedAt],
    ]);
    for (const finding of findings) {
      expect(finding).toMatchObject({ UpdatedAt: record.recordedAt, LastObservedAt: record.recordedAt });
    }
    // Without existing findings (the default) every one is new.
    expect(ownFindings(record, {}).map(({ finding }) => finding.CreatedAt)).toEqual([
      record.recordedAt,
      record.recordedAt,
    ]);
  });

  it('stagesUnlistedFinding keeps the times of the existing finding on the API', () => {
    const record = toRequestFailureRecord(
      'EXPAND_FAILED',
      {
        trigger: 'cloudtrail',
        account: '111122223333',
        region: 'us-east-1',
        partition: 'aws',
        apiType: 'REST',
        apiId: 'a1b2c3d4e5',
        stageName: null,
        controls: ['APIGateway.1'],
      },
      { Error: 'AccessDenied', Cause: 'no member role' },
      EXECUTION_ARN,
      '1.2.3',
      new Date(NOW),
    );
    const id = 'apigw-remediation/stages-unlisted/arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5';
    expect(stagesUnlistedFinding(record, new Map([[id, { createdAt: CREATED }]]))).toMatchObject({
      Id: id,
      CreatedAt: CREATED,
      FirstObservedAt: CREATED,
      LastObservedAt: NOW,
      UpdatedAt: NOW,
    });
    expect(stagesUnlistedFinding(record)).toMatchObject({ CreatedAt: NOW, FirstObservedAt: NOW });
  });
});

describe('stagesUnlistedFinding', () => {
  it('is a WARNING finding of its own on the API (not a stage), in its partition, saying why nothing was checked', () => {
    const request: RemediationRequest = {
      trigger: 'cloudtrail',
      account: '111122223333',
      region: 'cn-north-1',
      partition: 'aws-cn',
      apiType: 'V2',
      apiId: 'h1t2p3a4p5',
      stageName: null,
      controls: ['APIGateway.9', 'Baseline.StageThrottling'],
    };
    const record = toRequestFailureRecord(
      'EXPAND_FAILED',
      request,
      { Error: 'AccessDenied', Cause: 'no member role' },
      EXECUTION_ARN,
      '1.2.3',
      new Date('2026-11-21T10:00:00Z'),
    );
    const apiArn = 'arn:aws-cn:apigateway:cn-north-1::/apis/h1t2p3a4p5';
    expect(stagesUnlistedFinding(record)).toMatchObject({
      Id: `apigw-remediation/stages-unlisted/${apiArn}`,
      ProductArn: 'arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default',
      GeneratorId: 'apigw-remediation/stages-unlisted',
      AwsAccountId: '111122223333',
      Compliance: { Status: 'WARNING' },
      RecordState: 'ACTIVE',
      Resources: [{ Type: 'AwsApiGatewayV2Api', Id: apiArn, Partition: 'aws-cn', Region: 'cn-north-1' }],
      Description:
        'the stages of API h1t2p3a4p5 could not be listed, so none was checked: AccessDenied: no member role. ' +
        `Controls not checked: APIGateway.9, Baseline.StageThrottling (after cloudtrail drift). Execution: ${EXECUTION_ARN}`,
    });
  });
});
