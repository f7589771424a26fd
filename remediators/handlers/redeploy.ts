/**
 * Redeploy step (of the Remediate task): creates a deployment of the API, once per remediation
 * (the deployment slot was claimed before any change); the stage update then points the stage at it.
 */
import { createDeployment, type DeploymentResult } from '../core/apply.js';
import { PlannedItemSchema, stagePlanOf } from '../workflow/planned-item.js';
import { type ApiClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput } from '../workflow/state.js';

export function createRedeployHandler(deps: ApiClientsDeps) {
  return async (event: unknown): Promise<DeploymentResult> => {
    const item = parseTaskInput('redeploy', PlannedItemSchema, event);
    return createDeployment(
      stagePlanOf(item),
      await deps.coreClients(item.stage),
      item.decision.remediationId,
    );
  };
}
