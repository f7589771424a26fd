/**
 * Creates a ledger table with exactly the key schema and index the central stack gives it
 * (entry.ts' constants): for `--create-ledger-table` on the emulator or an account without the
 * stack, and for the tests. On demand (PAY_PER_REQUEST), so neither the table nor its index takes
 * throughput settings (DynamoDB API Reference, CreateTable: ProvisionedThroughput is not allowed
 * with PAY_PER_REQUEST, for the table or a global secondary index).
 */
import {
  CreateTableCommand,
  ResourceInUseException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  LEDGER_STAGE_INDEX,
  LEDGER_STAGE_INDEX_KEY,
  LEDGER_STAGE_INDEX_SORT_KEY,
  LEDGER_TABLE_KEY,
} from './entry.js';

/**
 * Creates the table and waits until it is ACTIVE (the SDK's waiter); `'exists'` when a table of
 * that name is there already (ResourceInUseException), which is left as it is.
 */
export async function createLedgerTable(dynamo: DynamoDBClient, name: string): Promise<'created' | 'exists'> {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
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
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'exists';
    throw error;
  }
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 120 }, { TableName: name });
  return 'created';
}
