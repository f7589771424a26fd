/**
 * The Slack Undo button (issue 12, docs/decisions/0030, docs/approvals.md "Undo") through the real
 * state machine on moto_server: a remediation approved with a signed Slack click through the real
 * approval API ends REMEDIATED, the OfferUndo task (the real request-approval handler) replaces
 * the approval message with one carrying an Undo button, the button's click (signed as Slack
 * signs) goes through the real approval API, whose StartExecution input is run through the
 * harness and takes the change back (read back from moto); a second click starts no second run.
 */
import { randomUUID } from 'node:crypto';
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import {
  ExecutionAlreadyExists,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApprovalSchema } from '../../config/schema.js';
import { APPROVE_ACTION_ID, UNDO_ACTION_ID } from '../../remediators/approvals/messages.js';
import type { SlackApi, SlackMessage, SlackResponse } from '../../remediators/approvals/slack-api.js';
import { createApprovalStore } from '../../remediators/approvals/store.js';
import { createApprovalApiHandler } from '../../remediators/handlers/approval-api.js';
import {
  createOfferUndoHandler,
  createRequestApprovalHandler,
} from '../../remediators/handlers/request-approval.js';
import type { RemediationEntry, UndoEntry } from '../../remediators/ledger/entry.js';
import { createApprovalResources, createTaskTokenBridge } from '../../remediators/local/approvals.js';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import {
  blockActionsBody,
  SLACK_SECRET,
  signedInteractionEvent,
} from '../unit/approvals/support/fixtures.js';
import { createWorkflowHarness, fixtureEvent, type WorkflowHarness } from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
const APPROVER = { userId: 'U024BE7LH', userName: 'dana.approver' };
const STATE_MACHINE_ARN = `arn:aws:states:${MOTO_REGION}:${MOTO_ACCOUNT}:stateMachine:apigw-remediation`;
const RESPONSE_URL = 'https://hooks.slack.com/actions/T0001/1234/abcd';
const CHANNEL = 'C0123456789';
const TS = '1700000000.000001';

type Button = { action_id: string; value: string; confirm?: Record<string, unknown> };
const buttonsOf = (message: SlackMessage | undefined): Button[] =>
  (message?.blocks ?? [])
    .filter((block) => block['type'] === 'actions')
    .flatMap((block) => block['elements'] as Button[]);

