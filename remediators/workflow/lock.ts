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
import {
  joinDecision,
  LockItemSchema,
  MAX_PENDING_REQUESTS,
  queueDecision,
  unlockDecision,
  type JoinRequest,
  type PendingRequest,
} from './join.js';
import { RecentRemediationSchema, type RecentRemediation } from './recent-remediation.js';
import type { JoinedFinding, JoinedRun, Lock } from './state.js';
import { stageLockKey } from './stage-identity.js';

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

/** Makes a conditional write; false when its condition failed (the caller says what that means). */
async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The stage's lock item as it is now (a consistent read), undefined when there is none. */
async function currentLockItem(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: string,
): Promise<Record<string, unknown> | undefined> {
  const response = await db.send(
    new GetCommand({ TableName: tableName, Key: { [LOCKS_TABLE_KEY]: key }, ConsistentRead: true }),
  );
  return response.Item;
}

/** The holder is still at `round` (an item from before rounds has none: round 1). */
const atRound = (round: number): string =>
  round === 1 ? '(attribute_not_exists(#round) OR #round = :round)' : '#round = :round';

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

/** What the lock item stores of its holder. */
type Covers = { controls: ControlId[]; remediationId: string; executionArn: string };

const coversOf = (holder: LockHolder): Covers => ({
  controls: [...holder.controls],
  remediationId: holder.remediationId,
  executionArn: holder.executionArn,
});

/**
 * Takes the lock, or joins the holder's run when the request may (./join.ts), or queues the request
 * for the holder's next round (`queueable`, docs/decisions/0037), or throws {@link StageLockedError}.
 * A fresh take replaces the item; what a crashed holder had queued is adopted into this run's queue,
 * so it runs in this run's next round. The same owner taking it again (a retried task, or the
 * holder's next round) updates it in place, keeping who joined and what is queued.
 */
export async function acquireStageLock(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  nowMs: number,
  holder: LockHolder,
  finding?: JoinedFinding,
  queueable?: PendingRequest,
): Promise<Lock> {
  const now = Math.floor(nowMs / 1000);
  const covers = coversOf(holder);
  if (await freshTake(db, tableName, lock, nowMs, covers)) return lock;
  if (await retakeOwnLock(db, tableName, lock, covers)) return lock;
  const current = await currentLockItem(db, tableName, lock.key);
  const request: JoinRequest = {
    owner: lock.owner,
    controls: holder.controls,
    ...(finding === undefined ? {} : { finding }),
    ...(queueable?.coalesced === undefined ? {} : { coalesced: queueable.coalesced }),
  };
  const decision = joinDecision(current, request, nowMs);
  if (
    decision.join &&
    (await joinHolder(db, tableName, lock.key, decision.holderOwner, decision.findings, now))
  ) {
    return { ...lock, joined: decision.holder };
  }
  const queue =
    queueable === undefined
      ? ({ queue: false, why: 'the request is not queued' } as const)
      : queueDecision(current, lock.owner, queueable.request, nowMs);
  if (
    queue.queue &&
    queueable !== undefined &&
    (await queueOnHolder(db, tableName, lock.key, queue.holderOwner, queueable, now))
  ) {
    return { ...lock, joined: queue.holder, queued: true };
  }
  const parsed = LockItemSchema.safeParse(current);
  const until = parsed.success ? new Date(parsed.data.expiresAt * 1000).toISOString() : 'an unknown time';
  throw new StageLockedError(
    `stage lock ${lock.key} is held by ${parsed.success ? parsed.data.owner : 'an unknown owner'} until ${until}` +
      (decision.join ? ' (it closed before this run could join it)' : ` (not joined: ${decision.why})`) +
      (queue.queue
        ? ' (not queued: the holder changed before this run could queue)'
        : ` (not queued: ${queue.why})`),
  );
}

/** How a gathering run (./gather.ts) found the stage's lock. */
export type GatherTake = 'took-free-lock' | 'already-ours' | 'held-by-another';

/**
 * Takes the stage's lock before deciding, for a run that gathers (docs/decisions/0039): as a fresh
 * take of {@link acquireStageLock} (adopting what an expired holder had queued), or renews it when
 * it is this run's already (its attempt after the wait). A lock another run holds is left to the
 * usual path, which joins, queues or waits.
 */
export async function takeLockToGather(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  nowMs: number,
  holder: LockHolder,
): Promise<GatherTake> {
  const covers = coversOf(holder);
  const taken = await freshTake(db, tableName, lock, nowMs, covers);
  if (taken) return 'took-free-lock';
  return (await retakeOwnLock(db, tableName, lock, covers)) ? 'already-ours' : 'held-by-another';
}

/** Attempts before {@link absorbQueued} gives up on a queue that keeps changing under it. */
const ABSORB_ATTEMPTS = 5;

/**
 * The gathering holder takes what was queued on it into its first round (docs/decisions/0039):
 * moves `pending` into `next`, conditional on the queue's length as read, so a request queued
 * meanwhile is never wiped (the move is made again with it). Returns every request of the round
 * so far (an earlier attempt's move included: a retried Prepare plans the same union); undefined
 * when the item is no longer this holder's. A request queued after the move waits for the next
 * round, as any request queued on a planning holder.
 */
