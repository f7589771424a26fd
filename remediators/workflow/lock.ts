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
import type { Lock } from './state.js';

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
        Item: { pk: lock.key, owner: lock.owner, expiresAt: lock.expiresAt },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000), ':owner': lock.owner },
      }),
    );
    return lock;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const holder = await db.send(new GetCommand({ TableName: tableName, Key: { pk: lock.key } }));
    const holderOwner = typeof holder.Item?.owner === 'string' ? holder.Item.owner : 'unknown';
    const holderExpiry = typeof holder.Item?.expiresAt === 'number' ? holder.Item.expiresAt : 0;
    throw new StageLockedError(
      `stage lock ${lock.key} is held by ${holderOwner} until ${new Date(holderExpiry * 1000).toISOString()}`,
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
        Key: { pk: lock.key },
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': lock.owner },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
