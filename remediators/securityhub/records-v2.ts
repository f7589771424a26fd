/**
 * Thin I/O for the new Security Hub: sends what ./findings-v2.ts builds with BatchUpdateFindingsV2
 * and fails loudly when Security Hub leaves a finding unprocessed (ResourceNotFoundException,
 * ValidationException, InternalServerException or ConflictException per finding), as ./records.ts
 * does for BatchUpdateFindings: a partial update would leave the audit trail silently incomplete.
 *
 * IAM: BatchUpdateFindingsV2 is authorized as `securityhub:BatchUpdateFindings` (the same action
 * as the ASFF call), narrowed with the `securityhub:OCSFSyntaxPath/<field>` condition keys; see
 * infra/central-stack.ts.
 */
import {
  BatchUpdateFindingsV2Command,
  type BatchUpdateFindingsV2CommandInput,
  type OcsfFindingIdentifier,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { OutcomeRecord } from '../workflow/outcome.js';
import type { RequestFailureRecord } from '../workflow/request-failure.js';
import { ocsfFindingIdentifier, outcomeUpdatesV2, ownershipUpdatesV2 } from './findings-v2.js';
import { SecurityHubWriteError, type RecordResult } from './records.js';

function describeIdentifier(identifier: OcsfFindingIdentifier | undefined, metadataUid?: string): string {
  return identifier?.FindingInfoUid ?? metadataUid ?? '?';
}

async function batchUpdateV2(
  client: SecurityHubClient,
  inputs: readonly BatchUpdateFindingsV2CommandInput[],
): Promise<number> {
  let processed = 0;
  for (const input of inputs) {
    const response = await client.send(new BatchUpdateFindingsV2Command(input));
    const unprocessed = response.UnprocessedFindings ?? [];
    if (unprocessed.length > 0) {
      throw new SecurityHubWriteError(
        `BatchUpdateFindingsV2 left ${unprocessed.length} finding(s) unprocessed: ` +
          unprocessed
            .map(
              (finding) =>
                `${describeIdentifier(finding.FindingIdentifier, finding.MetadataUid)} (${finding.ErrorCode ?? 'no code'}: ${finding.ErrorMessage ?? 'no message'})`,
            )
            .join('; '),
      );
    }
    processed += response.ProcessedFindings?.length ?? 0;
  }
  return processed;
}

export async function takeOwnershipV2(
  client: SecurityHubClient,
  findings: readonly OcsfFindingIdentifier[],
  executionArn: string,
): Promise<number> {
  return batchUpdateV2(client, ownershipUpdatesV2(findings, executionArn));
}

/**
 * The outcome of a stage on the OCSF finding that started it. Security Hub re-checks its own
 * control, so nothing is imported: the new Security Hub has no import of customer findings, and
 * the service's own drift findings stay in Security Hub CSPM (ASFF), see docs/decisions/0015.
 */
export async function recordOutcomeV2(
  client: SecurityHubClient,
  record: OutcomeRecord,
): Promise<RecordResult> {
  if (record.findingId === undefined) {
    throw new Error(
      `record of ${record.remediationId}: an OCSF request always names its finding (findingId missing)`,
    );
  }
  const identifier = ocsfFindingIdentifier(record.stage, record.findingId, record.findingProductArn);
  const updated = await batchUpdateV2(client, outcomeUpdatesV2(record, [identifier]));
  return { imported: 0, updated };
}

/** A request that stopped before its stages were known: FAILED on its finding, status In Progress. */
export async function recordRequestFailureV2(
  client: SecurityHubClient,
  record: RequestFailureRecord,
): Promise<RecordResult> {
  const { request } = record;
  if (request.findingId === undefined) {
    throw new Error(
      `record of ${record.remediationId}: an OCSF request always names its finding (findingId missing)`,
    );
  }
  const identifier = ocsfFindingIdentifier(request, request.findingId, request.productArn);
  const updated = await batchUpdateV2(client, outcomeUpdatesV2(record, [identifier], 'NOTIFIED'));
  return { imported: 0, updated };
}
