/**
 * The Lambda entry points as deployed: configured only from environment variables (what the CDK
 * stack sets) and the bundled config/remediation.json, with the SDK pointed at moto_server.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as approvalApi } from '../../remediators/handlers/approval-api.js';
import { handler as requestApproval } from '../../remediators/handlers/request-approval.js';
import { useMoto } from '../helpers/moto.js';
import { startFakeSlack, type FakeSlack } from '../unit/approvals/support/fake-slack.js';
import { approvalRequest, TASK_TOKEN } from '../unit/approvals/support/fixtures.js';
import { createAwsResources, SECRET_NAME, TABLE_NAME } from './approval-harness.js';

const VARIABLES = [
  'APPROVALS_TABLE_NAME',
  'SLACK_SECRET_ARN',
  'APPROVAL_BASE_URL',
  'SLACK_API_BASE_URL',
  'SLACK_CHANNEL_ID',
  'AWS_ENDPOINT_URL',
];

describe('the deployed handlers', () => {
  const moto = useMoto();
  let slack: FakeSlack;
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  });
  beforeEach(async () => {
    slack.reset();
    await createAwsResources(moto.endpoint);
    for (const name of VARIABLES) Reflect.deleteProperty(process.env, name);
  });

  it('refuse to start without their environment, naming each variable and what it should hold', async () => {
    process.env['APPROVAL_BASE_URL'] = 'not a url';
    await expect(requestApproval(approvalRequest())).rejects.toThrow(
      'request-approval environment is invalid: APPROVALS_TABLE_NAME=(unset): expected the DynamoDB approvals table name; ' +
        'SLACK_SECRET_ARN=(unset): expected the ARN or name of the Slack secret; ' +
        'APPROVAL_BASE_URL="not a url": expected the approval API URL',
    );
  });

  it('refuse a SLACK_CHANNEL_ID that is not a Slack channel id', async () => {
    Object.assign(process.env, {
      APPROVALS_TABLE_NAME: TABLE_NAME,
      SLACK_SECRET_ARN: SECRET_NAME,
      APPROVAL_BASE_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod',
      SLACK_CHANNEL_ID: '#api-remediation',
    });
    await expect(requestApproval(approvalRequest())).rejects.toThrow(
      'request-approval environment is invalid: SLACK_CHANNEL_ID="#api-remediation": expected a Slack channel id such as C0123456789',
    );
  });

  it('request an approval and serve its signed link, configured from the environment alone', async () => {
    Object.assign(process.env, {
      APPROVALS_TABLE_NAME: TABLE_NAME,
      SLACK_SECRET_ARN: SECRET_NAME,
      APPROVAL_BASE_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod',
      SLACK_API_BASE_URL: slack.apiUrl,
      SLACK_CHANNEL_ID: 'C0DEPLOYED1',
      AWS_ENDPOINT_URL: moto.endpoint,
    });
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const requested = await requestApproval(
      approvalRequest({ requestedAt: new Date().toISOString(), expiresAt }),
    );
    if (!('approvalId' in requested))
      throw new Error(`not an approval request result: ${JSON.stringify(requested)}`);
    const { approvalId } = requested;

    const [post] = slack.callsTo('/api/chat.postMessage');
    // The channel the CDK app resolved (file or -c slackChannelId) and set as SLACK_CHANNEL_ID.
    expect(post?.body['channel']).toBe('C0DEPLOYED1');
    expect(JSON.stringify(post?.body)).not.toContain(TASK_TOKEN);
    const link = new URL(/<(https:[^|>]+)\|/.exec(JSON.stringify(post?.body))?.[1] ?? 'https://missing/');
    expect(link.pathname).toBe(`/prod/approvals/${approvalId}`);

    const page = await approvalApi({
      httpMethod: 'GET',
      path: `/approvals/${approvalId}`,
      headers: {},
      queryStringParameters: Object.fromEntries(link.searchParams),
      body: null,
      isBase64Encoded: false,
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Approve this API Gateway remediation?');
  });
});
