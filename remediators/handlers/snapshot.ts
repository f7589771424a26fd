/**
 * Snapshot task: reads the stage (only the parts the active controls need), evaluates and
 * plans, and says what comes next. The plan of the controls the workflow will change travels
 * on in the state (`stagePlan`), so what is applied is exactly what was shown to the approver.
 */
import { bindControls } from '../controls/catalog.js';
import { snapshotPartsFor } from '../core/parts.js';
import { planStage, type StagePlan } from '../core/plan.js';
import { readStageSnapshot } from '../core/snapshot.js';
import { DecidedItemSchema } from '../workflow/handler-input.js';
import { goneSummary, summarizePlan } from '../workflow/plan-summary.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
import { createMemberAccountDeps, type ConfigDeps } from '../workflow/deps/member-account.js';
import { createCoreClientsDeps, type CoreClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput, type PlanSummary } from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';

export type SnapshotOutput = PlanSummary & { readonly stagePlan?: StagePlan };

export function createSnapshotHandler(deps: ConfigDeps & CoreClientsDeps & Pick<ClockDeps, 'now'>) {
  return async (event: unknown): Promise<SnapshotOutput> => {
    const item = parseTaskInput('snapshot', DecidedItemSchema, event);
    const config = deps.config();
    const active = item.decision.controls.filter((control) => control.mode !== 'off');
    const controls = bindControls(
      active.map((control) => control.controlId),
      config,
    );
    const parts = snapshotPartsFor(controls);
    const snapshot = await readStageSnapshot(item.stage, parts, await deps.coreClients(item.stage), {
      cache: deps.coreCache,
    });
    if (snapshot.status === 'GONE') {
      return goneSummary(undefined, snapshot.reason);
    }
    const plan = planStage(snapshot, controls);
    const summary = summarizePlan({
      apiName: snapshot.api?.name ?? '',
      decisions: item.decision.controls,
      evaluations: plan.evaluations,
      plans: plan.plans,
      allowUnattendedDeployments: config.allowUnattendedDeployments,
    });
    if (summary.next !== 'APPLY' && summary.next !== 'APPROVE') return summary;
    const stagePlan = planStage(snapshot, bindControls(summary.applyControls, config));
    if (summary.next === 'APPLY') return { ...summary, stagePlan };
    const requestedAt = deps.now();
    const expiresAt = new Date(requestedAt.getTime() + item.decision.approvalTimeoutSeconds * 1000);
    return {
      ...summary,
      stagePlan,
      approvalWindow: { requestedAt: requestedAt.toISOString(), expiresAt: expiresAt.toISOString() },
    };
  };
}

const account = createMemberAccountDeps();
export const handler = lambdaHandler(
  createSnapshotHandler({
    ...account,
    ...createCoreClientsDeps(account),
    ...createClockDeps(),
  }),
);
