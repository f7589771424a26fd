/**
 * Thin I/O for the new Security Hub: sends what ./findings-v2.ts builds with BatchUpdateFindingsV2
 * and fails loudly when Security Hub leaves a finding unprocessed (ResourceNotFoundException,
 * ValidationException, InternalServerException or ConflictException per finding), as ./records.ts
 * does for BatchUpdateFindings: a partial update would leave the audit trail silently incomplete.
 * As there, a finding left unprocessed for a passing reason is sent again first (UNPROCESSED_RETRY).
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
import type { RetryTuning } from '../core/clients.js';
import type { OutcomeRecord } from '../workflow/outcome.js';
import type { RequestFailureRecord } from '../workflow/request-failure.js';
import { ocsfFindingIdentifier, outcomeUpdatesV2, ownershipUpdatesV2 } from './findings-v2.js';
import {
  SecurityHubWriteError,
  UNPROCESSED_RETRY,
  type RecordedFinding,
  type RecordResult,
} from './records.js';
import { sendUntilProcessed } from './unprocessed.js';

/**
 * BatchUpdateFindingsV2UnprocessedFinding.ErrorCode (Security Hub API Reference): ConflictException
 * (a concurrent update of the same finding, e.g. the ASFF twin's ownership reaching the new
 * Security Hub) and InternalServerException pass; ResourceNotFoundException and
 * ValidationException would fail again (the finding is Security Hub's own, never imported here).
 */
const RETRYABLE_UNPROCESSED_V2 = new Set(['ConflictException', 'InternalServerException']);

function describeIdentifier(identifier: OcsfFindingIdentifier | undefined, metadataUid?: string): string {
  return identifier?.FindingInfoUid ?? metadataUid ?? '?';
}

async function batchUpdateV2(
  client: SecurityHubClient,
  inputs: readonly BatchUpdateFindingsV2CommandInput[],
  retry: RetryTuning,
): Promise<number> {
  let processed = 0;
  for (const input of inputs) {
    processed += await sendUntilProcessed(
      input.FindingIdentifiers,
      async (FindingIdentifiers) => {
        const response = await client.send(
          new BatchUpdateFindingsV2Command({ ...input, FindingIdentifiers }),
        );
        return {
          processed: response.ProcessedFindings?.length ?? 0,
          unprocessed: response.UnprocessedFindings ?? [],
        };
      },
      {
        retryable: RETRYABLE_UNPROCESSED_V2,
        retry,
        failure: (unprocessed, attempts) =>
          new SecurityHubWriteError(
            `BatchUpdateFindingsV2 left ${unprocessed.length} finding(s) unprocessed` +
              (attempts > 1 ? ` after ${attempts} attempts` : '') +
              ': ' +
              unprocessed
                .map(
                  (finding) =>
                    `${describeIdentifier(finding.FindingIdentifier, finding.MetadataUid)} (${finding.ErrorCode ?? 'no code'}: ${finding.ErrorMessage ?? 'no message'})`,
                )
                .join('; '),
            unprocessed.flatMap((finding) =>
              finding.FindingIdentifier === undefined ? [] : [finding.FindingIdentifier],
            ),
          ),
      },
    );
  }
  return processed;
}

export async function takeOwnershipV2(
  client: SecurityHubClient,
  findings: readonly OcsfFindingIdentifier[],
  executionArn: string,
  retry: RetryTuning = UNPROCESSED_RETRY,
): Promise<number> {
  return batchUpdateV2(client, ownershipUpdatesV2(findings, executionArn), retry);
}

/**
 * The outcome of a stage on the OCSF finding that started it. Security Hub re-checks its own
 * control, so nothing is imported: the new Security Hub has no import of customer findings, and
 * the service's own drift findings stay in Security Hub CSPM (ASFF), see docs/decisions/0015.
 */
export async function recordOutcomeV2(
  client: SecurityHubClient,
  record: OutcomeRecord,
  retry: RetryTuning = UNPROCESSED_RETRY,
): Promise<RecordResult> {
  if (record.findingId === undefined) {
    throw new Error(
      `record of ${record.remediationId}: an OCSF request always names its finding (findingId missing)`,
    );
  }
  const finding = { findingId: record.findingId, productArn: record.findingProductArn };
  return { imported: 0, updated: await recordOutcomeV2OnFindings(client, record, [finding], retry) };
}

/** One record on many OCSF findings (as records.ts recordOutcomeOnFindings): ≤ 100 per BatchUpdateFindingsV2. */
export async function recordOutcomeV2OnFindings(
  client: SecurityHubClient,
  record: OutcomeRecord,
  findings: readonly RecordedFinding[],
  retry: RetryTuning = UNPROCESSED_RETRY,
): Promise<number> {
  if (findings.length === 0) return 0;
  const identifiers = findings.map((finding) =>
    ocsfFindingIdentifier(record.stage, finding.findingId, finding.productArn),
  );
  return batchUpdateV2(client, outcomeUpdatesV2(record, identifiers), retry);
}

/** A request that stopped before its stages were known: FAILED on its finding, status In Progress. */
export async function recordRequestFailureV2(
  client: SecurityHubClient,
  record: RequestFailureRecord,
  retry: RetryTuning = UNPROCESSED_RETRY,
): Promise<RecordResult> {
  const { request } = record;
  if (request.findingId === undefined) {
    throw new Error(
      `record of ${record.remediationId}: an OCSF request always names its finding (findingId missing)`,
    );
  }
  const identifier = ocsfFindingIdentifier(request, request.findingId, request.productArn);
  const updated = await batchUpdateV2(client, outcomeUpdatesV2(record, [identifier], 'NOTIFIED'), retry);
  return { imported: 0, updated };
}
