/**
 * A ledger table in the test file's moto_server with the key schema of remediators/ledger/entry.ts
 * (entryId; the byStage index on stageArn + recordedAt; on demand), until the central stack's
 * `createLedgerTable` helper arrives (h-ledger), which this one is to be swapped for.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  LEDGER_STAGE_INDEX,
  LEDGER_STAGE_INDEX_KEY,
  LEDGER_STAGE_INDEX_SORT_KEY,
  LEDGER_TABLE_KEY,
} from '../../remediators/ledger/entry.js';
import { MOTO_REGION, motoCredentials } from './moto.js';

export async function createUndoLedgerTable(
  endpoint: string,
  tableName: string,
): Promise<DynamoDBDocumentClient> {
  const client = new DynamoDBClient({ region: MOTO_REGION, endpoint, credentials: motoCredentials });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: LEDGER_TABLE_KEY, AttributeType: 'S' },
        { AttributeName: LEDGER_STAGE_INDEX_KEY, AttributeType: 'S' },
        { AttributeName: LEDGER_STAGE_INDEX_SORT_KEY, AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: LEDGER_TABLE_KEY, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: LEDGER_STAGE_INDEX,
          KeySchema: [
            { AttributeName: LEDGER_STAGE_INDEX_KEY, KeyType: 'HASH' },
            { AttributeName: LEDGER_STAGE_INDEX_SORT_KEY, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return DynamoDBDocumentClient.from(client);
}
