import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { claimDeploySlot, DEPLOYMENT_INTERVAL_MS } from '../../remediators/workflow/deploy-slot.js';
import {
  acquireStageLock,
  lockLease,
  releaseStageLock,
  StageLockedError,
} from '../../remediators/workflow/lock.js';
import { createLocksTable } from '../helpers/locks-table.js';
import { useMoto } from '../helpers/moto.js';

const TABLE = 'locks';
const STAGE = {
  account: '111122223333',
  region: 'us-east-1',
  partition: 'aws',
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
} as const;
const T0 = Date.parse('2026-11-21T10:00:00Z');

describe('stage lock and deployment slot (DynamoDB in moto)', () => {
  const moto = useMoto();
  let db: DynamoDBDocumentClient;

  beforeEach(async () => {
    db = await createLocksTable(moto.endpoint, TABLE);
  });

  it('lets one owner hold a stage; a second owner is refused, naming the holder', async () => {
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0), T0);
    await expect(acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, T0), T0)).rejects.toThrow(
      StageLockedError,
    );
    await expect(acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, T0), T0)).rejects.toThrow(
      /held by exec-a/,
    );
  });

  it('lets the same owner take its lock again (a retried task)', async () => {
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0), T0);
    await expect(
      acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0 + 1000), T0 + 1000),
    ).resolves.toMatchObject({
      owner: 'exec-a',
    });
  });

  it('gives the stage to another owner once the lease has expired', async () => {
    const lease = lockLease(STAGE, 'exec-a', 60, T0);
    await acquireStageLock(db, TABLE, lease, T0);
    const later = (lease.expiresAt + 1) * 1000;
    await expect(
      acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, later), later),
    ).resolves.toMatchObject({
      owner: 'exec-b',
    });
  });

  it('covers the approval wait in the lease', () => {
    const short = lockLease(STAGE, 'x', 0, T0);
    const long = lockLease(STAGE, 'x', 86_400, T0);
    expect(long.expiresAt - short.expiresAt).toBe(86_400);
  });

  it('releases only a lock it still holds', async () => {
    const mine = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0), T0);
    expect(await releaseStageLock(db, TABLE, { ...mine, owner: 'exec-b' })).toBe(false);
    expect(await releaseStageLock(db, TABLE, mine)).toBe(true);
    await expect(acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, T0), T0)).resolves.toMatchObject({
      owner: 'exec-b',
    });
  });

  it('grants one deployment per account and Region every 5 seconds and says how long to wait', async () => {
    expect(await claimDeploySlot(db, TABLE, STAGE, 'exec-a', T0)).toEqual({ granted: true });
    expect(await claimDeploySlot(db, TABLE, STAGE, 'exec-b', T0 + 1200)).toEqual({
      granted: false,
      waitSeconds: 4,
    });
    expect(await claimDeploySlot(db, TABLE, { ...STAGE, region: 'eu-west-1' }, 'exec-c', T0 + 1200)).toEqual({
      granted: true,
    });
    expect(await claimDeploySlot(db, TABLE, STAGE, 'exec-b', T0 + DEPLOYMENT_INTERVAL_MS)).toEqual({
      granted: true,
    });
  });
});
