/**
 * Pure: a request that stopped before any stage was worked on, as a record an operator sees.
 *
 * - OWNERSHIP_NOT_TAKEN: Security Hub refused the Workflow NOTIFIED update of the request's finding
 *   (so it cannot be written there either): notified and counted as a record failure.
 * - EXPAND_FAILED: the stages of the request's API could not be listed: FAILED on the request's
 *   finding, or (CloudTrail drift, no finding) a finding of the service's own on the API.
 * - ADMIT_FAILED: the admit task failed past its retries, for the whole batch: FAILED on the finding
 *   of each request that has one (its note may still say that apigw-remediation is working on it).
 */
import type { CaughtError, RemediationRequest } from './state.js';
import { causeMessage } from './outcome.js';

export const REQUEST_FAILURE_KINDS = ['OWNERSHIP_NOT_TAKEN', 'EXPAND_FAILED'] as const;
export type RequestFailureKind = (typeof REQUEST_FAILURE_KINDS)[number];

/** What a record can say stopped a request: its own failure, or its batch's admit task's. */
export type RecordedFailureKind = RequestFailureKind | 'ADMIT_FAILED';

export interface RequestFailureRecord {
  readonly kind: RecordedFailureKind;
  readonly outcome: 'FAILED';
  readonly remediationId: string;
  readonly executionArn: string;
  readonly request: RemediationRequest;
  readonly approver: string;
  readonly reason: string;
  readonly changes: readonly [];
  readonly serviceVersion: string;
  /** ISO-8601 */
  readonly recordedAt: string;
}

function reasonOf(kind: RecordedFailureKind, request: RemediationRequest, error: CaughtError): string {
  const cause = `${error.Error}: ${causeMessage(error.Cause)}`;
  switch (kind) {
    case 'OWNERSHIP_NOT_TAKEN':
      return `Security Hub refused to take ownership of finding ${request.findingId ?? '(none)'} (Workflow NOTIFIED), so nothing was checked or changed: ${cause}`;
    case 'EXPAND_FAILED':
      return `the stages of API ${request.apiId} could not be listed, so none was checked: ${cause}`;
    case 'ADMIT_FAILED':
      return `the batch this finding arrived in could not be admitted, so nothing was checked or changed: ${cause}`;
  }
}

export function toRequestFailureRecord(
  kind: RecordedFailureKind,
  request: RemediationRequest,
  error: CaughtError,
  executionArn: string,
  serviceVersion: string,
  now: Date,
): RequestFailureRecord {
  return {
    kind,
    outcome: 'FAILED',
    remediationId: `${executionArn}/${request.apiId}/${request.stageName ?? '*'}`,
    executionArn,
    request,
    approver: 'nobody (the request stopped before any stage was checked)',
    reason: reasonOf(kind, request, error),
    changes: [],
    serviceVersion,
    recordedAt: now.toISOString(),
  };
}
