/**
 * Snapshot task: reads the stage (only the parts the active controls need), evaluates and
 * plans, and says what comes next. The plan of the controls the workflow will change travels
 * on in the state (`stagePlan`), so what is applied is exactly what was shown to the approver.
 */
import { bindControls } from '../controls/catalog.js';
import { protocolOf } from '../controls/define-control.js';
import { guardDecisions, type GuardControl } from '../iac/flap-guard.js';
import { applyGuard } from '../iac/guard-plan.js';
import { type FlapGuardDeps } from '../iac/deps.js';
import { detectOwner, ownerTopicFor } from '../iac/owner.js';
import { iacSummary } from '../iac/summary.js';
import { snapshotPartsFor } from '../core/parts.js';
import { planStage, type StagePlan } from '../core/plan.js';
import { readStageSnapshot } from '../core/snapshot.js';
import { takeStageRead } from '../workflow/stage-read.js';
import { DecidedItemSchema } from '../workflow/handler-input.js';
import { goneSummary, summarizePlan } from '../workflow/plan-summary.js';
import { type ClockDeps } from '../workflow/deps/clock.js';
import { type ConfigDeps } from '../workflow/deps/member-account.js';
import { type ApiClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput, type PlanSummary } from '../workflow/state.js';

export type SnapshotOutput = PlanSummary & { readonly stagePlan?: StagePlan };

export function createSnapshotHandler(
  deps: ConfigDeps & ApiClientsDeps & Pick<ClockDeps, 'now'> & Partial<FlapGuardDeps>,
) {
  return async (event: unknown): Promise<SnapshotOutput> => {
    const item = parseTaskInput('snapshot', DecidedItemSchema, event);
    const config = deps.config();
    const active = item.decision.controls.filter((control) => control.mode !== 'off');
    const controls = bindControls(
      active.map((control) => control.controlId),
      config,
    );
    const parts = snapshotPartsFor(controls);
    // The stage and API the decide step read moments ago in this invocation are not read again.
    const snapshot = await readStageSnapshot(item.stage, parts, await deps.coreClients(item.stage), {
      cache: deps.coreCache,
      earlier: takeStageRead(item.stage),
    });
    if (snapshot.status === 'GONE') {
      return goneSummary(undefined, snapshot.reason);
    }
    const plan = planStage(snapshot, controls);
    const planned = summarizePlan({
      apiName: snapshot.api?.name ?? '',
      decisions: item.decision.controls,
      evaluations: plan.evaluations,
      plans: plan.plans,
      allowUnattendedDeployments: config.allowUnattendedDeployments,
    });
    // Who deploys this stage, and the template change per failing control (docs/decisions/0029).
    const owner = detectOwner({
      stageName: item.stage.stageName,
      stageTags: snapshot.stage.tags,
      apiTags: snapshot.api?.tags ?? {},
      ...(item.request.caller?.userAgent === undefined ? {} : { userAgent: item.request.caller.userAgent }),
      ownerTags: config.iac.ownerTags,
    });
    const failing = [
      ...new Set([...planned.toApply, ...planned.notApplied].map((change) => change.controlId)),
    ];
    const ownerTopicArn =
      owner.kind === 'unmanaged'
        ? undefined
        : ownerTopicFor(snapshot.stage.tags, snapshot.api?.tags ?? {}, config.iac.ownerChannels);
    const iac = {
      ...iacSummary(owner, protocolOf(snapshot), failing),
      ...(ownerTopicArn === undefined ? {} : { ownerTopicArn }),
    };
    // The flap guard (docs/decisions/0029): read under the stage lock, written by the Record task.
    const store = deps.flapGuard?.();
    const guarded: GuardControl[] = [];
    if (store !== undefined && owner.kind !== 'unmanaged') {
      for (const evaluation of plan.evaluations) {
        const compliant = evaluation.status === 'COMPLIANT';
        const wouldApply = planned.applyControls.includes(evaluation.controlId);
        if (!compliant && !wouldApply) continue;
        const record = await store.get(item.stage, evaluation.controlId);
        guarded.push({ controlId: evaluation.controlId, compliant, wouldApply, record });
      }
    }
    const decisions = guardDecisions({
      owner,
      caller: item.request.caller,
      eventId: item.request.trigger === 'cloudtrail' ? item.request.eventId : undefined,
      remediationId: item.decision.remediationId,
      now: deps.now(),
      settings: config.iac,
      controls: guarded,
    });
    const summary = {
      ...applyGuard(planned, decisions),
      iac:
        store === undefined || owner.kind === 'unmanaged'
          ? iac
          : { ...iac, guard: decisions, flapWindowHours: config.iac.flapWindowHours },
    };
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
