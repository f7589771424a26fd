/**
 * Apply task: checks the brakes first — the kill switch again (KillSwitchOn) and a unit of the
 * account's change budget (the blast-radius cap; BlastRadiusCapReached); on either the state
 * machine records the stage as SKIPPED and notifies, nothing changed — then creates
 * what the changes depend on (log group, web ACL, the Region's CloudWatch role) and makes the
 * API-level changes. Says whether a deployment is needed before the stage update.
 */
import { applyApiChanges, type ActionTaken } from '../core/apply.js';
import { ensurePrerequisites } from '../core/prerequisites.js';
import { settingChanges } from '../core/plan.js';
import { createdPrerequisites } from '../ledger/created-prerequisites.js';
import { logger } from '../shared/powertools.js';
import { BlastRadiusCapError, capReachedReason, claimChangeBudget } from '../workflow/change-budget.js';
import { type KillSwitchDeps } from '../workflow/deps/kill-switch.js';
import { KillSwitchOnError } from '../workflow/kill-switch.js';
import { AppliedChangesSchema } from '../workflow/handler-input.js';
import { PlannedItemSchema, stagePlanOf } from '../workflow/planned-item.js';
import { type ClockDeps } from '../workflow/deps/clock.js';
import { type LocksDeps } from '../workflow/deps/locks.js';
import { type ConfigDeps } from '../workflow/deps/member-account.js';
import { type CoreClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput, type ControlChange, type CreatedPrerequisite } from '../workflow/state.js';

export interface ApplyOutput {
  readonly redeploy: boolean;
  /** The changes this execution makes, before → after (the stage update completes them). */
  readonly applied: readonly ControlChange[];
  readonly actions: readonly ActionTaken[];
  /** The baseline web ACL when the plan associates it, so update-stage does not look it up again. */
  readonly webAclArn?: string;
  /** What this apply created (log group, web ACL, the account's CloudWatch role), for the ledger. */
  readonly prerequisitesCreated: readonly CreatedPrerequisite[];
}

export function createApplyHandler(
  deps: ConfigDeps & CoreClientsDeps & LocksDeps & KillSwitchDeps & Pick<ClockDeps, 'now'>,
) {
  return async (event: unknown): Promise<ApplyOutput> => {
    const item = parseTaskInput('apply', PlannedItemSchema, event);
    const plan = stagePlanOf(item);
    // Read again: an approval may have waited for hours since the decide task read it.
    const killSwitch = await deps.killSwitch();
    if (killSwitch.state === 'on') {
      throw new KillSwitchOnError(`${killSwitch.reason}: notified, not changed`);
    }
    const cap = deps.config().limits.maxStagesChangedPerAccountPerHour;
    const nowMs = deps.now().getTime();
    // Who takes the unit: this execution's remediation of this stage, as for the stage lock (a retried task is the same).
    const owner = `${item.executionArn}/${item.decision.remediationId}`;
    const budget = await claimChangeBudget(deps.dynamo(), item.locksTable, item.stage, owner, cap, nowMs);
    if (!budget.granted) {
      throw new BlastRadiusCapError(capReachedReason(item.stage, budget.changed, cap, nowMs));
    }
    const clients = await deps.coreClients(item.stage);
    const prerequisites = await ensurePrerequisites(plan, clients, deps.coreCache);
    const apiActions = await applyApiChanges(plan, clients);
    const actions = [...prerequisites.actions, ...apiActions];
    logger.info('prerequisites and API changes applied', { stage: item.stage, actions });
    return {
      // Only a V2 stage without autoDeploy ever needs a deployment; a REST plan has none to make.
      redeploy: plan.apiType === 'V2' && plan.redeploy,
      // The core's ids are plain strings; the workflow's state holds the catalog's.
      applied: AppliedChangesSchema.parse(settingChanges(plan)),
      actions,
      ...(prerequisites.webAclArn === undefined ? {} : { webAclArn: prerequisites.webAclArn }),
      prerequisitesCreated: createdPrerequisites(prerequisites.actions, plan.prerequisites, item.stage),
    };
  };
}
