/**
 * Redeploy task: creates a deployment of the API (the deployment slot was claimed just before);
 * the stage update then points the stage at it.
 */
import { createDeployment, type DeploymentResult } from '../core/apply.js';
import { PlannedItemSchema, stagePlanOf } from '../workflow/planned-item.js';
import { createMemberAccountDeps } from '../workflow/deps/member-account.js';
import { createApiClientsDeps, type ApiClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput } from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';

export function createRedeployHandler(deps: ApiClientsDeps) {
  return async (event: unknown): Promise<DeploymentResult> => {
    const item = parseTaskInput('redeploy', PlannedItemSchema, event);
    return createDeployment(stagePlanOf(item), await deps.coreClients(item.stage));
  };
}

export const handler = lambdaHandler(createRedeployHandler(createApiClientsDeps(createMemberAccountDeps())));
