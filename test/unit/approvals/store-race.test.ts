/**
 * createOrRenew against a concurrent creator (approvals/store.ts): the transaction that loses the
 * race is tried again, through shared/retry.ts, until the winner's guard item is readable.
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { newApprovalRecord } from '../../../remediators/approvals/record.js';
import { createApprovalStore } from '../../../remediators/approvals/store.js';
import { approvalRequest, DURING } from './support/fixtures.js';

const dynamodb = mockClient(DynamoDBDocumentClient);
const record = newApprovalRecord('AbCdEfGhIjKlMnOpQrStUv', approvalRequest(), DURING);
const REQUEST_KEY = 'request#rem-7f3c2a#7f3c2a';

function canceled() {
  return new TransactionCanceledException({
    message:
      'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
    $metadata: {},
  });
}

beforeEach(() => {
  dynamodb.reset();
});
afterAll(() => {
  dynamodb.restore();
});

describe('createOrRenew against a concurrent creator', () => {
  it('tries the transaction again while the winning guard is not readable yet, then creates', async () => {
    dynamodb.on(TransactWriteCommand).rejectsOnce(canceled()).resolves({});
    dynamodb.on(GetCommand).resolves({});
    const store = createApprovalStore(new DynamoDBClient({ region: 'us-east-1' }), 'approvals');

    const outcome = await store.createOrRenew(record, REQUEST_KEY);

    expect(outcome).toEqual({ outcome: 'created', record: { ...record, requests: 1 } });
    expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
    expect(dynamodb).toHaveReceivedCommandWith(GetCommand, {
      Key: { approvalId: REQUEST_KEY },
      ConsistentRead: true,
    });
  });

  it("gives up after five transactions with DynamoDB's own error, and never retries other errors", async () => {
    dynamodb.on(TransactWriteCommand).rejects(canceled());
    dynamodb.on(GetCommand).resolves({});
    const store = createApprovalStore(new DynamoDBClient({ region: 'us-east-1' }), 'approvals');

    await expect(store.createOrRenew(record, REQUEST_KEY)).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
    expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteCommand, 5);

    dynamodb.reset();
    dynamodb.on(TransactWriteCommand).rejects(new Error('AccessDeniedException'));
    await expect(store.createOrRenew(record, REQUEST_KEY)).rejects.toThrow('AccessDeniedException');
    expect(dynamodb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(dynamodb).not.toHaveReceivedCommand(GetCommand);
  });
});
