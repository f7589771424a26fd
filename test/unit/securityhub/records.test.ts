import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  recordOutcome,
  recordRequestFailure,
  SecurityHubWriteError,
  takeOwnership,
} from '../../../remediators/securityhub/records.js';
import { toRequestFailureRecord } from '../../../remediators/workflow/request-failure.js';
import type { RemediationRequest } from '../../../remediators/workflow/state.js';
import { EXECUTION_ARN, outcomeRecord } from '../workflow/fixtures.js';

const hub = mockClient(SecurityHubClient);
/** Retries of unprocessed updates without real waiting (the default waits up to 15 s). */
const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 };
const clients = () => ({
  home: new SecurityHubClient({ region: 'us-east-1' }),
  member: new SecurityHubClient({ region: 'us-east-1' }),
});

describe('Security Hub records', () => {
  beforeEach(() => {
    hub.reset();
    hub
      .on(BatchUpdateFindingsCommand)
      .callsFake((input) => ({ ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] }));
    hub
      .on(BatchImportFindingsCommand)
      .callsFake((input) => ({ FailedCount: 0, SuccessCount: input.Findings.length }));
    hub.on(GetFindingsCommand).resolves({ Findings: [] });
  });

  it('updates the AWS finding of a Security Hub trigger, with the ProductArn intake gave', async () => {
    const result = await recordOutcome(
      clients(),
      outcomeRecord({ findingProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub' }),
      {},
    );
    expect(result).toEqual({ imported: 0, updated: 1 });
    const [call] = hub.commandCalls(BatchUpdateFindingsCommand);
    expect(call?.args[0].input.FindingIdentifiers).toEqual([
      { Id: 'finding-1', ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub' },
    ]);
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
    expect(hub.commandCalls(GetFindingsCommand)).toHaveLength(0);
  });

  it('creates a finding of its own with Workflow, Note and fields in the import itself: no update to wait for', async () => {
    const withoutFinding = outcomeRecord({ trigger: 'cloudtrail', findingId: undefined });
    const result = await recordOutcome(clients(), withoutFinding, {});
    expect(result).toEqual({ imported: 1, updated: 0 });
    const [imported] = hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
    expect(imported?.Workflow).toEqual({ Status: 'RESOLVED' });
    expect(imported?.Note).toEqual({
      Text: expect.stringMatching(/^REMEDIATED \(automatic\): .* Execution: arn:aws:states:/),
      UpdatedBy: 'apigw-remediation',
      UpdatedAt: withoutFinding.recordedAt,
    });
    expect(imported?.UserDefinedFields).toMatchObject({ outcome: 'REMEDIATED', remediationId: 'rem-1' });
    expect(imported?.VerificationState).toBeUndefined();
    expect(hub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(0);
  });

  it('leaves own findings whose control still fails NOTIFIED, even when the stage was remediated', async () => {
    const record = outcomeRecord({
      trigger: 'cloudtrail',
      findingId: undefined,
      evaluations: [
        { controlId: 'APIGateway.1', compliance: 'PASSED', reason: 'fixed' },
        { controlId: 'APIGateway.2', compliance: 'FAILED', reason: 'no client certificate (report only)' },
      ],
    });
    await recordOutcome(clients(), record, {});
    const imported = hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
    expect(imported.map((finding) => [finding.Workflow?.Status, finding.Id])).toEqual([
      ['RESOLVED', expect.stringContaining('apigw-remediation/APIGateway.1/')],
      ['NOTIFIED', expect.stringContaining('apigw-remediation/APIGateway.2/')],
    ]);
  });

  it('brings the own finding a manual run started from up to date: re-imported with its compliance after the run', async () => {
    const ownProduct = 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default';
    const ownId =
      'apigw-remediation/APIGateway.1/arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';
    // It exists (the run started from it), so the import cannot change its Workflow: the update does.
    hub.on(GetFindingsCommand).resolves({
      Findings: [{ Id: ownId, ProductArn: ownProduct, CreatedAt: '2026-09-01T08:05:00.000Z' } as never],
    });
    for (const [outcome, before, handling] of [
      ['REMEDIATED', 'NON_COMPLIANT', 'applied'],
      ['ALREADY_COMPLIANT', 'COMPLIANT', undefined],
    ] as const) {
      hub.resetHistory();
      const record = outcomeRecord({
        trigger: 'manual',
        outcome,
        findingId: ownId,
        findingProductArn: ownProduct,
        evaluations: [
          {
            controlId: 'APIGateway.1',
            compliance: 'PASSED',
            reason: 'loggingLevel is ERROR',
            before,
            ...(handling === undefined ? {} : { handling }),
          },
        ],
      });
      expect(await recordOutcome(clients(), record, {})).toEqual({ imported: 1, updated: 1 });
      const [imported] = hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
      expect(imported).toMatchObject({ Id: ownId, ProductArn: ownProduct, Compliance: { Status: 'PASSED' } });
      expect(imported?.Workflow).toBeUndefined();
      expect(imported?.Note).toBeUndefined();
      const [update] = hub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input);
      expect(update?.FindingIdentifiers).toEqual([{ Id: ownId, ProductArn: ownProduct }]);
      expect(update?.Workflow?.Status).toBe('RESOLVED');
    }
  });

  describe('keeps when an own finding was first seen', () => {
    const STAGE_ARN = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';
    const OWN_PRODUCT = 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default';
    const drift = () =>
      outcomeRecord({
        trigger: 'cloudtrail',
        findingId: undefined,
        evaluations: [
          {
            controlId: 'APIGateway.1',
            compliance: 'PASSED',
            reason: 'ERROR',
            before: 'NON_COMPLIANT',
            handling: 'applied',
          },
          { controlId: 'APIGateway.4', compliance: 'FAILED', reason: 'no web ACL', before: 'NON_COMPLIANT' },
        ],
      });

    it('reads the existing own findings in one GetFindings call in the member account, by Id', async () => {
      const { home, member } = clients();
      await recordOutcome({ home, member }, drift(), {});
      const calls = hub.commandCalls(GetFindingsCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.thisValue).toBe(member);
      expect(calls[0]?.args[0].input).toEqual({
        Filters: {
          Id: [
            { Value: `apigw-remediation/APIGateway.1/${STAGE_ARN}`, Comparison: 'EQUALS' },
            { Value: `apigw-remediation/APIGateway.4/${STAGE_ARN}`, Comparison: 'EQUALS' },
          ],
          ProductArn: [{ Value: OWN_PRODUCT, Comparison: 'EQUALS' }],
        },
        MaxResults: 100,
      });
      // Read before the import, never after; both are new, so the import carries their Workflow.
      expect(hub.calls().map((call) => call.args[0].constructor.name)).toEqual([
        'GetFindingsCommand',
        'BatchImportFindingsCommand',
      ]);
    });

    it('re-imports an existing finding with its CreatedAt and FirstObservedAt; a new one is created now', async () => {
      hub.on(GetFindingsCommand).resolves({
        Findings: [
          {
            Id: `apigw-remediation/APIGateway.4/${STAGE_ARN}`,
            ProductArn: OWN_PRODUCT,
            CreatedAt: '2026-09-01T08:05:00.000Z',
            FirstObservedAt: '2026-09-01T08:00:00.000Z',
            LastObservedAt: '2026-10-01T00:00:00.000Z',
            UpdatedAt: '2026-10-01T00:00:00.000Z',
          } as never,
        ],
      });
      const record = drift();
      expect(await recordOutcome(clients(), record, {})).toEqual({ imported: 2, updated: 1 });
      const imported = hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
      expect(
        imported.map((finding) => [
          finding.Id?.split('/')[1],
          finding.CreatedAt,
          finding.FirstObservedAt,
          finding.LastObservedAt,
          finding.UpdatedAt,
        ]),
      ).toEqual([
        ['APIGateway.1', record.recordedAt, record.recordedAt, record.recordedAt, record.recordedAt],
        [
          'APIGateway.4',
          '2026-09-01T08:05:00.000Z',
          '2026-09-01T08:00:00.000Z',
          record.recordedAt,
          record.recordedAt,
        ],
      ]);
      // Security Hub ignores Workflow/Note/fields on the re-import of an existing finding, so only
      // the new one carries them and only the existing one is updated (from the home account).
      expect(imported.map((finding) => finding.Workflow?.Status)).toEqual(['RESOLVED', undefined]);
      expect(imported[1]?.Note).toBeUndefined();
      expect(imported[1]?.UserDefinedFields).toBeUndefined();
      const [update, ...others] = hub.commandCalls(BatchUpdateFindingsCommand);
      expect(others).toHaveLength(0);
      expect(update?.thisValue).not.toBe(hub.commandCalls(BatchImportFindingsCommand)[0]?.thisValue);
      expect(update?.args[0].input).toMatchObject({
        FindingIdentifiers: [{ Id: `apigw-remediation/APIGateway.4/${STAGE_ARN}`, ProductArn: OWN_PRODUCT }],
        Workflow: { Status: 'NOTIFIED' },
        UserDefinedFields: { outcome: 'SKIPPED' },
      });
    });

    it('retries the update of a re-imported finding that comes back unprocessed once, then succeeds', async () => {
      const existingId = `apigw-remediation/APIGateway.4/${STAGE_ARN}`;
      hub.on(GetFindingsCommand).resolves({
        Findings: [
          { Id: existingId, ProductArn: OWN_PRODUCT, CreatedAt: '2026-09-01T08:05:00.000Z' } as never,
        ],
      });
      hub
        .on(BatchUpdateFindingsCommand)
        .resolvesOnce({
          ProcessedFindings: [],
          UnprocessedFindings: [
            {
              FindingIdentifier: { Id: existingId, ProductArn: OWN_PRODUCT },
              ErrorCode: 'ConcurrentUpdateError',
              ErrorMessage: 'Concurrent finding updates detected',
            },
          ],
        })
        .callsFake((input) => ({ ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] }));
      expect(await recordOutcome(clients(), drift(), {}, FAST_RETRY)).toEqual({ imported: 2, updated: 1 });
      const updates = hub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input);
      expect(updates).toHaveLength(2);
      expect(updates[1]).toEqual(updates[0]);
      expect(updates[1]?.FindingIdentifiers).toEqual([{ Id: existingId, ProductArn: OWN_PRODUCT }]);
    });

    it('keeps the CreatedAt of the own finding a manual run started from', async () => {
      const ownId = `apigw-remediation/APIGateway.1/${STAGE_ARN}`;
      hub.on(GetFindingsCommand).resolves({
        Findings: [{ Id: ownId, ProductArn: OWN_PRODUCT, CreatedAt: '2026-09-01T08:05:00.000Z' } as never],
      });
      const record = outcomeRecord({
        trigger: 'manual',
        findingId: ownId,
        findingProductArn: OWN_PRODUCT,
        evaluations: [
          {
            controlId: 'APIGateway.1',
            compliance: 'PASSED',
            reason: 'ERROR',
            before: 'NON_COMPLIANT',
            handling: 'applied',
          },
        ],
      });
      await recordOutcome(clients(), record, {});
      const [imported] = hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
      expect(imported).toMatchObject({
        Id: ownId,
        CreatedAt: '2026-09-01T08:05:00.000Z',
        FirstObservedAt: '2026-09-01T08:05:00.000Z',
        UpdatedAt: record.recordedAt,
      });
    });

    it('fails the record loudly when the existing findings cannot be read: nothing imported with CreatedAt = now', async () => {
      hub.on(GetFindingsCommand).rejects(
        Object.assign(new Error('not authorized to perform securityhub:GetFindings'), {
          name: 'AccessDeniedException',
        }),
      );
      await expect(recordOutcome(clients(), drift(), {})).rejects.toThrow(
        'not authorized to perform securityhub:GetFindings',
      );
      expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
      expect(hub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(0);
    });
  });

  it('sends again only the findings left unprocessed, and stops once they are processed', async () => {
    const ids = [
      { Id: 'finding-1', ProductArn: 'p' },
      { Id: 'finding-2', ProductArn: 'p' },
    ];
    hub
      .on(BatchUpdateFindingsCommand)
      .resolvesOnce({
        ProcessedFindings: [ids[0] as never],
        UnprocessedFindings: [
          { FindingIdentifier: ids[1], ErrorCode: 'FindingNotFound', ErrorMessage: 'Finding Not Found' },
        ],
      })
      .callsFake((input) => ({ ProcessedFindings: input.FindingIdentifiers, UnprocessedFindings: [] }));
    const owned = await takeOwnership(
      new SecurityHubClient({ region: 'us-east-1' }),
      ids,
      EXECUTION_ARN,
      FAST_RETRY,
    );
    expect(owned).toBe(2);
    const sent = hub
      .commandCalls(BatchUpdateFindingsCommand)
      .map((call) => call.args[0].input.FindingIdentifiers);
    expect(sent).toEqual([ids, [ids[1]]]);
  });

  it('fails loudly when a finding is still unprocessed after the last attempt', async () => {
    hub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: 'finding-1', ProductArn: 'p' },
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'gone',
        },
      ],
    });
    await expect(
      takeOwnership(
        new SecurityHubClient({ region: 'us-east-1' }),
        [{ Id: 'finding-1', ProductArn: 'p' }],
        EXECUTION_ARN,
        FAST_RETRY,
      ),
    ).rejects.toThrow(
      // The error names the findings left unprocessed (the admit task reports exactly these).
      new SecurityHubWriteError(
        'BatchUpdateFindings left 1 finding(s) unprocessed after 3 attempts: finding-1 (FindingNotFound: gone)',
        [{ Id: 'finding-1', ProductArn: 'p' }],
      ),
    );
    expect(hub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(3);
  });

  it('fails loudly at once when Security Hub leaves a finding unprocessed for a reason a retry cannot fix', async () => {
    hub.on(BatchUpdateFindingsCommand).resolves({
      ProcessedFindings: [],
      UnprocessedFindings: [
        {
          FindingIdentifier: { Id: 'finding-1', ProductArn: 'p' },
          ErrorCode: 'InvalidInput',
          ErrorMessage: 'Invalid Input',
        },
      ],
    });
    await expect(
      takeOwnership(
        new SecurityHubClient({ region: 'us-east-1' }),
        [{ Id: 'finding-1', ProductArn: 'p' }],
        EXECUTION_ARN,
      ),
    ).rejects.toThrow(
      // The error names the findings left unprocessed (the admit task reports exactly these).
      new SecurityHubWriteError(
        'BatchUpdateFindings left 1 finding(s) unprocessed: finding-1 (InvalidInput: Invalid Input)',
        [{ Id: 'finding-1', ProductArn: 'p' }],
      ),
    );
    expect(hub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(1);
  });

  it('fails loudly when an import is refused', async () => {
    hub.on(BatchImportFindingsCommand).resolves({
      FailedCount: 1,
      SuccessCount: 0,
      FailedFindings: [{ Id: 'own-1', ErrorCode: 'InvalidInput', ErrorMessage: 'bad' }],
    });
    const withoutFinding = outcomeRecord({ trigger: 'cloudtrail', findingId: undefined });
    await expect(recordOutcome(clients(), withoutFinding, {})).rejects.toThrow(
      'BatchImportFindings refused 1 finding(s): own-1 (InvalidInput: bad)',
    );
  });

  it('gives each own finding its own control note, and imports nothing when every control passed before', async () => {
    const record = outcomeRecord({
      trigger: 'cloudtrail',
      findingId: undefined,
      evaluations: [
        {
          controlId: 'APIGateway.1',
          compliance: 'PASSED',
          reason: 'ERROR',
          before: 'NON_COMPLIANT',
          handling: 'applied',
        },
        {
          controlId: 'APIGateway.2',
          compliance: 'FAILED',
          reason: 'no certificate',
          before: 'NON_COMPLIANT',
          handling: 'report-only',
        },
        { controlId: 'APIGateway.11', compliance: 'PASSED', reason: 'TLS 1.2', before: 'COMPLIANT' },
      ],
    });
    expect(await recordOutcome(clients(), record, {})).toEqual({ imported: 2, updated: 0 });
    const notes = (hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? []).map(
      (finding) => [
        [finding.Id?.split('/')[1]],
        finding.Note?.Text?.split(' Execution:')[0],
        finding.UserDefinedFields?.['outcome'],
      ],
    );
    expect(notes).toEqual([
      [
        ['APIGateway.1'],
        'REMEDIATED (automatic): fixed APIGateway.1: ERROR. Changed: APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR.',
        'REMEDIATED',
      ],
      [
        ['APIGateway.2'],
        'SKIPPED (nobody (report-only)): APIGateway.2 fails, reported only (no safe automatic fix): no certificate.',
        'SKIPPED',
      ],
    ]);

    hub.resetHistory();
    const compliant = outcomeRecord({
      outcome: 'ALREADY_COMPLIANT',
      trigger: 'cloudtrail',
      findingId: undefined,
      changes: [],
      evaluations: [
        { controlId: 'APIGateway.11', compliance: 'PASSED', reason: 'TLS 1.2', before: 'COMPLIANT' },
      ],
    });
    expect(await recordOutcome(clients(), compliant, {})).toEqual({ imported: 0, updated: 0 });
    expect(hub.calls()).toHaveLength(0);
  });

  it('records a request whose stages could not be listed: FAILED on its finding, or an own finding on the API', async () => {
    const request: RemediationRequest = {
      trigger: 'securityhub',
      account: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      apiType: 'REST',
      apiId: 'a1b2c3d4e5',
      stageName: null,
      controls: ['APIGateway.1'],
      findingId: 'finding-1',
    };
    const failure = (findingId?: string) =>
      toRequestFailureRecord(
        'EXPAND_FAILED',
        { ...request, ...(findingId === undefined ? { findingId: undefined } : { findingId }) },
        { Error: 'AccessDenied', Cause: 'no role' },
        EXECUTION_ARN,
        '1',
        new Date(),
      );
    const { home } = clients();
    let memberAsked = 0;
    const member = async () => {
      memberAsked += 1;
      return new SecurityHubClient({ region: 'us-east-1' });
    };

    expect(await recordRequestFailure({ home, member }, failure('finding-1'))).toEqual({
      imported: 0,
      updated: 1,
    });
    expect(memberAsked).toBe(0);
    const [onFinding] = hub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input);
    expect(onFinding).toMatchObject({
      FindingIdentifiers: [
        { Id: 'finding-1', ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub' },
      ],
      Workflow: { Status: 'NOTIFIED' },
      UserDefinedFields: { outcome: 'FAILED' },
    });
    expect(onFinding?.Note?.Text).toContain('AccessDenied: no role');

    hub.resetHistory();
    expect(await recordRequestFailure({ home, member }, failure())).toEqual({ imported: 1, updated: 0 });
    expect(memberAsked).toBe(1);
    const [imported] = hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
    expect(imported?.Resources?.[0]?.Id).toBe('arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5');
    expect(hub.commandCalls(GetFindingsCommand)[0]?.args[0].input.Filters?.Id).toEqual([
      { Value: imported?.Id, Comparison: 'EQUALS' },
    ]);
    expect(imported?.CreatedAt).toBe(imported?.UpdatedAt);
    // New: Workflow NOTIFIED and the note come with the import, nothing is updated.
    expect(imported?.Workflow).toEqual({ Status: 'NOTIFIED' });
    expect(imported?.Note?.Text).toContain('AccessDenied: no role');
    expect(imported?.UserDefinedFields).toMatchObject({ outcome: 'FAILED' });
    expect(hub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(0);

    // A later failure on the same API keeps when it was first seen, and updates the existing finding.
    hub.resetHistory();
    hub.on(GetFindingsCommand).resolves({
      Findings: [{ Id: imported?.Id, CreatedAt: '2026-09-01T08:05:00.000Z' } as never],
    });
    expect(await recordRequestFailure({ home, member }, failure())).toEqual({ imported: 1, updated: 1 });
    const [again] = hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
    expect(again).toMatchObject({ Id: imported?.Id, CreatedAt: '2026-09-01T08:05:00.000Z' });
    expect(again?.UpdatedAt).not.toBe('2026-09-01T08:05:00.000Z');
    expect(again?.Workflow).toBeUndefined();
    expect(hub.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0].input).toMatchObject({
      FindingIdentifiers: [{ Id: imported?.Id, ProductArn: imported?.ProductArn }],
      Workflow: { Status: 'NOTIFIED' },
    });
  });
});
