/**
 * The ledger as the CLI's write commands reach it: a DynamoDB table of the central account, in the
 * caller's Region (or `--region`), with the caller's credentials (`--profile` as access.ts reads it);
 * the SDK resolves the endpoint itself (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB), as for every
 * other client of the CLI.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { fromIni } from '@aws-sdk/credential-providers';
import { ledgerStore, type LedgerStore } from '../ledger/store.js';
import type { AccessOptions } from './args.js';
import { AwsAccessError } from './aws-errors.js';
import { ledgerTableOf } from './stack.js';

export interface LedgerAccess {
  readonly store: LedgerStore;
  readonly table: string;
  readonly region: string;
  /** A Security Hub client of the central account in a Region (the findings' home). */
  securityHub(region: string): SecurityHubClient;
}

export async function ledgerAccess(
  access: AccessOptions,
  table: { readonly ledgerTable?: string; readonly stackName?: string },
): Promise<LedgerAccess> {
  const credentials =
    access.profile === undefined ? {} : { credentials: fromIni({ profile: access.profile }) };
  let region = access.regions[0];
  if (region === undefined) {
    try {
      region = await new DynamoDBClient(credentials).config.region();
    } catch {
      region = undefined;
    }
  }
  if (region === undefined || region === '') {
    throw new AwsAccessError(
      'no AWS Region for the ledger table: pass --region R, set AWS_REGION, or set `region` in the profile',
    );
  }
  // --ledger-table, else the deployed stack's LedgerTableName output, as history and fix find it.
  const name = await ledgerTableOf(region, table);
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region, ...credentials }));
  const ledgerRegion = region;
  return {
    store: ledgerStore(dynamo, name),
    table: name,
    region: ledgerRegion,
    securityHub: (findingsRegion) => new SecurityHubClient({ region: findingsRegion, ...credentials }),
  };
}

/** What a ledger call needs, for the message when it is denied or fails. */
export function ledgerCall(
  ledger: Pick<LedgerAccess, 'table' | 'region'>,
  operation: string,
  iamAction: string,
) {
  return {
    operation: `DynamoDB.${operation} (ledger table ${ledger.table})`,
    iamAction,
    resource: `table/${ledger.table}`,
    region: ledger.region,
  };
}
