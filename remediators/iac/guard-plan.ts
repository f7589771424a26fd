/**
 * Pure: the plan summary after the flap guard (docs/decisions/0029). A deferred control's changes
 * move from `toApply` to `notApplied` (`deferred-to-owner`); when nothing is left to apply and some
 * control was deferred, the stage's next step is DEFERRED (outcome DEFERRED_TO_OWNER).
 */
import type { FoundPlanSummary } from '../workflow/state.js';
import type { GuardDecision } from './flap-guard.js';

export function applyGuard(summary: FoundPlanSummary, decisions: readonly GuardDecision[]): FoundPlanSummary {
  const deferred = new Set(
    decisions.filter((decision) => decision.action === 'defer').map((d) => d.controlId),
  );
  const guardReasons = decisions.map((decision) => decision.reason);
  if (deferred.size === 0) {
    return guardReasons.length === 0
      ? summary
      : { ...summary, reason: `${summary.reason}; ${guardReasons.join('; ')}` };
  }
  const toApply = summary.toApply.filter((change) => !deferred.has(change.controlId));
  const notApplied = [
    ...summary.notApplied,
    ...summary.toApply
      .filter((change) => deferred.has(change.controlId))
      .map((change) => ({ ...change, why: 'deferred-to-owner' as const })),
  ];
  const applyControls = summary.applyControls.filter((controlId) => !deferred.has(controlId));
  const reason = guardReasons.join('; ');
  if (applyControls.length === 0) {
    return { ...summary, toApply, notApplied, applyControls, next: 'DEFERRED', reason };
  }
  return { ...summary, toApply, notApplied, applyControls, reason: `${summary.reason}; ${reason}` };
}
