/**
 * Approvals under network faults, through the REAL approval-API handler and the REAL re-drive
 * sweep: DynamoDB in moto_server (behind a proxy that can slow, fail or drop calls), Step
 * Functions a local fake speaking its JSON protocol that can apply and then drop the connection,
 * answer TaskTimedOut to a retry, never answer, or not be there at all.
 *
 * In every case: exactly one decision in the table; the workflow received exactly that decision
 * (or the execution is recorded as finished without it); Slack got its answer although a call
 * never returned (the fake that never answers shows it, not a stopwatch); every message is true.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalSchema } from '../../config/schema.js';
import { approvalClientOptions } from '../../remediators/approvals/clients.js';
import { APPROVAL_REJECTED_ERROR } from '../../remediators/approvals/contract.js';
import { driveDelivery } from '../../remediators/approvals/decide.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from '../../remediators/approvals/messages.js';
import { redrive } from '../../remediators/approvals/redrive.js';
import { createSlackApi } from '../../remediators/approvals/slack-api.js';
import { slackSecretLoader } from '../../remediators/approvals/slack-secret.js';
import { createApprovalStore, type ApprovalStore } from '../../remediators/approvals/store.js';
import { createApprovalApiHandler } from '../../remediators/handlers/approval-api.js';
import {
  createRequestApprovalHandler,
  createSettleTimeoutHandler,
} from '../../remediators/handlers/request-approval.js';
import { MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { startFakeSlack, type FakeSlack } from '../unit/approvals/support/fake-slack.js';
import {
  approvalRequest,
  blockActionsBody,
  AFTER_EXPIRY,
  DURING,
  signAsSlack,
  TASK_TOKEN,
} from '../unit/approvals/support/fixtures.js';
import { BASE_URL, createAwsResources, SECRET_NAME, TABLE_NAME } from './approval-harness.js';
import { startFaultyProxy, type FaultyProxy } from './support/faulty-proxy.js';
import {
  startFakeStepFunctions,
  unreachableEndpoint,
  type FakeStepFunctions,
} from './support/fake-step-functions.js';

const ALICE = { userId: 'U0ALICE01', userName: 'alice' };
const BOB = { userId: 'U0BOB0001', userName: 'bob' };
/** Small budgets keep the suite quick; the handler's logic is the same as with Slack's 3 s. */
const BUDGETS = { clickMs: 1_600, answerReserveMs: 500, linkMs: 3_000 };

