/**
 * Pure: from the modes the decide task resolved and the controls' evaluations and plans for
 * one stage, what the workflow does next and what it will (and will not) change.
 */
import type { ControlPlan, Evaluation } from '../core/types.js';
import type { ControlChange, ControlDecision, FoundPlanSummary, GonePlanSummary } from './state.js';

export interface PlanInput {
  readonly apiName: string;
  readonly decisions: readonly ControlDecision[];
  readonly evaluations: readonly Evaluation[];
  readonly plans: readonly ControlPlan[];
  /**
   * config.allowUnattendedDeployments: whether a control in mode auto may create a deployment
   * (which publishes the API's current definition) with nobody approving it. False when absent.
   */
  readonly allowUnattendedDeployments?: boolean;
}

/** Why a control in mode auto was held back: the sentence the record and the notification carry. */
export const UNATTENDED_DEPLOYMENT_REASON =
  "its fix needs a deployment, which publishes the API's current definition (changes nobody released " +
  'may go live), and mode auto creates one only when allowUnattendedDeployments is true: ' +
  'set the control to approve, or allow unattended deployments';

function changesOf(plan: ControlPlan | undefined): ControlChange[] {
  if (plan === undefined) return [];
  return plan.changes.map(({ change }) => ({ controlId: plan.controlId, ...change }));
}

/** The stage or its API vanished before it could be planned (snapshot) or re-read (recheck). */
export function goneSummary(apiName: string | undefined, reason: string): GonePlanSummary {
  return { status: 'GONE', next: 'GONE', ...(apiName === undefined ? {} : { apiName }), reason };
}

/**
 * Controls in mode `off` are ignored; a non-compliant control is applied when its mode is auto or
 * approve and it is not in dry-run, otherwise its changes are listed as not applied (and why).
 * A control in mode auto whose plan needs a deployment is applied only when the configuration
 * allows unattended deployments or the stage's change set goes to an approver anyway; otherwise
 * it is notified (`unattended-deployment`), because a deployment publishes whatever the API's
 * definition is now and nobody would have seen that.
 * A non-compliant control without changes (report-only, or unsafe to fix here) is reported only.
 */
export function summarizePlan(input: PlanInput): FoundPlanSummary {
  const active = input.decisions.filter((decision) => decision.mode !== 'off');
  const activeIds = new Set(active.map((decision) => decision.controlId));
  const evaluations = input.evaluations.filter((evaluation) => activeIds.has(evaluation.controlId));
  const failing = evaluations.filter((evaluation) => evaluation.status === 'NON_COMPLIANT');
  const plansById = new Map(input.plans.map((plan) => [plan.controlId, plan]));
  const decisionsById = new Map(active.map((decision) => [decision.controlId, decision]));

  const toApply: ControlChange[] = [];
  const notApplied: FoundPlanSummary['notApplied'] = [];
  const applyControls: FoundPlanSummary['applyControls'] = [];
  let needsApproval = false;
  const heldForDeployment: ControlChange[] = [];
  const heldForDeploymentIds: FoundPlanSummary['applyControls'] = [];
  for (const evaluation of failing) {
    const decision = decisionsById.get(evaluation.controlId);
    const controlPlan = plansById.get(evaluation.controlId);
    const changes = changesOf(controlPlan);
    if (decision === undefined || changes.length === 0) continue;
    if (decision.exemption !== undefined) {
      notApplied.push(...changes.map((change) => ({ ...change, why: 'exempt' as const })));
    } else if (decision.dryRun) {
      notApplied.push(...changes.map((change) => ({ ...change, why: 'dry-run' as const })));
    } else if (decision.mode === 'notify') {
      notApplied.push(...changes.map((change) => ({ ...change, why: 'notify' as const })));
    } else if (
      decision.mode === 'auto' &&
      controlPlan?.redeploy === true &&
      input.allowUnattendedDeployments !== true
    ) {
      heldForDeploymentIds.push(evaluation.controlId);
      heldForDeployment.push(...changes);
    } else {
      toApply.push(...changes);
      applyControls.push(evaluation.controlId);
      if (decision.mode === 'approve') needsApproval = true;
    }
  }
  // Approval covers the change set: when someone approves the stage's changes anyway, the
  // deployment is in front of them and is not unattended. Otherwise it is notified.
  if (needsApproval) {
    toApply.push(...heldForDeployment);
    applyControls.push(...heldForDeploymentIds);
  } else {
    notApplied.push(
      ...heldForDeployment.map((change) => ({ ...change, why: 'unattended-deployment' as const })),
    );
  }
  const reportOnly = failing
    .filter((evaluation) => changesOf(plansById.get(evaluation.controlId)).length === 0)
    .map((evaluation) => `${evaluation.controlId}: ${evaluation.reason}`);

  const base = {
    status: 'FOUND' as const,
    apiName: input.apiName,
    evaluations,
    toApply,
    notApplied,
    applyControls,
  };
  if (failing.length === 0) {
    return { ...base, next: 'ALREADY_COMPLIANT', reason: 'every checked control passes' };
  }
  if (applyControls.length === 0) {
    const dryRun = notApplied.some((change) => change.why === 'dry-run');
    const heldBack = [
      ...new Set(
        notApplied
          .filter((change) => change.why === 'unattended-deployment')
          .map((change) => change.controlId),
      ),
    ];
    const exempt = active.flatMap((decision) =>
      decision.exemption !== undefined && notApplied.some((change) => change.controlId === decision.controlId)
        ? [`${decision.controlId}: ${decision.exemption}`]
        : [],
    );
    const why = [
      ...notApplied.map((change) => `${change.controlId} ${change.setting} (${change.why})`),
      ...exempt,
      ...reportOnly,
      ...(heldBack.length === 0 ? [] : [`${heldBack.join(', ')}: ${UNATTENDED_DEPLOYMENT_REASON}`]),
    ].join('; ');
    return dryRun
      ? { ...base, next: 'DRY_RUN', reason: `dry run: would change ${why}` }
      : { ...base, next: 'SKIPPED', reason: `not changed by configuration: ${why}` };
  }
  return needsApproval
    ? { ...base, next: 'APPROVE', reason: `approval required for ${applyControls.join(', ')}` }
    : { ...base, next: 'APPLY', reason: `automatic fix of ${applyControls.join(', ')}` };
}
