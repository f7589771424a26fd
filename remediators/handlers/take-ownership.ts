/**
 * Take-ownership task: the finding's Workflow becomes NOTIFIED (ASFF) or its status In Progress
 * (OCSF, BatchUpdateFindingsV2) before anything else happens, so the Security Hub rule (which
 * matches Workflow NEW / status New only) does not start a second execution.
 */
import * as z from 'zod';
import { ocsfFindingIdentifier } from '../securityhub/findings-v2.js';
import { findingIdentifier, takeOwnership } from '../securityhub/records.js';
import { takeOwnershipV2 } from '../securityhub/records-v2.js';
import { logger } from '../shared/powertools.js';
import { createHomeSecurityHubDeps, type HomeSecurityHubDeps } from '../workflow/deps/security-hub.js';
import { parseTaskInput, RemediationRequestSchema } from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';

const InputSchema = z.object({
  executionArn: z.string().min(1),
  request: RemediationRequestSchema.extend({ findingId: z.string().min(1) }),
});

export function createTakeOwnershipHandler(deps: HomeSecurityHubDeps) {
  return async (event: unknown): Promise<{ readonly owned: number }> => {
    const { executionArn, request } = parseTaskInput('take-ownership', InputSchema, event);
    const client = deps.homeSecurityHub(request.region);
    if (request.findingFormat === 'ocsf') {
      const identifier = ocsfFindingIdentifier(request, request.findingId, request.productArn);
      const owned = await takeOwnershipV2(client, [identifier], executionArn);
      logger.info('OCSF finding taken over (status In Progress)', {
        findingId: request.findingId,
        executionArn,
      });
      return { owned };
    }
    const identifier = findingIdentifier(request, request.findingId, request.productArn);
    const owned = await takeOwnership(client, [identifier], executionArn);
    logger.info('finding taken over (Workflow NOTIFIED)', { findingId: request.findingId, executionArn });
    return { owned };
  };
}

export const handler = lambdaHandler(createTakeOwnershipHandler(createHomeSecurityHubDeps()));
