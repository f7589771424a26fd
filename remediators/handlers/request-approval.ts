/**
 * Request-approval Lambda: the workflow's approval Task (`lambda:invoke.waitForTaskToken`).
 *
 * Keeps the task token in the approvals table under a short random id and posts the approval
 * request to Slack. The workflow waits until the approval API sends the decision (or times out).
 * Idempotent per remediation and execution: a retried invocation stores its (new) task token on
 * the PENDING approval and updates the message already posted instead of posting another; a
 * decided approval is never reopened (docs/approvals.md, "Retries").
 *
 * The same function settles the approval state's timeout (`{"settle": "TIMEOUT", …}` from the
 * workflow's SettleApprovalTimeout state): a conditional write that competes with a late
 * decision, so the table and the workflow agree on which one won.
 *
 * And, after an approved remediation ended REMEDIATED (`{"offerUndo": "REMEDIATED", …}` from the
 * workflow's OfferUndo state, reached only by runs that had an approval), it updates the approval
 * message with the outcome and an Undo button (docs/approvals.md, "Undo"): this function holds the
 * Slack secret already, so no other function needs it.
 *
 * Environment: APPROVALS_TABLE_NAME, SLACK_SECRET_ARN, APPROVAL_BASE_URL, SLACK_CHANNEL_ID (set by the
 * CDK app; else the bundled `approval.slack.channelId`), optional SLACK_API_BASE_URL.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { deployedConfig } from '../../config/deployed.js';
import type { RemediationConfig } from '../../config/schema.js';
import { hasAllowList } from '../approvals/approvers.js';
import type { ApprovalDecision } from '../approvals/contract.js';
import { readEnvironment, RequestApprovalEnvironmentSchema } from '../approvals/environment.js';
import {
  approvalRequestMessage,
  changeListReplies,
  expiredMessage,
  remediatedMessage,
} from '../approvals/messages.js';
import {
  ApprovalRequestSchema,
  newApprovalRecord,
  requestKey,
  type ApprovalRecord,
} from '../approvals/record.js';
import { approvalLink, newApprovalId } from '../approvals/signed-link.js';
import { createSlackApi, type SlackApi, type SlackMessage } from '../approvals/slack-api.js';
import { slackSecretLoader, type SlackSecret } from '../approvals/slack-secret.js';
import { createApprovalStore, type ApprovalStore } from '../approvals/store.js';
import { logger, metrics } from '../shared/powertools.js';
import { lambdaHandler } from '../shared/handler.js';

export interface RequestApprovalDeps {
  readonly store: ApprovalStore;
  readonly slackSecret: () => Promise<SlackSecret>;
  readonly slackApi: (secret: SlackSecret) => SlackApi;
  readonly approval: RemediationConfig['approval'];
  /** Public base URL of the approval API, for the signed link. */
  readonly baseUrl: string;
  readonly now: () => Date;
}

export interface RequestApprovalResult {
  readonly approvalId: string;
  /**
   * `requested`: first request, message posted. `renewed`: a retry of the same request (same
   * remediation and execution) while PENDING; the stored task token is now this invocation's and
   * the existing message was updated (or posted, if the earlier post had failed).
   */
  readonly outcome: 'requested' | 'renewed';
  readonly slackMessage: { readonly channel: string; readonly ts: string };
}

/**
 * A retry of an approval request that was already decided (or whose decision is being
 * delivered). The decision is never reopened and no message is posted: the workflow fails
 * with this error instead of waiting on a token nobody will answer, or taking the timeout action.
 */
export class ApprovalAlreadyDecidedError extends Error {
  override readonly name = 'ApprovalAlreadyDecided';
}

/** How long one invocation may hold the right to post the message before another takes over. */
export const SLACK_POST_LEASE_SECONDS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseRequest(event: unknown) {
  const parsed = ApprovalRequestSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  // Quote the offending fields but never the task token, a credential for the execution.
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.join('.');
    const received = path === 'taskToken' ? '(redacted)' : JSON.stringify(readPath(event, issue.path));
    return `${path || '(root)'}: ${issue.message} (got ${received})`;
  });
  throw new Error(`invalid ApprovalRequest from the workflow: ${problems.join('; ')}`);
}

function readPath(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (current, key) =>
      current !== null && typeof current === 'object'
        ? (current as Record<PropertyKey, unknown>)[key]
        : undefined,
    value,
  );
}

