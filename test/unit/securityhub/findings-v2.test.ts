/**
 * BatchUpdateFindingsV2 for OCSF findings: the pure builders against the API's documented limits
 * (≤ 100 identifiers per call, Comment 1-512 characters, StatusId an OCSF status, FindingIdentifiers
 * or MetadataUids but never both) and the thin I/O against a mocked client (Security Hub is not in
 * moto), including UnprocessedFindings.
 */
import {
  BatchUpdateFindingsCommand,
  BatchUpdateFindingsV2Command,
  SecurityHubClient,
  type BatchUpdateFindingsV2CommandInput,
  type OcsfFindingIdentifier,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildNote, truncate } from '../../../remediators/securityhub/findings.js';
import {
  awsProductV2Uid,
  MAX_V2_COMMENT_LENGTH,
  MAX_V2_FINDINGS_PER_CALL,
  ocsfFindingIdentifier,
  outcomeUpdatesV2,
  ownershipUpdatesV2,
} from '../../../remediators/securityhub/findings-v2.js';
import { SecurityHubWriteError } from '../../../remediators/securityhub/records.js';
import {
  recordOutcomeV2,
  recordRequestFailureV2,
  takeOwnershipV2,
} from '../../../remediators/securityhub/records-v2.js';
import { toRequestFailureRecord } from '../../../remediators/workflow/request-failure.js';
import type { RemediationRequest } from '../../../remediators/workflow/state.js';
import { EXECUTION_ARN, outcomeRecord } from '../workflow/fixtures.js';

const FINDING_UID =
  'arn:aws:securityhub:us-east-1:111122223333:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351';
const PRODUCT = 'arn:aws:securityhub:us-east-1::productv2/aws/securityhub';
/** Retries without real waiting. */
const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
const IDENTIFIER: OcsfFindingIdentifier = {
  CloudAccountUid: '111122223333',
  FindingInfoUid: FINDING_UID,
  MetadataProductUid: PRODUCT,
};

/** What the API accepts (botocore's model and the API reference), as a test oracle. */
function expectValidV2Request(input: BatchUpdateFindingsV2CommandInput): void {
  expect(input.MetadataUids === undefined || input.FindingIdentifiers === undefined).toBe(true);
  const identifiers = input.FindingIdentifiers ?? [];
  expect(identifiers.length).toBeGreaterThan(0);
  expect(identifiers.length).toBeLessThanOrEqual(100);
  for (const identifier of identifiers) {
    for (const field of [
      identifier.CloudAccountUid,
      identifier.FindingInfoUid,
      identifier.MetadataProductUid,
    ]) {
      expect(field).toMatch(/\S/);
    }
  }
  expect(input.Comment?.length ?? 0).toBeGreaterThanOrEqual(1);
  expect(input.Comment?.length ?? 0).toBeLessThanOrEqual(512);
  expect(input.Comment).toMatch(/\S/);
  expect([0, 1, 2, 3, 4, 5, 99]).toContain(input.StatusId);
  expect(input.SeverityId).toBeUndefined();
}

