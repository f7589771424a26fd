/**
 * Delivering a final decision: what a token error means depends on what came before it and on
 * what the execution says (Step Functions mocked; the socket-level faults are in
 * test/e2e/approval-faults.test.ts).
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalDecision } from '../../../remediators/approvals/contract.js';
import {
  driveDelivery,
  redriveOnClick,
  WINNER_DELIVERY_GRACE_MS,
} from '../../../remediators/approvals/decide.js';
import { deliverDecision, historyShowsDecision } from '../../../remediators/approvals/delivery.js';
import {
  newApprovalRecord,
  type ApprovalRecord,
  type Delivery,
} from '../../../remediators/approvals/record.js';
import type { ApprovalStore } from '../../../remediators/approvals/store.js';
import { approvalRequest, DURING } from './support/fixtures.js';

const decision: ApprovalDecision = {
  decision: 'APPROVED',
  approver: { id: 'U0ALICE01', name: 'alice' },
  decidedAt: '2026-11-21T10:05:00.000Z',
  channel: 'slack',
};

function decided(delivery: Delivery): ApprovalRecord {
  return {
    ...newApprovalRecord('AbCdEfGhIjKlMnOpQrStUv', approvalRequest(), DURING),
    status: 'DECIDED',
    decision,
    delivery,
  };
}

const succeeded = (output: string) => ({
  id: 7,
  timestamp: new Date(),
  type: 'TaskSucceeded' as const,
  taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output },
});

describe('historyShowsDecision', () => {
  it('matches the approval task ending with this very decision, not another one', () => {
    expect(historyShowsDecision([succeeded(JSON.stringify(decision))], decision)).toBe(true);
    const other = { ...decision, approver: { id: 'U0BOB0001', name: 'bob' } };
    expect(historyShowsDecision([succeeded(JSON.stringify(other))], decision)).toBe(false);
    expect(historyShowsDecision([succeeded('{"not":"a decision"}')], decision)).toBe(false);
    const rejection = { ...decision, decision: 'REJECTED' as const };
    const failed = {
      id: 8,
      timestamp: new Date(),
      type: 'TaskFailed' as const,
      taskFailedEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke.waitForTaskToken',
        error: 'ApprovalRejected',
        cause: JSON.stringify(rejection),
      },
    };
    expect(historyShowsDecision([failed], rejection)).toBe(true);
    expect(historyShowsDecision([failed], decision)).toBe(false);
  });
});

describe('historyShowsDecision after the timeout settled for a decision', () => {
  const settlement = (outcome: string, settled: ApprovalDecision) =>
    JSON.stringify({ outcome, decision: settled, cause: JSON.stringify(settled) });
  const lambdaSucceeded = (output: string) => ({
    id: 9,
    timestamp: new Date(),
    type: 'LambdaFunctionSucceeded' as const,
    lambdaFunctionSucceededEventDetails: { output },
  });

  it("counts SettleApprovalTimeout's result naming this decision as received, in either event form", () => {
    const rejection = { ...decision, decision: 'REJECTED' as const };
    expect(historyShowsDecision([lambdaSucceeded(settlement('APPROVED', decision))], decision)).toBe(true);
    expect(historyShowsDecision([lambdaSucceeded(settlement('REJECTED', rejection))], rejection)).toBe(true);
    expect(historyShowsDecision([succeeded(settlement('REJECTED', rejection))], rejection)).toBe(true);
    // Another decision, another outcome, or the timeout's own EXPIRED: not this decision.
    const bob = { ...decision, approver: { id: 'U0BOB0001', name: 'bob' } };
    expect(historyShowsDecision([lambdaSucceeded(settlement('APPROVED', bob))], decision)).toBe(false);
    expect(historyShowsDecision([lambdaSucceeded(settlement('REJECTED', decision))], decision)).toBe(false);
    expect(historyShowsDecision([lambdaSucceeded('{"outcome":"EXPIRED"}')], decision)).toBe(false);
  });
});

describe('driveDelivery follows the table', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());
  // mockClient stubs SFNClient's prototype: restored, so no later file run in the same process
  // (the mutation run does not isolate files) gets a stubbed client.
  afterAll(() => sfn.restore());

  it('when the timeout settlement stored DELIVERED first, that is what is returned, not "ended without it"', async () => {
    // This re-drive read the record before the settlement; the execution has ended since.
    sfn.on(SendTaskSuccessCommand).rejects(new InvalidToken({ message: 'Invalid Token', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const stored: Delivery = { status: 'DELIVERED', at: DURING.toISOString() };
    const recorded: Delivery[] = [];
    const store = {
      recordDelivery: async (_id: string, attempted: Delivery) => {
        recorded.push(attempted);
        return stored;
      },
    } as unknown as ApprovalStore;
    const delivery = await driveDelivery(
      { store, sfn: new SFNClient({ region: 'us-east-1' }), now: () => DURING },
      decided({ status: 'PENDING', attempts: 1, at: DURING.toISOString() }),
      AbortSignal.timeout(2_000),
    );
    expect(recorded).toMatchObject([{ status: 'EXECUTION_FINISHED' }]);
    expect(delivery).toBe(stored);
  });
});

describe('deliverDecision', () => {
  const sfn = mockClient(SFNClient);
  const deps = { sfn: new SFNClient({ region: 'us-east-1' }), now: () => DURING };
  beforeEach(() => sfn.reset());
  afterAll(() => sfn.restore());
  const budget = () => AbortSignal.timeout(2_000);

  it('InvalidToken after an unanswered attempt, execution running, not in the history: still PENDING, never "gone"', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new InvalidToken({ message: 'Invalid Token', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const delivery = await deliverDecision(
      deps,
      decided({ status: 'PENDING', attempts: 1, lastError: 'socket hang up', at: DURING.toISOString() }),
      budget(),
    );
    expect(delivery).toMatchObject({ status: 'PENDING', attempts: 2, lastError: 'InvalidToken' });
  });

  it('TaskDoesNotExist, and the history shows the decision: DELIVERED', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskDoesNotExist({ message: 'gone', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [succeeded(JSON.stringify(decision))] });
    const delivery = await deliverDecision(
      deps,
      decided({ status: 'PENDING', attempts: 1, at: DURING.toISOString() }),
      budget(),
    );
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });

  it('a history look-up that fails leaves the delivery PENDING with both errors named', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new InvalidToken({ message: 'Invalid Token', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).rejects(new Error('AccessDeniedException'));
    const delivery = await deliverDecision(
      deps,
      decided({ status: 'PENDING', attempts: 0, at: DURING.toISOString() }),
      budget(),
    );
    expect(delivery).toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(delivery.status === 'PENDING' && delivery.lastError).toContain('InvalidToken; then');
  });

  it('a settled delivery is returned as it is, without calling Step Functions', async () => {
    const settled: Delivery = { status: 'DELIVERED', attempts: 1, at: DURING.toISOString() };
    expect(await deliverDecision(deps, decided(settled), budget())).toBe(settled);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('redriveOnClick', () => {
  const at = (ms: number) => new Date(Date.parse(decision.decidedAt) + ms);

  it('leaves a winner alone while it is on its first attempt, and takes over once an attempt failed or its time is up', () => {
    const fresh = decided({ status: 'PENDING', attempts: 0, at: decision.decidedAt });
    expect(redriveOnClick(fresh, at(1_000))).toBe(false);
    expect(redriveOnClick(fresh, at(WINNER_DELIVERY_GRACE_MS))).toBe(true);
    const failed = decided({ status: 'PENDING', attempts: 1, at: decision.decidedAt });
    expect(redriveOnClick(failed, at(1_000))).toBe(true);
    const delivered = decided({ status: 'DELIVERED', attempts: 1, at: decision.decidedAt });
    expect(redriveOnClick(delivered, at(60_000))).toBe(false);
  });
});