export function createRequestApprovalHandler(
  deps: RequestApprovalDeps,
): (event: unknown) => Promise<RequestApprovalResult> {
  return async (event) => {
    const request = parseRequest(event);
    const channelId = deps.approval.slack.channelId;
    if (channelId === undefined) {
      // The CDK app refuses to synthesize without a channel; only a hand-made deployment gets here.
      throw new Error(
        'no Slack channel to post the approval request to: set SLACK_CHANNEL_ID or approval.slack.channelId',
      );
    }
    const now = deps.now();
    if (Date.parse(request.expiresAt) <= now.getTime()) {
      throw new Error(
        `ApprovalRequest expiresAt ${request.expiresAt} is not in the future (now ${now.toISOString()})`,
      );
    }
    const fresh = newApprovalRecord(newApprovalId(), request, now);
    const asked = await deps.store.createOrRenew(fresh, requestKey(request));
    const record = asked.record;
    const approvalId = record.approvalId;
    const context = {
      approvalId,
      remediationId: request.remediationId,
      executionArn: request.executionArn,
      requests: record.requests,
    };
    if (asked.outcome === 'decided') {
      logger.warn('approval request retried after its decision: not reopened, no message', {
        ...context,
        decision: record.decision,
        delivery: record.delivery,
      });
      throw alreadyDecided(record);
    }
    if (asked.outcome === 'renewed') {
      logger.warn('approval request retried: same approval, task token replaced', {
        ...context,
        tokenChanged: asked.tokenChanged,
        slackMessage: record.slackMessage,
      });
    }

    const secret = await deps.slackSecret();
    // With an allow-list only a Slack identity can decide, so a link would only disappoint.
    const link = hasAllowList(deps.approval.approvers)
      ? undefined
      : approvalLink(deps.baseUrl, secret.linkSigningKey, {
          approvalId,
          expiresAtEpoch: record.expiresAtEpoch,
        });
    const message = approvalRequestMessage(record.subject, approvalId, link);
    const slack = deps.slackApi(secret);
    const posted = await postOnce(deps, slack, channelId, record, message);
    if (asked.outcome === 'created')
      metrics.singleMetric().addMetric('ApprovalsRequested', MetricUnit.Count, 1);
    else metrics.singleMetric().addMetric('ApprovalRequestsRetried', MetricUnit.Count, 1);

    logger.info(asked.outcome === 'created' ? 'approval requested' : 'approval request renewed', {
      ...context,
      slackMessage: posted,
      expiresAt: request.expiresAt,
    });
    return {
      approvalId,
      outcome: asked.outcome === 'created' ? 'requested' : 'renewed',
      slackMessage: posted,
    };
  };
}

function alreadyDecided(record: ApprovalRecord): ApprovalAlreadyDecidedError {
  const decision = record.decision;
  const what =
    decision === undefined
      ? 'was decided'
      : `was ${decision.decision.toLowerCase()} by ${decision.approver.name || decision.approver.id} at ${decision.decidedAt}`;
  const delivery =
    record.delivery === undefined
      ? ''
      : `; the decision's delivery to the workflow: ${record.delivery.status}${'error' in record.delivery && record.delivery.error ? ` (${record.delivery.error})` : ''}`;
  return new ApprovalAlreadyDecidedError(
    `approval ${record.approvalId} for remediation ${record.subject.remediationId} ${what}${delivery}; ` +
      'a retried request does not reopen it and posts no new message',
  );
}

/**
 * Exactly one Slack message per approval, however many invocations: the existing message is
 * updated; otherwise the invocation holding the posting lease posts, and the others wait for it.
 */
