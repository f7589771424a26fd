/**
 * What the approvals table holds for one approval request, and the zod schemas that validate
 * what crosses a boundary: the workflow's request and the record read back from DynamoDB.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ControlIdSchema } from '../core/control-id.js';
import type { ApprovalDecision, ApprovalRequest } from './contract.js';

const isoTime = z.iso.datetime({ offset: true });
const settingValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ApprovalRequestSchema = z.object({
  taskToken: z.string().min(1).max(2048),
  kind: z.literal('undo').optional(),
  remediationId: z.string().min(1),
  executionArn: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS Region such as us-east-1'),
  partition: z.string().min(1),
  apiType: z.enum(['REST', 'V2']),
  apiId: z.string().min(1),
  apiName: z.string(),
  stageName: z.string().min(1),
  controls: z.array(ControlIdSchema).min(1).readonly(),
  changes: z
    .array(
      z.object({
        controlId: ControlIdSchema,
        setting: z.string().min(1),
        before: settingValue,
        after: settingValue,
      }),
    )
    .min(1, 'an approval needs at least one change to approve')
    .readonly(),
  requestedAt: isoTime,
  expiresAt: isoTime,
  iac: z
    .object({
      ownerText: z.string().min(1),
      drift: z.string().min(1).optional(),
      sourceFixes: z
        .array(z.object({ controlId: ControlIdSchema, tool: z.string().min(1), change: z.string().min(1) }))
        .readonly(),
    })
    .optional(),
}) satisfies z.ZodType<ApprovalRequest>;

/** The request as shown to approvers: everything but the task token, which never leaves the table. */
export type ApprovalSubject = Omit<ApprovalRequest, 'taskToken'>;

export const ApprovalDecisionSchema = z.object({
  decision: z.enum(['APPROVED', 'REJECTED']),
  approver: z.object({ id: z.string().min(1), name: z.string() }),
  decidedAt: isoTime,
  comment: z.string().optional(),
  channel: z.enum(['slack', 'link']),
}) satisfies z.ZodType<ApprovalDecision>;

/**
 * Where handing the decision to Step Functions stands (docs/approvals.md, "Delivery"). The decision
 * itself is final once claimed; only this changes, and only away from PENDING:
 * - PENDING: not confirmed yet (never tried, or every attempt ended without an answer that proves
 *   anything: a reset connection, a timeout, a 5xx). The next click and the re-drive sweep retry.
 * - DELIVERED: Step Functions confirmed it (SendTask answered), or the execution history shows the
 *   approval task ended with exactly this decision.
 * - EXECUTION_FINISHED: the token no longer works, the execution has ended and its history does
 *   not show this decision: the workflow never acted on it (`executionStatus` says how it ended).
 */
export const DeliverySchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('PENDING'),
    /** Attempts that ended without a proof either way; more than 0 makes a token error ambiguous. */
    attempts: z.number().int().nonnegative(),
    lastError: z.string().optional(),
    at: isoTime,
  }),
  z.object({ status: z.literal('DELIVERED'), attempts: z.number().int().positive().optional(), at: isoTime }),
  z.object({
    status: z.literal('EXECUTION_FINISHED'),
    attempts: z.number().int().positive().optional(),
    /** DescribeExecution status: SUCCEEDED, FAILED, TIMED_OUT, ABORTED (or PENDING_REDRIVE). */
    executionStatus: z.string(),
    /** The SendTask error that led to the look-up (TaskTimedOut, TaskDoesNotExist, InvalidToken). */
    error: z.string(),
    at: isoTime,
  }),
  /** Written before decision record 0014 when a SendTask answered TaskTimedOut & co.; read as final. */
  z.object({ status: z.literal('WORKFLOW_GONE'), error: z.string().optional(), at: isoTime }),
]);
export type Delivery = z.infer<typeof DeliverySchema>;

export const ApprovalRecordSchema = z.object({
  approvalId: z.string(),
  /** EXPIRED: the workflow's approval timeout won over any decision (store.settleTimeout). */
  status: z.enum(['PENDING', 'DECIDED', 'EXPIRED']),
  taskToken: z.string(),
  subject: ApprovalRequestSchema.omit({ taskToken: true }),
  expiresAt: isoTime,
  expiresAtEpoch: z.number().int(),
  /** DynamoDB TTL attribute (epoch seconds): the record is kept a while after expiry for support. */
  ttl: z.number().int(),
  createdAt: isoTime,
  slackMessage: z.object({ channel: z.string(), ts: z.string() }).optional(),
  /** The change list's thread replies (when the message cannot hold every change) were posted. */
  slackRepliesPosted: z.boolean().optional(),
  /** Lease of the invocation posting the Slack message right now, so concurrent ones do not post too. */
  slackPost: z.object({ claimId: z.string(), untilEpoch: z.number().int() }).optional(),
  /** How many request-approval invocations asked for this approval (1 + Step Functions/Lambda retries). */
  requests: z.number().int().optional(),
  /** When a retried invocation last stored its task token. */
  renewedAt: isoTime.optional(),
  /** When the workflow's timeout settled the approval as EXPIRED. */
  expiredAt: isoTime.optional(),
  decision: ApprovalDecisionSchema.optional(),
  /** Set together with `decision` by the claim, in the same conditional write. */
  delivery: DeliverySchema.optional(),
  /** The delivery status the Slack message shows now; the sweep updates the message until it matches. */
  slackShows: z.enum(['PENDING', 'DELIVERED', 'EXECUTION_FINISHED', 'WORKFLOW_GONE']).optional(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;

/**
 * The partition key of the unique guard item for one approval request: one per remediation and
 * execution, pointing at the approval record. It never matches the approval id pattern, so no
 * button or link can address it.
 */
export function requestKey(request: Pick<ApprovalRequest, 'remediationId' | 'executionArn'>): string {
  const digest = createHash('sha256')
    .update(`${request.executionArn}\n${request.remediationId}`)
    .digest('base64url');
  return `request#${digest}`;
}

/** How long a record stays in the table after it expires (TTL), so support can still read it. */
export const RECORD_RETENTION_AFTER_EXPIRY_SECONDS = 7 * 24 * 3600;

export function newApprovalRecord(approvalId: string, request: ApprovalRequest, now: Date): ApprovalRecord {
  const { taskToken, ...subject } = request;
  const expiresAtEpoch = Math.floor(Date.parse(request.expiresAt) / 1000);
  return {
    approvalId,
    status: 'PENDING',
    taskToken,
    subject,
    expiresAt: request.expiresAt,
    expiresAtEpoch,
    ttl: expiresAtEpoch + RECORD_RETENTION_AFTER_EXPIRY_SECONDS,
    createdAt: now.toISOString(),
  };
}
