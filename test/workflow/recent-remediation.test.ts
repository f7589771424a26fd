/**
 * The "recently remediated" marker in the locks table (DynamoDB in moto): an item of its own
 * beside the stage lock, read back within its window only.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  acquireStageLock,
  lockLease,
  markRecentRemediation,
  readRecentRemediation,
  recentRemediationKey,
  releaseStageLock,
} from '../../remediators/workflow/lock.js';
import { stageLockKey } from '../../remediators/workflow/stage-identity.js';
import type { RecentRemediation } from '../../remediators/workflow/recent-remediation.js';
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

const MARKER: RecentRemediation = {
  remediationId: 'rem-1',
  executionArn: 'arn:aws:states:us-east-1:999999999999:execution:apigw-remediation:first',
  controls: ['APIGateway.1'],
  changes: [
    { controlId: 'APIGateway.1', setting: 'methodSettings[*/*].loggingLevel', before: 'OFF', after: 'ERROR' },
  ],
  approver: 'automatic',
  remediatedAt: new Date(T0).toISOString(),
  until: T0 / 1000 + 900,
  findingId: 'finding-1',
  findingFormat: 'asff',
};

describe('recently remediated marker (DynamoDB in moto)', () => {
  const moto = useMoto();
  let db: DynamoDBDocumentClient;

  beforeEach(async () => {
    db = await createLocksTable(moto.endpoint, TABLE);
  });

  it('is written beside the lock, expires with its TTL attribute, and is read back whole within the window', async () => {
    expect(recentRemediationKey(STAGE)).not.toBe(stageLockKey(STAGE));
    expect(recentRemediationKey(STAGE)).toMatch(
      /^remediated#aws#111122223333#us-east-1#REST#a1b2c3d4e5#prod$/,
    );
    await markRecentRemediation(db, TABLE, STAGE, MARKER);
    const item = await db.send(
      new GetCommand({ TableName: TABLE, Key: { pk: recentRemediationKey(STAGE) } }),
    );
    expect(item.Item?.['expiresAt']).toBe(MARKER.until);
    expect(await readRecentRemediation(db, TABLE, STAGE, T0 + 60_000)).toEqual(MARKER);
    expect(await readRecentRemediation(db, TABLE, STAGE, (MARKER.until + 1) * 1000)).toBeUndefined();
  });

  it('does not touch the stage lock: taking and releasing it works as before', async () => {
    await markRecentRemediation(db, TABLE, STAGE, MARKER);
    const lock = await acquireStageLock(db, TABLE, lockLease(STAGE, 'exec-b', 0, T0), T0, HOLDER);
    expect(await releaseStageLock(db, TABLE, lock)).toBe(true);
    expect(await readRecentRemediation(db, TABLE, STAGE, T0)).toEqual(MARKER);
  });

  it('reads none for another stage, and treats a malformed item as none (it could only credit, never block)', async () => {
    await markRecentRemediation(db, TABLE, STAGE, MARKER);
    expect(await readRecentRemediation(db, TABLE, { ...STAGE, stageName: 'dev' }, T0)).toBeUndefined();
    await db.send(
      new PutCommand({ TableName: TABLE, Item: { pk: recentRemediationKey(STAGE), remediationId: 'rem-1' } }),
    );
    expect(await readRecentRemediation(db, TABLE, STAGE, T0)).toBeUndefined();
  });
});
