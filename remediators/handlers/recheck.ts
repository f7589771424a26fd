/**
 * Recheck task, between the approval wait and the apply task: re-reads the stage, plans the
 * approved controls again and compares the fresh plan with the approved one (workflow/recheck.ts).
 * Its output replaces `plan`, so what the later tasks apply (and verify) is the fresh plan of the
 * controls that may still be applied, never the snapshot of up to a day ago.
 */
import { bindControls } from '../controls/catalog.js';
import { snapshotPartsFor } from '../core/parts.js';
import { planStage } from '../core/plan.js';
import { readStageSnapshot } from '../core/snapshot.js';
import { PlannedItemSchema } from '../workflow/planned-item.js';
import { goneSummary } from '../workflow/plan-summary.js';
import { recheckApprovedPlan } from '../workflow/recheck.js';
import { type ConfigDeps } from '../workflow/deps/member-account.js';
import { type ApiClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput } from '../workflow/state.js';
import type { SnapshotOutput } from './snapshot.js';

export function createRecheckHandler(deps: ConfigDeps & ApiClientsDeps) {
  return async (event: unknown): Promise<SnapshotOutput> => {
    const item = parseTaskInput('recheck', PlannedItemSchema, event);
    const config = deps.config();
    const approved = item.plan;
    const controls = bindControls(approved.applyControls, config);
    const snapshot = await readStageSnapshot(
      item.stage,
      snapshotPartsFor(controls),
      await deps.coreClients(item.stage),
      { cache: deps.coreCache },
    );
    if (snapshot.status === 'GONE') {
      return goneSummary(approved.apiName, snapshot.reason);
    }
    const fresh = planStage(snapshot, controls);
    const rechecked = recheckApprovedPlan({
      approved,
      fresh,
      // No approval decision here means the wait timed out and approval.onTimeout said apply.
      unattended: item.approval === undefined,
      allowUnattendedDeployments: config.allowUnattendedDeployments,
    });
    // The owner does not change during the wait: the record keeps what the approver was shown.
    const summary = approved.iac === undefined ? rechecked : { ...rechecked, iac: approved.iac };
    if (summary.next !== 'APPLY') return summary;
    return { ...summary, stagePlan: planStage(snapshot, bindControls(summary.applyControls, config)) };
  };
}
