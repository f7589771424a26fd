/**
 * The Undo button's click through the real approval API handler: DynamoDB in moto_server, Step
 * Functions mocked (StartExecution kept), Slack a local fake. Only a Slack-signed click from an
 * approver on an approved approval starts the undo run, once.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ApprovalSchema } from '../../config/schema.js';
import { APPROVE_ACTION_ID, UNDO_ACTION_ID } from '../../remediators/approvals/messages.js';
import { createSlackApi } from '../../remediators/approvals/slack-api.js';
import { createApprovalApiHandler } from '../../remediators/handlers/approval-api.js';
import { MOTO_REGION, motoCredentials } from '../helpers/moto.js';
import {
  blockActionsBody,
  signedInteractionEvent,
  SLACK_SECRET,
} from '../unit/approvals/support/fixtures.js';
import { useApprovalHarness } from './approval-harness.js';

const JANE = { userId: 'U024BE7LH', userName: 'jane.doe' };
const MALLORY = { userId: 'U0MALLORY', userName: 'mallory' };
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:999988887777:stateMachine:apigw-remediation';
const APPROVAL = { approvers: { userIds: [JANE.userId] }, slack: { channelId: 'C0123456789' } };

describe('Slack Undo button', () => {
  const env = useApprovalHarness({ approvalConfig: APPROVAL });

  function setup(options: { readonly stateMachineArn?: string } = { stateMachineArn: STATE_MACHINE_ARN }) {
    const { stateMachineArn } = options;
    const client = new SFNClient({ region: MOTO_REGION, credentials: motoCredentials });
    const sfn = mockClient(client);
    const approval = ApprovalSchema.parse(APPROVAL);
    const api = createApprovalApiHandler({
      store: env.harness.store,
      sfn: client,
      slackSecret: async () => SLACK_SECRET,
      slackApi: (secret, signal) =>
        createSlackApi({
          botToken: secret.botToken,
          baseUrl: env.slack.apiUrl,
          ...(signal ? { signal } : {}),
        }),
      approval,
      now: () => env.harness.clock.now,
      slackResponseOrigins: [new URL(env.slack.apiUrl).origin],
      ...(stateMachineArn === undefined ? {} : { stateMachineArn }),
    });
    const click = (
      approvalId: string,
      options: { actionId?: string; user?: typeof JANE; secret?: string } = {},
    ) => {
      const body = blockActionsBody({
        approvalId,
        actionId: options.actionId ?? UNDO_ACTION_ID,
        responseUrl: env.slack.responseUrl,
        ...(options.user ?? JANE),
      });
      return api(
        signedInteractionEvent(body, Math.floor(env.harness.clock.now.getTime() / 1000), options.secret),
      );
    };
    return { sfn, click };
  }
  const responses = () =>
    env.slack.callsTo('/response/T1/1/abc').map((call) => call.body as Record<string, unknown>);
  const approved = async (click: ReturnType<typeof setup>['click']) => {
    const { approvalId } = await env.harness.requestApproval();
    expect((await click(approvalId, { actionId: APPROVE_ACTION_ID })).statusCode).toBe(200);
    return approvalId;
  };

  it('an approver on an approved approval: one StartExecution named after the remediation, the message updated', async () => {
    const { sfn, click } = setup();
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'arn:x', startDate: new Date() });
    const approvalId = await approved(click);

    expect((await click(approvalId)).statusCode).toBe(200);
    const [start, ...more] = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(more).toEqual([]);
    expect(start).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, name: 'undo-rem-7f3c2a' });
    expect(JSON.parse(start?.input ?? '{}')).toMatchObject({
      source: 'apigw-remediation.undo',
      'detail-type': 'Undo Requested in Slack',
      detail: {
        remediationId: 'rem-7f3c2a',
        account: '111122223333',
        stageArn: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod',
        controls: ['APIGateway.1', 'APIGateway.3'],
        requestedBy: 'jane.doe (U024BE7LH)',
      },
    });
    expect(responses().at(-1)).toMatchObject({
      replace_original: true,
      text: expect.stringContaining('Undo requested by jane.doe (U024BE7LH)'),
    });

    // The second click: Step Functions refuses the name, the clicker is told, nothing else starts.
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    expect((await click(approvalId)).statusCode).toBe(200);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
    expect(responses().at(-1)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('already requested'),
    });
  });

  it('a bad signature is refused with 401 before anything is read or started', async () => {
    const { sfn, click } = setup();
    const approvalId = await approved(click);
    const answer = await click(approvalId, { secret: 'not-the-signing-secret' });
    expect(answer.statusCode).toBe(401);
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it('someone not on the allow-list is told so; nothing starts', async () => {
    const { sfn, click } = setup();
    const approvalId = await approved(click);
    expect((await click(approvalId, { user: MALLORY })).statusCode).toBe(200);
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
    expect(responses().at(-1)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('not on the list of approvers'),
    });
  });

  it('a malformed value, an unknown approval, a pending approval: nothing starts', async () => {
    const { sfn, click } = setup();
    expect((await click('not an approval id!')).statusCode).toBe(200);
    await click('AbCdEfGhIjKlMnOpQrStUv');
    expect(responses().at(-1)).toMatchObject({ text: expect.stringContaining('no longer exists') });
    const { approvalId } = await env.harness.requestApproval();
    await click(approvalId);
    expect(responses().at(-1)).toMatchObject({ text: expect.stringContaining('was not approved') });
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it('without a state machine configured the click is answered, nothing starts', async () => {
    const { sfn, click } = setup({});
    const approvalId = await approved(click);
    await click(approvalId);
    expect(sfn.commandCalls(StartExecutionCommand)).toEqual([]);
    expect(responses().at(-1)).toMatchObject({ text: expect.stringContaining('not set up') });
  });
});
