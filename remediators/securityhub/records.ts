/**
 * Thin I/O: sends what ./findings.ts builds and fails loudly when Security Hub refuses part of
 * it (a partial update would leave the audit trail silently incomplete).
 */
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  type AwsSecurityFindingIdentifier,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { ControlId } from '../core/types.js';
import type { OutcomeRecord } from '../workflow/outcome.js';
import {
  awsProductArn,
  chunk,
  outcomeUpdates,
  ownFindings,
  ownershipUpdates,
  workflowStatus,
} from './findings.js';

export class SecurityHubWriteError extends Error {
  override readonly name = 'SecurityHubWriteError';
}

async function batchUpdate(
  client: SecurityHubClient,
  inputs: ReturnType<typeof ownershipUpdates>,
): Promise<number> {
  let processed = 0;
  for (const input of inputs) {
    const response = await client.send(new BatchUpdateFindingsCommand(input));
    const unprocessed = response.UnprocessedFindings ?? [];
    if (unprocessed.length > 0) {
      throw new SecurityHubWriteError(
        `BatchUpdateFindings left ${unprocessed.length} finding(s) unprocessed: ` +
          unprocessed
            .map(
              (finding) =>
                `${finding.FindingIdentifier?.Id ?? '?'} (${finding.ErrorCode}: ${finding.ErrorMessage})`,
            )
            .join('; '),
      );
    }
    processed += response.ProcessedFindings?.length ?? 0;
  }
  return processed;
}

/** The finding a Security Hub trigger names: intake's ProductArn, else AWS's own product in the Region. */
export function findingIdentifier(
  stage: Pick<OutcomeRecord['stage'], 'partition' | 'region'>,
  findingId: string,
  productArn: string | undefined,
): AwsSecurityFindingIdentifier {
  return { Id: findingId, ProductArn: productArn ?? awsProductArn(stage.partition, stage.region) };
}

export async function takeOwnership(
  client: SecurityHubClient,
  findings: readonly AwsSecurityFindingIdentifier[],
  executionArn: string,
): Promise<number> {
  return batchUpdate(client, ownershipUpdates(findings, executionArn));
}

export interface SecurityHubClients {
  /** The home (administrator) account: updates findings of every member account. */
  readonly home: SecurityHubClient;
  /** The stage's own account: BatchImportFindings only accepts findings of the calling account. */
  readonly member: SecurityHubClient;
}

export interface RecordResult {
  readonly imported: number;
  readonly updated: number;
}

/**
 * A Security Hub trigger: update its finding. Any other trigger: import the service's own
 * findings for the stage (at most 100 per call), then update them
 * the same way, so every outcome reads alike in Security Hub.
 */
export async function recordOutcome(
  clients: SecurityHubClients,
  record: OutcomeRecord,
  titles: Readonly<Partial<Record<ControlId, string>>>,
): Promise<RecordResult> {
  if (record.findingId !== undefined) {
    const updated = await batchUpdate(
      clients.home,
      outcomeUpdates(record, [findingIdentifier(record.stage, record.findingId, record.findingProductArn)]),
    );
    return { imported: 0, updated };
  }
  const findings = ownFindings(record, titles);
  let imported = 0;
  for (const batch of chunk(findings)) {
    const response = await clients.member.send(new BatchImportFindingsCommand({ Findings: batch }));
    if ((response.FailedCount ?? 0) > 0) {
      throw new SecurityHubWriteError(
        `BatchImportFindings refused ${response.FailedCount} finding(s): ` +
          (response.FailedFindings ?? [])
            .map((failed) => `${failed.Id} (${failed.ErrorCode}: ${failed.ErrorMessage})`)
            .join('; '),
      );
    }
    imported += response.SuccessCount ?? batch.length;
  }
  let updated = 0;
  for (const status of ['RESOLVED', 'NOTIFIED'] as const) {
    const identifiers = findings
      // ownFindings builds one finding per evaluation, in order.
      .filter(
        (_finding, index) => workflowStatus(record.outcome, record.evaluations[index]?.compliance) === status,
      )
      .map((finding) => ({ Id: finding.Id, ProductArn: finding.ProductArn }));
    if (identifiers.length > 0)
      updated += await batchUpdate(clients.home, outcomeUpdates(record, identifiers, status));
  }
  return { imported, updated };
}
