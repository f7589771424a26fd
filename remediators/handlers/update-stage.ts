/**
 * Update-stage task: every stage change in ONE UpdateStage call (with the new deployment when
 * there is one), then the baseline web ACL association when the plan asks for it, with the web
 * ACL the apply task found or created (no second lookup).
 */
import * as z from 'zod';
import { associateWebAcl, updateStage, type ActionTaken } from '../core/apply.js';
import { AppliedItemSchema, stagePlanOf } from '../workflow/planned-item.js';
import { type ConfigDeps } from '../workflow/deps/member-account.js';
import { type StageClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput } from '../workflow/state.js';

const InputSchema = AppliedItemSchema.extend({
  deployment: z
    .object({ deploymentId: z.string().min(1).optional() })
    .loose()
    .optional(),
});

export function createUpdateStageHandler(deps: ConfigDeps & StageClientsDeps) {
  return async (event: unknown): Promise<{ readonly actions: readonly ActionTaken[] }> => {
    const item = parseTaskInput('update-stage', InputSchema, event);
    const plan = stagePlanOf(item);
    const clients = await deps.coreClients(item.stage);
    const stageActions = await updateStage(plan, clients, item.deployment?.deploymentId);
    const webAclActions = await associateWebAcl(plan, clients, item.applied.webAclArn, deps.coreCache);
    return { actions: [...stageActions, ...webAclActions] };
  };
}