describe('Slack Undo button through the workflow', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  let harness: WorkflowHarness;

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: { controls: { 'APIGateway.1': 'approve' } },
    });
  });

  it('a Slack-approved remediation gets Undo; the click starts one undo run that restores the stage', async () => {
    const table = `approvals-${randomUUID()}`;
    await createApprovalResources(moto.endpoint, MOTO_REGION, { table, secret: `slack-${randomUUID()}` });
    const store = createApprovalStore(
      new DynamoDBClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials }),
      table,
    );
    const approval = ApprovalSchema.parse({
      approvers: { userIds: [APPROVER.userId] },
      slack: { channelId: CHANNEL },
    });
    // Slack, as far as the handlers see it: the message as posted and updated, the clicker's answers.
    const posted: SlackMessage[] = [];
    const updates: SlackMessage[] = [];
    const responses: SlackResponse[] = [];
    const slack: SlackApi = {
      postMessage: async (channel, message) => {
        posted.push(message);
        return { channel, ts: TS };
      },
      updateMessage: async (_channel, _ts, message) => {
        updates.push(message);
      },
      respond: async (_url, response) => {
        responses.push(response);
      },
      userGroupMembers: async () => [],
    };
    const bridge = createTaskTokenBridge(MOTO_REGION);
    // Step Functions for the approval API: task tokens answered in process, StartExecution kept.
    const started: StartExecutionCommandInput[] = [];
    const sfn = {
      send: async (command: unknown) => {
        if (!(command instanceof StartExecutionCommand)) return bridge.sfn.send(command as never);
        const input = command.input;
        if (started.some((earlier) => earlier.name === input.name))
          throw new ExecutionAlreadyExists({
            message: `Execution Already Exists: ${input.name}`,
            $metadata: {},
          });
        started.push(input);
        return {
          executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
        };
      },
    } as unknown as SFNClient;
    const now = () => new Date();
    const deps = { store, slackSecret: async () => SLACK_SECRET, slackApi: () => slack, now };
    const request = createRequestApprovalHandler({
      ...deps,
      approval,
      baseUrl: 'https://approvals.example/prod',
    });
    const offerUndo = createOfferUndoHandler(deps);
    const api = createApprovalApiHandler({ ...deps, sfn, approval, stateMachineArn: STATE_MACHINE_ARN });
    const click = async (actionId: string, approvalId: string, userId = APPROVER.userId) => {
      const body = blockActionsBody({ approvalId, actionId, responseUrl: RESPONSE_URL, ...APPROVER, userId });
      return api(signedInteractionEvent(body, Math.floor(Date.now() / 1000)));
    };

    const finding = fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
      [FIXTURE_API_ID]: seeded.ref.apiId,
      [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
    });
    await harness.run(finding, {
      approval: async (payload) => {
        const decided = bridge.waitFor(payload['taskToken'] as string);
        const { approvalId } = await request(payload);
        expect((await click(APPROVE_ACTION_ID, approvalId)).statusCode).toBe(200);
        return decided;
      },
      offerUndo: (event) => offerUndo(event),
    });

    const apiGateway = new APIGatewayClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const loggingLevel = async () =>
      (await apiGateway.send(new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' })))
        .methodSettings?.['*/*']?.loggingLevel ?? 'OFF';
    expect(await loggingLevel()).toBe('ERROR');
    const remediation = (await harness.ledger.list()).find(
      (entry): entry is RemediationEntry => entry.kind === 'REMEDIATION' && entry.outcome === 'REMEDIATED',
    );
    expect(remediation?.approver).toBeDefined();
    expect(harness.invocations.map((call) => call.state).slice(-3)).toEqual([
      'Notify',
      'OfferUndo',
      'ReleaseLock',
    ]);

    // The approval message now says it is done and carries the Undo button, with Slack's confirm dialog.
    const [undoButton, ...moreButtons] = buttonsOf(updates.at(-1));
    expect(moreButtons).toEqual([]);
    const approvalId = buttonsOf(posted[0])[0]?.value ?? '';
    expect(undoButton).toMatchObject({ action_id: UNDO_ACTION_ID, value: approvalId });
    expect(undoButton?.confirm).toMatchObject({ confirm: { text: 'Undo' }, deny: { text: 'Cancel' } });

    // Someone not on the allow-list: refused, nothing started.
    expect((await click(UNDO_ACTION_ID, approvalId, 'U999NOTLISTED')).statusCode).toBe(200);
    expect(started).toEqual([]);
    expect(responses.at(-1)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringMatching(/not on the list/),
    });

    expect((await click(UNDO_ACTION_ID, approvalId)).statusCode).toBe(200);
    expect(started).toHaveLength(1);
    const [start] = started;
    expect(start?.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start?.name).toBe(`undo-${remediation?.entryId}`);
    expect(responses.at(-1)).toMatchObject({
      replace_original: true,
      text: expect.stringContaining(`Undo requested by ${APPROVER.userName} (${APPROVER.userId})`),
    });
    expect(buttonsOf(responses.at(-1) as SlackMessage)).toEqual([]);

    // The execution the approval API started, with exactly its input, through the real state machine.
    await harness.run(JSON.parse(start?.input ?? '{}'), { executionName: start?.name ?? '' });
    expect(await loggingLevel()).toBe('OFF');
    const undos = (await harness.ledger.list()).filter((entry): entry is UndoEntry => entry.kind === 'UNDO');
    expect(undos).toEqual([expect.objectContaining({ undoes: remediation?.entryId, outcome: 'UNDONE' })]);
    expect(harness.published.at(-1)?.Message).toContain(`asked by ${APPROVER.userName} (${APPROVER.userId})`);

    // A second click: ExecutionAlreadyExists, answered "already requested"; no second run.
    await click(UNDO_ACTION_ID, approvalId);
    expect(started).toHaveLength(1);
    expect(responses.at(-1)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('already requested'),
    });
  });
});