describe('BatchUpdateFindingsV2 builders', () => {
  it('uses the documented limits', () => {
    expect(MAX_V2_FINDINGS_PER_CALL).toBe(100);
    expect(MAX_V2_COMMENT_LENGTH).toBe(512);
  });

  it('names a finding by cloud.account.uid, finding_info.uid and metadata.product.uid, defaulting the product to Security Hub controls in its partition and Region', () => {
    expect(
      ocsfFindingIdentifier(
        { account: '111122223333', partition: 'aws', region: 'us-east-1' },
        FINDING_UID,
        PRODUCT,
      ),
    ).toEqual(IDENTIFIER);
    expect(
      ocsfFindingIdentifier(
        { account: '123456789012', partition: 'aws-us-gov', region: 'us-gov-west-1' },
        'f',
        undefined,
      ).MetadataProductUid,
    ).toBe('arn:aws-us-gov:securityhub:us-gov-west-1::productv2/aws/securityhub');
    expect(awsProductV2Uid('aws-cn', 'cn-north-1')).toBe(
      'arn:aws-cn:securityhub:cn-north-1::productv2/aws/securityhub',
    );
  });

  it('takes ownership with status In Progress (2) and a comment naming the execution', () => {
    const [update, ...more] = ownershipUpdatesV2([IDENTIFIER], EXECUTION_ARN);
    expect(more).toEqual([]);
    expect(update).toEqual({
      FindingIdentifiers: [IDENTIFIER],
      StatusId: 2,
      Comment: `apigw-remediation is working on this finding. Execution: ${EXECUTION_ARN}`,
    });
    if (update !== undefined) expectValidV2Request(update);
  });

  it('writes the ASFF note as the comment: Resolved (4) when done, In Progress (2) when a human must act, never New', () => {
    const remediated = outcomeRecord();
    const [resolved] = outcomeUpdatesV2(remediated, [IDENTIFIER]);
    expect(resolved?.StatusId).toBe(4);
    expect(resolved?.Comment).toBe(buildNote(remediated));
    expect(resolved?.Comment).toContain('APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR');
    for (const outcome of ['FAILED', 'DRY_RUN', 'SKIPPED', 'REJECTED', 'EXPIRED'] as const) {
      const [update] = outcomeUpdatesV2(outcomeRecord({ outcome }), [IDENTIFIER]);
      expect(update?.StatusId, outcome).toBe(2);
      if (update !== undefined) expectValidV2Request(update);
    }
    for (const outcome of ['ALREADY_COMPLIANT', 'RESOURCE_GONE'] as const) {
      expect(outcomeUpdatesV2(outcomeRecord({ outcome }), [IDENTIFIER])[0]?.StatusId, outcome).toBe(4);
    }
  });

  it('keeps the comment within 512 characters with the execution whole, and splits 250 findings into calls of 100', () => {
    const long = outcomeRecord({
      reason: 'x'.repeat(2000),
      changes: Array.from({ length: 40 }, (_, index) => ({
        controlId: 'APIGateway.1' as const,
        setting: `methodSettings[/path${index}/GET].loggingLevel`,
        before: 'OFF',
        after: 'ERROR',
      })),
    });
    const identifiers = Array.from({ length: 250 }, (_, index) => ({
      ...IDENTIFIER,
      FindingInfoUid: `f-${index}`,
    }));
    const updates = outcomeUpdatesV2(long, identifiers);
    expect(updates.map((update) => update.FindingIdentifiers?.length)).toEqual([100, 100, 50]);
    for (const update of updates) {
      expectValidV2Request(update);
      expect(update.Comment?.endsWith(`Execution: ${EXECUTION_ARN}`)).toBe(true);
    }
    expect(ownershipUpdatesV2(identifiers, EXECUTION_ARN)).toHaveLength(3);
  });
});

describe('truncate (Note, Comment, titles)', () => {
  it('never splits a surrogate pair at the cut, so the text stays valid UTF-8', () => {
    const text = `${'a'.repeat(MAX_V2_COMMENT_LENGTH - 2)}😀 approved by 😀`;
    const cut = truncate(text, MAX_V2_COMMENT_LENGTH);
    expect(cut.length).toBeLessThanOrEqual(MAX_V2_COMMENT_LENGTH);
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
    expect(cut.endsWith('…')).toBe(true);
    expect(truncate('short', MAX_V2_COMMENT_LENGTH)).toBe('short');
  });
});

