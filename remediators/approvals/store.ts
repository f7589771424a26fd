/**
 * The approvals table (partition key `approvalId`, TTL attribute `ttl`).
 *
 * Single use rests on one conditional write: PENDING → DECIDED succeeds for exactly one caller,
 * however many clicks, replays or concurrent requests arrive.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ApprovalDecision } from './contract.js';
import { ApprovalRecordSchema, type ApprovalRecord, type Delivery } from './record.js';

export type ClaimResult =
  | { readonly won: true; readonly record: ApprovalRecord }
  /** Someone decided first, or the request expired or vanished meanwhile: `record` says which. */
  | { readonly won: false; readonly record: ApprovalRecord | undefined };

export interface ApprovalStore {
  create(record: ApprovalRecord): Promise<void>;
  get(approvalId: string): Promise<ApprovalRecord | undefined>;
  attachSlackMessage(approvalId: string, message: { channel: string; ts: string }): Promise<void>;
  /** PENDING and not expired → DECIDED with this decision, atomically. */
  claim(approvalId: string, decision: ApprovalDecision, nowSeconds: number): Promise<ClaimResult>;
  /** Undo our own claim when the decision could not reach the workflow, so it can be decided again. */
  release(approvalId: string, decision: ApprovalDecision): Promise<void>;
  recordDelivery(approvalId: string, delivery: Delivery): Promise<void>;
}

function parseRecord(item: Record<string, unknown>): ApprovalRecord {
  const parsed = ApprovalRecordSchema.safeParse(item);
  if (!parsed.success) {
    throw new Error(
      `approvals table item ${JSON.stringify(item['approvalId'])} is not an approval record: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

export function createApprovalStore(client: DynamoDBClient, tableName: string): ApprovalStore {
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });

  async function get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { approvalId }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : parseRecord(Item);
  }

  return {
    async create(record) {
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(approvalId)',
        }),
      );
    },

    get,

    async attachSlackMessage(approvalId, message) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { approvalId },
          UpdateExpression: 'SET slackMessage = :message',
          ConditionExpression: 'attribute_exists(approvalId)',
          ExpressionAttributeValues: { ':message': message },
        }),
      );
    },

    async claim(approvalId, decision, nowSeconds) {
      try {
        const { Attributes } = await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { approvalId },
            UpdateExpression: 'SET #status = :decided, decision = :decision',
            ConditionExpression: '#status = :pending AND expiresAtEpoch > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':decided': 'DECIDED',
              ':pending': 'PENDING',
              ':decision': decision,
              ':now': nowSeconds,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (Attributes === undefined)
          throw new Error(`UpdateItem on approval ${approvalId} returned no item`);
        return { won: true, record: parseRecord(Attributes) };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          return { won: false, record: await get(approvalId) };
        throw error;
      }
    },

    async release(approvalId, decision) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { approvalId },
          UpdateExpression: 'SET #status = :pending REMOVE decision',
          ConditionExpression: '#status = :decided AND decision.decidedAt = :decidedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'PENDING',
            ':decided': 'DECIDED',
            ':decidedAt': decision.decidedAt,
          },
        }),
      );
    },

    async recordDelivery(approvalId, delivery) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { approvalId },
          UpdateExpression: 'SET delivery = :delivery',
          ExpressionAttributeValues: { ':delivery': delivery },
        }),
      );
    },
  };
}
