/**
 * The ledger store against DynamoDB in moto: a table made by the product's createLedgerTable (the
 * key schema and index the central stack declares), idempotent puts, replace, the byStage index.
 */
import { DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExemptionEntry, RemediationEntry } from '../../../remediators/ledger/entry.js';
import {
  LedgerConflictError,
  ledgerStore,
  MalformedLedgerItemError,
  type LedgerStore,
} from '../../../remediators/ledger/store.js';
import { createLedgerTable } from '../../../remediators/ledger/table.js';
import { MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';

const TABLE = 'ledger';
const STAGE_ARN = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';
const OTHER_STAGE_ARN = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/dev';

function remediation(overrides: Partial<RemediationEntry> = {}): RemediationEntry {
  return {
    kind: 'REMEDIATION',
    entryId: 'rem-1',
    stageArn: STAGE_ARN,
    account: '123456789012',
    region: 'us-east-1',
    partition: 'aws',
    apiType: 'REST',
    apiId: 'a1b2c3d4e5',
    stageName: 'prod',
    recordedAt: '2026-12-01T10:00:00.000Z',
    actor: { kind: 'execution', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:wf:run-1' },
    outcome: 'REMEDIATED',
    controls: ['APIGateway.3'],
    changes: [{ controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true }],
    prerequisitesCreated: [],
    approver: 'automatic',
    reason: 'fixed APIGateway.3',
    findingIds: ['finding-1'],
    trigger: 'securityhub',
    ...overrides,
  };
}

function exemption(overrides: Partial<ExemptionEntry> = {}): ExemptionEntry {
  return {
    kind: 'EXEMPTION',
    entryId: 'exempt-1',
    stageArn: STAGE_ARN,
    account: '123456789012',
    region: 'us-east-1',
    partition: 'aws',
    apiType: 'REST',
    apiId: 'a1b2c3d4e5',
    stageName: 'prod',
    recordedAt: '2026-12-01T11:00:00.000Z',
    actor: { kind: 'cli', callerArn: 'arn:aws:iam::123456789012:user/alice', runId: 'cli-1' },
    controlId: 'APIGateway.3',
    reason: 'tracing costs too much on this stage',
    cause: 'OPERATOR',
    ...overrides,
  };
}

describe('ledger store (DynamoDB in moto)', () => {
  const moto = useMoto();
  let client: DynamoDBClient;
  let store: LedgerStore;

  beforeEach(async () => {
    client = new DynamoDBClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    await createLedgerTable(client, TABLE);
    store = ledgerStore(DynamoDBDocumentClient.from(client), TABLE);
  });

  it('creates the table with the key, the byStage index (stageArn, recordedAt, ALL) and on-demand billing', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'entryId', KeyType: 'HASH' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(
      Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.KeySchema, index.Projection]),
    ).toEqual([
      [
        'byStage',
        [
          { AttributeName: 'stageArn', KeyType: 'HASH' },
          { AttributeName: 'recordedAt', KeyType: 'RANGE' },
        ],
        { ProjectionType: 'ALL' },
      ],
    ]);
    // A second creation leaves the table as it is.
    await expect(createLedgerTable(client, TABLE)).resolves.toBe('exists');
  });

  it('puts an entry and gets it back as written, with null before values intact', async () => {
    const entry = remediation({
      changes: [
        {
          controlId: 'APIGateway.9',
          setting: 'accessLogSettings.destinationArn',
          before: null,
          after: 'arn:aws:logs:x',
        },
      ],
    });
    await expect(store.put(entry)).resolves.toBe('written');
    await expect(store.get('rem-1')).resolves.toEqual(entry);
    await expect(store.get('rem-unknown')).resolves.toBeUndefined();
  });

  it('a retried put of the same entry is already-written; other content under the id is refused, the first kept', async () => {
    await store.put(remediation());
    await expect(store.put(remediation())).resolves.toBe('already-written');
    await expect(store.put(remediation({ outcome: 'FAILED' }))).rejects.toThrow(LedgerConflictError);
    await expect(store.put(remediation({ outcome: 'FAILED' }))).rejects.toThrow(/rem-1 exists already/);
    expect(await store.get('rem-1')).toMatchObject({ outcome: 'REMEDIATED' });
  });

  it('replace overwrites on purpose (an exemption ended)', async () => {
    await store.put(exemption());
    await store.replace(exemption({ endedAt: '2026-12-02T09:00:00.000Z' }));
    await expect(store.get('exempt-1')).resolves.toMatchObject({ endedAt: '2026-12-02T09:00:00.000Z' });
  });

  it('lists a stage oldest first through the index, with and without since; list covers every stage', async () => {
    await store.put(remediation({ entryId: 'late', recordedAt: '2026-12-01T12:00:00.000Z' }));
    await store.put(remediation({ entryId: 'early', recordedAt: '2026-12-01T08:00:00.000Z' }));
    await store.put(exemption());
    await store.put(
      remediation({
        entryId: 'other',
        stageArn: OTHER_STAGE_ARN,
        stageName: 'dev',
        recordedAt: '2026-12-01T09:00:00.000Z',
      }),
    );
    expect((await store.listByStage(STAGE_ARN)).map((entry) => entry.entryId)).toEqual([
      'early',
      'exempt-1',
      'late',
    ]);
    expect(
      (await store.listByStage(STAGE_ARN, '2026-12-01T11:00:00.000Z')).map((entry) => entry.entryId),
    ).toEqual(['exempt-1', 'late']);
    expect((await store.list()).map((entry) => entry.entryId)).toEqual([
      'early',
      'other',
      'exempt-1',
      'late',
    ]);
    expect((await store.list('2026-12-01T08:30:00.000Z')).map((entry) => entry.entryId)).toEqual([
      'other',
      'exempt-1',
      'late',
    ]);
  });

  it('names a malformed item instead of passing it on half-read', async () => {
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          entryId: { S: 'broken-1' },
          kind: { S: 'REMEDIATION' },
          stageArn: { S: STAGE_ARN },
          recordedAt: { S: '2026-12-01T10:00:00.000Z' },
        },
      }),
    );
    await expect(store.get('broken-1')).rejects.toThrow(MalformedLedgerItemError);
    await expect(store.listByStage(STAGE_ARN)).rejects.toThrow(
      /item "broken-1" does not have a ledger entry's shape/,
    );
    await expect(store.list()).rejects.toThrow(/ledger table ledger: item "broken-1"/);
  });
});
