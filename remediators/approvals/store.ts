/**
 * The approvals table (partition key `approvalId`, TTL attribute `ttl`): approval records, and one
 * request guard item (`request#…`) per remediation and execution naming its approval.
 *
 * Single use rests on one conditional write: PENDING → DECIDED succeeds for exactly one caller,
 * however many clicks, replays or concurrent requests arrive. That write is the decision: it is
 * never undone (a failed or unconfirmed delivery leaves `delivery` PENDING for the re-drive).
 *
 * Every method takes an optional AbortSignal: the approval API bounds a whole request by one
 * deadline (Slack's 3 s), not each call by its own timeout.
 */
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  paginateScan,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { retrying } from '../shared/retry.js';
import type { ApprovalDecision } from './contract.js';
import { ApprovalRecordSchema, type ApprovalRecord, type Delivery } from './record.js';

export type ClaimResult =
  | { readonly won: true; readonly record: ApprovalRecord }
  /** Someone decided first, or the request expired or vanished meanwhile: `record` says which. */
  | { readonly won: false; readonly record: ApprovalRecord | undefined };

/** What asking for an approval did: see {@link ApprovalStore.createOrRenew}. */
export type RequestOutcome =
  /** First request for this remediation and execution: `record` was stored. */
  | { readonly outcome: 'created'; readonly record: ApprovalRecord }
  /** A retry while the approval is PENDING: its task token now replaces the stored one. */
  | { readonly outcome: 'renewed'; readonly record: ApprovalRecord; readonly tokenChanged: boolean }
  /** A retry after someone decided: nothing was changed (a decided approval is never reopened). */
  | { readonly outcome: 'decided'; readonly record: ApprovalRecord };

/** How the workflow's approval timeout settled against the table: see {@link ApprovalStore.settleTimeout}. */
export type TimeoutSettlement =
  /** The timeout won: the approval is EXPIRED and no decision can be claimed any more. */
  | { readonly outcome: 'EXPIRED'; readonly approvalId: string | undefined; readonly record?: ApprovalRecord }
  /** A decision won first: the workflow follows it. */
  | { readonly outcome: 'DECIDED'; readonly record: ApprovalRecord };

export type SlackPostClaim =
  | { readonly won: true }
  /** Already posted, being posted by another invocation, or decided: `record` says which. */
  | { readonly won: false; readonly record: ApprovalRecord | undefined };

export interface ApprovalStore {
  create(record: ApprovalRecord): Promise<void>;
  /**
   * Idempotent per remediation and execution (the unique guard item `requestKey`): stores the
   * record with its guard in one transaction, or, when the guard exists, stores this task token
   * on the approval it points to if that is still PENDING.
   */
  createOrRenew(record: ApprovalRecord, requestKey: string): Promise<RequestOutcome>;
  get(approvalId: string, signal?: AbortSignal): Promise<ApprovalRecord | undefined>;
  /** Only one invocation at a time posts the message: PENDING, not posted, no live lease → our lease. */
  claimSlackPost(
    approvalId: string,
    claimId: string,
    nowSeconds: number,
    leaseSeconds: number,
  ): Promise<SlackPostClaim>;
  releaseSlackPost(approvalId: string, claimId: string): Promise<void>;
  /** Notes that the change list's thread replies were posted. */
  recordRepliesPosted(approvalId: string): Promise<void>;
  /** Stores the posted message's reference and ends the posting lease. */
  attachSlackMessage(approvalId: string, message: { channel: string; ts: string }): Promise<void>;
  /**
   * PENDING and not expired → DECIDED with this decision and delivery PENDING, atomically. Final:
   * nothing ever returns a decided record to PENDING.
   */
  claim(
    approvalId: string,
    decision: ApprovalDecision,
    nowSeconds: number,
    signal?: AbortSignal,
  ): Promise<ClaimResult>;
  /**
   * Stores how the delivery stands, only while it is still PENDING (a final status is never
   * overwritten, so a slow re-drive cannot undo what a faster one confirmed). Returns what the
   * table holds afterwards: `delivery`, or the final status someone else stored first, which is
   * then what every answer and message must say.
   */
  recordDelivery(approvalId: string, delivery: Delivery, signal?: AbortSignal): Promise<Delivery>;
  /**
   * The workflow's approval state timed out: PENDING → EXPIRED with one conditional write that
   * competes with the decision's claim, so exactly one of them wins; a decided approval is
   * returned as it is.
   */
  settleTimeout(requestKey: string, at: string): Promise<TimeoutSettlement>;
  /** The approval the request guard `requestKey` names (the Undo offer after a remediation), if any. */
  getByRequest(requestKey: string): Promise<ApprovalRecord | undefined>;
  /** Notes which delivery status the Slack message now shows. */
  recordSlackShows(approvalId: string, shows: Delivery['status'], signal?: AbortSignal): Promise<void>;
  /**
   * Decided approvals the re-drive sweep still has work on: delivery PENDING, or a Slack message
   * that does not show the current delivery status yet.
   */
  unsettled(): AsyncIterable<ApprovalRecord>;
}

