/**
 * A table shaped like the locks table the central stack creates (partition key `pk`, String,
 * on demand) in the test file's moto_server, and the document client the workflow code uses on it.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MOTO_REGION, motoCredentials } from './moto.js';

export async function createLocksTable(endpoint: string, tableName: string): Promise<DynamoDBDocumentClient> {
  const client = new DynamoDBClient({ region: MOTO_REGION, endpoint, credentials: motoCredentials });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return DynamoDBDocumentClient.from(client);
}
