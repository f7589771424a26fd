/**
 * Approval API Lambda: one handler behind the approval REST API (Lambda proxy integration).
 *
 * - POST /slack/interactions   Slack interactivity (Approve / Reject buttons), Slack-signed.
 * - GET  /approvals/{id}?exp=&sig=   signed link: renders a confirmation page, never acts.
 * - POST /approvals/{id}?exp=&sig=   the page's form (CSRF-protected): acts.
 *
 * Slack wants an answer within 3 s. The decision itself (one DynamoDB read, one conditional
 * write, one SendTask call) is done inline, well within that; the message update through
 * response_url runs inline too, with a short timeout, and a failure there is logged, never
 * undoes the decision.
 *
 * Environment: APPROVALS_TABLE_NAME, SLACK_SECRET_ARN, optional SLACK_API_BASE_URL.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { deployedConfig } from '../../config/deployed.js';
import type { RemediationConfig } from '../../config/schema.js';
import { approverGate, hasAllowList, LINK_APPROVER_ID } from '../approvals/approvers.js';
import { decide, precheck, type DecisionOutcome } from '../approvals/decide.js';
import { ApprovalApiEnvironmentSchema, readEnvironment } from '../approvals/environment.js';
import { cookie, header, rawBody, route, type ApprovalApiEvent } from '../approvals/http.js';
import { decidedMessage, outcomeSentence } from '../approvals/messages.js';
import { confirmationPage, FORBIDDEN_PAGE, htmlResponse, messagePage } from '../approvals/page.js';
import {
  csrfToken,
  isCsrfNonce,
  newCsrfNonce,
  verifyApprovalLink,
  verifyCsrfToken,
  type LinkCheck,
} from '../approvals/signed-link.js';
import { createSlackApi, type SlackApi } from '../approvals/slack-api.js';
import { parseInteraction, type ButtonClick } from '../approvals/slack-interactivity.js';
import { slackSecretLoader, type SlackSecret } from '../approvals/slack-secret.js';
import { verifySlackSignature } from '../approvals/slack-signature.js';
import { createApprovalStore, type ApprovalStore } from '../approvals/store.js';
import { logger, metrics } from '../shared/powertools.js';
import { traceClient } from '../shared/tracing.js';

export const CSRF_COOKIE = 'approval_csrf';

export interface ApprovalApiDeps {
  readonly store: ApprovalStore;
  readonly sfn: SFNClient;
  readonly slackSecret: () => Promise<SlackSecret>;
  readonly slackApi: (secret: SlackSecret) => SlackApi;
  readonly approval: RemediationConfig['approval'];
  readonly now: () => Date;
}

type Handler = (event: ApprovalApiEvent) => Promise<APIGatewayProxyResult>;

const DecisionForm = z.object({
  decision: z.enum(['APPROVED', 'REJECTED'], { error: 'decision must be APPROVED or REJECTED' }),
  comment: z
    .string()
    .max(500, 'a comment has at most 500 characters')
    .transform((comment) => comment.trim())
    .optional(),
});

const TITLES: Readonly<Record<DecisionOutcome['kind'], string>> = {
  decided: 'Decision recorded',
  'already-decided': 'Already decided',
  expired: 'This approval request has expired',
  'not-found': 'Approval request not found',
  'not-allowed': 'Not an approver',
  'workflow-gone': 'The workflow is no longer waiting',
  'delivery-failed': 'Please try again',
};

const STATUS: Readonly<Record<DecisionOutcome['kind'], number>> = {
  decided: 200,
  'already-decided': 409,
  expired: 410,
  'not-found': 410,
  'not-allowed': 403,
  'workflow-gone': 409,
  'delivery-failed': 503,
};

function outcomePage(outcome: DecisionOutcome): APIGatewayProxyResult {
  return htmlResponse(STATUS[outcome.kind], messagePage(TITLES[outcome.kind], outcomeSentence(outcome)));
}

/** One data point per decision attempt, by outcome and channel (dashboards: who decides how, and how often too late). */
function countOutcome(outcome: DecisionOutcome, channel: 'slack' | 'link'): void {
  const metric = metrics.singleMetric();
  metric.addDimension('Outcome', outcome.kind);
  metric.addDimension('Channel', channel);
  metric.addMetric('ApprovalDecisions', MetricUnit.Count, 1);
}

