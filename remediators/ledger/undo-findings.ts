/**
 * An undo (or an exemption) in Security Hub, the auditors' view: each finding the remediation
 * recorded its outcome on gets a note saying what was undone and why, and Workflow SUPPRESSED, so
 * the control failing again is not a NEW finding that starts the remediation again (the intake rule
 * starts work on Workflow NEW only). BatchUpdateFindings takes at most 100 findings per call and a
 * note of at most 512 characters (Security Hub API reference, BatchUpdateFindings; findings.ts).
 * The ledger keeps only the finding ids: their product is AWS's Security Hub in the stage's Region
 * (the findings the controls report), as the record task assumes when intake knew no product ARN.
 */
import {
  BatchUpdateFindingsCommand,
  type BatchUpdateFindingsCommandInput,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { MAX_NOTE_LENGTH, NOTE_AUTHOR, awsProductArn, chunk, truncate } from '../securityhub/findings.js';
import type { Partition } from '../core/types.js';

export interface SuppressInput {
  readonly findingIds: readonly string[];
  readonly partition: Partition;
  readonly region: string;
  /** e.g. `undone by arn:…: APIGateway.3 tracingEnabled true → false; exempt until …`. */
  readonly note: string;
}

export function suppressFindingsRequests(input: SuppressInput): BatchUpdateFindingsCommandInput[] {
  const productArn = awsProductArn(input.partition, input.region);
  return chunk([...new Set(input.findingIds)]).map((ids) => ({
    FindingIdentifiers: ids.map((Id) => ({ Id, ProductArn: productArn })),
    Note: { Text: truncate(input.note, MAX_NOTE_LENGTH), UpdatedBy: NOTE_AUTHOR },
    Workflow: { Status: 'SUPPRESSED' },
  }));
}

export type SuppressResult =
  | { readonly status: 'updated'; readonly updated: number; readonly unprocessed: readonly string[] }
  | { readonly status: 'skipped'; readonly reason: string };

/**
 * Sends the requests. A Security Hub that does not take the call (moto has no Security Hub; a
 * Region where it is not enabled) is reported as skipped with its answer, never as done.
 */
export async function suppressFindings(
  client: SecurityHubClient,
  input: SuppressInput,
): Promise<SuppressResult> {
  if (input.findingIds.length === 0) {
    return { status: 'skipped', reason: 'the remediation names no finding' };
  }
  let updated = 0;
  const unprocessed: string[] = [];
  for (const request of suppressFindingsRequests(input)) {
    try {
      const answer = await client.send(new BatchUpdateFindingsCommand(request));
      updated += answer.ProcessedFindings?.length ?? 0;
      for (const finding of answer.UnprocessedFindings ?? []) {
        unprocessed.push(
          `${finding.FindingIdentifier?.Id ?? '?'}: ${finding.ErrorMessage ?? finding.ErrorCode ?? 'unprocessed'}`,
        );
      }
    } catch (error) {
      return {
        status: 'skipped',
        reason: `Security Hub did not take BatchUpdateFindings in ${input.region} (${whyNotTaken(error)})`,
      };
    }
  }
  return { status: 'updated', updated, unprocessed };
}

/**
 * The error as the reason says it. An answer the SDK could not read (a SyntaxError: the body is not
 * JSON) did not come from Security Hub: the endpoint is something else, e.g. a moto_server, which
 * has no Security Hub and answers with an HTML page. Saying so beats quoting the parser.
 */
function whyNotTaken(error: unknown): string {
  if (error instanceof SyntaxError) {
    const status = (error as { $response?: { statusCode?: number } }).$response?.statusCode;
    return (
      `the endpoint's answer${status === undefined ? '' : ` (HTTP ${status})`} is not Security Hub's: ` +
      'not JSON, as from an endpoint without Security Hub such as moto_server'
    );
  }
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return `${name}: ${message.slice(0, 200)}`;
}
