/**
 * The blast-radius cap: at most `limits.maxStagesChangedPerAccountPerHour` stages changed per
 * account per hour. One item per account and clock hour in the locks table counts the
 * remediations that were allowed to change a stage; taking a unit is one conditional update, so
 * concurrent executions can never exceed the cap together.
 *
 * Where it is taken: in the apply task, right before the first change (docs/decisions/0012). So it
 * counts stages actually changed, never requests, dry runs, compliant or notify-only stages, and
 * an approved plan counts when it is applied, not when it was asked for. The item keeps the ids of
 * the remediations it counted, so a retried apply task is not counted twice. A failed apply keeps
 * its unit: it may have changed part of the stage, and the budget is an hour's, so the unit comes
 * back when the hour ends (TTL removes the item later) — nothing leaks beyond the hour.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StageRef } from '../core/types.js';
import { LOCKS_TABLE_KEY, LOCKS_TABLE_TTL_ATTRIBUTE } from './lock.js';

/** The hour's item is kept one more hour after it ends (TTL), then DynamoDB removes it. */
const BUDGET_ITEM_GRACE_SECONDS = 3600;

export type BudgetClaim =
  | { readonly granted: true; readonly changed: number }
  | { readonly granted: false; readonly changed: number };

export class BlastRadiusCapError extends Error {
  override readonly name = 'BlastRadiusCapReached';
}

/** `YYYY-MM-DDTHH` (UTC) of `nowMs`. */
export function hourOf(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 13);
}

export function changeBudgetKey(stage: Pick<StageRef, 'partition' | 'account'>, nowMs: number): string {
  return ['changes', stage.partition, stage.account, hourOf(nowMs)].join('#');
}

function countOf(item: Record<string, unknown> | undefined): number {
  const changed = item?.changed;
  return typeof changed === 'number' ? changed : 0;
}

/**
 * Takes one unit of the account's budget for this hour for `owner` (the remediation), unless the
 * cap is reached. Taking it again for the same owner (a retried task) grants without counting.
 */
export async function claimChangeBudget(
  db: DynamoDBDocumentClient,
  tableName: string,
  stage: Pick<StageRef, 'partition' | 'account'>,
  owner: string,
  cap: number,
  nowMs: number,
): Promise<BudgetClaim> {
  const key = changeBudgetKey(stage, nowMs);
  const hourEndsSeconds = (Math.floor(nowMs / 3_600_000) + 1) * 3600;
  try {
    const updated = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LOCKS_TABLE_KEY]: key },
        UpdateExpression: 'ADD #changed :one, #owners :owner SET #expiresAt = :expires',
        ConditionExpression:
          '(attribute_not_exists(#changed) OR #changed < :cap) AND NOT contains(#owners, :ownerId)',
        ExpressionAttributeNames: {
          '#changed': 'changed',
          '#owners': 'owners',
          '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE,
        },
        ExpressionAttributeValues: {
          ':one': 1,
          ':owner': new Set([owner]),
          ':ownerId': owner,
          ':cap': cap,
          ':expires': hourEndsSeconds + BUDGET_ITEM_GRACE_SECONDS,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { granted: true, changed: countOf(updated.Attributes) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = await db.send(
      new GetCommand({ TableName: tableName, Key: { [LOCKS_TABLE_KEY]: key }, ConsistentRead: true }),
    );
    const owners: unknown = current.Item?.owners;
    const counted = owners instanceof Set && owners.has(owner);
    return { granted: counted, changed: countOf(current.Item) };
  }
}

/** What the record and the notification say when the cap stops a stage. */
export function capReachedReason(
  stage: Pick<StageRef, 'account'>,
  changed: number,
  cap: number,
  nowMs: number,
): string {
  return (
    `blast-radius cap reached: ${changed} stage(s) of account ${stage.account} already changed in the hour ` +
    `${hourOf(nowMs)}:00 UTC (limits.maxStagesChangedPerAccountPerHour = ${cap}); notified, not changed. ` +
    'After the hour, choose "Remediate API stage" on its finding in Security Hub to change it'
  );
}
