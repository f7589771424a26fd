/**
 * Slack buttons end to end through the real handlers: DynamoDB in moto_server, Step Functions
 * mocked, Slack a local fake. Single use is checked by counting SendTask* calls.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { APPROVAL_REJECTED_ERROR } from '../../remediators/approvals/contract.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from '../../remediators/approvals/messages.js';
import {
  AFTER_EXPIRY,
  approvalRequest,
  blockActionsBody,
  DURING,
  signAsSlack,
  SLACK_SECRET,
  TASK_TOKEN,
} from '../unit/approvals/support/fixtures.js';
import { createHarness, useApprovalHarness } from './approval-harness.js';

const JANE = { userId: 'U024BE7LH', userName: 'jane.doe' };
const MALLORY = { userId: 'U0MALLORY', userName: 'mallory' };

describe('Slack interactivity', () => {
  const env = useApprovalHarness();

  function click(
    approvalId: string,
    options: { actionId?: string; user?: typeof JANE; sentAt?: Date; secret?: string; base64?: boolean } = {},
  ) {
    const user = options.user ?? JANE;
    const body = blockActionsBody({
      approvalId,
      actionId: options.actionId ?? APPROVE_ACTION_ID,
      responseUrl: env.slack.responseUrl,
      ...user,
    });
    const sentAt = Math.floor((options.sentAt ?? env.harness.clock.now).getTime() / 1000);
    return {
      httpMethod: 'POST',
      path: '/slack/interactions',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...signAsSlack(body, sentAt, options.secret),
      },
      queryStringParameters: null,
      body: options.base64 ? Buffer.from(body).toString('base64') : body,
      isBase64Encoded: options.base64 ?? false,
    };
  }

  const responses = () => env.slack.callsTo('/response/T1/1/abc').map((call) => call.body);

  it('request-approval keeps the task token in the table and posts the request to Slack', async () => {
    const { approvalId, link } = await env.harness.requestApproval();
    const record = await env.harness.store.get(approvalId);
    expect(record).toMatchObject({
      status: 'PENDING',
      taskToken: TASK_TOKEN,
      expiresAt: '2026-11-22T10:00:00.000Z',
      expiresAtEpoch: Date.parse('2026-11-22T10:00:00.000Z') / 1000,
      slackMessage: { channel: 'C0123456789', ts: '1700000000.000001' },
    });
    expect(record?.ttl).toBeGreaterThan(record?.expiresAtEpoch ?? Infinity);
    const [post] = env.slack.callsTo('/api/chat.postMessage');
    expect(post?.body).toMatchObject({ channel: 'C0123456789', unfurl_links: false, unfurl_media: false });
    expect(JSON.stringify(post?.body)).not.toContain(TASK_TOKEN);
    expect(link).toMatch(
      new RegExp(
        `^https://abc123defg\\.execute-api\\.us-east-1\\.amazonaws\\.com/prod/approvals/${approvalId}\\?exp=\\d+&sig=`,
      ),
    );
  });

  it('request-approval refuses to run without a Slack channel, and posts nothing', async () => {
    // A deployment the CDK app built always has one (SLACK_CHANNEL_ID); a hand-made one may not.
    const unconfigured = createHarness(env.moto.endpoint, env.slack, {});
    await expect(unconfigured.requestApproval()).rejects.toThrow(
      'no Slack channel to post the approval request to: set SLACK_CHANNEL_ID or approval.slack.channelId',
    );
    expect(env.slack.callsTo('/api/chat.postMessage')).toEqual([]);
  });

  it('request-approval refuses a malformed request, naming the field and never quoting the token', async () => {
    await expect(env.harness.requestApproval(approvalRequest({ account: '1234' }))).rejects.toThrow(
      'invalid ApprovalRequest from the workflow: account: a 12-digit AWS account id (got "1234")',
    );
    const failure = env.harness.requestApproval(approvalRequest({ taskToken: '' }));
    await expect(failure).rejects.toThrow('taskToken');
    await expect(env.harness.requestApproval(approvalRequest({ taskToken: '' }))).rejects.toThrow(
      '(redacted)',
    );
    expect(env.slack.callsTo('/api/chat.postMessage')).toHaveLength(0);
  });

  it('request-approval refuses a request that has already expired', async () => {
    env.harness.clock.now = AFTER_EXPIRY;
    await expect(env.harness.requestApproval()).rejects.toThrow(
      'ApprovalRequest expiresAt 2026-11-22T10:00:00.000Z is not in the future',
    );
  });

  it('a signed Slack request for something other than our buttons is acknowledged and ignored', async () => {
    const { approvalId } = await env.harness.requestApproval();
    const body = blockActionsBody({
      approvalId,
      actionId: 'overflow.menu',
      responseUrl: env.slack.responseUrl,
      ...JANE,
    });
    const response = await env.harness.api({
      httpMethod: 'POST',
      path: '/slack/interactions',
      headers: signAsSlack(body, Math.floor(DURING.getTime() / 1000)),
      queryStringParameters: null,
      body,
      isBase64Encoded: false,
    });
    expect(response.statusCode).toBe(200);
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
    expect(responses()).toHaveLength(0);
  });

  it('request-approval reports a Slack ok:false error clearly', async () => {
    env.slack.failNext('chat.postMessage', 'not_in_channel');
    await expect(env.harness.requestApproval()).rejects.toThrow(
      'Slack chat.postMessage failed: not_in_channel',
    );
  });

  it('Approve: acknowledges, sends SendTaskSuccess with the decision, and updates the message', async () => {
    const { approvalId } = await env.harness.requestApproval();
    const response = await env.harness.api(click(approvalId));
    expect(response.statusCode).toBe(200);

    const calls = env.harness.sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.taskToken).toBe(TASK_TOKEN);
    expect(JSON.parse(calls[0]?.args[0].input.output ?? 'null')).toEqual({
      decision: 'APPROVED',
      approver: { id: 'U024BE7LH', name: 'jane.doe' },
      decidedAt: DURING.toISOString(),
      channel: 'slack',
    });
    const [update] = responses();
    expect(update).toMatchObject({ replace_original: true });
    expect(JSON.stringify(update)).toContain(`Approved by jane.doe (U024BE7LH) at ${DURING.toISOString()}`);
    expect(JSON.stringify(update)).not.toContain('"actions"');
    expect(await env.harness.store.get(approvalId)).toMatchObject({
      status: 'DECIDED',
      delivery: { status: 'DELIVERED' },
    });
  });

  it('Reject: sends SendTaskFailure with ApprovalRejected and the decision as cause', async () => {
    const { approvalId } = await env.harness.requestApproval();
    await env.harness.api(click(approvalId, { actionId: REJECT_ACTION_ID }));
    expect(env.harness.sendTaskCalls()).toEqual([
      {
        taskToken: TASK_TOKEN,
        error: APPROVAL_REJECTED_ERROR,
        cause: JSON.stringify({
          decision: 'REJECTED',
          approver: { id: 'U024BE7LH', name: 'jane.doe' },
          decidedAt: DURING.toISOString(),
          channel: 'slack',
        }),
      },
    ]);
  });

  it('a second click changes nothing and answers who decided first and when', async () => {
    const { approvalId } = await env.harness.requestApproval();
    await env.harness.api(click(approvalId));
    env.harness.clock.now = new Date(DURING.getTime() + 30_000);
    await env.harness.api(click(approvalId, { actionId: REJECT_ACTION_ID, user: MALLORY }));
    expect(env.harness.sendTaskCalls()).toHaveLength(1);
    expect(responses().at(-1)).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: `Already approved by jane.doe (U024BE7LH) at ${DURING.toISOString()}. Nothing was changed.`,
    });
    expect((await env.harness.store.get(approvalId))?.decision?.decision).toBe('APPROVED');
  });

  it('concurrent clicks make one decision, and the workflow is told that one only', async () => {
    const { approvalId } = await env.harness.requestApproval();
    const users = Array.from({ length: 8 }, (_, index) => ({
      userId: `U00000${index}`,
      userName: `user${index}`,
    }));
    const answers = await Promise.all(
      users.map((user, index) =>
        env.harness.api(
          click(approvalId, { user, actionId: index % 2 === 0 ? APPROVE_ACTION_ID : REJECT_ACTION_ID }),
        ),
      ),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual(users.map(() => 200));
    const record = await env.harness.store.get(approvalId);
    // At least once: a slow machine may re-drive, but every call carries the one decision.
    const sent = env.harness.sendTaskCalls().map((call) => ('output' in call ? call.output : call.cause));
    expect(sent.length).toBeGreaterThanOrEqual(1);
    for (const payload of sent) expect(JSON.parse(String(payload))).toEqual(record?.decision);
    const ephemeral = responses().filter((body) => body['response_type'] === 'ephemeral');
    expect(ephemeral).toHaveLength(7);
    for (const body of ephemeral)
      expect(String(body['text'])).toMatch(/^Already (approved|rejected) by user\d/);
  });

  it('a replayed request is refused once its timestamp is older than 5 minutes', async () => {
    const { approvalId } = await env.harness.requestApproval();
    const request = click(approvalId);
    env.harness.clock.now = new Date(DURING.getTime() + 6 * 60_000);
    expect((await env.harness.api(request)).statusCode).toBe(401);
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
    expect(responses()).toHaveLength(0);
  });

  it('a request signed with the wrong secret or without a signature is refused and changes nothing', async () => {
    const { approvalId } = await env.harness.requestApproval();
    const forged = click(approvalId, { secret: `${SLACK_SECRET.signingSecret}0` });
    expect((await env.harness.api(forged)).statusCode).toBe(401);
    const unsigned = click(approvalId);
    expect(
      (
        await env.harness.api({
          ...unsigned,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        })
      ).statusCode,
    ).toBe(401);
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
    expect((await env.harness.store.get(approvalId))?.status).toBe('PENDING');
  });

  it('accepts a base64-encoded body (API Gateway binary media types) and checks the raw bytes', async () => {
    const { approvalId } = await env.harness.requestApproval();
    expect((await env.harness.api(click(approvalId, { base64: true }))).statusCode).toBe(200);
    expect(env.harness.sendTaskCalls()).toHaveLength(1);
  });

  it('after expiry nothing is sent to the workflow and the clicker is told', async () => {
    const { approvalId } = await env.harness.requestApproval();
    env.harness.clock.now = AFTER_EXPIRY;
    await env.harness.api(click(approvalId));
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
    expect(String(responses().at(-1)?.['text'])).toContain('expired at 2026-11-22T10:00:00.000Z');
    expect((await env.harness.store.get(approvalId))?.status).toBe('PENDING');
  });

  it('TaskTimedOut on the first attempt: the execution is asked, and its end is recorded and told truly', async () => {
    env.harness.sfn
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    env.harness.sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    env.harness.sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const { approvalId } = await env.harness.requestApproval();
    await env.harness.api(click(approvalId));
    expect(await env.harness.store.get(approvalId)).toMatchObject({
      status: 'DECIDED',
      decision: { decision: 'APPROVED', approver: { id: JANE.userId } },
      delivery: { status: 'EXECUTION_FINISHED', executionStatus: 'SUCCEEDED', error: 'TaskTimedOut' },
    });
    expect(JSON.stringify(responses().at(-1))).toContain(
      'The workflow execution ended (SUCCEEDED) without receiving this decision, so it did not act on it.',
    );
    expect(env.harness.sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('a transient Step Functions failure is retried within the deadline; the decision is never released', async () => {
    env.harness.sfn.on(SendTaskSuccessCommand).rejectsOnce(new Error('socket hang up')).resolves({});
    const { approvalId } = await env.harness.requestApproval();
    await env.harness.api(click(approvalId));
    expect(await env.harness.store.get(approvalId)).toMatchObject({
      status: 'DECIDED',
      decision: { decision: 'APPROVED', approver: { id: JANE.userId } },
      delivery: { status: 'DELIVERED', attempts: 2 },
    });
    expect(JSON.stringify(responses().at(-1))).toContain('The workflow has received this decision.');
    // Bob's later Reject changes nothing: the first decision is final.
    await env.harness.api(click(approvalId, { actionId: REJECT_ACTION_ID, user: MALLORY }));
    expect((await env.harness.store.get(approvalId))?.decision?.decision).toBe('APPROVED');
    expect(String(responses().at(-1)?.['text'])).toContain('Already approved by jane.doe (U024BE7LH)');
    expect(env.harness.sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });

  it('a click from another message than the approval posted changes nothing', async () => {
    const { approvalId } = await env.harness.requestApproval();
    const forged = click(approvalId);
    forged.body = forged.body.replace(
      encodeURIComponent('1700000000.000001'),
      encodeURIComponent('1700000999.000009'),
    );
    const sentAt = Math.floor(env.harness.clock.now.getTime() / 1000);
    forged.headers = {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...signAsSlack(forged.body, sentAt),
    };
    await env.harness.api(forged);
    expect((await env.harness.store.get(approvalId))?.status).toBe('PENDING');
    expect(String(responses().at(-1)?.['text'])).toContain('does not belong to the approval request');
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
  });

  it("a signed click whose response_url is not Slack's decides nothing and posts nowhere", async () => {
    const { approvalId } = await env.harness.requestApproval();
    const body = blockActionsBody({
      approvalId,
      actionId: APPROVE_ACTION_ID,
      responseUrl: 'https://attacker.example/collect',
      ...JANE,
    });
    const answer = await env.harness.api({
      httpMethod: 'POST',
      path: '/slack/interactions',
      headers: signAsSlack(body, Math.floor(env.harness.clock.now.getTime() / 1000)),
      queryStringParameters: null,
      body,
      isBase64Encoded: false,
    });
    expect(answer.statusCode).toBe(200);
    expect((await env.harness.store.get(approvalId))?.status).toBe('PENDING');
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
  });

  it('escapes mrkdwn in the private answer: an approver name cannot inject links or mentions', async () => {
    const { approvalId } = await env.harness.requestApproval();
    await env.harness.api(
      click(approvalId, { user: { userId: 'U0EVIL', userName: '<!channel> <https://x.example|ok>' } }),
    );
    await env.harness.api(click(approvalId));
    const text = String(responses().at(-1)?.['text']);
    expect(text).toContain('&lt;!channel&gt; &lt;https://x.example|ok&gt;');
    expect(text).not.toContain('<!channel>');
  });
});

describe('Slack interactivity with an approver allow-list', () => {
  const env = useApprovalHarness({
    prepareSlack: (slack) => {
      slack.userGroups = { S0614TZR7: ['U0GROUPIE'] };
    },
    approvalConfig: {
      approvers: { userIds: ['U024BE7LH'], userGroupId: 'S0614TZR7' },
      slack: { channelId: 'C0123456789' },
    },
  });

  const clickBy = (approvalId: string, user: typeof JANE) => {
    const body = blockActionsBody({
      approvalId,
      actionId: APPROVE_ACTION_ID,
      responseUrl: env.slack.responseUrl,
      ...user,
    });
    return {
      httpMethod: 'POST',
      path: '/slack/interactions',
      headers: signAsSlack(body, Math.floor(env.harness.clock.now.getTime() / 1000)),
      queryStringParameters: null,
      body,
      isBase64Encoded: false,
    };
  };

  it('posts no signed link, since a link cannot prove who clicks', async () => {
    const { link } = await env.harness.requestApproval();
    expect(link).toBeUndefined();
  });

  const manyChanges = (count: number, valueLength = 0) =>
    Array.from({ length: count }, (_, index) => ({
      controlId: 'Baseline.StageThrottling' as const,
      setting: `methodSettings[~1orders~1${index}/GET].throttlingRateLimit`,
      before: valueLength === 0 ? null : `${index}:${'v'.repeat(valueLength)}`,
      after: 1000,
    }));
  const setting = (index: number) => `methodSettings[~1orders~1${index}/GET].throttlingRateLimit`;

  it('a 45-change request shows every change to the approver, and the decided message keeps them all', async () => {
    const { approvalId } = await env.harness.requestApproval(approvalRequest({ changes: manyChanges(45) }));
    const posted = JSON.stringify(env.slack.callsTo('/api/chat.postMessage').at(-1)?.body);
    for (let index = 0; index < 45; index += 1) expect(posted).toContain(setting(index));
    expect(posted).not.toMatch(/and \d+ more/);
    expect(env.slack.callsTo('/api/chat.postMessage')).toHaveLength(1);

    await env.harness.api(clickBy(approvalId, JANE));
    const decided = JSON.stringify(
      env.slack.callsTo('/response/T1/1/abc').find((call) => call.body['replace_original'])?.body,
    );
    for (let index = 0; index < 45; index += 1) expect(decided).toContain(setting(index));
  });

  it('a change list no message can hold continues in thread replies of the approval message', async () => {
    const count = 60;
    const { approvalId } = await env.harness.requestApproval(
      approvalRequest({ changes: manyChanges(count, 2_500) }),
    );
    const [main, ...replies] = env.slack.callsTo('/api/chat.postMessage');
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) expect(reply.body['thread_ts']).toBe('1700000000.000001');
    expect(JSON.stringify(main?.body)).toContain('are in the replies to this message');
    const all = [main, ...replies].map((call) => JSON.stringify(call?.body)).join('');
    for (let index = 0; index < count; index += 1) expect(all).toContain(setting(index));
    expect((await env.harness.store.get(approvalId))?.slackRepliesPosted).toBe(true);
  });

  it('politely refuses someone not on the list and changes nothing', async () => {
    const { approvalId } = await env.harness.requestApproval();
    await env.harness.api(clickBy(approvalId, MALLORY));
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
    expect(env.slack.callsTo('/response/T1/1/abc').at(-1)?.body).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('not on the list of approvers'),
    });
    expect((await env.harness.store.get(approvalId))?.status).toBe('PENDING');
  });

  it('lets a member of the user group decide', async () => {
    const { approvalId } = await env.harness.requestApproval();
    await env.harness.api(clickBy(approvalId, { userId: 'U0GROUPIE', userName: 'groupie' }));
    expect(env.harness.sendTaskCalls()).toHaveLength(1);
    expect(env.slack.callsTo('/api/usergroups.users.list')[0]?.body).toEqual({ usergroup: 'S0614TZR7' });
  });
});
