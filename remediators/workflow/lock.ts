/**
 * The per-stage lock: two requests for one stage never remediate it at the same time.
 *
 * A DynamoDB conditional write takes the lock when nobody holds it, when the holder's lease
 * has run out, or when this same owner already holds it (a retried task). A taken lock throws
 * {@link StageLockedError}; the state machine retries the task with backoff and jitter, so the
 * second request waits, then re-reads the stage and usually finds it already compliant: waiting
 * and re-reading merges the two requests without any state shared between executions.
 *
 * The lease outlives the longest legitimate hold (the approval wait plus the apply steps), and
 * `expiresAt` is also the table's TTL attribute, so a lock left by a crashed execution stops
 * blocking at its expiry (the condition) and disappears later (TTL clean-up).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StageRef } from '../core/types.js';
import { RecentRemediationSchema, type RecentRemediation } from './recent-remediation.js';
import type { Lock } from './state.js';

/** The locks table: partition key and TTL attribute (the CDK app builds the table from these). */
export const LOCKS_TABLE_KEY = 'pk';
export const LOCKS_TABLE_TTL_ATTRIBUTE = 'expiresAt';
/** Expression names every write to the locks table uses. */
export const LOCK_ATTRIBUTE_NAMES = {
  '#pk': LOCKS_TABLE_KEY,
  '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE,
  '#owner': 'owner',
};

/** Time for everything after the approval: apply, a queued redeploy, verify with retries, record. */
export const LOCK_WORK_MARGIN_SECONDS = 30 * 60;

export class StageLockedError extends Error {
  override readonly name = 'StageLocked';
}

export function stageLockKey(stage: StageRef): string {
  return [
    'stage',
    stage.partition,
    stage.account,
    stage.region,
    stage.apiType,
    stage.apiId,
    stage.stageName,
  ].join('#');
}

/** The lease covers the approval wait (when there is one) plus the work margin. */
export function lockLease(stage: StageRef, owner: string, approvalSeconds: number, nowMs: number): Lock {
  return {
    key: stageLockKey(stage),
    owner,
    expiresAt: Math.ceil(nowMs / 1000) + approvalSeconds + LOCK_WORK_MARGIN_SECONDS,
  };
}

export async function acquireStageLock(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  nowMs: number,
): Promise<Lock> {
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { [LOCKS_TABLE_KEY]: lock.key, owner: lock.owner, [LOCKS_TABLE_TTL_ATTRIBUTE]: lock.expiresAt },
        ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now OR #owner = :owner',
        ExpressionAttributeNames: LOCK_ATTRIBUTE_NAMES,
        ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000), ':owner': lock.owner },
      }),
    );
    return lock;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const holder = await db.send(
      new GetCommand({ TableName: tableName, Key: { [LOCKS_TABLE_KEY]: lock.key } }),
    );
    const holderOwner: unknown = holder.Item?.owner;
    const holderExpiry: unknown = holder.Item?.[LOCKS_TABLE_TTL_ATTRIBUTE];
    const until =
      typeof holderExpiry === 'number' ? new Date(holderExpiry * 1000).toISOString() : 'an unknown time';
    throw new StageLockedError(
      `stage lock ${lock.key} is held by ${typeof holderOwner === 'string' ? holderOwner : 'an unknown owner'} until ${until}`,
    );
  }
}

/** Releases the lock only if `owner` still holds it; returns whether it did. */
export async function releaseStageLock(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
): Promise<boolean> {
  try {
    await db.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { [LOCKS_TABLE_KEY]: lock.key },
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': LOCK_ATTRIBUTE_NAMES['#owner'] },
        ExpressionAttributeValues: { ':owner': lock.owner },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * The "recently remediated" marker of a stage (./recent-remediation.ts): an item of its own beside
 * the lock (the lock item stays exactly the lock), kept until the window ends (TTL `expiresAt`).
 */
export function recentRemediationKey(stage: StageRef): string {
  return stageLockKey(stage).replace(/^stage#/, 'remediated#');
}

/** Written by the remediating run BEFORE it releases the lock, so the run waiting for it sees it. */
export async function markRecentRemediation(
  db: DynamoDBDocumentClient,
  tableName: string,
  stage: StageRef,
  marker: RecentRemediation,
): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        [LOCKS_TABLE_KEY]: recentRemediationKey(stage),
        ...marker,
        [LOCKS_TABLE_TTL_ATTRIBUTE]: marker.until,
      },
    }),
  );
}

/**
 * The stage's marker when one is still within its window (TTL deletes lazily, so expiry is checked
 * here); a malformed item counts as none (it can only credit, never block, so ignoring it is safe).
 */
export async function readRecentRemediation(
  db: DynamoDBDocumentClient,
  tableName: string,
  stage: StageRef,
  nowMs: number,
): Promise<RecentRemediation | undefined> {
  const response = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: { [LOCKS_TABLE_KEY]: recentRemediationKey(stage) },
      ConsistentRead: true,
    }),
  );
  const parsed = RecentRemediationSchema.safeParse(response.Item);
  if (!parsed.success || parsed.data.until * 1000 < nowMs) return undefined;
  return parsed.data;
}