describe('approvals under network faults', () => {
  const moto = useMoto();
  let slack: FakeSlack;
  let sfn: FakeStepFunctions;
  let dynamo: FaultyProxy;
  const now = () => DURING;
  const aws = () => ({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  /** The table as an auditor reads it: straight from DynamoDB, no proxy. */
  let table: ApprovalStore;

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => slack.close());
  beforeEach(async () => {
    slack.reset();
    await createAwsResources(moto.endpoint);
    sfn = await startFakeStepFunctions();
    dynamo = await startFaultyProxy(moto.endpoint);
    table = createApprovalStore(new DynamoDBClient(aws()), TABLE_NAME);
  });
  afterEach(async () => {
    await sfn.close();
    await dynamo.close();
  });

  const approval = ApprovalSchema.parse({ slack: { channelId: 'C0123456789' } });
  const slackSecret = () => slackSecretLoader(new SecretsManagerClient(aws()), SECRET_NAME);
  const slackApi = (secret: { botToken: string }, signal?: AbortSignal) =>
    createSlackApi({ botToken: secret.botToken, baseUrl: slack.apiUrl, ...(signal ? { signal } : {}) });

  /** One approval API "process": its own clients, as a Lambda container has. */
  function approvalApi(options: { sfnEndpoint?: string } = {}) {
    return createApprovalApiHandler({
      store: createApprovalStore(
        new DynamoDBClient({ ...aws(), endpoint: dynamo.endpoint, ...approvalClientOptions(2) }),
        TABLE_NAME,
      ),
      sfn: new SFNClient({
        region: MOTO_REGION,
        credentials: motoCredentials,
        endpoint: options.sfnEndpoint ?? sfn.endpoint,
        ...approvalClientOptions(1),
      }),
      slackSecret: slackSecret(),
      slackApi,
      approval,
      now,
      slackResponseOrigins: [new URL(slack.apiUrl).origin],
      budgets: BUDGETS,
    });
  }

  /** The scheduled sweep, in a process of its own. */
  async function sweep() {
    const secret = slackSecret();
    return redrive({
      store: createApprovalStore(new DynamoDBClient(aws()), TABLE_NAME),
      sfn: new SFNClient({
        region: MOTO_REGION,
        credentials: motoCredentials,
        endpoint: sfn.endpoint,
        ...approvalClientOptions(1),
      }),
      slack: async () => slackApi(await secret()),
      now,
      perApprovalMs: 3_000,
      stopAt: () => Date.now() + 30_000,
    });
  }

  async function requestApproval(): Promise<string> {
    const request = createRequestApprovalHandler({
      store: table,
      slackSecret: slackSecret(),
      slackApi,
      approval,
      baseUrl: BASE_URL,
      now,
    });
    const { approvalId } = await request(approvalRequest());
    return approvalId;
  }

  function click(approvalId: string, user = ALICE, actionId = APPROVE_ACTION_ID) {
    const body = blockActionsBody({ approvalId, actionId, responseUrl: slack.responseUrl, ...user });
    return {
      httpMethod: 'POST',
      path: '/slack/interactions',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...signAsSlack(body, Math.floor(DURING.getTime() / 1000)),
      },
      queryStringParameters: null,
      body,
      isBase64Encoded: false,
    };
  }

  const responses = () => slack.callsTo('/response/T1/1/abc').map((call) => JSON.stringify(call.body));
  const lastUpdate = () => JSON.stringify(slack.callsTo('/api/chat.update').at(-1)?.body ?? {});

  /** Exactly one decision, by `who`, and the workflow received exactly it (once). */
  async function expectDeliveredOnce(approvalId: string, who: typeof ALICE, decision = 'APPROVED') {
    const record = await table.get(approvalId);
    expect(record?.status).toBe('DECIDED');
    expect(record?.decision).toMatchObject({ decision, approver: { id: who.userId } });
    expect(record?.delivery?.status).toBe('DELIVERED');
    expect(sfn.applied).toHaveLength(1);
    const [received] = sfn.applied;
    expect(received?.taskToken).toBe(TASK_TOKEN);
    const payload = decision === 'APPROVED' ? received?.output : received?.cause;
    expect(JSON.parse(payload ?? '{}')).toEqual(record?.decision);
    if (decision === 'REJECTED') expect(received?.error).toBe(APPROVAL_REJECTED_ERROR);
  }

  it('(a) applied, then the connection dropped and the retry not answered: final, told so, delivered by the sweep', async () => {
    const approvalId = await requestApproval();
    sfn.faults = ['apply-then-drop', 'hang', 'hang', 'hang', 'hang', 'hang'];
    const answer = await approvalApi()(click(approvalId));
    expect(answer.statusCode).toBe(200);
    expect(await table.get(approvalId)).toMatchObject({
      status: 'DECIDED',
      decision: { decision: 'APPROVED', approver: { id: ALICE.userId } },
      delivery: { status: 'PENDING' },
    });
    expect(responses().at(-1)).toContain('This decision is final. Step Functions has not confirmed it yet');
    expect(responses().join('')).not.toContain('nothing was decided');

    // Bob, meanwhile: told who decided; nothing flips.
    await approvalApi()(click(approvalId, BOB, REJECT_ACTION_ID));
    expect(responses().at(-1)).toContain('Already approved by alice (U0ALICE01)');

    sfn.faults = [];
    const report = await sweep();
    expect(report).toMatchObject({ delivered: 1, messagesUpdated: 1, failures: 0 });
    await expectDeliveredOnce(approvalId, ALICE);
    expect(lastUpdate()).toContain('The workflow has received this decision.');
    expect((await sweep()).looked).toBe(0);
  });

  it('(b) applied, the connection dropped, the retry answered TaskTimedOut: the history proves it was delivered', async () => {
    const approvalId = await requestApproval();
    sfn.faults = ['apply-then-drop'];
    await approvalApi()(click(approvalId));
    expect(sfn.sendTaskCalls()).toBe(2);
    await expectDeliveredOnce(approvalId, ALICE);
    expect(responses().at(-1)).toContain('The workflow has received this decision.');
    expect(responses().join('')).not.toMatch(/will not act|did not act/);
  });

  it('(c) Step Functions never answers: Slack is answered anyway, the decision stays, the sweep delivers it', async () => {
    const approvalId = await requestApproval();
    sfn.faults = Array.from({ length: 20 }, () => 'hang' as const);
    // Resolves although no SendTask ever returns: the deadline, not the fake, ends the request.
    const answer = await approvalApi()(click(approvalId, ALICE, REJECT_ACTION_ID));
    expect(answer.statusCode).toBe(200);
    expect(sfn.applied).toHaveLength(0);
    expect(responses().at(-1)).toContain('Rejected by alice (U0ALICE01)');
    expect(responses().at(-1)).toContain('Step Functions has not confirmed it yet');
    expect((await table.get(approvalId))?.delivery?.status).toBe('PENDING');

    sfn.faults = [];
    await sweep();
    await expectDeliveredOnce(approvalId, ALICE, 'REJECTED');
    expect(lastUpdate()).toContain('Rejected by alice (U0ALICE01)');
    expect(lastUpdate()).toContain('The workflow has received this decision.');
  });

  it('(d) Step Functions unreachable, a second approver meanwhile: told "already approved by", nothing flips', async () => {
    const approvalId = await requestApproval();
    const unreachable = await unreachableEndpoint();
    await approvalApi({ sfnEndpoint: unreachable })(click(approvalId));
    expect(responses().at(-1)).toContain('Approved by alice (U0ALICE01)');
    expect(responses().at(-1)).toContain('Step Functions has not confirmed it yet');

    await approvalApi({ sfnEndpoint: unreachable })(click(approvalId, BOB, REJECT_ACTION_ID));
    expect(responses().at(-1)).toContain('Already approved by alice (U0ALICE01)');
    expect((await table.get(approvalId))?.decision?.decision).toBe('APPROVED');

    await sweep();
    await expectDeliveredOnce(approvalId, ALICE);
  });

  it('a token the workflow closed before any delivery: the execution says it ended, and that is what is told', async () => {
    const approvalId = await requestApproval();
    sfn.closeToken(TASK_TOKEN);
    sfn.executionStatus = 'ABORTED';
    await approvalApi()(click(approvalId));
    expect(await table.get(approvalId)).toMatchObject({
      status: 'DECIDED',
      delivery: { status: 'EXECUTION_FINISHED', executionStatus: 'ABORTED', error: 'TaskTimedOut' },
    });
    expect(sfn.applied).toHaveLength(0);
    expect(responses().at(-1)).toContain(
      'The workflow execution ended (ABORTED) without receiving this decision',
    );
    expect((await sweep()).looked).toBe(0);
  });

  it('an ended execution that did receive the decision is recorded as delivered, not as ended without it', async () => {
    const approvalId = await requestApproval();
    sfn.faults = ['apply-then-drop'];
    sfn.executionStatus = 'SUCCEEDED';
    await approvalApi()(click(approvalId));
    await expectDeliveredOnce(approvalId, ALICE);
  });

  it('the answering process is killed right after it answers: the next process finishes the delivery', async () => {
    const approvalId = await requestApproval();
    // Applied and never answered; then the process has no time left to note anything.
    sfn.faults = ['apply-then-hang', 'hang', 'hang', 'hang', 'hang'];
    dynamo.faults.set('UpdateItem', [
      { kind: 'delay', ms: 0 },
      { kind: 'hang' },
      { kind: 'hang' },
      { kind: 'hang' },
    ]);
    const answer = await approvalApi()(click(approvalId));
    expect(answer.statusCode).toBe(200);
    expect(responses().at(-1)).toContain('This decision is final');
    // Nothing more happens in that process (a Lambda is frozen once it has answered).
    expect((await table.get(approvalId))?.delivery).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(sfn.applied).toHaveLength(1);

    sfn.faults = [];
    const report = await sweep();
    expect(report.delivered).toBe(1);
    await expectDeliveredOnce(approvalId, ALICE);
    expect(lastUpdate()).toContain('The workflow has received this decision.');
  });

  it('the Slack secret never arrives (a cold start with Secrets Manager stuck): answered anyway, nothing decided', async () => {
    const approvalId = await requestApproval();
    const stuck = createApprovalApiHandler({
      store: table,
      sfn: new SFNClient({ ...aws(), endpoint: sfn.endpoint }),
      // Resolves never: only the request's deadline can end the wait.
      slackSecret: () => new Promise(() => undefined),
      slackApi,
      approval,
      now,
      slackResponseOrigins: [new URL(slack.apiUrl).origin],
      budgets: BUDGETS,
    });
    const answer = await stuck(click(approvalId));
    expect(answer.statusCode).toBe(503);
    expect(await table.get(approvalId)).toMatchObject({ status: 'PENDING' });
    expect(sfn.sendTaskCalls()).toBe(0);
    expect(responses()).toEqual([]);
  });

  it('DynamoDB slow on the look-up: Slack is answered before it, and told nothing was decided', async () => {
    const approvalId = await requestApproval();
    dynamo.faults.set('GetItem', [{ kind: 'hang' }, { kind: 'hang' }]);
    const answer = await approvalApi()(click(approvalId));
    expect(answer.statusCode).toBe(200);
    expect(responses().at(-1)).toContain('Nothing was decided');
    expect((await table.get(approvalId))?.status).toBe('PENDING');
    expect(sfn.sendTaskCalls()).toBe(0);
  });

  it('DynamoDB failing on the claim: the approver is told it may or may not be recorded, never that it was not', async () => {
    const approvalId = await requestApproval();
    dynamo.faults.set('UpdateItem', [{ kind: 'fail500' }, { kind: 'fail500' }]);
    await approvalApi()(click(approvalId));
    expect(responses().at(-1)).toContain('may or may not have been recorded');
    // Here the write never reached the table: still undecided, and a new click decides.
    expect((await table.get(approvalId))?.status).toBe('PENDING');
    await approvalApi()(click(approvalId, BOB));
    await expectDeliveredOnce(approvalId, BOB);
  });

  it('the claim applied but its answer lost: the retried write finds its own decision and carries on', async () => {
    const approvalId = await requestApproval();
    dynamo.faults.set('UpdateItem', [{ kind: 'forward-then-drop' }]);
    await approvalApi()(click(approvalId));
    await expectDeliveredOnce(approvalId, ALICE);
    expect(responses().at(-1)).toContain('Approved by alice (U0ALICE01)');
    expect(responses().join('')).not.toContain('Already approved');
  });
  describe('the approval timeout against a late click: one conditional write each, exactly one wins', () => {
    const settle = () =>
      createSettleTimeoutHandler({
        store: table,
        now: () => AFTER_EXPIRY,
        slackSecret: slackSecret(),
        slackApi,
      })({
        settle: 'TIMEOUT',
        remediationId: approvalRequest().remediationId,
        executionArn: approvalRequest().executionArn,
      });

    it('the timeout first: the record is EXPIRED, a later click decides nothing and says so', async () => {
      const approvalId = await requestApproval();
      expect(await settle()).toEqual({ outcome: 'EXPIRED' });
      // The message follows the table: no buttons, and it says the approval expired.
      expect(lastUpdate()).toContain(
        'Nobody decided in time: the approval expired at 2026-11-22T10:00:01.000Z',
      );
      expect(lastUpdate()).not.toContain('approval.approve');
      await approvalApi()(click(approvalId));
      expect(await table.get(approvalId)).toMatchObject({ status: 'EXPIRED' });
      expect((await table.get(approvalId))?.decision).toBeUndefined();
      expect(responses().at(-1)).toContain('Nothing was decided');
      expect(sfn.sendTaskCalls()).toBe(0);
    });

    it('the click first, its delivery lost: the workflow follows that decision from the table', async () => {
      const approvalId = await requestApproval();
      sfn.faults = Array.from({ length: 20 }, () => 'hang' as const);
      await approvalApi()(click(approvalId, ALICE, REJECT_ACTION_ID));
      const decided = await table.get(approvalId);
      const settled = await settle();
      expect(settled).toEqual({
        outcome: 'REJECTED',
        decision: decided?.decision,
        cause: JSON.stringify(decided?.decision),
      });
      expect(await table.get(approvalId)).toMatchObject({
        status: 'DECIDED',
        delivery: { status: 'DELIVERED' },
      });
      expect(sfn.applied).toHaveLength(0);

      // A re-drive that read the record before the settlement, once the execution has ended: it
      // is told what the table says (delivered), not "ended without receiving it".
      sfn.faults = [];
      sfn.closeToken(TASK_TOKEN);
      sfn.executionStatus = 'SUCCEEDED';
      if (decided === undefined) throw new Error('the click stored no record');
      const late = await driveDelivery(
        { store: table, sfn: new SFNClient({ ...aws(), endpoint: sfn.endpoint }), now },
        decided,
        AbortSignal.timeout(3_000),
      );
      expect(late.status).toBe('DELIVERED');
      expect((await table.get(approvalId))?.delivery?.status).toBe('DELIVERED');
    });

    it('both at once: exactly one of them wins, and each side is told the same winner', async () => {
      const approvalId = await requestApproval();
      const [settled] = await Promise.all([settle(), approvalApi()(click(approvalId))]);
      const record = await table.get(approvalId);
      if (settled.outcome === 'EXPIRED') {
        expect(record?.status).toBe('EXPIRED');
        expect(record?.decision).toBeUndefined();
        expect(responses().at(-1)).toContain('Nothing was decided');
        expect(sfn.applied).toHaveLength(0);
      } else {
        expect(record?.status).toBe('DECIDED');
        expect(settled).toMatchObject({ outcome: 'APPROVED', decision: record?.decision });
        expect(responses().at(-1)).toContain('Approved by alice (U0ALICE01)');
      }
    });
  });
});
