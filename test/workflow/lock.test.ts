import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { claimDeploySlot, DEPLOYMENT_INTERVAL_MS } from '../../remediators/workflow/deploy-slot.js';
import {
  acquireStageLock,
  closeStageLock,
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
const HOLDER = { controls: ['APIGateway.1'], remediationId: 'rem-a', executionArn: 'exec-a' } as const;

describe('stage lock and deployment slot (DynamoDB in moto)', () => {
  const moto = useMoto();
  let db: DynamoDBDocumentClient;

  beforeEach(async () => {
    db = await createLocksTable(moto.endpoint, TABLE);
  });

  it('lets one owner hold a stage; a second owner is refused, naming the holder', async () => {
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0), T0, HOLDER);
    await expect(acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, T0), T0, HOLDER)).rejects.toThrow(
      StageLockedError,
    );
    await expect(acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, T0), T0, HOLDER)).rejects.toThrow(
      /held by exec-a/,
    );
  });

  it('lets the same owner take its lock again (a retried task)', async () => {
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0), T0, HOLDER);
    await expect(
      acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0 + 1000), T0 + 1000, HOLDER),
    ).resolves.toMatchObject({
      owner: 'exec-a',
    });
  });

  it('gives the stage to another owner once the lease has expired', async () => {
    const lease = lockLease(STAGE, 'exec-a', 60, T0);
    await acquireStageLock(db, TABLE, lease, T0, HOLDER);
    const later = (lease.expiresAt + 1) * 1000;
    await expect(
      acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, later), later, HOLDER),
    ).resolves.toMatchObject({
      owner: 'exec-b',
    });
  });

  const FINDING_B = {
    findingId: 'finding-b',
    findingFormat: 'ocsf',
    productArn: 'arn:aws:securityhub:us-east-1::productv2/aws/securityhub',
    metadataUid: 'uid-b',
    executionArn: 'exec-b-arn',
    remediationId: 'rem-b',
  } as const;
  const JOINER = { controls: ['APIGateway.1'], remediationId: 'rem-b', executionArn: 'exec-b-arn' } as const;

  it('joins a holder that covers the request, once per conditional write, and the close hands the joined back', async () => {
    const holder = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 60, T0), T0, HOLDER);
    const joined = await acquireStageLock(
      db,
      TABLE,
      lockLease(STAGE, 'exec-b', 0, T0),
      T0,
      JOINER,
      FINDING_B,
    );
    expect(joined).toMatchObject({
      owner: 'exec-b',
      joined: { remediationId: 'rem-a', executionArn: 'exec-a' },
    });
    expect(await closeStageLock(db, TABLE, holder)).toEqual([FINDING_B]);
    // Closed: a later twin waits for the lock instead of joining.
    await expect(
      acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-c', 0, T0), T0, JOINER, {
        ...FINDING_B,
        findingId: 'c',
      }),
    ).rejects.toThrow(/held by exec-a .*not joined: the holder is already recording/);
    // Only the owner closes; the item is still the holder's until it releases it.
    expect(await closeStageLock(db, TABLE, { ...holder, owner: 'exec-b' })).toEqual([]);
    expect(await releaseStageLock(db, TABLE, holder)).toBe(true);
  });

  it('does not join for a control the holder was not asked about, nor without a finding', async () => {
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 60, T0), T0, HOLDER);
    await expect(
      acquireStageLock(
        db,
        TABLE,
        lockLease(STAGE, 'exec-b', 0, T0),
        T0,
        { ...JOINER, controls: ['APIGateway.1', 'APIGateway.4'] },
        FINDING_B,
      ),
    ).rejects.toThrow(/not joined: the holder was not asked about APIGateway.4/);
    await expect(acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, T0), T0, JOINER)).rejects.toThrow(
      /not joined: a request without a finding waits/,
    );
  });

  it('keeps who joined when the holder takes its lock again (a retried task)', async () => {
    const holder = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 60, T0), T0, HOLDER);
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, T0), T0, JOINER, FINDING_B);
    await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 60, T0 + 1000), T0 + 1000, HOLDER);
    expect(await closeStageLock(db, TABLE, holder)).toEqual([FINDING_B]);
  });

  it('covers the approval wait in the lease', () => {
    const short = lockLease(STAGE, 'x', 0, T0);
    const long = lockLease(STAGE, 'x', 86_400, T0);
    expect(long.expiresAt - short.expiresAt).toBe(86_400);
  });

  it('releases only a lock it still holds', async () => {
    const mine = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-a', 0, T0), T0, HOLDER);
    expect(await releaseStageLock(db, TABLE, { ...mine, owner: 'exec-b' })).toBe(false);
    expect(await releaseStageLock(db, TABLE, mine)).toBe(true);
    await expect(
      acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, T0), T0, HOLDER),
    ).resolves.toMatchObject({
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
