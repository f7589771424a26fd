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
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ControlId, StageRef } from '../core/types.js';
import { joinDecision, LockItemSchema, type JoinedFinding, type JoinRequest } from './join.js';
import { RecentRemediationSchema, type RecentRemediation } from './recent-remediation.js';
import type { JoinedRun, Lock } from './state.js';

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

/** What the holder covers, stored on the lock item so a twin request can join it (./join.ts). */
export interface LockHolder {
  readonly controls: readonly ControlId[];
  readonly remediationId: string;
  readonly executionArn: string;
}

/**
 * Takes the lock, or joins the holder's run when the request may (./join.ts), or throws
 * {@link StageLockedError}. A fresh take replaces the item (a crashed holder's joiners go with it);
 * the same owner taking it again (a retried task) updates it in place, keeping who joined.
 */
export async function acquireStageLock(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  nowMs: number,
  holder: LockHolder,
  finding?: JoinedFinding,
): Promise<Lock> {
  const now = Math.floor(nowMs / 1000);
  const covers = {
    controls: [...holder.controls],
    remediationId: holder.remediationId,
    executionArn: holder.executionArn,
  };
  try {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          [LOCKS_TABLE_KEY]: lock.key,
          owner: lock.owner,
          [LOCKS_TABLE_TTL_ATTRIBUTE]: lock.expiresAt,
          ...covers,
        },
        ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now',
        ExpressionAttributeNames: { '#pk': LOCKS_TABLE_KEY, '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': now },
      }),
    );
    return lock;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  if (await retakeOwnLock(db, tableName, lock, covers)) return lock;
  const current = await db.send(
    new GetCommand({ TableName: tableName, Key: { [LOCKS_TABLE_KEY]: lock.key }, ConsistentRead: true }),
  );
  const request: JoinRequest = {
    owner: lock.owner,
    controls: holder.controls,
    ...(finding === undefined ? {} : { finding }),
  };
  const decision = joinDecision(current.Item, request, nowMs);
  if (
    decision.join &&
    (await joinHolder(db, tableName, lock.key, decision.holderOwner, [decision.finding], now))
  ) {
    return { ...lock, joined: decision.holder };
  }
  const parsed = LockItemSchema.safeParse(current.Item);
  const until = parsed.success ? new Date(parsed.data.expiresAt * 1000).toISOString() : 'an unknown time';
  throw new StageLockedError(
    `stage lock ${lock.key} is held by ${parsed.success ? parsed.data.owner : 'an unknown owner'} until ${until}` +
      (decision.join ? ' (it closed before this run could join it)' : ` (not joined: ${decision.why})`),
  );
}

/** The same owner again (a retried task): renews the lease in place, keeping `joined` and `closed`. */
async function retakeOwnLock(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  covers: { controls: ControlId[]; remediationId: string; executionArn: string },
): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LOCKS_TABLE_KEY]: lock.key },
        UpdateExpression:
          'SET #expiresAt = :expiresAt, #controls = :controls, #remediationId = :remediationId, #executionArn = :executionArn',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: {
          '#owner': LOCK_ATTRIBUTE_NAMES['#owner'],
          '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE,
          '#controls': 'controls',
          '#remediationId': 'remediationId',
          '#executionArn': 'executionArn',
        },
        ExpressionAttributeValues: {
          ':owner': lock.owner,
          ':expiresAt': lock.expiresAt,
          ':controls': covers.controls,
          ':remediationId': covers.remediationId,
          ':executionArn': covers.executionArn,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Appends the findings to the holder's `joined` list in ONE conditional write: only while that
 * holder still holds the lock, has not closed it and its lease runs. False: wait as before. The
 * holder itself adds the findings coalesced into its run this way (handlers/prepare.ts).
 */
export async function joinHolder(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: string,
  holderOwner: string,
  findings: readonly JoinedFinding[],
  /** Epoch seconds, the unit of the lease (`expiresAt`, the table's TTL attribute). */
  nowSeconds: number,
): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LOCKS_TABLE_KEY]: key },
        UpdateExpression: 'SET #joined = list_append(if_not_exists(#joined, :empty), :finding)',
        ConditionExpression: '#owner = :holder AND attribute_not_exists(#closed) AND #expiresAt >= :now',
        ExpressionAttributeNames: {
          '#owner': LOCK_ATTRIBUTE_NAMES['#owner'],
          '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE,
          '#closed': 'closed',
          '#joined': 'joined',
        },
        ExpressionAttributeValues: {
          ':holder': holderOwner,
          ':now': nowSeconds,
          ':empty': [],
          ':finding': [...findings],
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * The holder closes its lock item before it records (nobody joins after this) and gets the
 * findings that joined it. Only the owner closes; an item no longer ours (its lease ran out and
 * another run took it) has nobody joined to us: none.
 */
export async function closeStageLock(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
): Promise<JoinedFinding[]> {
  try {
    const response = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LOCKS_TABLE_KEY]: lock.key },
        UpdateExpression: 'SET #closed = :closed',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': LOCK_ATTRIBUTE_NAMES['#owner'], '#closed': 'closed' },
        ExpressionAttributeValues: { ':owner': lock.owner, ':closed': true },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const parsed = LockItemSchema.safeParse(response.Attributes);
    return parsed.success ? (parsed.data.joined ?? []) : [];
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return [];
    throw error;
  }
}

/**
 * Whether the run this one joined still has the lock item open (not closed, not released): only
 * then does the joiner write JOINED on its finding. Once the holder has closed it, the holder
 * writes (or has written) its outcome on that finding, which a late JOINED must not overwrite.
 */
export async function joinStillOpen(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  holder: JoinedRun,
): Promise<boolean> {
  const response = await db.send(
    new GetCommand({ TableName: tableName, Key: { [LOCKS_TABLE_KEY]: lock.key }, ConsistentRead: true }),
  );
  const parsed = LockItemSchema.safeParse(response.Item);
  return (
    parsed.success &&
    parsed.data.closed === undefined &&
    parsed.data.remediationId === holder.remediationId &&
    parsed.data.executionArn === holder.executionArn
  );
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
