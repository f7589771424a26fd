/**
 * The Slack Undo button's request (docs/approvals.md, "Undo"): the approval API starts the
 * remediation state machine with the event remediators/intake/undo.ts reads (source
 * `apigw-remediation.undo`, detail-type `Undo Requested in Slack`), under an execution name
 * derived from the remediation id, so a second click starts no second run. Pure.
 */
import { createHash } from 'node:crypto';
import { formatStageArn } from '../core/arn.js';
import type { Partition } from '../core/types.js';
import { SLACK_UNDO_REQUEST, UNDO_SOURCE, type SlackUndoDetail } from '../intake/undo.js';
import type { Approver } from './contract.js';
import type { ApprovalSubject } from './record.js';

const UNDO_PREFIX = 'undo-';
/**
 * StartExecution `name`: 1 to 80 characters, none of whitespace, `< > { } [ ]`, `? *`,
 * `" # % \ ^ | ~ \` $ & , ; : /` or control characters; for CloudWatch Logs only `0-9 A-Z a-z - _`
 * (Step Functions API reference, StartExecution, Request Parameters, name). A remediation id that
 * fits is used as is; any other (one naming an execution ARN has `:` and `/`) by its digest.
 */
const NAME_LIMIT = 80;
const SAFE_NAME = /^[0-9A-Za-z_-]+$/;

export function undoExecutionName(remediationId: string): string {
  const plain = `${UNDO_PREFIX}${remediationId}`;
  if (plain.length <= NAME_LIMIT && SAFE_NAME.test(remediationId)) return plain;
  return `${UNDO_PREFIX}${createHash('sha256').update(remediationId).digest('hex')}`;
}

export interface SlackUndoEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': typeof SLACK_UNDO_REQUEST;
  readonly source: typeof UNDO_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: SlackUndoDetail;
}

/** The execution input: an EventBridge-shaped event, as the intake reads every request. */
export function slackUndoEnvelope(
  subject: ApprovalSubject,
  requestedBy: Approver,
  at: Date,
): SlackUndoEnvelope {
  return {
    version: '0',
    id: undoExecutionName(subject.remediationId),
    'detail-type': SLACK_UNDO_REQUEST,
    source: UNDO_SOURCE,
    account: subject.account,
    time: at.toISOString(),
    region: subject.region,
    resources: [],
    detail: {
      remediationId: subject.remediationId,
      account: subject.account,
      stageArn: formatStageArn({ ...subject, partition: subject.partition as Partition }),
      controls: [...subject.controls],
      requestedBy: `${requestedBy.name} (${requestedBy.id})`,
    },
  };
}
