/**
 * The Record task's share of the flap guard (docs/decisions/0029): once the outcome is known, write
 * each stage-control's state — the guard's decision, plus the fix this run made when it REMEDIATED
 * the control (a later revert counts only against a fix that happened) — and a DEFERRAL ledger
 * entry for every control this run deferred. Every write is idempotent: a retried task writes the
 * same state and the same entry id.
 */
import { formatStageArn } from '../core/arn.js';
import type { DeferralEntry } from '../ledger/entry.js';
import type { OutcomeRecord } from '../workflow/outcome.js';
import { foundPlanOf, type StageWorkItem } from '../workflow/state.js';
import { recordAfterRun, type GuardDecision } from './flap-guard.js';
import type { FlapStore } from './flap-store.js';
import type { IacSummary } from './schema.js';

/**
 * Where deferrals go in the ledger. The ledger table's store (ledger/store.ts `put`) fits; the
 * Record task gets it from its wiring (handlers/record.ts), and without a ledger table nothing is written.
 */
export interface DeferralLedger {
  put(entry: DeferralEntry): Promise<unknown>;
}

export function deferralEntries(
  item: StageWorkItem,
  iac: IacSummary,
  decisions: readonly GuardDecision[],
  recordedAt: string,
): DeferralEntry[] {
  const { owner } = iac;
  return decisions
    .filter((decision) => decision.newlyDeferred)
    .map((decision) => {
      const fix = iac.sourceFixes.find((line) => line.controlId === decision.controlId);
      const remediationId = item.decision?.remediationId ?? item.executionArn;
      return {
        kind: 'DEFERRAL' as const,
        entryId: `${remediationId}/deferral/${decision.controlId}`,
        remediationId,
        stageArn: formatStageArn(item.stage),
        account: item.stage.account,
        region: item.stage.region,
        partition: item.stage.partition,
        apiType: item.stage.apiType,
        apiId: item.stage.apiId,
        stageName: item.stage.stageName,
        recordedAt,
        actor: { kind: 'execution' as const, executionArn: item.executionArn },
        controlId: decision.controlId,
        owner: iac.ownerText,
        ...(owner.kind === 'cloudformation' ? { stackName: owner.stackName } : {}),
        reverts: Math.max(1, decision.reverts),
        ...(fix === undefined ? {} : { sourceFix: fix.change }),
        reason: decision.reason,
      };
    });
}

/** config/schema.ts iac.flapWindowHours' default, for a plan made before the field travelled. */
const DEFAULT_FLAP_WINDOW_HOURS = 24;

export async function recordFlapGuard(
  deps: { readonly store: FlapStore | undefined; readonly ledger: DeferralLedger | undefined },
  item: StageWorkItem,
  record: OutcomeRecord,
  now: Date,
): Promise<void> {
  const plan = foundPlanOf(item.plan);
  const iac = plan?.iac;
  if (plan === undefined || iac === undefined || iac.owner.kind === 'unmanaged') return;
  const decisions = iac.guard ?? [];
  const byControl = new Map(decisions.map((decision) => [decision.controlId, decision]));
  const fixed = record.outcome === 'REMEDIATED' ? plan.applyControls : [];
  const at = now.toISOString();
  if (deps.store !== undefined) {
    for (const controlId of new Set([...byControl.keys(), ...fixed])) {
      const decision = byControl.get(controlId);
      const madeFix = fixed.includes(controlId) ? { remediationId: record.remediationId, at } : undefined;
      // Without a decision there is no state in the plan: read what is there before adding the fix.
      const existing =
        madeFix !== undefined && decision?.record == null
          ? await deps.store.get(item.stage, controlId)
          : undefined;
      const next = recordAfterRun(decision, existing, madeFix);
      if (next !== undefined)
        await deps.store.put(
          item.stage,
          controlId,
          next,
          iac.flapWindowHours ?? DEFAULT_FLAP_WINDOW_HOURS,
          now,
        );
    }
  }
  if (deps.ledger !== undefined) {
    for (const entry of deferralEntries(item, iac, decisions, at)) await deps.ledger.put(entry);
  }
}
