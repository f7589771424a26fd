/**
 * What the central stack would have created, for an in-process run on an emulator (moto_server):
 * the locks table (partition key `pk`, on demand, as infra/central-stack.ts declares it), the
 * ledger table when asked (remediators/ledger/table.ts), the kill switch parameter (`off`, as the
 * stack creates it) and the notification topic. Each is left as it is when it exists already, so
 * a second run on the same emulator shares the first one's locks and ledger.
 */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { createLedgerTable } from '../ledger/table.js';
import { LOCKS_TABLE_KEY } from '../workflow/lock.js';
import {
  LOCAL_KILL_SWITCH_PARAMETER,
  LOCAL_LEDGER_TABLE,
  LOCAL_LOCKS_TABLE,
  LOCAL_NOTIFICATIONS_TOPIC,
} from './workflow-runner.js';

export interface LocalServiceOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The kill switch's value (default `off`). */
  readonly killSwitch?: string;
  /** Create the ledger table of this name when it is absent. */
  readonly createLedgerTable?: string;
}

export interface LocalService {
  readonly locksTable: string;
  readonly notifyTopicArn: string;
  readonly killSwitchParameter: string;
  /** Set when the ledger table was asked for: created, or there already. */
  readonly ledgerTable?: { readonly name: string; readonly status: 'created' | 'exists' };
}

export async function createLocksTable(dynamo: DynamoDBClient, name: string): Promise<void> {
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: LOCKS_TABLE_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: LOCKS_TABLE_KEY, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

export async function prepareLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const config = {
    region: options.region,
    endpoint: options.endpoint,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
  const dynamo = new DynamoDBClient(config);
  await createLocksTable(dynamo, LOCAL_LOCKS_TABLE);
  await new SSMClient(config).send(
    new PutParameterCommand({
      Name: LOCAL_KILL_SWITCH_PARAMETER,
      Type: 'String',
      Value: options.killSwitch ?? 'off',
      Overwrite: true,
    }),
  );
  const topic = await new SNSClient(config).send(new CreateTopicCommand({ Name: LOCAL_NOTIFICATIONS_TOPIC }));
  const ledgerName = options.createLedgerTable;
  return {
    locksTable: LOCAL_LOCKS_TABLE,
    notifyTopicArn: topic.TopicArn ?? '',
    killSwitchParameter: LOCAL_KILL_SWITCH_PARAMETER,
    ...(ledgerName === undefined
      ? {}
      : { ledgerTable: { name: ledgerName, status: await createLedgerTable(dynamo, ledgerName) } }),
  };
}

export { LOCAL_LEDGER_TABLE };
