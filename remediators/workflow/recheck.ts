/**
 * Pure: after the approval wait (up to approval.timeoutSeconds, 24 h by default), the stage is
 * read again and the approved controls are planned again; this module compares that fresh plan
 * with the one the approver saw and says what may still be applied.
 *
 * Per approved control (a control's changes go together: they are one fix):
 * - nothing left to change (fixed meanwhile, by a person or another run): dropped;
 * - every fresh change is one the approver saw, same setting, same before, same after: applied
 *   (the plan is unchanged, or it shrank because some of its changes are no longer needed);
 * - anything else (a change the approver did not see, a different before or after value): NOT
 *   applied, recorded as `stage-changed` with what differs. Applying it would make a change
 *   nobody approved; asking again would need a new approval request, which the approval store
 *   does not reopen for a decided remediation (see docs/decisions/0010).
 * A control whose fix needs a deployment is not applied on an approval that timed out (applied by
 * approval.onTimeout apply, so nobody approved it) unless allowUnattendedDeployments is true.
 *
 * What is applied is then planned from the FRESH snapshot, so V2 route settings (sent whole) carry
 * the edits made during the wait instead of writing the old snapshot back.
 */
import type { ControlId, ControlPlan, Evaluation } from '../core/types.js';
import { UNATTENDED_DEPLOYMENT_REASON } from './plan-summary.js';
import type { ControlChange, FoundPlanSummary } from './state.js';

export interface RecheckInput {
  /** The plan the approval was asked for (the snapshot task's output). */
  readonly approved: FoundPlanSummary;
  /** The approved controls evaluated and planned again on a fresh read of the stage. */
  readonly fresh: { readonly evaluations: readonly Evaluation[]; readonly plans: readonly ControlPlan[] };
  /** True when nobody approved: the approval timed out and approval.onTimeout is apply. */
  readonly unattended: boolean;
  readonly allowUnattendedDeployments: boolean;
}

/** What happened to one approved control between the approval request and now. */
export type ControlRecheck =
  | { readonly controlId: ControlId; readonly kind: 'unchanged' | 'shrunk' | 'no-longer-needed' }
  | { readonly controlId: ControlId; readonly kind: 'changed'; readonly differences: readonly string[] }
  | { readonly controlId: ControlId; readonly kind: 'unattended-deployment' };

const show = (value: ControlChange['before']) => (value === null ? '(unset)' : JSON.stringify(value));

const sameChange = (left: ControlChange, right: ControlChange) =>
  left.setting === right.setting && left.before === right.before && left.after === right.after;

function changesOf(plan: ControlPlan | undefined): ControlChange[] {
  return plan?.changes.map(({ change }) => ({ controlId: plan.controlId, ...change })) ?? [];
}

/** One sentence per fresh change the approver did not see as it is now. */
function differencesOf(approved: readonly ControlChange[], fresh: readonly ControlChange[]): string[] {
  return fresh
    .filter((change) => !approved.some((seen) => sameChange(seen, change)))
    .map((change) => {
      const seen = approved.find((candidate) => candidate.setting === change.setting);
      if (seen === undefined) {
        return `${change.setting} needs a change nobody approved (${show(change.before)} → ${show(change.after)})`;
      }
      if (seen.before !== change.before) {
        return `${change.setting} was ${show(seen.before)} when approved and is now ${show(change.before)}`;
      }
      return `${change.setting} would now become ${show(change.after)}, approved was ${show(seen.after)}`;
    });
}

/** Compares each approved control's fresh plan with what the approver saw. */
export function recheckControls(input: RecheckInput): ControlRecheck[] {
  const plansById = new Map(input.fresh.plans.map((plan) => [plan.controlId, plan]));
  return input.approved.applyControls.map((controlId): ControlRecheck => {
    const plan = plansById.get(controlId);
    const fresh = changesOf(plan);
    const approved = input.approved.toApply.filter((change) => change.controlId === controlId);
    if (fresh.length === 0) return { controlId, kind: 'no-longer-needed' };
    const differences = differencesOf(approved, fresh);
    if (differences.length > 0) return { controlId, kind: 'changed', differences };
    if (input.unattended && plan?.redeploy === true && !input.allowUnattendedDeployments) {
      return { controlId, kind: 'unattended-deployment' };
    }
    return { controlId, kind: fresh.length === approved.length ? 'unchanged' : 'shrunk' };
  });
}

/** The snapshot task's summary, redone for the approved controls on the fresh read. */
export function recheckApprovedPlan(input: RecheckInput): FoundPlanSummary {
  const rechecks = recheckControls(input);
  const plansById = new Map(input.fresh.plans.map((plan) => [plan.controlId, plan]));
  const freshById = new Map(input.fresh.evaluations.map((evaluation) => [evaluation.controlId, evaluation]));
  const evaluations = input.approved.evaluations.map(
    (evaluation) => freshById.get(evaluation.controlId) ?? evaluation,
  );

  const applying = rechecks.filter((recheck) => recheck.kind === 'unchanged' || recheck.kind === 'shrunk');
  const applyControls = applying.map((recheck) => recheck.controlId);
  const toApply = applyControls.flatMap((controlId) => changesOf(plansById.get(controlId)));
  const notApplied: FoundPlanSummary['notApplied'] = [...input.approved.notApplied];
  const sentences: string[] = [];
  for (const recheck of rechecks) {
    const fresh = changesOf(plansById.get(recheck.controlId));
    switch (recheck.kind) {
      case 'unchanged':
        break;
      case 'shrunk':
        sentences.push(
          `${recheck.controlId}: part of the approved change is no longer needed; the rest is applied`,
        );
        break;
      case 'no-longer-needed':
        sentences.push(`${recheck.controlId}: no longer needs a change`);
        break;
      case 'changed':
        notApplied.push(...fresh.map((change) => ({ ...change, why: 'stage-changed' as const })));
        sentences.push(
          `${recheck.controlId} not applied, the stage changed while waiting for approval: ${recheck.differences.join('; ')}`,
        );
        break;
      case 'unattended-deployment':
        notApplied.push(...fresh.map((change) => ({ ...change, why: 'unattended-deployment' as const })));
        sentences.push(
          `${recheck.controlId} not applied: nobody approved it and ${UNATTENDED_DEPLOYMENT_REASON}`,
        );
        break;
    }
  }
  const summary = {
    status: 'FOUND' as const,
    apiName: input.approved.apiName,
    evaluations,
    toApply,
    notApplied,
    applyControls,
  };
  const recheck = sentences.length === 0 ? 'the stage is as it was when approved' : sentences.join('; ');
  if (applyControls.length > 0) {
    return { ...summary, recheck, next: 'APPLY', reason: `re-read after the approval wait: ${recheck}` };
  }
  const heldBack = rechecks.some(
    (entry) => entry.kind === 'changed' || entry.kind === 'unattended-deployment',
  );
  const stillFailing = evaluations.some((evaluation) => evaluation.status === 'NON_COMPLIANT');
  if (heldBack || stillFailing) {
    return {
      ...summary,
      recheck,
      next: 'SKIPPED',
      reason: `nothing applied after the approval wait: ${recheck}`,
    };
  }
  return {
    ...summary,
    recheck,
    next: 'ALREADY_COMPLIANT',
    reason: `nothing left to change after the approval wait: ${recheck}`,
  };
}
