/**
 * A retried request-approval invocation (Lambda error or timeout after Slack got the message,
 * the state's Retry, a duplicate delivery) through the real handlers: DynamoDB in moto_server,
 * Step Functions mocked, Slack a local fake. One approval and one Slack message per remediation
 * and execution, and the decision goes to the task token of the latest attempt.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { APPROVE_ACTION_ID } from '../../remediators/approvals/messages.js';
import { SLACK_POST_LEASE_SECONDS } from '../../remediators/handlers/request-approval.js';
import { MOTO_REGION, motoCredentials } from '../helpers/moto.js';
import {
  approvalRequest,
  blockActionsBody,
  DURING,
  signAsSlack,
  TASK_TOKEN,
} from '../unit/approvals/support/fixtures.js';
import { TABLE_NAME, useApprovalHarness } from './approval-harness.js';

/** The token Step Functions hands to the retried attempt of the task. */
const RETRY_TOKEN = `AQCEAAAAKgAAAAMAAAAAAAAAAT${'y'.repeat(300)}==`;
const JANE = { userId: 'U024BE7LH', userName: 'jane.doe' };

describe('request-approval retried for the same remediation', () => {
  const env = useApprovalHarness();
  const { moto } = env;

  const posts = () => env.slack.callsTo('/api/chat.postMessage');
  const updates = () => env.slack.callsTo('/api/chat.update');

  /** Every item in the table, guard items included. */
  async function items(): Promise<Record<string, unknown>[]> {
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials }),
    );
    const { Items = [] } = await client.send(
      new ScanCommand({ TableName: TABLE_NAME, ConsistentRead: true }),
    );
    return Items;
  }
  const approvalRecords = async () => (await items()).filter((item) => item['kind'] === undefined);

  /** The approval id the Approve button of a posted message carries. */
  function buttonApprovalId(body: Record<string, unknown>): string | undefined {
    const found = JSON.stringify(body).match(/"action_id":"approval\.approve","value":"([^"]+)"/);
    return found?.[1];
  }

  function click(approvalId: string) {
    const body = blockActionsBody({
      approvalId,
      actionId: APPROVE_ACTION_ID,
      responseUrl: env.slack.responseUrl,
      ...JANE,
    });
    return env.harness.api({
      httpMethod: 'POST',
      path: '/slack/interactions',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...signAsSlack(body, Math.floor(env.harness.clock.now.getTime() / 1000)),
      },
      queryStringParameters: null,
      body,
      isBase64Encoded: false,
    });
  }

  it('a retry after a successful post updates that message, stores the new token, and Approve sends it', async () => {
    const first = await env.harness.request(approvalRequest());
    expect(first.outcome).toBe('requested');

    const retry = await env.harness.request(approvalRequest({ taskToken: RETRY_TOKEN }));
    expect(retry).toEqual({
      approvalId: first.approvalId,
      outcome: 'renewed',
      slackMessage: first.slackMessage,
    });

    expect(posts()).toHaveLength(1);
    expect(updates()).toHaveLength(1);
    expect(updates()[0]?.body).toMatchObject({ channel: 'C0123456789', ts: first.slackMessage.ts });
    expect(JSON.stringify(updates()[0]?.body)).not.toContain(RETRY_TOKEN);
    const records = await approvalRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ taskToken: RETRY_TOKEN, status: 'PENDING', requests: 2 });

    // The button of the one message posted leads to the token the workflow now waits on.
    const buttonId = buttonApprovalId(posts()[0]?.body ?? {});
    expect(buttonId).toBe(first.approvalId);
    const response = await click(buttonId ?? '');
    expect(response.statusCode).toBe(200);
    const sent = env.harness.sfn.commandCalls(SendTaskSuccessCommand);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.args[0].input.taskToken).toBe(RETRY_TOKEN);
    expect(env.harness.sendTaskCalls().map((call) => call.taskToken)).not.toContain(TASK_TOKEN);
  });

  it('a duplicate delivery with the same token changes nothing but the request count', async () => {
    const first = await env.harness.request(approvalRequest());
    const again = await env.harness.request(approvalRequest());
    expect(again.approvalId).toBe(first.approvalId);
    expect(posts()).toHaveLength(1);
    expect(await approvalRecords()).toEqual([
      expect.objectContaining({ taskToken: TASK_TOKEN, requests: 2, slackMessage: first.slackMessage }),
    ]);
  });

  it('a retry after a failed post posts the one message, with the new token stored', async () => {
    env.slack.failNext('chat.postMessage', 'ratelimited');
    await expect(env.harness.request(approvalRequest())).rejects.toThrow(
      'Slack chat.postMessage failed: ratelimited',
    );
    const [pending] = await approvalRecords();
    expect(pending).toMatchObject({ status: 'PENDING', taskToken: TASK_TOKEN });
    expect(pending?.['slackMessage']).toBeUndefined();
    expect(pending?.['slackPost']).toBeUndefined(); // the failed invocation let go of the posting lease

    const retry = await env.harness.request(approvalRequest({ taskToken: RETRY_TOKEN }));
    expect(retry.approvalId).toBe(pending?.['approvalId']);
    // Two calls, the first refused by Slack: one message exists, with the fake's first ts.
    expect(posts()).toHaveLength(2);
    expect(retry.slackMessage).toEqual({ channel: 'C0123456789', ts: '1700000000.000001' });
    expect(updates()).toHaveLength(0);
    expect(await approvalRecords()).toEqual([
      expect.objectContaining({ taskToken: RETRY_TOKEN, slackMessage: retry.slackMessage }),
    ]);
  });

  it('concurrent invocations for one remediation make one record and one message', async () => {
    const results = await Promise.all([
      env.harness.request(approvalRequest()),
      env.harness.request(approvalRequest({ taskToken: RETRY_TOKEN })),
      env.harness.request(approvalRequest()),
      env.harness.request(approvalRequest({ taskToken: RETRY_TOKEN })),
    ]);
    expect(new Set(results.map((result) => result.approvalId)).size).toBe(1);
    expect(new Set(results.map((result) => result.slackMessage.ts)).size).toBe(1);
    expect(results.filter((result) => result.outcome === 'requested')).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    const all = await items();
    expect(all.filter((item) => item['kind'] === 'REQUEST_GUARD')).toHaveLength(1);
    const records = await approvalRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ slackMessage: results[0]?.slackMessage });
    // One creation and three renewals. DynamoDB applies each `requests + 1` atomically; moto_server
    // answers concurrent UpdateItem calls on threads without serializing them, so it may lose some of them.
    expect(records[0]?.['requests']).toBeGreaterThanOrEqual(2);
    expect(records[0]?.['requests']).toBeLessThanOrEqual(4);
    expect(records[0]?.['slackPost']).toBeUndefined();
  });

  it('a retry after the decision posts nothing, keeps the decision, and fails clearly', async () => {
    const first = await env.harness.request(approvalRequest());
    await click(first.approvalId);
    env.slack.calls.length = 0;

    await expect(env.harness.request(approvalRequest({ taskToken: RETRY_TOKEN }))).rejects.toThrow(
      new RegExp(
        `approval ${first.approvalId} for remediation rem-7f3c2a was approved by jane.doe at ${DURING.toISOString().replace(/\./g, '\\.')}; ` +
          "the decision's delivery to the workflow: DELIVERED; a retried request does not reopen it",
      ),
    );
    await expect(env.harness.request(approvalRequest({ taskToken: RETRY_TOKEN }))).rejects.toMatchObject({
      name: 'ApprovalAlreadyDecided',
    });
    expect(env.slack.calls).toHaveLength(0);
    expect(await approvalRecords()).toEqual([
      expect.objectContaining({ status: 'DECIDED', taskToken: TASK_TOKEN, requests: 1 }),
    ]);
    expect(env.harness.sendTaskCalls()).toHaveLength(1);
  });

  it('an invocation that died while posting holds the post only until its lease runs out', async () => {
    env.slack.failNext('chat.postMessage', 'ratelimited');
    await expect(env.harness.request(approvalRequest())).rejects.toThrow('ratelimited');
    const [pending] = await approvalRecords();
    const approvalId = String(pending?.['approvalId']);
    // A crash between taking the lease and posting: nobody releases it.
    const nowSeconds = Math.floor(DURING.getTime() / 1000);
    expect(
      await env.harness.store.claimSlackPost(approvalId, 'crashed', nowSeconds, SLACK_POST_LEASE_SECONDS),
    ).toEqual({
      won: true,
    });

    env.harness.clock.now = new Date(DURING.getTime() + (SLACK_POST_LEASE_SECONDS + 1) * 1000);
    const retry = await env.harness.request(approvalRequest({ taskToken: RETRY_TOKEN }));
    expect(retry).toMatchObject({ approvalId, outcome: 'renewed' });
    expect(posts()).toHaveLength(2);
    expect((await env.harness.store.get(approvalId))?.slackMessage).toEqual(retry.slackMessage);
  });

  it('another execution of the same remediation is a new approval with its own message', async () => {
    const first = await env.harness.request(approvalRequest());
    const other = await env.harness.request(
      approvalRequest({
        executionArn: 'arn:aws:states:us-east-1:999988887777:execution:apigw-remediation:second-run',
        taskToken: RETRY_TOKEN,
      }),
    );
    expect(other.approvalId).not.toBe(first.approvalId);
    expect(other.outcome).toBe('requested');
    expect(posts()).toHaveLength(2);
    expect(await approvalRecords()).toHaveLength(2);
  });
});
