/**
 * Take-ownership task: the finding's Workflow becomes NOTIFIED before anything else happens,
 * so the Security Hub rule (which matches Workflow NEW only) does not start a second execution.
 */
import { z } from 'zod';
import { findingIdentifier, takeOwnership } from '../securityhub/records.js';
import { logger } from '../shared/powertools.js';
import { createHomeSecurityHubDeps, type HomeSecurityHubDeps } from '../workflow/deps/security-hub.js';
import { parseTaskInput, RemediationRequestSchema } from '../workflow/state.js';
import { tracedTask } from '../workflow/tracing.js';

const InputSchema = z.object({
  executionArn: z.string().min(1),
  request: RemediationRequestSchema.extend({ findingId: z.string().min(1) }),
});

export function createTakeOwnershipHandler(deps: HomeSecurityHubDeps) {
  return async (event: unknown): Promise<{ readonly owned: number }> => {
    const { executionArn, request } = parseTaskInput('take-ownership', InputSchema, event);
    const identifier = findingIdentifier(request, request.findingId, request.productArn);
    const owned = await takeOwnership(deps.homeSecurityHub(request.region), [identifier], executionArn);
    logger.info('finding taken over (Workflow NOTIFIED)', { findingId: request.findingId, executionArn });
    return { owned };
  };
}

export const handler = tracedTask('take-ownership', createTakeOwnershipHandler(createHomeSecurityHubDeps()));