async function postOnce(
  deps: RequestApprovalDeps,
  slack: SlackApi,
  channelId: string,
  initial: ApprovalRecord,
  message: SlackMessage,
): Promise<{ channel: string; ts: string }> {
  const claimId = randomUUID();
  // Wall clock, not deps.now: a lease left by a crashed invocation runs out after this long.
  const giveUpAt = Date.now() + (SLACK_POST_LEASE_SECONDS + 5) * 1000;
  let record: ApprovalRecord | undefined = initial;
  for (;;) {
    if (record === undefined) throw new Error(`approval ${initial.approvalId} vanished from the table`);
    if (record.slackMessage !== undefined) {
      const existing = record.slackMessage;
      if (record !== initial) return existing; // just posted by a concurrent invocation
      // An earlier invocation posted the message but not (all) its thread replies.
      if (record.slackRepliesPosted !== true) await postReplies(deps, slack, record, existing);
      try {
        await slack.updateMessage(existing.channel, existing.ts, message);
      } catch (error) {
        // The message and its buttons still carry the same approval id, which now holds this
        // invocation's token: a failed refresh changes nothing for the approvers.
        logger.warn('could not update the existing Slack message on a retried request', {
          approvalId: record.approvalId,
          slackMessage: existing,
          error,
        });
      }
      return existing;
    }
    if (record.status !== 'PENDING') throw alreadyDecided(record);

    const nowSeconds = Math.floor(deps.now().getTime() / 1000);
    const claim = await deps.store.claimSlackPost(
      record.approvalId,
      claimId,
      nowSeconds,
      SLACK_POST_LEASE_SECONDS,
    );
    if (claim.won) {
      let posted: { channel: string; ts: string };
      try {
        posted = await slack.postMessage(channelId, message);
      } catch (error) {
        await deps.store.releaseSlackPost(record.approvalId, claimId);
        throw error;
      }
      try {
        await deps.store.attachSlackMessage(record.approvalId, posted);
      } catch (error) {
        // Failing here would make the workflow retry and post a second message; without the
        // reference only a link decision cannot update this message, the buttons still work.
        logger.error('could not store the Slack message reference', {
          approvalId: record.approvalId,
          slackMessage: posted,
          error,
        });
      }
      await postReplies(deps, slack, record, posted);
      return posted;
    }
    // Another invocation is posting (or just posted, or someone decided): look again shortly.
    if (Date.now() > giveUpAt) {
      throw new Error(
        `approval ${record.approvalId}: another invocation has been posting the Slack message for over ${SLACK_POST_LEASE_SECONDS} s`,
      );
    }
    if (claim.record?.slackMessage === undefined && claim.record?.status === 'PENDING') await sleep(200);
    record = claim.record ?? (await deps.store.get(record.approvalId));
  }
}

/**
 * The part of the change list the message cannot hold, posted in its thread so that approvers
 * can read every change they approve. A failure fails the invocation: the workflow's retry posts
 * the replies again (duplicates are visible; missing changes would not be).
 */
async function postReplies(
  deps: RequestApprovalDeps,
  slack: SlackApi,
  record: ApprovalRecord,
  message: { channel: string; ts: string },
): Promise<void> {
  const replies = changeListReplies(record.subject);
  if (replies.length === 0) return;
  for (const reply of replies) await slack.postMessage(message.channel, reply, message.ts);
  await deps.store.recordRepliesPosted(record.approvalId);
  logger.info('posted the rest of the change list in the message thread', {
    approvalId: record.approvalId,
    replies: replies.length,
  });
}

/** The deployment's channel (from the environment the CDK app sets) over the bundled file's. */
function withChannel(
  approval: RemediationConfig['approval'],
  channelId: string | undefined,
): RemediationConfig['approval'] {
  return channelId === undefined ? approval : { ...approval, slack: { ...approval.slack, channelId } };
}

/** What the workflow's SettleApprovalTimeout state sends. */
export const SettleTimeoutEventSchema = z.object({
  settle: z.literal('TIMEOUT'),
  remediationId: z.string().min(1),
  executionArn: z.string().min(1),
});

/** What the workflow follows after its approval state timed out (FollowApprovalSettlement). */
export type TimeoutSettlementResult =
  | { readonly outcome: 'EXPIRED' }
  | { readonly outcome: 'APPROVED'; readonly decision: ApprovalDecision }
  /** `cause` is what SendTaskFailure would have carried: the decision as JSON. */
  | { readonly outcome: 'REJECTED'; readonly decision: ApprovalDecision; readonly cause: string };

export function createSettleTimeoutHandler(
  deps: Pick<RequestApprovalDeps, 'store' | 'now' | 'slackSecret' | 'slackApi'>,
): (event: unknown) => Promise<TimeoutSettlementResult> {
  return async (event) => {
    const parsed = SettleTimeoutEventSchema.safeParse(event);
    if (!parsed.success)
      throw new Error(`invalid timeout settlement from the workflow: ${parsed.error.message}`);
    const at = deps.now().toISOString();
    const settlement = await deps.store.settleTimeout(requestKey(parsed.data), at);
    if (settlement.outcome === 'EXPIRED') {
      logger.info('approval timed out; no decision can be claimed any more', {
        ...parsed.data,
        approvalId: settlement.approvalId,
      });
      const message = settlement.record?.slackMessage;
      if (settlement.record !== undefined && message !== undefined) {
        try {
          // The buttons go: the message says what the table says.
          const slack = deps.slackApi(await deps.slackSecret());
          await slack.updateMessage(
            message.channel,
            message.ts,
            expiredMessage(settlement.record.subject, at),
          );
        } catch (error) {
          // A click on the stale buttons is answered "expired… Nothing was decided".
          logger.warn('could not mark the Slack message expired', {
            approvalId: settlement.approvalId,
            error,
          });
        }
      }
      return { outcome: 'EXPIRED' };
    }
    const { record } = settlement;
    const decision = record.decision;
    if (decision === undefined)
      throw new Error(`approval ${record.approvalId} is decided without a decision`);
    logger.warn('a decision won over the approval timeout; the workflow follows it', {
      ...parsed.data,
      approvalId: record.approvalId,
      decision,
      delivery: record.delivery,
    });
    // The workflow reads the decision here: that is its delivery.
    await deps.store.recordDelivery(record.approvalId, { status: 'DELIVERED', at });
    return decision.decision === 'APPROVED'
      ? { outcome: 'APPROVED', decision }
      : { outcome: 'REJECTED', decision, cause: JSON.stringify(decision) };
  };
}

