/**
 * Approval API Lambda: one handler behind the approval REST API (Lambda proxy integration).
 *
 * - POST /slack/interactions   Slack interactivity (Approve / Reject buttons, and the Undo button of
 *   a remediated approval's message, which starts the state machine's undo run), Slack-signed.
 * - GET  /approvals/{id}?exp=&sig=   signed link: renders a confirmation page, never acts.
 * - POST /approvals/{id}?exp=&sig=   the page's form (CSRF-protected): acts.
 *
 * Slack wants an answer within 3 s (https://api.slack.com/interactivity/handling#acknowledgment_response).
 * One deadline bounds the whole request, not each call: the decision (one read, one conditional
 * write: final once it succeeds) and its delivery to Step Functions get the budget minus a
 * reserve, the message update through response_url the reserve. What the deadline cuts off is
 * not lost: an unconfirmed delivery stays PENDING in the table and the re-drive sweep
 * (handlers/approval-redrive.ts) finishes it and brings the Slack message up to date with
 * chat.update. Nothing runs after the answer: a Lambda is frozen once it has answered.
 *
 * Environment: APPROVALS_TABLE_NAME, SLACK_SECRET_ARN, STATE_MACHINE_ARN (the Undo button's
 * StartExecution), optional SLACK_API_BASE_URL.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { deployedConfig } from '../../config/deployed.js';
import type { RemediationConfig } from '../../config/schema.js';
import { approvalClientOptions } from '../approvals/clients.js';
import { approverGate, hasAllowList, LINK_APPROVER_ID } from '../approvals/approvers.js';
import { decide, precheck, type DecisionOutcome } from '../approvals/decide.js';
import { ApprovalApiEnvironmentSchema, readEnvironment } from '../approvals/environment.js';
import { cookie, header, rawBody, route, type ApprovalApiEvent } from '../approvals/http.js';
import {
  decidedMessage,
  escapeMrkdwn,
  outcomeSentence,
  undoRequestedMessage,
} from '../approvals/messages.js';
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
import { parseInteraction, type ButtonClick, type UndoClick } from '../approvals/slack-interactivity.js';
import { slackUndoEnvelope, undoExecutionName } from '../approvals/undo-request.js';
import { slackSecretLoader, type SlackSecret } from '../approvals/slack-secret.js';
import { verifySlackSignature } from '../approvals/slack-signature.js';
import { createApprovalStore, type ApprovalStore } from '../approvals/store.js';
import type { ApprovalDecision } from '../approvals/contract.js';
import type { ApprovalRecord, Delivery } from '../approvals/record.js';
import { lambdaHandler } from '../shared/handler.js';
import { logger, metrics } from '../shared/powertools.js';

export const CSRF_COOKIE = 'approval_csrf';

/** Slack's budget is 3 s for the whole round trip; this much is for the handler's own work. */
export const SLACK_CLICK_BUDGET_MS = 2_500;
/** Of that budget, what is kept for answering Slack (response_url) after deciding and delivering. */
export const SLACK_ANSWER_RESERVE_MS = 700;
/** A signed-link page has no 3 s limit, but still one deadline within the Lambda's timeout. */
export const LINK_BUDGET_MS = 6_000;

export interface ApprovalApiDeps {
  readonly store: ApprovalStore;
  readonly sfn: SFNClient;
  readonly slackSecret: () => Promise<SlackSecret>;
  readonly slackApi: (secret: SlackSecret, signal?: AbortSignal) => SlackApi;
  readonly approval: RemediationConfig['approval'];
  /** The remediation state machine, which the Undo button starts (unset: Undo is answered as unavailable). */
  readonly stateMachineArn?: string;
  readonly now: () => Date;
  /** Origins accepted for response_url besides Slack's hosts (a local fake Slack). */
  readonly slackResponseOrigins?: readonly string[];
  /** Overrides {@link SLACK_CLICK_BUDGET_MS} and {@link LINK_BUDGET_MS} (tests). */
  readonly budgets?: { readonly clickMs: number; readonly answerReserveMs: number; readonly linkMs: number };
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
  'wrong-message': 'Not this approval',
  unconfirmed: 'Not confirmed',
};