export async function absorbQueued(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
): Promise<PendingRequest[] | undefined> {
  for (let attempt = 0; attempt < ABSORB_ATTEMPTS; attempt += 1) {
    const parsed = LockItemSchema.safeParse(await currentLockItem(db, tableName, lock.key));
    if (!parsed.success || parsed.data.owner !== lock.owner) return undefined;
    const absorbed = parsed.data.next ?? [];
    const pending = parsed.data.pending ?? [];
    if (pending.length === 0) return absorbed;
    const moved = await conditional(() =>
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [LOCKS_TABLE_KEY]: lock.key },
          UpdateExpression: 'SET #next = list_append(if_not_exists(#next, :empty), :pending) REMOVE #pending',
          ConditionExpression: '#owner = :owner AND size(#pending) = :queued',
          ExpressionAttributeNames: {
            '#owner': LOCK_ATTRIBUTE_NAMES['#owner'],
            '#next': 'next',
            '#pending': 'pending',
          },
          ExpressionAttributeValues: {
            ':owner': lock.owner,
            ':empty': [],
            ':pending': pending,
            ':queued': pending.length,
          },
        }),
      ),
    );
    if (moved) return [...absorbed, ...pending];
  }
  throw new Error(
    `the stage lock ${lock.key} kept changing while its holder took its queue (${ABSORB_ATTEMPTS} attempts)`,
  );
}

/**
 * Takes the lock when nobody holds it or the holder's lease has run out (one conditional PutItem);
 * what an expired holder had queued is adopted (below). False: the item is someone's, maybe ours.
 */
async function freshTake(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  nowMs: number,
  covers: Covers,
): Promise<boolean> {
  try {
    const replaced = await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          [LOCKS_TABLE_KEY]: lock.key,
          owner: lock.owner,
          [LOCKS_TABLE_TTL_ATTRIBUTE]: lock.expiresAt,
          ...covers,
          round: 1,
        },
        ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now',
        ExpressionAttributeNames: { '#pk': LOCKS_TABLE_KEY, '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    await adoptQueued(db, tableName, lock, replaced.Attributes);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * A fresh take replaced an item whose lease had run out: what its holder had queued (`pending`) or
 * was running (`next`) is queued on this run's item, so this run's unlock runs a round for it.
 */
async function adoptQueued(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  replaced: Record<string, unknown> | undefined,
): Promise<void> {
  const old = LockItemSchema.safeParse(replaced);
  if (!old.success || old.data.owner === lock.owner) return;
  const adopted = [...(old.data.next ?? []), ...(old.data.pending ?? [])];
  if (adopted.length === 0) return;
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { [LOCKS_TABLE_KEY]: lock.key },
      UpdateExpression: 'SET #pending = list_append(if_not_exists(#pending, :empty), :adopted)',
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': LOCK_ATTRIBUTE_NAMES['#owner'], '#pending': 'pending' },
      ExpressionAttributeValues: { ':owner': lock.owner, ':empty': [], ':adopted': adopted },
    }),
  );
}

/**
 * Appends the request to the holder's `pending` list in ONE conditional write: only while that
 * holder holds the lock, its lease runs, it is not in its last round and the queue has room.
 * False: wait for the lock as before.
 */
async function queueOnHolder(
  db: DynamoDBDocumentClient,
  tableName: string,
  key: string,
  holderOwner: string,
  queued: PendingRequest,
  nowSeconds: number,
): Promise<boolean> {
  return appendOnLiveHolder(db, tableName, { key, holderOwner, nowSeconds }, 'pending', [queued], {
    condition: 'attribute_not_exists(#lastRound) AND (attribute_not_exists(#list) OR size(#list) < :max)',
    names: { '#lastRound': 'lastRound' },
    values: { ':max': MAX_PENDING_REQUESTS },
  });
}

/**
 * Appends to a list of the holder's lock item in ONE conditional UpdateItem: only while that holder
 * holds it and its lease runs, and `extra.condition` holds (`#list` names the list).
 */
async function appendOnLiveHolder(
  db: DynamoDBDocumentClient,
  tableName: string,
  holder: { readonly key: string; readonly holderOwner: string; readonly nowSeconds: number },
  list: 'joined' | 'pending',
  items: readonly unknown[],
  extra: {
    readonly condition: string;
    readonly names: Record<string, string>;
    readonly values?: Record<string, unknown>;
  },
): Promise<boolean> {
  return conditional(() =>
    db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [LOCKS_TABLE_KEY]: holder.key },
        UpdateExpression: 'SET #list = list_append(if_not_exists(#list, :empty), :items)',
        ConditionExpression: `#owner = :holder AND #expiresAt >= :now AND ${extra.condition}`,
        ExpressionAttributeNames: {
          '#owner': LOCK_ATTRIBUTE_NAMES['#owner'],
          '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE,
          '#list': list,
          ...extra.names,
        },
        ExpressionAttributeValues: {
          ':holder': holder.holderOwner,
          ':now': holder.nowSeconds,
          ':empty': [],
          ':items': [...items],
          ...extra.values,
        },
      }),
    ),
  );
}

