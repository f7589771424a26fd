/** A real-shaped ApprovalRequest as the workflow's approval state sends it. */
import { createHmac } from 'node:crypto';
import type { ApprovalRequest } from '../../../../remediators/approvals/contract.js';

export const REQUESTED_AT = '2026-11-21T10:00:00.000Z';
export const EXPIRES_AT = '2026-11-22T10:00:00.000Z';
/** A moment inside the approval window. */
export const DURING = new Date('2026-11-21T10:05:00.000Z');
/** A moment after the approval window. */
export const AFTER_EXPIRY = new Date('2026-11-22T10:00:01.000Z');

export const TASK_TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAAT${'x'.repeat(300)}==`;

export function approvalRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    taskToken: TASK_TOKEN,
    remediationId: 'rem-7f3c2a',
    executionArn: 'arn:aws:states:us-east-1:999988887777:execution:apigw-remediation:7f3c2a',
    account: '111122223333',
    region: 'us-east-1',
    partition: 'aws',
    apiType: 'REST',
    apiId: 'a1b2c3d4e5',
    apiName: 'orders-api',
    stageName: 'prod',
    controls: ['APIGateway.1', 'APIGateway.3'],
    changes: [
      {
        controlId: 'APIGateway.1',
        setting: 'methodSettings[*/*].loggingLevel',
        before: 'OFF',
        after: 'ERROR',
      },
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
    ],
    requestedAt: REQUESTED_AT,
    expiresAt: EXPIRES_AT,
    ...overrides,
  };
}

export const SLACK_SECRET = {
  botToken: 'xoxb-1111-2222-abcdefghijkl',
  signingSecret: 'e0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5',
  linkSigningKey: 'k'.repeat(16) + 'link-signing-key-for-tests-0123456789',
} as const;

/** Signs like Slack does, written independently of the code under test. */
export function signAsSlack(
  body: string,
  timestampSeconds: number,
  secret: string = SLACK_SECRET.signingSecret,
) {
  const timestamp = String(timestampSeconds);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'X-Slack-Request-Timestamp': timestamp, 'X-Slack-Signature': signature };
}

/** The form body of a Slack block_actions request for one of our buttons. */
export function blockActionsBody(options: {
  readonly approvalId: string;
  readonly actionId: string;
  readonly userId: string;
  readonly userName: string;
  readonly responseUrl: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: options.userId, username: options.userName, name: options.userName, team_id: 'T0001' },
    api_app_id: 'A0001',
    container: { type: 'message', message_ts: '1700000000.000001', channel_id: 'C0123456789' },
    trigger_id: '12345.98765.abcd2358fdea',
    team: { id: 'T0001', domain: 'example' },
    channel: { id: 'C0123456789', name: 'remediations' },
    response_url: options.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: options.actionId,
        block_id: 'approval.actions',
        value: options.approvalId,
        action_ts: '1700000100.000200',
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** The approval API's proxy event for a Slack interactivity POST of `body`, signed at `sentAtSeconds`. */
export function signedInteractionEvent(body: string, sentAtSeconds: number, secret?: string) {
  return {
    httpMethod: 'POST',
    path: '/slack/interactions',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...signAsSlack(body, sentAtSeconds, secret),
    },
    queryStringParameters: null,
    body,
    isBase64Encoded: false,
  };
}