/** Refused requests (bad Slack signature, tampered link, CSRF): a rise means someone is probing. */
function countRefusal(reason: string): void {
  const metric = metrics.singleMetric();
  metric.addDimension('Reason', reason);
  metric.addMetric('ApprovalRequestsRefused', MetricUnit.Count, 1);
}

const plain = (statusCode: number, body: string): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body,
});

export function createApprovalApiHandler(deps: ApprovalApiDeps): Handler {
  const mayDecide = approverGate(deps.approval.approvers, async (userGroupId) =>
    deps.slackApi(await deps.slackSecret()).userGroupMembers(userGroupId),
  );
  const decisionDeps = { store: deps.store, sfn: deps.sfn, mayDecide, now: deps.now };
  const nowSeconds = () => Math.floor(deps.now().getTime() / 1000);

  async function answerSlack(slack: SlackApi, click: ButtonClick, outcome: DecisionOutcome): Promise<void> {
    if (outcome.kind === 'decided' || outcome.kind === 'workflow-gone') {
      await slack.respond(click.responseUrl, {
        replace_original: true,
        ...decidedMessage(outcome.record.subject, outcome.decision),
      });
    }
    if (outcome.kind !== 'decided') {
      await slack.respond(click.responseUrl, {
        response_type: 'ephemeral',
        replace_original: false,
        text: outcomeSentence(outcome),
      });
    }
  }

  async function slackInteraction(event: ApprovalApiEvent): Promise<APIGatewayProxyResult> {
    const body = rawBody(event);
    const secret = await deps.slackSecret();
    const signature = verifySlackSignature(
      secret.signingSecret,
      {
        timestamp: header(event, 'x-slack-request-timestamp'),
        signature: header(event, 'x-slack-signature'),
        rawBody: body,
      },
      nowSeconds(),
    );
    if (!signature.valid) {
      logger.warn('refused a Slack request with an invalid signature', { reason: signature.reason });
      countRefusal(`slack-${signature.reason}`);
      return plain(401, 'invalid request signature');
    }
    const interaction = parseInteraction(body);
    if (interaction.kind === 'ignored') {
      logger.info('ignored a Slack interaction', { reason: interaction.reason });
      return plain(200, '');
    }
    const { click } = interaction;
    const outcome = await decide(decisionDeps, { ...click, channel: 'slack' });
    countOutcome(outcome, 'slack');
    try {
      await answerSlack(deps.slackApi(secret), click, outcome);
    } catch (error) {
      // The decision stands; only the message shown in Slack is stale.
      logger.error('could not update the Slack message', { approvalId: click.approvalId, error });
    }
    return plain(200, '');
  }

  function linkCheck(event: ApprovalApiEvent, approvalId: string, secret: SlackSecret): LinkCheck {
    const query = event.queryStringParameters ?? {};
    return verifyApprovalLink(
      secret.linkSigningKey,
      { approvalId, exp: query['exp'], sig: query['sig'] },
      nowSeconds(),
    );
  }

  function expiredPage(expiresAtEpoch: number): APIGatewayProxyResult {
    return outcomePage({ kind: 'expired', expiresAt: new Date(expiresAtEpoch * 1000).toISOString() });
  }

  const SLACK_ONLY_PAGE = htmlResponse(
    403,
    messagePage(
      'Please decide in Slack',
      'Only the approvers listed in the configuration may decide, and a link cannot tell who you are: use the Approve or Reject button in Slack.',
    ),
  );

  function forbidden(reason: string): APIGatewayProxyResult {
    countRefusal(reason);
    return htmlResponse(403, FORBIDDEN_PAGE);
  }

  async function showPage(event: ApprovalApiEvent, approvalId: string): Promise<APIGatewayProxyResult> {
    const secret = await deps.slackSecret();
    const check = linkCheck(event, approvalId, secret);
    if (check.status === 'forbidden') return forbidden('link-signature');
    if (check.status === 'expired') return expiredPage(check.link.expiresAtEpoch);
    const record = await deps.store.get(approvalId);
    const early = precheck(record, nowSeconds());
    if (early !== undefined || record === undefined) return outcomePage(early ?? { kind: 'not-found' });
    if (hasAllowList(deps.approval.approvers)) return SLACK_ONLY_PAGE;

    // Reuse the browser's nonce so two open approval pages do not invalidate each other.
    const existing = cookie(event, CSRF_COOKIE);
    const nonce = isCsrfNonce(existing) ? existing : newCsrfNonce();
    return htmlResponse(
      200,
      confirmationPage(record.subject, csrfToken(secret.linkSigningKey, approvalId, nonce)),
      {
        'set-cookie': `${CSRF_COOKIE}=${nonce}; Secure; HttpOnly; SameSite=Strict; Max-Age=86400`,
      },
    );
  }

  async function submitPage(event: ApprovalApiEvent, approvalId: string): Promise<APIGatewayProxyResult> {
    const secret = await deps.slackSecret();
    const check = linkCheck(event, approvalId, secret);
    if (check.status === 'forbidden') return forbidden('link-signature');
    const fields = new URLSearchParams(rawBody(event));
    if (
      !verifyCsrfToken(
        secret.linkSigningKey,
        approvalId,
        cookie(event, CSRF_COOKIE),
        fields.get('csrf') ?? undefined,
      )
    ) {
      logger.warn('refused a signed-link form post: the CSRF token does not match the cookie', {
        approvalId,
      });
      return forbidden('link-csrf');
    }
    const form = DecisionForm.safeParse(Object.fromEntries(fields));
    if (!form.success) {
      const problems = form.error.issues.map((issue) => issue.message).join('; ');
      return htmlResponse(
        400,
        messagePage('Nothing was decided', `The form was not understood: ${problems}.`),
      );
    }
    if (check.status === 'expired') return expiredPage(check.link.expiresAtEpoch);
    if (hasAllowList(deps.approval.approvers)) return SLACK_ONLY_PAGE;

    const outcome = await decide(decisionDeps, {
      approvalId,
      decision: form.data.decision,
      approver: { id: LINK_APPROVER_ID, name: LINK_APPROVER_ID },
      channel: 'link',
      ...(form.data.comment ? { comment: form.data.comment } : {}),
    });
    countOutcome(outcome, 'link');
    if (outcome.kind === 'decided' || outcome.kind === 'workflow-gone') {
      const message = outcome.record.slackMessage;
      if (message !== undefined) {
        try {
          await deps
            .slackApi(secret)
            .updateMessage(
              message.channel,
              message.ts,
              decidedMessage(outcome.record.subject, outcome.decision),
            );
        } catch (error) {
          logger.error('could not update the Slack message', { approvalId, error });
        }
      }
    }
    return outcomePage(outcome);
  }

  return async (event) => {
    const target = route(event.path);
    try {
      if (target.name === 'slack-interactions' && event.httpMethod === 'POST')
        return await slackInteraction(event);
      if (target.name === 'approval-page' && event.httpMethod === 'GET')
        return await showPage(event, target.approvalId);
      if (target.name === 'approval-page' && event.httpMethod === 'POST') {
        return await submitPage(event, target.approvalId);
      }
      return plain(404, 'not found');
    } catch (error) {
      logger.error('approval API request failed', { path: event.path, method: event.httpMethod, error });
      return target.name === 'approval-page'
        ? htmlResponse(
            500,
            messagePage('Something went wrong', 'Nothing was decided. Please try again later.'),
          )
        : plain(500, 'internal error');
    }
  };
}

let configured: Handler | undefined;

function fromEnvironment(): Handler {
  const env = readEnvironment(ApprovalApiEnvironmentSchema, process.env, 'approval-api');
  // Slack waits 3 s for the acknowledgement: a stuck connection must fail fast, not retry for long.
  const quick = { maxAttempts: 2, requestHandler: { connectionTimeout: 500, requestTimeout: 1_000 } };
  return createApprovalApiHandler({
    store: createApprovalStore(traceClient(new DynamoDBClient(quick)), env.APPROVALS_TABLE_NAME),
    sfn: traceClient(new SFNClient(quick)),
    slackSecret: slackSecretLoader(traceClient(new SecretsManagerClient({})), env.SLACK_SECRET_ARN),
    // Slack acknowledges only within 3 s: keep each Slack call short.
    slackApi: (secret) =>
      createSlackApi({ botToken: secret.botToken, baseUrl: env.SLACK_API_BASE_URL, timeoutMs: 1_500 }),
    approval: deployedConfig().approval,
    now: () => new Date(),
  });
}

export const handler: Handler = async (event) => {
  configured ??= fromEnvironment();
  return configured(event);
};
