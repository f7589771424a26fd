/**
 * The decide task's read of a stage's exemptions: one BatchGetItem on the ledger table named by env
 * LEDGER_TABLE (set by the central stack), with the keys of the requested controls
 * (ledger/exemption.ts). Without the variable (a stack deployed before the ledger) no exemption is
 * read, and the decide task says so in its log.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { formatStageArn } from '../core/arn.js';
import type { StageRef } from '../core/types.js';
import { endpointConfig, type EndpointOptions } from '../workflow/deps/endpoint.js';
import { deployedConfig } from '../../config/deployed.js';
import type { ExemptionEntry } from './entry.js';
import { readStageExemptions } from './exemption.js';
import { ledgerStore, type LedgerStore } from './store.js';

export const LEDGER_TABLE_ENV = 'LEDGER_TABLE';

export interface ExemptionsDeps {
  /** The stage's exemption entries for these controls; undefined when no ledger table is configured. */
  readonly exemptions: (
    stage: StageRef,
    controlIds: readonly string[],
  ) => Promise<ExemptionEntry[] | undefined>;
}

export interface ExemptionsOptions extends EndpointOptions {
  /** Default: env LEDGER_TABLE. */
  readonly table?: string;
  readonly clientConfig?: {
    readonly region?: string;
    readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  };
}

export function createExemptionsDeps(options: ExemptionsOptions = {}): ExemptionsDeps {
  let dynamo: DynamoDBDocumentClient | undefined;
  return {
    exemptions: async (stage, controlIds) => {
      const table = options.table ?? process.env[LEDGER_TABLE_ENV];
      if (table === undefined || table === '') return undefined;
      dynamo ??= DynamoDBDocumentClient.from(
        new DynamoDBClient({ ...options.clientConfig, ...endpointConfig(options) }),
      );
      return readStageExemptions(dynamo, table, stage.account, formatStageArn(stage), controlIds);
    },
  };
}

/** The Record task's writes of exemptions (a rejection): PutItem on the ledger table in env LEDGER_TABLE. */
export interface LedgerWriterDeps {
  /** Undefined when no ledger table is configured. */
  readonly ledger: () => LedgerStore | undefined;
  /** The configuration's exemptions.defaultDays. */
  readonly exemptionDays: () => number;
}

export function createLedgerWriterDeps(
  options: ExemptionsOptions & { readonly defaultDays?: number } = {},
): LedgerWriterDeps {
  let store: LedgerStore | undefined;
  return {
    ledger: () => {
      const table = options.table ?? process.env[LEDGER_TABLE_ENV];
      if (table === undefined || table === '') return undefined;
      store ??= ledgerStore(
        DynamoDBDocumentClient.from(
          new DynamoDBClient({ ...options.clientConfig, ...endpointConfig(options) }),
        ),
        table,
      );
      return store;
    },
    exemptionDays: () => options.defaultDays ?? deployedConfig().exemptions.defaultDays,
  };
}