const STATUS: Readonly<Record<DecisionOutcome['kind'], number>> = {
  decided: 200,
  'already-decided': 409,
  expired: 410,
  'not-found': 410,
  'not-allowed': 403,
  'wrong-message': 409,
  unconfirmed: 503,
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

/** One data point per Undo click, by what came of it. */
function countUndo(result: 'started' | 'already-requested' | 'refused'): void {
  const metric = metrics.singleMetric();
  metric.addDimension('Result', result);
  metric.addMetric('UndoRequests', MetricUnit.Count, 1);
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

/**
 * Who may read a page's POST as ours: the API's own origin (second CSRF layer after the token).
 * API Gateway sets Host and X-Forwarded-Proto (always https there); a local server says http.
 */
function expectedOrigin(event: ApprovalApiEvent): string | undefined {
  const host = header(event, 'host');
  const scheme = header(event, 'x-forwarded-proto') === 'http' ? 'http' : 'https';
  return host === undefined ? undefined : `${scheme}://${host}`;
}

/**
 * A browser names where a form post came from: Sec-Fetch-Site (Fetch Metadata,
 * https://www.w3.org/TR/fetch-metadata/) and Origin (https://fetch.spec.whatwg.org/#origin-header).
 * Either one naming another site refuses the post, whatever the cookie and token say. Our own
 * page is served with `Referrer-Policy: no-referrer`, under which browsers send `Origin: null`
 * on a POST (Fetch, "append a request Origin header"), so `null` names no site and is left to
 * Sec-Fetch-Site and the token; clients that send neither header (curl) are left to the token. Pure.
 */
export function crossSiteReason(event: ApprovalApiEvent): string | undefined {
  const site = header(event, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site ${site}`;
  const origin = header(event, 'origin');
  if (origin !== undefined && origin !== 'null' && origin !== expectedOrigin(event))
    return `Origin ${origin}`;
  return undefined;
}

/** `promise`, or a rejection once `signal` aborts, whichever comes first (the read itself goes on, cached). */
function beforeDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

export function createApprovalApiHandler(deps: ApprovalApiDeps): Handler {
  const budgets = deps.budgets ?? {
    clickMs: SLACK_CLICK_BUDGET_MS,
    answerReserveMs: SLACK_ANSWER_RESERVE_MS,
    linkMs: LINK_BUDGET_MS,
  };
  // One gate per handler, so the user group's members stay cached across requests.
  const mayDecide = approverGate(deps.approval.approvers, async (userGroupId, signal) =>
    deps.slackApi(await deps.slackSecret(), signal).userGroupMembers(userGroupId),
  );
  const decisionDeps = { store: deps.store, sfn: deps.sfn, mayDecide, now: deps.now };
  const nowSeconds = () => Math.floor(deps.now().getTime() / 1000);

  /** Replaces the clicked message with the decided one, then notes what it shows. */
  async function showDecided(
    slack: SlackApi,
    click: ButtonClick,
    record: ApprovalRecord,
    decision: ApprovalDecision,
    delivery: Delivery | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    await slack.respond(click.responseUrl, {
      replace_original: true,
      ...decidedMessage(record.subject, decision, delivery),
    });
    if (delivery !== undefined) await deps.store.recordSlackShows(record.approvalId, delivery.status, signal);
  }

  async function answerSlack(
    slack: SlackApi,
    click: ButtonClick,
    outcome: DecisionOutcome,
    signal: AbortSignal,
  ): Promise<void> {
    if (outcome.kind === 'decided') {
      await showDecided(slack, click, outcome.record, outcome.decision, outcome.delivery, signal);
      return;
    }
    if (outcome.kind === 'already-decided' && outcome.record.slackShows !== outcome.delivery?.status) {
      await showDecided(slack, click, outcome.record, outcome.decision, outcome.delivery, signal);
    }
    // Only the clicker sees this; names and comments in it are text, not mrkdwn.
    await slack.respond(click.responseUrl, {
      response_type: 'ephemeral',
      replace_original: false,
      text: escapeMrkdwn(outcomeSentence(outcome)),
    });
  }

  async function slackInteraction(event: ApprovalApiEvent): Promise<APIGatewayProxyResult> {
    // The clock starts with the request: loading the secret (cached) counts against Slack's 3 s too.
    const answerBy = AbortSignal.timeout(budgets.clickMs);
    const workBy = AbortSignal.timeout(budgets.clickMs - budgets.answerReserveMs);
    const body = rawBody(event);
    let secret: SlackSecret;
    try {
      // A cold start's secret read gets the same deadline as the rest: answered late is no answer.
      secret = await beforeDeadline(deps.slackSecret(), workBy);
    } catch (error) {
      // Without the signing secret the request cannot even be verified: nothing is decided, and
      // the clicker sees Slack's own error for a failed request (and clicks again).
      logger.error('could not read the Slack secret in time; nothing was decided', { error });
      return plain(503, 'try again');
    }
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
    const interaction = parseInteraction(body, deps.slackResponseOrigins);
    if (interaction.kind === 'ignored') {
      logger.info('ignored a Slack interaction', { reason: interaction.reason });
      return plain(200, '');
    }
    if (interaction.kind === 'refused') {
      logger.warn('refused a Slack interaction', { reason: interaction.reason });
      countRefusal('slack-response-url');
      return plain(200, '');
    }
    if (interaction.kind === 'undo') {
      await undoInteraction(secret, interaction.click, answerBy, workBy);
      return plain(200, '');
    }
    const { click } = interaction;
    let outcome: DecisionOutcome;
    try {
      outcome = await decide(decisionDeps, { ...click, channel: 'slack' }, workBy);
    } catch (error) {
      // Failed before any write was sent (the look-up or the allow-list): nothing was decided.
      logger.error('could not look up the approval', { approvalId: click.approvalId, error });
      await respondQuietly(
        deps.slackApi(secret, answerBy),
        click,
        'Nothing was decided: the approval could not be looked up just now. Please try again in a moment.',
      );
      return plain(200, '');
    }
    countOutcome(outcome, 'slack');
    try {
      await answerSlack(deps.slackApi(secret, answerBy), click, outcome, answerBy);
    } catch (error) {
      // The decision stands; the sweep brings the message up to date with chat.update.
      logger.error('could not update the Slack message', { approvalId: click.approvalId, error });
    }
    return plain(200, '');
  }

  /**
   * The Undo button: the same allow-list as a decision, then one StartExecution named after the
   * remediation (a second click meets ExecutionAlreadyExists: "already requested"), then the
   * message loses its button. Within Slack's 3 s like a decision; what the deadline cuts off is
   * the clicker's answer only, never a second run.
   */
  async function undoInteraction(
    secret: SlackSecret,
    click: UndoClick,
    answerBy: AbortSignal,
    workBy: AbortSignal,
  ): Promise<void> {
    const slack = deps.slackApi(secret, answerBy);
    const say = (text: string) => respondQuietly(slack, click, text);
    let started: { record: ApprovalRecord; decision: ApprovalDecision; at: Date } | undefined;
    try {
      const checked = await undoRefusal(click, workBy);
      if (typeof checked === 'string') {
        countUndo('refused');
        await say(checked);
        return;
      }
      const at = deps.now();
      const remediationId = checked.record.subject.remediationId;
      try {
        await deps.sfn.send(
          new StartExecutionCommand({
            // Checked by undoRefusal: defined here.
            stateMachineArn: deps.stateMachineArn,
            name: undoExecutionName(remediationId),
            // The same name again is ExecutionAlreadyExists, whether that run is open (this input
            // differs: its `time`) or closed (Step Functions API reference, StartExecution).
            input: JSON.stringify(slackUndoEnvelope(checked.record.subject, click.approver, at)),
          }),
          { abortSignal: workBy },
        );
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
        countUndo('already-requested');
        await say(
          `Undo of remediation ${remediationId} was already requested: one run takes it back, a second click changes nothing.`,
        );
        return;
      }
      countUndo('started');
      logger.info('undo requested in Slack', {
        approvalId: click.approvalId,
        remediationId,
        by: click.approver,
      });
      started = { record: checked.record, decision: checked.decision, at };
    } catch (error) {
      logger.error('could not start the undo', { approvalId: click.approvalId, error });
      // A StartExecution cut off by the deadline may still have started the run: a second click
      // is safe either way (same name: one run).
      await say(
        'The undo could not be confirmed as started just now. Please click Undo again in a moment: a second click never starts a second undo.',
      );
      return;
    }
    try {
      await slack.respond(click.responseUrl, {
        replace_original: true,
        ...undoRequestedMessage(
          started.record.subject,
          started.decision,
          click.approver,
          started.at.toISOString(),
        ),
      });
    } catch (error) {
      // The undo runs; its outcome is notified like any undo's (ReportUndo).
      logger.error('could not update the Slack message after the undo request', {
        approvalId: click.approvalId,
        error,
      });
    }
  }

  /** Why this click starts no undo (a sentence for the clicker), or the approval it undoes. */
  async function undoRefusal(
    click: UndoClick,
    signal: AbortSignal,
  ): Promise<string | { record: ApprovalRecord; decision: ApprovalDecision }> {
    if (deps.stateMachineArn === undefined)
      return 'Undo from Slack is not set up for this deployment. Nothing was undone; use `apigw-remediation undo`.';
    if (!(await mayDecide(click.approver, signal))) return outcomeSentence({ kind: 'not-allowed' });
    const record = await deps.store.get(click.approvalId, signal);
    if (record === undefined) return 'This approval request no longer exists. Nothing was undone.';
    const decision = record.decision;
    if (decision?.decision !== 'APPROVED')
      return 'This approval was not approved, so there is no remediation of it to undo. Nothing was undone.';
    const shown = record.slackMessage;
    if (
      click.message !== undefined &&
      shown !== undefined &&
      (shown.channel !== click.message.channel || shown.ts !== click.message.ts)
    )
      return outcomeSentence({ kind: 'wrong-message' });
    return { record, decision };
  }

  async function respondQuietly(slack: SlackApi, click: UndoClick, text: string): Promise<void> {
    try {
      await slack.respond(click.responseUrl, { response_type: 'ephemeral', replace_original: false, text });
    } catch (error) {
      logger.error('could not answer the clicker', { approvalId: click.approvalId, error });
    }
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
    const crossSite = crossSiteReason(event);
    if (crossSite !== undefined) {
      logger.warn('refused a signed-link form post from another site', { approvalId, crossSite });
      return forbidden('link-cross-site');
    }
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

    const deadline = AbortSignal.timeout(budgets.linkMs);
    const outcome = await decide(
      decisionDeps,
      {
        approvalId,
        decision: form.data.decision,
        approver: { id: LINK_APPROVER_ID, name: LINK_APPROVER_ID },
        channel: 'link',
        ...(form.data.comment ? { comment: form.data.comment } : {}),
      },
      deadline,
    );
    countOutcome(outcome, 'link');
    if (outcome.kind === 'decided') {
      const message = outcome.record.slackMessage;
      if (message !== undefined) {
        try {
          await deps
            .slackApi(secret, deadline)
            .updateMessage(
              message.channel,
              message.ts,
              decidedMessage(outcome.record.subject, outcome.decision, outcome.delivery),
            );
          await deps.store.recordSlackShows(approvalId, outcome.delivery.status, deadline);
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
  return createApprovalApiHandler({
    store: createApprovalStore(new DynamoDBClient(approvalClientOptions(2)), env.APPROVALS_TABLE_NAME),
    sfn: new SFNClient(approvalClientOptions(1)),
    slackSecret: slackSecretLoader(new SecretsManagerClient(approvalClientOptions(2)), env.SLACK_SECRET_ARN),
    // Slack acknowledges only within 3 s: keep each Slack call short, and all within the deadline.
    slackApi: (secret, signal) =>
      createSlackApi({
        botToken: secret.botToken,
        baseUrl: env.SLACK_API_BASE_URL,
        timeoutMs: 1_500,
        ...(signal === undefined ? {} : { signal }),
      }),
    approval: deployedConfig().approval,
    ...(env.STATE_MACHINE_ARN === undefined ? {} : { stateMachineArn: env.STATE_MACHINE_ARN }),
    now: () => new Date(),
    ...(env.SLACK_API_BASE_URL === undefined
      ? {}
      : { slackResponseOrigins: [new URL(env.SLACK_API_BASE_URL).origin] }),
  });
}

export const handler = lambdaHandler(async (event: ApprovalApiEvent) => {
  configured ??= fromEnvironment();
  return configured(event);
});
