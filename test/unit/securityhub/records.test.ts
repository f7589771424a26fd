import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  recordOutcome,
  SecurityHubWriteError,
  takeOwnership,
} from '../../../remediators/securityhub/records.js';
import { EXECUTION_ARN, outcomeRecord } from '../workflow/fixtures.js';

const hub = mockClient(SecurityHubClient);
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
  });

  it('imports and then updates findings of its own when there is no AWS finding', async () => {
    const withoutFinding = outcomeRecord({ trigger: 'cloudtrail', findingId: undefined });
    const result = await recordOutcome(clients(), withoutFinding, {});
    expect(result).toEqual({ imported: 1, updated: 1 });
    const imported = hub.commandCalls(BatchImportFindingsCommand)[0]?.args[0].input.Findings ?? [];
    const updated = hub.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0].input.FindingIdentifiers ?? [];
    expect(updated).toEqual(imported.map((finding) => ({ Id: finding.Id, ProductArn: finding.ProductArn })));
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
    const updates = hub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input);
    expect(
      updates.map((update) => [
        update.Workflow?.Status,
        update.FindingIdentifiers?.map((finding) => finding.Id),
      ]),
    ).toEqual([
      ['RESOLVED', [expect.stringContaining('apigw-remediation/APIGateway.1/')]],
      ['NOTIFIED', [expect.stringContaining('apigw-remediation/APIGateway.2/')]],
    ]);
  });

  it('fails loudly when Security Hub leaves a finding unprocessed', async () => {
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
      ),
    ).rejects.toThrow(
      new SecurityHubWriteError(
        'BatchUpdateFindings left 1 finding(s) unprocessed: finding-1 (FindingNotFound: gone)',
      ),
    );
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
});
