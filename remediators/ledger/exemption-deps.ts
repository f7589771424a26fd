/**
 * The decide task's read of a stage's exemptions: one BatchGetItem on the ledger table named by env
 * LEDGER_TABLE_NAME (ledger/deps.ts, set by the central stack), with the keys of the requested
 * controls (ledger/exemption.ts), through the same DynamoDB document client as the locks table.
 * Without the variable (a stack deployed before the ledger) no exemption is read, and the decide
 * task says so in its log.
 */
import { formatStageArn } from '../core/arn.js';
import type { StageRef } from '../core/types.js';
import type { LocksDeps } from '../workflow/deps/locks.js';
import { deployedConfig } from '../../config/deployed.js';
import type { ExemptionEntry } from './entry.js';
import { readStageExemptions } from './exemption.js';
import { LEDGER_TABLE_ENV } from './deps.js';

export interface ExemptionsDeps {
  /** The stage's exemption entries for these controls; undefined when no ledger table is configured. */
  readonly exemptions: (
    stage: StageRef,
    controlIds: readonly string[],
  ) => Promise<ExemptionEntry[] | undefined>;
}

export function createExemptionsDeps(
  locks: LocksDeps,
  tableName: string | undefined = process.env[LEDGER_TABLE_ENV],
): ExemptionsDeps {
  return {
    exemptions: async (stage, controlIds) => {
      if (tableName === undefined || tableName === '') return undefined;
      return readStageExemptions(locks.dynamo(), tableName, stage.account, formatStageArn(stage), controlIds);
    },
  };
}

/**
 * The Record task's exemption length for a rejection (the ledger itself comes from ledger/deps.ts,
 * the same store the run's REMEDIATION entry is written with).
 */
export interface ExemptionDaysDeps {
  /** The configuration's exemptions.defaultDays. */
  readonly exemptionDays: () => number;
}

export function createExemptionDaysDeps(options: { readonly defaultDays?: number } = {}): ExemptionDaysDeps {
  return { exemptionDays: () => options.defaultDays ?? deployedConfig().exemptions.defaultDays };
}
