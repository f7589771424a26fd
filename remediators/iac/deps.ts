/**
 * The flap guard's table for the tasks that use it (snapshot reads, record writes): named by the
 * environment variable the CDK app sets on exactly those functions. Without it the guard is off
 * (a function deployed without the table, a test that does not want it): nothing is counted.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { endpointConfig, type EndpointOptions } from '../workflow/deps/endpoint.js';
import { FLAP_TABLE_ENV, flapStore, type FlapStore } from './flap-store.js';

export interface FlapGuardDeps {
  readonly flapGuard: () => FlapStore | undefined;
}

export function createFlapGuardDeps(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: EndpointOptions = {},
): FlapGuardDeps {
  let store: FlapStore | undefined;
  return {
    flapGuard: () => {
      const table = env[FLAP_TABLE_ENV];
      if (table === undefined || table === '') return undefined;
      store ??= flapStore(DynamoDBDocumentClient.from(new DynamoDBClient(endpointConfig(options))), table);
      return store;
    },
  };
}
