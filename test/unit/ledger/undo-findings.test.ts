/**
 * The Security Hub side of an undo (moto has no Security Hub): the BatchUpdateFindings requests —
 * at most 100 findings each, AWS's product ARN in the stage's Region, a note of at most 512
 * characters, Workflow SUPPRESSED — and what a Security Hub that refuses the call is reported as.
 */
import {
  BatchUpdateFindingsCommand,
  SecurityHubClient,
  type BatchUpdateFindingsCommandInput,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { suppressFindings, suppressFindingsRequests } from '../../../remediators/ledger/undo-findings.js';

const ids = Array.from(
  { length: 130 },
  (_, index) => `arn:aws:securityhub:eu-west-1:111122223333:finding/${index}`,
);

describe('suppressFindingsRequests', () => {
  it('chunks by 100, names the AWS product of the Region, suppresses with a note cut to 512 characters', () => {
    const requests = suppressFindingsRequests({
      findingIds: [...ids, ids[0] ?? ''],
      partition: 'aws',
      region: 'eu-west-1',
      note: 'x'.repeat(600),
    });
    expect(requests.map((request) => request.FindingIdentifiers?.length)).toEqual([100, 30]);
    expect(requests[0]?.FindingIdentifiers?.[0]).toEqual({
      Id: ids[0],
      ProductArn: 'arn:aws:securityhub:eu-west-1::product/aws/securityhub',
    });
    expect(requests[0]?.Workflow).toEqual({ Status: 'SUPPRESSED' });
    expect(requests[0]?.Note?.Text?.length).toBe(512);
    expect(requests[0]?.Note?.UpdatedBy).toBe('apigw-remediation');
  });
});

describe('suppressFindings', () => {
  it('sends every request and counts the processed findings', async () => {
    const securityHub = mockClient(SecurityHubClient);
    securityHub.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) => ({
      ProcessedFindings: input.FindingIdentifiers,
      UnprocessedFindings: [],
    }));
    const result = await suppressFindings(new SecurityHubClient({ region: 'eu-west-1' }), {
      findingIds: ids,
      partition: 'aws',
      region: 'eu-west-1',
      note: 'UNDONE',
    });
    expect(result).toEqual({ status: 'updated', updated: 130, unprocessed: [] });
    expect(securityHub.commandCalls(BatchUpdateFindingsCommand)).toHaveLength(2);
    securityHub.restore();
  });

  it('reports a Security Hub that does not take the call as skipped, with its answer', async () => {
    const securityHub = mockClient(SecurityHubClient);
    securityHub
      .on(BatchUpdateFindingsCommand)
      .rejects(Object.assign(new Error('not implemented'), { name: 'NotImplemented' }));
    const result = await suppressFindings(new SecurityHubClient({ region: 'eu-west-1' }), {
      findingIds: ids.slice(0, 1),
      partition: 'aws',
      region: 'eu-west-1',
      note: 'UNDONE',
    });
    expect(result).toEqual({
      status: 'skipped',
      reason: 'Security Hub did not take BatchUpdateFindings in eu-west-1 (NotImplemented: not implemented)',
    });
    // An answer that is not Security Hub's (moto_server's HTML page): said so, not the parser's words.
    securityHub.on(BatchUpdateFindingsCommand).rejects(
      Object.assign(new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`), {
        $response: { statusCode: 404 },
      }),
    );
    expect(
      await suppressFindings(new SecurityHubClient({ region: 'eu-west-1' }), {
        findingIds: ids.slice(0, 1),
        partition: 'aws',
        region: 'eu-west-1',
        note: 'UNDONE',
      }),
    ).toEqual({
      status: 'skipped',
      reason:
        "Security Hub did not take BatchUpdateFindings in eu-west-1 (the endpoint's answer (HTTP 404) is not " +
        "Security Hub's: not JSON, as from an endpoint without Security Hub such as moto_server)",
    });
    expect(
      await suppressFindings(new SecurityHubClient({ region: 'eu-west-1' }), {
        findingIds: [],
        partition: 'aws',
        region: 'eu-west-1',
        note: 'x',
      }),
    ).toEqual({ status: 'skipped', reason: 'the remediation names no finding' });
    securityHub.restore();
  });
});
