/** The locks table's client (stage locks and per-account deployment slots): DynamoDB only. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { endpointConfig, type EndpointOptions } from './endpoint.js';

export interface LocksDeps {
  readonly dynamo: () => DynamoDBDocumentClient;
}

export function createLocksDeps(options: EndpointOptions = {}): LocksDeps {
  let dynamo: DynamoDBDocumentClient | undefined;
  return {
    dynamo: () => {
      dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(endpointConfig(options)));
      return dynamo;
    },
  };
}
