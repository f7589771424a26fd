/**
 * Pure: from the modes the decide task resolved and the controls' evaluations and plans for
 * one stage, what the workflow does next and what it will (and will not) change.
 */
import type { ControlPlan, Evaluation } from '../core/types.js';
import type { ControlChange, ControlDecision, PlanSummary } from './state.js';

export interface PlanInput {
  readonly apiName: string;
  readonly decisions: readonly ControlDecision[];
  readonly evaluations: readonly Evaluation[];
  readonly plans: readonly ControlPlan[];
}

function changesOf(plan: ControlPlan | undefined): ControlChange[] {
  if (plan === undefined) return [];
  return plan.changes.map(({ change }) => ({ controlId: plan.controlId, ...change }));
}

/**
 * Controls in mode `off` are ignored; a non-compliant control is applied when its mode is auto or
 * approve and it is not in dry-run, otherwise its changes are listed as not applied (and why).
 * A non-compliant control without changes (report-only, or unsafe to fix here) is reported only.
 */
export function summarizePlan(input: PlanInput): PlanSummary {
  const active = input.decisions.filter((decision) => decision.mode !== 'off');
  const activeIds = new Set(active.map((decision) => decision.controlId));
  const evaluations = input.evaluations.filter((evaluation) => activeIds.has(evaluation.controlId));
  const failing = evaluations.filter((evaluation) => evaluation.status === 'NON_COMPLIANT');
  const plansById = new Map(input.plans.map((plan) => [plan.controlId, plan]));
  const decisionsById = new Map(active.map((decision) => [decision.controlId, decision]));

  const toApply: ControlChange[] = [];
  const notApplied: PlanSummary['notApplied'] = [];
  const applyControls: PlanSummary['applyControls'] = [];
  let needsApproval = false;
  for (const evaluation of failing) {
    const decision = decisionsById.get(evaluation.controlId);
    const changes = changesOf(plansById.get(evaluation.controlId));
    if (decision === undefined || changes.length === 0) continue;
    if (decision.dryRun) {
      notApplied.push(...changes.map((change) => ({ ...change, why: 'dry-run' as const })));
    } else if (decision.mode === 'notify') {
      notApplied.push(...changes.map((change) => ({ ...change, why: 'notify' as const })));
    } else {
      toApply.push(...changes);
      applyControls.push(evaluation.controlId);
      if (decision.mode === 'approve') needsApproval = true;
    }
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
    const why = [
      ...notApplied.map((change) => `${change.controlId} ${change.setting} (${change.why})`),
      ...reportOnly,
    ].join('; ');
    return dryRun
      ? { ...base, next: 'DRY_RUN', reason: `dry run: would change ${why}` }
      : { ...base, next: 'SKIPPED', reason: `not changed by configuration: ${why}` };
  }
  return needsApproval
    ? { ...base, next: 'APPROVE', reason: `approval required for ${applyControls.join(', ')}` }
    : { ...base, next: 'APPLY', reason: `automatic fix of ${applyControls.join(', ')}` };
}
