/**
 * The limits and exact shapes of what the service writes to Security Hub (remediators/securityhub/findings.ts):
 * batches, truncation, the note's budget, the user-defined fields and the own findings' fixed fields.
 * One behaviour per test.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_NOTE_LENGTH,
  buildNote,
  buildUserDefinedFields,
  chunk,
  ownFindings,
  stagesUnlistedFinding,
  truncate,
} from '../../../remediators/securityhub/findings.js';
import { toRequestFailureRecord } from '../../../remediators/workflow/request-failure.js';
import type { RemediationRequest } from '../../../remediators/workflow/state.js';
import { EXECUTION_ARN, STAGE, outcomeRecord } from '../workflow/fixtures.js';

const CHANGE = { controlId: 'APIGateway.1', setting: 'loggingLevel', before: 'OFF', after: 'ERROR' } as const;

describe('batches', () => {
  it('exactly 100 findings are one call; none is no call', () => {
    expect(chunk(Array.from({ length: 100 }, (_, index) => index))).toHaveLength(1);
    expect(chunk([])).toEqual([]);
  });
});

describe('truncate', () => {
  it('keeps text of exactly the limit as it is', () => {
    expect(truncate('abcde', 5)).toBe('abcde');
  });

  it('cuts text one over the limit to the limit, ending in an ellipsis', () => {
    expect(truncate('abcdef', 5)).toBe('abcd…');
  });

  it('never splits a surrogate pair: a high surrogate before the cut goes too', () => {
    const text = `abc😀def`; // 😀 is \ud83d\ude00
    expect(truncate(text, 5)).toBe('abc…');
  });

  it('keeps a whole pair that ends before the cut', () => {
    expect(truncate('ab😀cdef', 5)).toBe('ab😀…');
  });

  it.each([
    ['\ud800', 'the first high surrogate'],
    ['\udbff', 'the last high surrogate'],
  ])('treats %j (%s) as the start of a pair', (high) => {
    expect(truncate(`abc${high}\udc00def`, 5)).toBe('abc…');
  });

  it.each([
    ['\ud7ff', 'the code unit below the high surrogates'],
    ['\udc00', 'a low surrogate'],
  ])('keeps %j (%s) before the cut', (unit) => {
    expect(truncate(`abc${unit}xdef`, 5)).toBe(`abc${unit}…`);
  });
});

describe('the note', () => {
  it('an approver so long that nothing else fits keeps outcome, approver and execution within 512 characters', () => {
    const note = buildNote(outcomeRecord({ approver: 'x'.repeat(600) }));

    expect(note).toHaveLength(MAX_NOTE_LENGTH);
    expect(note.startsWith(`REMEDIATED (${'x'.repeat(100)}`)).toBe(true);
    expect(note.endsWith('…')).toBe(true);
  });

  it('an approver that leaves no room at all gives exactly outcome, approver and execution', () => {
    const tail = ` Execution: ${EXECUTION_ARN}`;
    const approver = 'x'.repeat(MAX_NOTE_LENGTH - 'REMEDIATED ('.length - '): '.length - tail.length);
    const note = buildNote(outcomeRecord({ approver }));

    expect(note).toBe(`REMEDIATED (${approver}): ${tail}`);
    expect(note).toHaveLength(MAX_NOTE_LENGTH);
  });

  it('lists several changes joined by "; "', () => {
    expect(buildNote(outcomeRecord({ changes: [CHANGE, { ...CHANGE, setting: 'b' }] }))).toContain(
      'Changed: APIGateway.1 loggingLevel: OFF → ERROR; APIGateway.1 b: OFF → ERROR.',
    );
  });

  it('a remediation says Changed, any other outcome Would change', () => {
    expect(buildNote(outcomeRecord({ changes: [CHANGE] }))).toContain(
      ' Changed: APIGateway.1 loggingLevel: OFF → ERROR.',
    );
    expect(buildNote(outcomeRecord({ outcome: 'DRY_RUN', changes: [CHANGE] }))).toContain(
      ' Would change: APIGateway.1 loggingLevel: OFF → ERROR.',
    );
  });

  it('reads outcome (approver): reason. Changed: …. Execution: arn', () => {
    expect(buildNote(outcomeRecord({ changes: [CHANGE], reason: 'fixed APIGateway.1' }))).toBe(
      `REMEDIATED (automatic): fixed APIGateway.1. Changed: APIGateway.1 loggingLevel: OFF → ERROR. Execution: ${EXECUTION_ARN}`,
    );
  });

  it('without changes has no change list', () => {
    expect(buildNote(outcomeRecord({ changes: [], reason: 'r' }))).toBe(
      `REMEDIATED (automatic): r. Execution: ${EXECUTION_ARN}`,
    );
  });

  it('a change list that fills the note exactly is kept whole', () => {
    const head = 'REMEDIATED (automatic): ';
    const tail = ` Execution: ${EXECUTION_ARN}`;
    const reason = 'r.';
    const fixed = ` Changed: APIGateway.1 loggingLevel: OFF → .`;
    const after = 'E'.repeat(MAX_NOTE_LENGTH - head.length - tail.length - reason.length - fixed.length);
    const note = buildNote(outcomeRecord({ reason: 'r', changes: [{ ...CHANGE, after }] }));

    expect(note).toHaveLength(MAX_NOTE_LENGTH);
    expect(note).toContain(`OFF → ${after}.`);
  });
});

describe('user-defined fields', () => {
  it('are exactly these six, named as Security Hub shows them, an empty value sent as -', () => {
    expect(buildUserDefinedFields(outcomeRecord({ changes: [], approver: '' }))).toStrictEqual({
      remediationId: 'rem-1',
      executionArn: EXECUTION_ARN,
      actions: 'none',
      approver: '-',
      outcome: 'REMEDIATED',
      serviceVersion: '0.1.0',
    });
  });

  it('list every change, joined by "; "', () => {
    expect(
      buildUserDefinedFields(outcomeRecord({ changes: [CHANGE, { ...CHANGE, setting: 'b' }] })).actions,
    ).toBe('APIGateway.1 loggingLevel: OFF → ERROR; APIGateway.1 b: OFF → ERROR');
  });
});

describe('own findings', () => {
  it('carry the ASFF type, a title of the control alone when there is no title, and the ids of the run', () => {
    const [own] = ownFindings(
      outcomeRecord({
        outcome: 'SKIPPED',
        evaluations: [
          { controlId: 'APIGateway.1', compliance: 'FAILED', reason: 'off', before: 'NON_COMPLIANT' },
        ],
      }),
      {},
    );

    expect(own?.finding).toMatchObject({
      Types: ['Software and Configuration Checks/AWS Security Best Practices'],
      Title: 'APIGateway.1',
      GeneratorId: 'apigw-remediation/APIGateway.1',
      ProductFields: {
        'apigw-remediation/ControlId': 'APIGateway.1',
        'apigw-remediation/RemediationId': 'rem-1',
      },
    });
  });

  it('are titled with the control and its title', () => {
    const [own] = ownFindings(
      outcomeRecord({
        evaluations: [
          { controlId: 'APIGateway.1', compliance: 'FAILED', reason: 'off', before: 'NON_COMPLIANT' },
        ],
      }),
      { 'APIGateway.1': 'Execution logging' },
    );

    expect(own?.finding.Title).toBe('APIGateway.1 Execution logging');
  });
});

describe('the stages-unlisted finding', () => {
  const request: RemediationRequest = {
    trigger: 'cloudtrail',
    ...STAGE,
    stageName: null,
    controls: ['APIGateway.1'],
  };
  const record = toRequestFailureRecord(
    'EXPAND_FAILED',
    request,
    { Error: 'AccessDenied', Cause: 'no member role' },
    EXECUTION_ARN,
    '1.2.3',
    new Date('2026-11-21T10:00:00Z'),
  );

  it('is a MEDIUM best-practices finding on the REST API, titled by the API, created NOTIFIED with a note', () => {
    const finding = stagesUnlistedFinding(record);

    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      Types: ['Software and Configuration Checks/AWS Security Best Practices'],
      Severity: { Label: 'MEDIUM' },
      Title: 'API Gateway API a1b2c3d4e5: stages could not be checked',
      Resources: [{ Type: 'AwsApiGatewayRestApi', Id: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5' }],
      ProductFields: { 'apigw-remediation/RemediationId': record.remediationId },
      Workflow: { Status: 'NOTIFIED' },
    });
    expect(finding.Note?.Text).toContain(`Execution: ${EXECUTION_ARN}`);
  });

  it('an existing one is updated without creation fields (its Workflow and Note stay as people left them)', () => {
    const id = stagesUnlistedFinding(record).Id ?? '';
    const finding = stagesUnlistedFinding(record, new Map([[id, { createdAt: '2026-01-01T00:00:00.000Z' }]]));

    expect(finding).not.toHaveProperty('Workflow');
    expect(finding).not.toHaveProperty('Note');
    expect(finding).not.toHaveProperty('UserDefinedFields');
  });
});
