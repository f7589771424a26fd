/**
 * The stage lock's queue and rounds (docs/decisions/0037) against DynamoDB in moto: a request the
 * holder does not cover is queued on its item, the holder's unlock turns the queue into its next
 * round instead of releasing, a request queued while it unlocks is never wiped, a retried unlock
 * says the same again, the last round takes no more, and a fresh take adopts what a crashed holder
 * left queued. Every request ends in exactly one place: a round, or the lock for its own run.
 */
import { GetCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_STAGE_ROUNDS, type PendingRequest } from '../../remediators/workflow/join.js';
import {
  absorbQueued,
  acquireStageLock,
  closeStageLock,
  lockLease,
  readRound,
  releaseStageLock,
  StageLockedError,
  takeLockToGather,
  unlockOrOpenRound,
} from '../../remediators/workflow/lock.js';
import type { RemediationRequest } from '../../remediators/workflow/state.js';
import { createLocksTable } from '../helpers/locks-table.js';
import { createFinishTask } from '../../remediators/handlers/finish.js';
import { createPrepareTask } from '../../remediators/handlers/prepare.js';
import { STATE_VERSION } from '../../remediators/workflow/coarse-steps.js';
import { useMoto } from '../helpers/moto.js';
import { STAGE, workItem } from '../unit/workflow/fixtures.js';

const TABLE = 'locks';
const T0 = Date.parse('2026-11-21T10:00:00Z');
const HOLDER = { controls: ['APIGateway.1'], remediationId: 'rem-a', executionArn: 'exec-a' } as const;

function request(controlId: RemediationRequest['controls'][number], findingId: string): RemediationRequest {
  return { ...workItem().request, controls: [controlId], findingId };
}

function queueable(
  id: string,
  controlId: RemediationRequest['controls'][number] = 'APIGateway.4',
): PendingRequest {
  return {
    request: request(controlId, `finding-${id}`),
    executionArn: `exec-${id}`,
    remediationId: `rem-${id}`,
  };
}

const waiter = (id: string) => ({
  controls: ['APIGateway.4'] as const,
  remediationId: `rem-${id}`,
  executionArn: `exec-${id}`,
});

/** Run `id` arrives while the stage is held and asks for APIGateway.4: queued (or refused). */
const arrive = (db: DynamoDBDocumentClient, id: string, nowMs = T0, request = queueable(id)) =>
  acquireStageLock(
    db,
    TABLE,
    lockLease(STAGE, `exec-${id}`, 0, nowMs),
    nowMs,
    waiter(id),
    undefined,
    request,
  );

/**
 * The table as a holder sees it while run `id` arrives right after the holder read the queue: just
 * before the first write that moves the queue into `next`, `id` is queued, so the move's size
 * condition fails once.
 */
function racingTheMove(db: DynamoDBDocumentClient, id: string) {
  let raced = false;
  const racing = {
    send: async (command: unknown) => {
      if (
        !raced &&
        command instanceof UpdateCommand &&
        String(command.input.UpdateExpression).includes('#next')
      ) {
        raced = true;
        await arrive(db, id);
      }
      return db.send(command as never);
    },
  } as unknown as DynamoDBDocumentClient;
  return { db: racing, raced: () => raced };
}

