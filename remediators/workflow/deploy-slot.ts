/**
 * Deployments are serialized per account and Region: API Gateway allows CreateDeployment once
 * per 5 seconds per account. One DynamoDB item per account+Region holds the earliest time the
 * next deployment may start; claiming it is a conditional write that moves that time 5 s on.
 * A request that finds the slot taken gets the seconds to wait, and the state machine's Wait
 * state loops back to claim again, so no Lambda sleeps and no deployment is throttled.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StageRef } from '../core/types.js';
import { LOCKS_TABLE_KEY, LOCKS_TABLE_TTL_ATTRIBUTE } from './lock.js';

export const DEPLOYMENT_INTERVAL_MS = 5_000;
/** Slot items are only needed for a few seconds; TTL removes them later. */
const SLOT_ITEM_TTL_SECONDS = 3600;

export type SlotClaim =
  { readonly granted: true } | { readonly granted: false; readonly waitSeconds: number };

export function deploySlotKey(stage: Pick<StageRef, 'partition' | 'account' | 'region'>): string {
  return ['deploy', stage.partition, stage.account, stage.region].join('#');
}

/** Whole seconds until `notBeforeMs`, at least 1 (a Wait state takes whole seconds). */
export function secondsToWait(notBeforeMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((notBeforeMs - nowMs) / 1000));
}

export async function claimDeploySlot(
  db: DynamoDBDocumentClient,
  tableName: string,
  stage: Pick<StageRef, 'partition' | 'account' | 'region'>,
  owner: string,
  nowMs: number,
): Promise<SlotClaim> {
  const key = deploySlotKey(stage);
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LOCKS_TABLE_KEY]: key },
        UpdateExpression: 'SET notBefore = :next, #owner = :owner, #expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(notBefore) OR notBefore <= :now',
        ExpressionAttributeNames: { '#owner': 'owner', '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':next': nowMs + DEPLOYMENT_INTERVAL_MS,
          ':now': nowMs,
          ':owner': owner,
          ':expires': Math.ceil(nowMs / 1000) + SLOT_ITEM_TTL_SECONDS,
        },
      }),
    );
    return { granted: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const slot = await db.send(new GetCommand({ TableName: tableName, Key: { [LOCKS_TABLE_KEY]: key } }));
    const notBefore = typeof slot.Item?.notBefore === 'number' ? slot.Item.notBefore : nowMs;
    return { granted: false, waitSeconds: secondsToWait(notBefore, nowMs) };
  }
}
