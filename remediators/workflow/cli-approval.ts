/**
 * Pure: the operator's confirmation at the CLI (`fix --yes`, or y at its prompt) as the approval of
 * the controls in mode `approve` (intake/cli.ts, docs/decisions/0027). The decide task turns such
 * a control into an approved one: mode `auto`, its source saying who approved it, so the workflow
 * applies it without posting to Slack; the unattended-deployment rule still holds for it (a
 * deployment is applied only where configuration allows unattended ones: the CLI showed it, but
 * the service's own rule is not loosened by a terminal). The record names the caller as approver.
 */
import type { ControlDecision, RemediationRequest, StageWorkItem } from './state.js';

function confirmingCaller(request: RemediationRequest): string | undefined {
  const { confirmedApproval, requestedBy } = request as {
    confirmedApproval?: unknown;
    requestedBy?: unknown;
  };
  return request.trigger === 'cli' &&
    confirmedApproval === true &&
    typeof requestedBy === 'string' &&
    requestedBy !== ''
    ? requestedBy
    : undefined;
}

export function confirmedAtCli(request: RemediationRequest, decision: ControlDecision): ControlDecision {
  const caller = confirmingCaller(request);
  if (caller === undefined || decision.mode !== 'approve') return decision;
  return { ...decision, mode: 'auto', source: `${decision.source}; approved at the CLI by ${caller}` };
}

/**
 * The approver of a CLI run that changed something in mode approve: the caller. A CLI run whose
 * controls were all `auto` was automatic, whoever started it; a run without confirmation never
 * carries an approve control (the CLI leaves those out).
 */
export function cliApproverOf(item: Pick<StageWorkItem, 'request' | 'decision'>): string | undefined {
  const caller = confirmingCaller(item.request);
  if (caller === undefined) return undefined;
  const approvedHere = item.decision?.controls.some((control) =>
    control.source.endsWith(`approved at the CLI by ${caller}`),
  );
  return approvedHere === true ? caller : undefined;
}