/** What the workflow's OfferUndo state sends: only after an approved remediation ended REMEDIATED. */
export const OfferUndoEventSchema = z.object({
  offerUndo: z.literal('REMEDIATED'),
  remediationId: z.string().min(1),
  executionArn: z.string().min(1),
});

export type OfferUndoResult =
  | { readonly offered: true; readonly approvalId: string }
  | { readonly offered: false; readonly reason: string };

/**
 * Replaces the approval message with the remediated one and its Undo button. Never fails the run
 * over Slack: the remediation is done and recorded; without the button the CLI's `undo` remains.
 */
export function createOfferUndoHandler(
  deps: Pick<RequestApprovalDeps, 'store' | 'slackSecret' | 'slackApi'>,
): (event: unknown) => Promise<OfferUndoResult> {
  return async (event) => {
    const parsed = OfferUndoEventSchema.safeParse(event);
    if (!parsed.success) throw new Error(`invalid undo offer from the workflow: ${parsed.error.message}`);
    const record = await deps.store.getByRequest(requestKey(parsed.data));
    const skip = (reason: string): OfferUndoResult => {
      logger.warn('no Undo button offered', { ...parsed.data, reason });
      return { offered: false, reason };
    };
    if (record === undefined) return skip('no approval record for this remediation and execution');
    const { decision, slackMessage: message } = record;
    if (decision?.decision !== 'APPROVED') return skip('the approval was not approved');
    if (message === undefined) return skip('the approval message was never posted');
    try {
      const slack = deps.slackApi(await deps.slackSecret());
      await slack.updateMessage(
        message.channel,
        message.ts,
        remediatedMessage(record.subject, decision, record.approvalId),
      );
    } catch (error) {
      logger.warn('could not offer Undo on the Slack message', { approvalId: record.approvalId, error });
      return { offered: false, reason: `Slack: ${error instanceof Error ? error.message : String(error)}` };
    }
    logger.info('Undo offered on the approval message', { ...parsed.data, approvalId: record.approvalId });
    return { offered: true, approvalId: record.approvalId };
  };
}

type Configured = {
  readonly request: (event: unknown) => Promise<RequestApprovalResult>;
  readonly settle: (event: unknown) => Promise<TimeoutSettlementResult>;
  readonly offerUndo: (event: unknown) => Promise<OfferUndoResult>;
};
let configured: Configured | undefined;

function fromEnvironment(): Configured {
  const env = readEnvironment(RequestApprovalEnvironmentSchema, process.env, 'request-approval');
  const store = createApprovalStore(new DynamoDBClient({}), env.APPROVALS_TABLE_NAME);
  const requestDeps: RequestApprovalDeps = {
    store,
    slackSecret: slackSecretLoader(new SecretsManagerClient({}), env.SLACK_SECRET_ARN),
    slackApi: (secret) => createSlackApi({ botToken: secret.botToken, baseUrl: env.SLACK_API_BASE_URL }),
    approval: withChannel(deployedConfig().approval, env.SLACK_CHANNEL_ID),
    baseUrl: env.APPROVAL_BASE_URL,
    now: () => new Date(),
  };
  return {
    request: createRequestApprovalHandler(requestDeps),
    settle: createSettleTimeoutHandler(requestDeps),
    offerUndo: createOfferUndoHandler(requestDeps),
  };
}

/** The Undo offer as the Finish task runs it in-process (its function has the approvals' environment too). */
export function offerUndoFromEnvironment(): Configured['offerUndo'] {
  configured ??= fromEnvironment();
  return configured.offerUndo;
}

function isSettlement(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'settle' in event;
}

function isUndoOffer(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'offerUndo' in event;
}

export const handler = lambdaHandler(
  async (event: unknown): Promise<RequestApprovalResult | TimeoutSettlementResult | OfferUndoResult> => {
    configured ??= fromEnvironment();
    if (isUndoOffer(event)) return configured.offerUndo(event);
    return isSettlement(event) ? configured.settle(event) : configured.request(event);
  },
);