describe('BatchUpdateFindingsV2 I/O', () => {
  const hub = mockClient(SecurityHubClient);
  const client = () => new SecurityHubClient({ region: 'us-east-1' });

  beforeEach(() => {
    hub.reset();
    hub.on(BatchUpdateFindingsV2Command).callsFake((input: BatchUpdateFindingsV2CommandInput) => ({
      ProcessedFindings: (input.FindingIdentifiers ?? []).map((identifier) => ({
        FindingIdentifier: identifier,
      })),
      UnprocessedFindings: [],
    }));
  });

  it('takes ownership and records the outcome on the OCSF finding, never through the ASFF API', async () => {
    expect(await takeOwnershipV2(client(), [IDENTIFIER], EXECUTION_ARN)).toBe(1);
    const record = outcomeRecord({ findingId: FINDING_UID, findingProductArn: PRODUCT });
    expect(await recordOutcomeV2(client(), record)).toEqual({ imported: 0, updated: 1 });
    const calls = hub.commandCalls(BatchUpdateFindingsV2Command).map((call) => call.args[0].input);
    expect(calls.map((input) => input.StatusId)).toEqual([2, 4]);
    expect(calls[1]?.FindingIdentifiers).toEqual([IDENTIFIER]);
    expect(hub.commandCalls(BatchUpdateFindingsCommand)).toEqual([]);
  });

  it('fails loudly, naming the finding and the error, when Security Hub leaves it unprocessed', async () => {
    hub.on(BatchUpdateFindingsV2Command).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: IDENTIFIER,
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: 'no such finding',
        },
      ],
    });
    const record = outcomeRecord({ findingId: FINDING_UID, findingProductArn: PRODUCT });
    const attempt = recordOutcomeV2(client(), record);
    await expect(attempt).rejects.toBeInstanceOf(SecurityHubWriteError);
    await expect(recordOutcomeV2(client(), record)).rejects.toThrow(
      `BatchUpdateFindingsV2 left 1 finding(s) unprocessed: ${FINDING_UID} (ResourceNotFoundException: no such finding)`,
    );
  });

  it('sends a finding left unprocessed for a passing reason (ConflictException) again, then records it', async () => {
    const conflict = {
      ProcessedFindings: [],
      UnprocessedFindings: [
        { FindingIdentifier: IDENTIFIER, ErrorCode: 'ConflictException' as const, ErrorMessage: 'busy' },
      ],
    };
    hub
      .on(BatchUpdateFindingsV2Command)
      .resolvesOnce(conflict)
      .resolves({ ProcessedFindings: [{ FindingIdentifier: IDENTIFIER }], UnprocessedFindings: [] });
    const record = outcomeRecord({ findingId: FINDING_UID, findingProductArn: PRODUCT });
    expect(await recordOutcomeV2(client(), record, FAST_RETRY)).toEqual({ imported: 0, updated: 1 });
    const calls = hub.commandCalls(BatchUpdateFindingsV2Command).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.FindingIdentifiers).toEqual([IDENTIFIER]);
    expect(calls[1]?.Comment).toBe(calls[0]?.Comment);
  });

  it('gives up loudly after the bounded attempts when the finding stays unprocessed', async () => {
    hub.on(BatchUpdateFindingsV2Command).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        { FindingIdentifier: IDENTIFIER, ErrorCode: 'InternalServerException', ErrorMessage: 'try later' },
      ],
    });
    await expect(takeOwnershipV2(client(), [IDENTIFIER], EXECUTION_ARN, FAST_RETRY)).rejects.toThrow(
      `BatchUpdateFindingsV2 left 1 finding(s) unprocessed after 3 attempts: ${FINDING_UID} (InternalServerException: try later)`,
    );
    expect(hub.commandCalls(BatchUpdateFindingsV2Command)).toHaveLength(3);
  });

  it('refuses a record without a finding (an OCSF request always names one)', async () => {
    await expect(recordOutcomeV2(client(), outcomeRecord({ findingId: undefined }))).rejects.toThrow(
      /findingId missing/,
    );
    expect(hub.commandCalls(BatchUpdateFindingsV2Command)).toEqual([]);
  });

  it('records a request that stopped before its stages were known as FAILED, In Progress', async () => {
    const request: RemediationRequest = {
      trigger: 'securityhub',
      account: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      apiType: 'REST',
      apiId: 'a1b2c3d4e5',
      stageName: 'prod',
      controls: ['APIGateway.1'],
      findingId: FINDING_UID,
      productArn: PRODUCT,
      findingFormat: 'ocsf',
    };
    const failure = toRequestFailureRecord(
      'EXPAND_FAILED',
      request,
      { Error: 'AccessDenied', Cause: 'not allowed' },
      EXECUTION_ARN,
      '0.1.0',
      new Date('2026-11-21T10:00:00Z'),
    );
    expect(await recordRequestFailureV2(client(), failure)).toEqual({ imported: 0, updated: 1 });
    const [input] = hub.commandCalls(BatchUpdateFindingsV2Command).map((call) => call.args[0].input);
    expect(input?.StatusId).toBe(2);
    expect(input?.FindingIdentifiers).toEqual([IDENTIFIER]);
    expect(input?.Comment).toMatch(/^FAILED \(/);
    expect(input?.Comment).toContain('AccessDenied');
  });
});
