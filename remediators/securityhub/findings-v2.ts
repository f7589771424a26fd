/**
 * Pure builders of what the service writes to the new AWS Security Hub (OCSF findings) with
 * BatchUpdateFindingsV2. The I/O is in ./records-v2.ts; the ASFF twins are in ./findings.ts, whose
 * note builder this reuses so a finding reads the same (outcome, approver, reason, before → after,
 * execution) in either console.
 *
 * BatchUpdateFindingsV2 (Security Hub API reference; botocore's service model): the findings are
 * named either by `MetadataUids` or by `FindingIdentifiers` (CloudAccountUid = cloud.account.uid,
 * FindingInfoUid = finding_info.uid, MetadataProductUid = metadata.product.uid), never both; at most
 * 100 of either per call; `Comment` 1 to 512 characters (pattern `.*\S.*`); `StatusId` one of 0, 1,
 * 2, 3, 4, 5, 99 (the OCSF status_id: 1 New, 2 In Progress, 3 Suppressed, 4 Resolved, 5 Archived).
 * There are no user-defined fields: the comment carries everything. Updates do not change the
 * finding's modified time; should an update come back as a "Findings Imported V2" event, the rule
 * (status New only) does not match it once the status is In Progress.
 */
import type { BatchUpdateFindingsV2CommandInput, OcsfFindingIdentifier } from '@aws-sdk/client-securityhub';
import type { Partition } from '../core/types.js';
import { buildNote, chunk, truncate, workflowStatus, type NoteSource } from './findings.js';

export const MAX_V2_FINDINGS_PER_CALL = 100;
export const MAX_V2_COMMENT_LENGTH = 512;

/** The OCSF status_id values the service writes. */
export const OCSF_STATUS = {
  /** Taken over, or a human still has to act: the V2 counterpart of ASFF Workflow NOTIFIED. */
  IN_PROGRESS: 2,
  /** Nothing left to do: the counterpart of ASFF Workflow RESOLVED. */
  RESOLVED: 4,
} as const;
export type OcsfStatusId = (typeof OCSF_STATUS)[keyof typeof OCSF_STATUS];

/**
 * ASFF Workflow status to OCSF status_id. NOTIFIED maps to In Progress, never back to New: New is
 * what the rule starts from, so a failed run would start itself again.
 */
export const OCSF_STATUS_OF_WORKFLOW: Readonly<Record<'RESOLVED' | 'NOTIFIED', OcsfStatusId>> = {
  RESOLVED: OCSF_STATUS.RESOLVED,
  NOTIFIED: OCSF_STATUS.IN_PROGRESS,
};

/** Security Hub's own controls product in the new Security Hub, in a Region. */
export function awsProductV2Uid(partition: Partition, region: string): string {
  return `arn:${partition}:securityhub:${region}::productv2/aws/securityhub`;
}

/** The finding a request names, as BatchUpdateFindingsV2 takes it (see the module comment). */
export function ocsfFindingIdentifier(
  finding: { readonly account: string; readonly partition: Partition; readonly region: string },
  findingInfoUid: string,
  productUid: string | undefined,
): OcsfFindingIdentifier {
  return {
    CloudAccountUid: finding.account,
    FindingInfoUid: findingInfoUid,
    MetadataProductUid: productUid ?? awsProductV2Uid(finding.partition, finding.region),
  };
}

function commentOf(text: string): string {
  // The Comment pattern is `.*\S.*`: never empty or blank (every note here has text).
  return truncate(text, MAX_V2_COMMENT_LENGTH);
}

/** Taking ownership: status In Progress, so the rule (status New only) does not start again. */
export function ownershipUpdatesV2(
  findings: readonly OcsfFindingIdentifier[],
  executionArn: string,
): BatchUpdateFindingsV2CommandInput[] {
  return chunk(findings, MAX_V2_FINDINGS_PER_CALL).map((identifiers) => ({
    FindingIdentifiers: identifiers,
    StatusId: OCSF_STATUS.IN_PROGRESS,
    Comment: commentOf(`apigw-remediation is working on this finding. Execution: ${executionArn}`),
  }));
}

/** The outcome on the given findings: status and the same note as the ASFF finding gets. */
export function outcomeUpdatesV2(
  record: NoteSource,
  findings: readonly OcsfFindingIdentifier[],
  status: 'RESOLVED' | 'NOTIFIED' = workflowStatus(record.outcome),
): BatchUpdateFindingsV2CommandInput[] {
  const comment = commentOf(buildNote(record));
  return chunk(findings, MAX_V2_FINDINGS_PER_CALL).map((identifiers) => ({
    FindingIdentifiers: identifiers,
    StatusId: OCSF_STATUS_OF_WORKFLOW[status],
    Comment: comment,
  }));
}
