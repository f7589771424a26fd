/**
 * A rejected approval leaves an exemption (issue 12): the approver said no to these changes, so the
 * controls they would have fixed are left alone for `exemptions.defaultDays` (cause REJECTED, the
 * approver and their comment as the reason, the execution as actor). Without it Security Hub would
 * reset the finding to NEW and the service would ask the same question again at once.
 * Pure here; the Record task writes the entries ({@link writeRejectionExemptions}, one call).
 */
import { formatStageArn } from '../core/arn.js';
import { foundPlanOf, type StageWorkItem } from '../workflow/state.js';
import type { OutcomeRecord } from '../workflow/outcome.js';
import type { ExemptionEntry } from './entry.js';
import { buildExemption, defaultUntil } from './exemption.js';
import type { LedgerStore } from './store.js';

export function rejectionExemptions(
  item: StageWorkItem,
  record: OutcomeRecord,
  defaultDays: number,
  now: Date,
): ExemptionEntry[] {
  if (record.outcome !== 'REJECTED') return [];
  const controls = foundPlanOf(item.plan)?.applyControls ?? [];
  const until = defaultUntil(now, defaultDays);
  return controls.map((controlId) =>
    buildExemption({
      stage: { stageArn: formatStageArn(item.stage), ...item.stage },
      controlId,
      reason: `${record.approver} rejected the change (remediation ${record.remediationId}): ${record.reason}`,
      until,
      cause: 'REJECTED',
      actor: { kind: 'execution', executionArn: item.executionArn },
      now,
    }),
  );
}

/** Writes them (each replaces an earlier exemption of the same stage and control). */
export async function writeRejectionExemptions(
  ledger: LedgerStore | undefined,
  exemptions: readonly ExemptionEntry[],
): Promise<number> {
  if (ledger === undefined) return 0;
  for (const exemption of exemptions) await ledger.replace(exemption);
  return exemptions.length;
}
