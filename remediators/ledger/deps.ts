/**
 * The ledger for a workflow task: the table named in the function's environment (the central stack
 * sets LEDGER_TABLE_NAME on the Record function), through the same DynamoDB document client as
 * the locks table. Without the variable there is no ledger (a function deployed before the ledger
 * existed, or a test that does not look at it): the task then writes none and says so in its output.
 */
import type { LocksDeps } from '../workflow/deps/locks.js';
import { ledgerStore, type LedgerStore } from './store.js';

/** The environment variable that names the ledger table (infra/central-stack.ts sets it). */
export const LEDGER_TABLE_ENV = 'LEDGER_TABLE_NAME';

export interface LedgerDeps {
  /** The ledger table's store, or undefined when no table is configured. */
  readonly ledger: () => LedgerStore | undefined;
}

export function createLedgerDeps(
  locks: LocksDeps,
  tableName: string | undefined = process.env[LEDGER_TABLE_ENV],
): LedgerDeps {
  let store: LedgerStore | undefined;
  return {
    ledger: () => {
      if (tableName === undefined || tableName === '') return undefined;
      store ??= ledgerStore(locks.dynamo(), tableName);
      return store;
    },
  };
}