/** The same owner again (a retried task): renews the lease in place, keeping `joined` and `closed`. */
async function retakeOwnLock(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  covers: Covers,
): Promise<boolean> {
  return conditional(() =>
    db.send(
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
    ),
  );
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
  return appendOnLiveHolder(db, tableName, { key, holderOwner, nowSeconds }, 'joined', findings, {
    condition: 'attribute_not_exists(#closed)',
    names: { '#closed': 'closed' },
  });
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
  const parsed = LockItemSchema.safeParse(await currentLockItem(db, tableName, lock.key));
  return (
    parsed.success &&
    parsed.data.closed === undefined &&
    parsed.data.remediationId === holder.remediationId &&
    parsed.data.executionArn === holder.executionArn
  );
}

/**
 * Releases the lock only if `owner` still holds it, nothing is queued on it and no later round of
 * this holder has opened (`round`: the holder's round, 1 for an item without one); returns whether
 * it did. {@link unlockOrOpenRound} says why not.
 */
export async function releaseStageLock(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  round = 1,
): Promise<boolean> {
  return conditional(() =>
    db.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { [LOCKS_TABLE_KEY]: lock.key },
        ConditionExpression: '#owner = :owner AND attribute_not_exists(#pending) AND ' + atRound(round),
        ExpressionAttributeNames: {
          '#owner': LOCK_ATTRIBUTE_NAMES['#owner'],
          '#pending': 'pending',
          '#round': 'round',
        },
        ExpressionAttributeValues: { ':owner': lock.owner, ':round': round },
      }),
    ),
  );
}

export type UnlockResult =
  | { readonly kind: 'released' }
  | { readonly kind: 'not-ours' }
  /** The holder runs round `round` for the requests queued on it before it unlocks. */
  | { readonly kind: 'next-round'; readonly round: number };

/** Attempts before {@link unlockOrOpenRound} gives up on a queue that keeps changing under it. */
const UNLOCK_ATTEMPTS = 5;

/**
 * The holder's unlock (docs/decisions/0037): delete the item when nothing is queued; otherwise move
 * the queue into `next`, open the next round (clearing `closed` and `joined` so the round's joiners
 * are recorded by it) and say so. The move is conditional on the queue's length as it was read, so
 * a request queued meanwhile is never wiped: the attempt is made again. A retried unlock finds its
 * next round open already and says so again (idempotent).
 */
export async function unlockOrOpenRound(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  round: number,
): Promise<UnlockResult> {
  for (let attempt = 0; attempt < UNLOCK_ATTEMPTS; attempt += 1) {
    if (await releaseStageLock(db, tableName, lock, round)) return { kind: 'released' };
    const current = await currentLockItem(db, tableName, lock.key);
    const decision = unlockDecision(current, lock.owner, round);
    if (decision.kind === 'not-ours') return { kind: 'not-ours' };
    if (decision.kind === 'round-open') return { kind: 'next-round', round: decision.round };
    if (decision.kind === 'release') continue;
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [LOCKS_TABLE_KEY]: lock.key },
          UpdateExpression:
            'SET #next = :next, #round = :next_round' +
            (decision.last ? ', #lastRound = :true' : '') +
            ' REMOVE #pending, #closed, #joined',
          ConditionExpression: '#owner = :owner AND size(#pending) = :queued AND ' + atRound(round),
          ExpressionAttributeNames: {
            '#owner': LOCK_ATTRIBUTE_NAMES['#owner'],
            '#next': 'next',
            '#round': 'round',
            '#pending': 'pending',
            '#closed': 'closed',
            '#joined': 'joined',
            ...(decision.last ? { '#lastRound': 'lastRound' } : {}),
          },
          ExpressionAttributeValues: {
            ':owner': lock.owner,
            ':next': [...decision.requests],
            ':next_round': decision.round,
            ':queued': decision.requests.length,
            ':round': round,
            ...(decision.last ? { ':true': true } : {}),
          },
        }),
      );
      return { kind: 'next-round', round: decision.round };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  throw new Error(
    `the stage lock ${lock.key} kept changing while its holder unlocked it (${UNLOCK_ATTEMPTS} attempts)`,
  );
}

/**
 * The requests of the holder's round `round`, as its unlock moved them into `next`; undefined when
 * the item is no longer this holder's or is in another round (nothing for this round to run).
 */
export async function readRound(
  db: DynamoDBDocumentClient,
  tableName: string,
  lock: Lock,
  round: number,
): Promise<PendingRequest[] | undefined> {
  const parsed = LockItemSchema.safeParse(await currentLockItem(db, tableName, lock.key));
  if (!parsed.success || parsed.data.owner !== lock.owner || (parsed.data.round ?? 1) !== round)
    return undefined;
  return parsed.data.next;
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