/** The transaction lost to a concurrent creator whose guard item is not readable yet. */
class GuardNotYetReadable extends Error {
  constructor(requestKey: string, options: { cause: unknown }) {
    super(`approval request guard ${requestKey} is not readable yet`, options);
  }
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

  async function get(approvalId: string, signal?: AbortSignal): Promise<ApprovalRecord | undefined> {
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { approvalId }, ConsistentRead: true }),
      { abortSignal: signal },
    );
    return Item === undefined ? undefined : parseRecord(Item);
  }

  async function renew(approvalId: string, record: ApprovalRecord): Promise<RequestOutcome> {
    const renewedAt = record.createdAt;
    try {
      const { Attributes } = await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { approvalId },
          UpdateExpression:
            'SET taskToken = :token, renewedAt = :renewedAt, requests = if_not_exists(requests, :zero) + :one',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':token': record.taskToken,
            ':renewedAt': renewedAt,
            ':zero': 0,
            ':one': 1,
            ':pending': 'PENDING',
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (Attributes === undefined) throw new Error(`UpdateItem on approval ${approvalId} returned no item`);
      const old = parseRecord(Attributes);
      return {
        outcome: 'renewed',
        tokenChanged: old.taskToken !== record.taskToken,
        record: { ...old, taskToken: record.taskToken, renewedAt, requests: (old.requests ?? 0) + 1 },
      };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await get(approvalId);
      if (existing === undefined) {
        throw new Error(`approval ${approvalId} named by the request guard is not in the table`, {
          cause: error,
        });
      }
      return { outcome: 'decided', record: existing };
    }
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

    async createOrRenew(record, requestKey) {
      // A concurrent creator can make our transaction fail before its guard is readable: retry.
      return retrying<RequestOutcome>(
        async () => {
          try {
            await documents.send(
              new TransactWriteCommand({
                TransactItems: [
                  {
                    Put: {
                      TableName: tableName,
                      Item: {
                        approvalId: requestKey,
                        kind: 'REQUEST_GUARD',
                        targetApprovalId: record.approvalId,
                        remediationId: record.subject.remediationId,
                        executionArn: record.subject.executionArn,
                        ttl: record.ttl,
                      },
                      ConditionExpression: 'attribute_not_exists(approvalId)',
                    },
                  },
                  {
                    Put: {
                      TableName: tableName,
                      Item: { ...record, requests: 1 },
                      ConditionExpression: 'attribute_not_exists(approvalId)',
                    },
                  },
                ],
              }),
            );
            return { outcome: 'created', record: { ...record, requests: 1 } };
          } catch (error) {
            if (!(error instanceof TransactionCanceledException)) throw error;
            const { Item: guard } = await documents.send(
              new GetCommand({ TableName: tableName, Key: { approvalId: requestKey }, ConsistentRead: true }),
            );
            const target: unknown = guard?.['targetApprovalId'];
            if (typeof target === 'string') return renew(target, record);
            throw new GuardNotYetReadable(requestKey, { cause: error });
          }
        },
        {
          maxAttempts: 5,
          delayMs: (attempt) => 50 * attempt,
          retryable: (error) => error instanceof GuardNotYetReadable,
        },
      ).catch((error: unknown) => {
        // After the last attempt, what DynamoDB said.
        throw error instanceof GuardNotYetReadable ? error.cause : error;
      });
    },

    get,

    async claimSlackPost(approvalId, claimId, nowSeconds, leaseSeconds) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { approvalId },
            UpdateExpression: 'SET slackPost = :lease',
            ConditionExpression:
              '#status = :pending AND attribute_not_exists(slackMessage) AND ' +
              '(attribute_not_exists(slackPost) OR slackPost.untilEpoch < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':lease': { claimId, untilEpoch: nowSeconds + leaseSeconds },
              ':pending': 'PENDING',
              ':now': nowSeconds,
            },
          }),
        );
        return { won: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          return { won: false, record: await get(approvalId) };
        throw error;
      }
    },

    async releaseSlackPost(approvalId, claimId) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { approvalId },
            UpdateExpression: 'REMOVE slackPost',
            ConditionExpression: 'slackPost.claimId = :claimId',
            ExpressionAttributeValues: { ':claimId': claimId },
          }),
        );
      } catch (error) {
        // Not ours any more (expired and taken over): nothing to release.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async recordRepliesPosted(approvalId) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { approvalId },
          UpdateExpression: 'SET slackRepliesPosted = :posted',
          ConditionExpression: 'attribute_exists(approvalId)',
          ExpressionAttributeValues: { ':posted': true },
        }),
      );
    },

    async attachSlackMessage(approvalId, message) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { approvalId },
          UpdateExpression: 'SET slackMessage = :message REMOVE slackPost',
          ConditionExpression: 'attribute_exists(approvalId)',
          ExpressionAttributeValues: { ':message': message },
        }),
      );
    },

    async claim(approvalId, decision, nowSeconds, signal) {
      const delivery: Delivery = { status: 'PENDING', attempts: 0, at: decision.decidedAt };
      try {
        const { Attributes } = await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { approvalId },
            UpdateExpression: 'SET #status = :decided, decision = :decision, delivery = :delivery',
            ConditionExpression: '#status = :pending AND expiresAtEpoch > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':decided': 'DECIDED',
              ':pending': 'PENDING',
              ':decision': decision,
              ':delivery': delivery,
              ':now': nowSeconds,
            },
            ReturnValues: 'ALL_NEW',
          }),
          { abortSignal: signal },
        );
        if (Attributes === undefined)
          throw new Error(`UpdateItem on approval ${approvalId} returned no item`);
        return { won: true, record: parseRecord(Attributes) };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          return { won: false, record: await get(approvalId, signal) };
        throw error;
      }
    },

    async recordDelivery(approvalId, delivery, signal) {
      try {
        await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { approvalId },
            UpdateExpression: 'SET delivery = :delivery',
            ConditionExpression: '#status = :decided AND delivery.#deliveryStatus = :pending',
            ExpressionAttributeNames: { '#status': 'status', '#deliveryStatus': 'status' },
            ExpressionAttributeValues: {
              ':delivery': delivery,
              ':decided': 'DECIDED',
              ':pending': 'PENDING',
            },
          }),
          { abortSignal: signal },
        );
        return delivery;
      } catch (error) {
        // Already final (another click, the sweep or the timeout's settlement got there first):
        // what the table says stands.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return (await get(approvalId, signal))?.delivery ?? delivery;
      }
    },

    async getByRequest(key) {
      const { Item: guard } = await documents.send(
        new GetCommand({ TableName: tableName, Key: { approvalId: key }, ConsistentRead: true }),
      );
      const target: unknown = guard?.['targetApprovalId'];
      return typeof target === 'string' ? get(target) : undefined;
    },

    async settleTimeout(key, at) {
      const { Item: guard } = await documents.send(
        new GetCommand({ TableName: tableName, Key: { approvalId: key }, ConsistentRead: true }),
      );
      const target: unknown = guard?.['targetApprovalId'];
      // No approval was ever stored for this request: nothing to compete with.
      if (typeof target !== 'string') return { outcome: 'EXPIRED', approvalId: undefined };
      try {
        const { Attributes } = await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { approvalId: target },
            UpdateExpression: 'SET #status = :expired, expiredAt = :at',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':expired': 'EXPIRED', ':pending': 'PENDING', ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return {
          outcome: 'EXPIRED',
          approvalId: target,
          ...(Attributes === undefined ? {} : { record: parseRecord(Attributes) }),
        };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const record = await get(target);
        if (record?.decision !== undefined) return { outcome: 'DECIDED', record };
        // Settled before (a retried settlement): still expired.
        return { outcome: 'EXPIRED', approvalId: target };
      }
    },

    async recordSlackShows(approvalId, shows, signal) {
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { approvalId },
          UpdateExpression: 'SET slackShows = :shows',
          ConditionExpression: 'attribute_exists(approvalId)',
          ExpressionAttributeValues: { ':shows': shows },
        }),
        { abortSignal: signal },
      );
    },

    async *unsettled() {
      // A Scan, not an index: the table holds approvals for a few days (TTL) and the sweep runs
      // once a minute, so it reads a few hundred small items at most; the filter keeps the work
      // to the unsettled ones (filters are applied after the read, so the read is still billed).
      // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.FilterExpression
      const pages = paginateScan(
        { client: documents },
        {
          TableName: tableName,
          ConsistentRead: true,
          FilterExpression:
            '#status = :decided AND (delivery.#deliveryStatus = :pending OR ' +
            '(attribute_exists(slackMessage) AND (attribute_not_exists(slackShows) OR slackShows <> delivery.#deliveryStatus)))',
          ExpressionAttributeNames: { '#status': 'status', '#deliveryStatus': 'status' },
          ExpressionAttributeValues: { ':decided': 'DECIDED', ':pending': 'PENDING' },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) yield parseRecord(item);
      }
    },
  };
}
