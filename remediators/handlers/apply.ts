/**
 * Apply task: creates what the changes depend on (log group, web ACL, the Region's CloudWatch
 * role) and makes the API-level changes. Says whether a deployment is needed before the stage
 * update.
 */
import { applyApiChanges, ensurePrerequisites, type ActionTaken } from '../core/apply.js';
import { settingChanges } from '../core/plan.js';
import { logger } from '../shared/powertools.js';
import { PlannedItemSchema, stagePlanOf } from '../workflow/handler-input.js';
import { createMemberAccountDeps, type ConfigDeps } from '../workflow/deps/member-account.js';
import { createCoreClientsDeps, type CoreClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput, type ControlChange } from '../workflow/state.js';
import { tracedTask } from '../workflow/tracing.js';

export interface ApplyOutput {
  readonly redeploy: boolean;
  /** The changes this execution makes, before → after (the stage update completes them). */
  readonly applied: readonly ControlChange[];
  readonly actions: readonly ActionTaken[];
  /** The baseline web ACL when the plan associates it, so update-stage does not look it up again. */
  readonly webAclArn?: string;
}

export function createApplyHandler(deps: ConfigDeps & CoreClientsDeps) {
  return async (event: unknown): Promise<ApplyOutput> => {
    const item = parseTaskInput('apply', PlannedItemSchema, event);
    const plan = stagePlanOf(item);
    const clients = await deps.coreClients(item.stage);
    const prerequisites = await ensurePrerequisites(plan, deps.config().baseline, clients, deps.coreCache);
    const apiActions = await applyApiChanges(plan, clients);
    const actions = [...prerequisites.actions, ...apiActions];
    logger.info('prerequisites and API changes applied', { stage: item.stage, actions });
    return {
      redeploy: plan.redeploy,
      applied: settingChanges(plan),
      actions,
      ...(prerequisites.webAclArn === undefined ? {} : { webAclArn: prerequisites.webAclArn }),
    };
  };
}

const account = createMemberAccountDeps();
export const handler = tracedTask(
  'apply',
  createApplyHandler({ ...account, ...createCoreClientsDeps(account) }),
);
