/**
 * Request-approval Lambda: the workflow's approval Task (`lambda:invoke.waitForTaskToken`).
 *
 * Keeps the task token in the approvals table under a short random id and posts the approval
 * request to Slack. The workflow waits until the approval API sends the decision (or times out).
 *
 * Environment: APPROVALS_TABLE_NAME, SLACK_SECRET_ARN, APPROVAL_BASE_URL, optional SLACK_API_BASE_URL.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { deployedConfig } from '../../config/deployed.js';
import type { RemediationConfig } from '../../config/schema.js';
import { hasAllowList } from '../approvals/approvers.js';
import { readEnvironment, RequestApprovalEnvironmentSchema } from '../approvals/environment.js';
import { approvalRequestMessage } from '../approvals/messages.js';
import { ApprovalRequestSchema, newApprovalRecord } from '../approvals/record.js';
import { approvalLink, newApprovalId } from '../approvals/signed-link.js';
import { createSlackApi, type SlackApi } from '../approvals/slack-api.js';
import { slackSecretLoader, type SlackSecret } from '../approvals/slack-secret.js';
import { createApprovalStore, type ApprovalStore } from '../approvals/store.js';
import { logger, metrics } from '../shared/powertools.js';
import { traceClient } from '../shared/tracing.js';
import { tracedTask } from '../workflow/tracing.js';

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
  readonly slackMessage: { readonly channel: string; readonly ts: string };
}

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
    const now = deps.now();
    if (Date.parse(request.expiresAt) <= now.getTime()) {
      throw new Error(
        `ApprovalRequest expiresAt ${request.expiresAt} is not in the future (now ${now.toISOString()})`,
      );
    }
    const approvalId = newApprovalId();
    const record = newApprovalRecord(approvalId, request, now);
    await deps.store.create(record);

    const secret = await deps.slackSecret();
    // With an allow-list only a Slack identity can decide, so a link would only disappoint.
    const link = hasAllowList(deps.approval.approvers)
      ? undefined
      : approvalLink(deps.baseUrl, secret.linkSigningKey, {
          approvalId,
          expiresAtEpoch: record.expiresAtEpoch,
        });
    const posted = await deps
      .slackApi(secret)
      .postMessage(deps.approval.slack.channelId, approvalRequestMessage(record.subject, approvalId, link));
    try {
      await deps.store.attachSlackMessage(approvalId, posted);
    } catch (error) {
      // Failing here would make the workflow retry and post a second message; without the
      // reference only a link decision cannot update this message, the buttons still work.
      logger.error('could not store the Slack message reference', {
        approvalId,
        slackMessage: posted,
        error,
      });
    }
    metrics.singleMetric().addMetric('ApprovalsRequested', MetricUnit.Count, 1);

    logger.info('approval requested', {
      approvalId,
      remediationId: request.remediationId,
      executionArn: request.executionArn,
      slackMessage: posted,
      expiresAt: request.expiresAt,
    });
    return { approvalId, slackMessage: posted };
  };
}

let configured: ((event: unknown) => Promise<RequestApprovalResult>) | undefined;

function fromEnvironment(): (event: unknown) => Promise<RequestApprovalResult> {
  const env = readEnvironment(RequestApprovalEnvironmentSchema, process.env, 'request-approval');
  return createRequestApprovalHandler({
    store: createApprovalStore(traceClient(new DynamoDBClient({})), env.APPROVALS_TABLE_NAME),
    slackSecret: slackSecretLoader(traceClient(new SecretsManagerClient({})), env.SLACK_SECRET_ARN),
    slackApi: (secret) => createSlackApi({ botToken: secret.botToken, baseUrl: env.SLACK_API_BASE_URL }),
    approval: deployedConfig().approval,
    baseUrl: env.APPROVAL_BASE_URL,
    now: () => new Date(),
  });
}

export const handler = tracedTask(
  'request-approval',
  async (event: unknown): Promise<RequestApprovalResult> => {
    configured ??= fromEnvironment();
    return configured(event);
  },
);