describe('stage lock queue and rounds (DynamoDB in moto)', () => {
  const moto = useMoto();
  let db: DynamoDBDocumentClient;
  const item = async () =>
    (
      await db.send(
        new GetCommand({
          TableName: TABLE,
          Key: { pk: lockLease(STAGE, 'x', 0, T0).key },
          ConsistentRead: true,
        }),
      )
    ).Item;

  beforeEach(async () => {
    db = await createLocksTable(moto.endpoint, TABLE);
  });

  it('queues a request the holder does not cover; the unlock opens round 2 with it instead of releasing', async () => {
    const holder = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 60, T0), T0, HOLDER);
    const b = queueable('b');
    const queued = await acquireStageLock(
      db,
      TABLE,
      lockLease(STAGE, 'exec-b', 0, T0),
      T0,
      waiter('b'),
      { findingId: 'finding-b', executionArn: 'exec-b', remediationId: 'rem-b' },
      b,
    );
    expect(queued).toMatchObject({
      joined: { remediationId: 'rem-a', executionArn: 'exec-a' },
      queued: true,
    });

    // The plain release refuses while anything is queued.
    expect(await releaseStageLock(db, TABLE, holder)).toBe(false);
    await closeStageLock(db, TABLE, holder);
    expect(await unlockOrOpenRound(db, TABLE, holder, 1)).toEqual({ kind: 'next-round', round: 2 });
    expect(await readRound(db, TABLE, holder, 2)).toEqual([b]);
    expect(await readRound(db, TABLE, holder, 3)).toBeUndefined();
    const opened = await item();
    expect(opened).toMatchObject({ owner: 'exec-a', round: 2, next: [b] });
    expect(opened?.pending).toBeUndefined();
    // The round reopened the item: it is not closed, so the queued run may still write JOINED.
    expect(opened?.closed).toBeUndefined();

    // A retried unlock of round 1 says the same, and does not release round 2's lock.
    expect(await unlockOrOpenRound(db, TABLE, holder, 1)).toEqual({ kind: 'next-round', round: 2 });
    // Round 2 closes (it records), then unlocks: nothing queued, released.
    await closeStageLock(db, TABLE, holder);
    expect(await unlockOrOpenRound(db, TABLE, holder, 2)).toEqual({ kind: 'released' });
    expect(await item()).toBeUndefined();
  });

  it('never wipes a request queued between the read and the move of the queue', async () => {
    const holder = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 60, T0), T0, HOLDER);
    await arrive(db, 'b');
    // A second request lands right after the unlock read the queue: the move's size condition fails,
    // the unlock reads again and moves both.
    const racing = racingTheMove(db, 'c');
    expect(await unlockOrOpenRound(racing.db, TABLE, holder, 1)).toEqual({ kind: 'next-round', round: 2 });
    expect(racing.raced()).toBe(true);
    expect((await readRound(db, TABLE, holder, 2))?.map((queued) => queued.remediationId)).toEqual([
      'rem-b',
      'rem-c',
    ]);
  });

  it('takes nothing more in the last round: later requests wait for the lock (StageLocked)', async () => {
    const holder = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 60, T0), T0, HOLDER);
    for (let round = 1; round < MAX_STAGE_ROUNDS; round += 1) {
      await acquireStageLock(
        db,
        TABLE,
        lockLease(STAGE, `exec-${round}`, 0, T0),
        T0,
        waiter(String(round)),
        undefined,
        queueable(String(round)),
      );
      expect(await unlockOrOpenRound(db, TABLE, holder, round)).toEqual({
        kind: 'next-round',
        round: round + 1,
      });
    }
    expect(await item()).toMatchObject({ round: MAX_STAGE_ROUNDS, lastRound: true });
    await expect(arrive(db, 'z')).rejects.toThrow(/not queued: the holder is in its last round/);
    expect(await unlockOrOpenRound(db, TABLE, holder, MAX_STAGE_ROUNDS)).toEqual({ kind: 'released' });
    // Released: the waiter takes the lock for its own run.
    await arrive(db, 'z');
    expect(await item()).toMatchObject({ owner: 'exec-z', round: 1 });
  });

  it('does not queue an undo or an operator fix, nor on an undo holder: they wait', async () => {
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 60, T0), T0, HOLDER);
    const fix = { ...queueable('b'), request: { ...request('APIGateway.4', 'finding-b'), trigger: 'cli' } };
    await expect(arrive(db, 'b', T0, fix)).rejects.toThrow(/not queued: cli requests run on their own/);
    const other = { ...STAGE, stageName: 'dev' };
    await acquireStageLock(db, TABLE, lockLease(other, 'exec-u', 60, T0), T0, {
      controls: [],
      remediationId: 'rem-u',
      executionArn: 'exec-u',
    });
    await expect(
      acquireStageLock(
        db,
        TABLE,
        lockLease(other, 'exec-c', 0, T0),
        T0,
        waiter('c'),
        undefined,
        queueable('c'),
      ),
    ).rejects.toThrow(StageLockedError);
  });

  it("adopts a crashed holder's queue and round into the new holder's queue", async () => {
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0), T0, HOLDER);
    const holderA = lockLease(STAGE, 'exec-a', 0, T0);
    await arrive(db, 'b');
    expect(await unlockOrOpenRound(db, TABLE, holderA, 1)).toEqual({ kind: 'next-round', round: 2 });
    await arrive(db, 'c');
    // exec-a crashes in round 2; after its lease a new run takes the stage.
    const later = holderA.expiresAt * 1000 + 1000;
    const holderD = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-d', 0, later), later, {
      ...HOLDER,
      remediationId: 'rem-d',
      executionArn: 'exec-d',
    });
    expect((await item())?.pending.map((queued: PendingRequest) => queued.remediationId)).toEqual([
      'rem-b',
      'rem-c',
    ]);
    expect(await unlockOrOpenRound(db, TABLE, holderD, 1)).toEqual({ kind: 'next-round', round: 2 });
    expect(await unlockOrOpenRound(db, TABLE, holderA, 2)).toEqual({ kind: 'not-ours' });
  });

  it('ends the iteration without recording again when the next round cannot start (the lock was taken over)', async () => {
    // exec-a's round 1 opened round 2, then its lease ran out and exec-d took the stage (adopting the queue).
    const holderA = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0), T0, HOLDER);
    await arrive(db, 'b');
    expect(await unlockOrOpenRound(db, TABLE, holderA, 1)).toEqual({ kind: 'next-round', round: 2 });
    const later = holderA.expiresAt * 1000 + 1000;
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-d', 0, later), later, HOLDER);
    const calls: string[] = [];
    const step = (name: string) => async () => {
      calls.push(name);
      return {};
    };
    const prepare = createPrepareTask(
      {
        gather: step('gather'),
        decide: step('decide'),
        acquireLock: step('acquireLock'),
        snapshot: step('snapshot'),
      },
      { dynamo: () => db },
    );
    const roundOneState = {
      v: STATE_VERSION,
      executionArn: 'exec-a',
      locksTable: TABLE,
      request: request('APIGateway.1', 'finding-a'),
      stage: STAGE,
      lock: holderA,
      verification: { status: 'VERIFIED', evaluations: [] },
      nextRound: { Error: 'PendingRequests', Cause: 'round 2' },
    };
    const prepared = await prepare(roundOneState);
    expect(prepared).toMatchObject({ route: 'FINISH', nextRound: { Error: 'PendingRequests' } });
    expect(calls).toEqual([]);
    const finish = createFinishTask({
      record: step('record'),
      notify: step('notify'),
      offerUndo: step('offerUndo'),
      releaseLock: step('releaseLock'),
    });
    expect(await finish(prepared)).toEqual({
      stage: STAGE,
      outcome: 'REMEDIATED',
      recorded: false,
      roundNotStarted: true,
    });
    expect(calls).toEqual([]);
    // The queue is exec-d's now: its unlock runs the round.
    expect((await item())?.pending.map((queued: PendingRequest) => queued.remediationId)).toEqual(['rem-b']);
  });

  describe('gathering (docs/decisions/0039)', () => {
    const gatherer = lockLease(STAGE, 'exec-a', 0, T0);

    it('takes a free lock, then finds it its own; another holder is left to the usual path', async () => {
      expect(await takeLockToGather(db, TABLE, gatherer, T0, HOLDER)).toBe('took-free-lock');
      expect(await item()).toMatchObject({ owner: 'exec-a', round: 1, controls: ['APIGateway.1'] });
      expect(await takeLockToGather(db, TABLE, gatherer, T0 + 10_000, HOLDER)).toBe('already-ours');
      const other = lockLease(STAGE, 'exec-z', 0, T0);
      expect(await takeLockToGather(db, TABLE, other, T0, { ...HOLDER, executionArn: 'exec-z' })).toBe(
        'held-by-another',
      );
      expect((await item())?.owner).toBe('exec-a');
    });

    it('takes what queued while it gathered into its round, again on a retry; a later request waits for round 2', async () => {
      await takeLockToGather(db, TABLE, gatherer, T0, HOLDER);
      await arrive(db, 'b');
      await arrive(db, 'c');

      const absorbed = await absorbQueued(db, TABLE, gatherer);
      expect(absorbed?.map((queued) => queued.remediationId)).toEqual(['rem-b', 'rem-c']);
      expect((await item())?.pending).toBeUndefined();
      // A retried Prepare plans the same union (the move is not lost with the attempt).
      expect((await absorbQueued(db, TABLE, gatherer))?.map((queued) => queued.remediationId)).toEqual([
        'rem-b',
        'rem-c',
      ]);

      // Queued after the round planned: the unlock opens round 2 with it alone.
      await arrive(db, 'd');
      await closeStageLock(db, TABLE, gatherer);
      expect(await unlockOrOpenRound(db, TABLE, gatherer, 1)).toEqual({ kind: 'next-round', round: 2 });
      expect((await readRound(db, TABLE, gatherer, 2))?.map((queued) => queued.remediationId)).toEqual([
        'rem-d',
      ]);
    });

    it('never wipes a request queued between the read and the move; undefined once the item is not its own', async () => {
      await takeLockToGather(db, TABLE, gatherer, T0, HOLDER);
      await arrive(db, 'b');
      const racing = racingTheMove(db, 'c');
      expect((await absorbQueued(racing.db, TABLE, gatherer))?.map((queued) => queued.remediationId)).toEqual(
        ['rem-b', 'rem-c'],
      );
      expect(racing.raced()).toBe(true);

      expect(await absorbQueued(db, TABLE, { ...gatherer, owner: 'exec-z' })).toBeUndefined();
    });
  });
});
