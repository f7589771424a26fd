/**
 * Acting on a decision, whichever way it came (Slack button or signed link):
 * look up → refuse expired or unauthorised → claim (PENDING → DECIDED, one winner) → hand the
 * decision to Step Functions → record how that went.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { logger } from '../shared/powertools.js';
import { APPROVAL_REJECTED_ERROR, type ApprovalDecision, type Approver } from './contract.js';
import type { ApprovalRecord } from './record.js';
import type { ApprovalStore } from './store.js';

/** SendTask errors meaning the workflow no longer waits for this token: final, not worth a retry. */
export const WORKFLOW_GONE_ERRORS = ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'] as const;

export interface DecisionInput {
  readonly approvalId: string;
  readonly decision: ApprovalDecision['decision'];
  readonly approver: Approver;
  readonly channel: ApprovalDecision['channel'];
  readonly comment?: string;
}

export type DecisionOutcome =
  | { readonly kind: 'decided'; readonly decision: ApprovalDecision; readonly record: ApprovalRecord }
  /** Single use: someone decided first; nothing changed now. */
  | { readonly kind: 'already-decided'; readonly decision: ApprovalDecision; readonly record: ApprovalRecord }
  | { readonly kind: 'expired'; readonly expiresAt: string }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-allowed' }
  /** Recorded, but Step Functions no longer waits for it (e.g. the approval state timed out). */
  | {
      readonly kind: 'workflow-gone';
      readonly decision: ApprovalDecision;
      readonly record: ApprovalRecord;
      readonly error: string;
    }
  /** Step Functions could not be reached; the claim was released so the request can be decided again. */
  | { readonly kind: 'delivery-failed' };

export interface DecisionDeps {
  readonly store: ApprovalStore;
  readonly sfn: SFNClient;
  readonly mayDecide: (approver: Approver) => Promise<boolean>;
  readonly now: () => Date;
}

/** The outcome that needs no write, or undefined when the request may be decided now. Pure. */
export function precheck(
  record: ApprovalRecord | undefined,
  nowSeconds: number,
):
  | Exclude<DecisionOutcome, { kind: 'decided' | 'workflow-gone' | 'delivery-failed' | 'not-allowed' }>
  | undefined {
  if (record === undefined) return { kind: 'not-found' };
  if (record.decision !== undefined) return { kind: 'already-decided', decision: record.decision, record };
  if (nowSeconds >= record.expiresAtEpoch) return { kind: 'expired', expiresAt: record.expiresAt };
  return undefined;
}

/** The contract: APPROVED → SendTaskSuccess(output), REJECTED → SendTaskFailure(ApprovalRejected, cause). */
async function sendToWorkflow(sfn: SFNClient, taskToken: string, decision: ApprovalDecision): Promise<void> {
  const payload = JSON.stringify(decision);
  if (decision.decision === 'APPROVED') {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: payload }));
  } else {
    await sfn.send(new SendTaskFailureCommand({ taskToken, error: APPROVAL_REJECTED_ERROR, cause: payload }));
  }
}

function isWorkflowGone(error: unknown): error is Error {
  return error instanceof Error && (WORKFLOW_GONE_ERRORS as readonly string[]).includes(error.name);
}

export async function decide(deps: DecisionDeps, input: DecisionInput): Promise<DecisionOutcome> {
  const now = deps.now();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const early = precheck(await deps.store.get(input.approvalId), nowSeconds);
  if (early !== undefined) return early;
  if (!(await deps.mayDecide(input.approver))) {
    logger.info('approver not on the allow-list', { approvalId: input.approvalId, approver: input.approver });
    return { kind: 'not-allowed' };
  }

  const decision: ApprovalDecision = {
    decision: input.decision,
    approver: input.approver,
    decidedAt: now.toISOString(),
    channel: input.channel,
    ...(input.comment ? { comment: input.comment } : {}),
  };
  const claim = await deps.store.claim(input.approvalId, decision, nowSeconds);
  if (!claim.won) {
    // Lost the race: report what the winner (or the clock) did.
    return precheck(claim.record, nowSeconds) ?? { kind: 'not-found' };
  }

  const record = claim.record;
  try {
    await sendToWorkflow(deps.sfn, record.taskToken, decision);
  } catch (error) {
    if (isWorkflowGone(error)) {
      logger.warn('decision recorded but the workflow no longer waits for it', {
        approvalId: record.approvalId,
        error: error.name,
      });
      await deps.store.recordDelivery(record.approvalId, {
        status: 'WORKFLOW_GONE',
        error: error.name,
        at: deps.now().toISOString(),
      });
      return { kind: 'workflow-gone', decision, record, error: error.name };
    }
    logger.error('could not hand the decision to Step Functions; releasing the claim', {
      approvalId: record.approvalId,
      error,
    });
    await deps.store.release(record.approvalId, decision);
    return { kind: 'delivery-failed' };
  }

  logger.info('approval decided', {
    approvalId: record.approvalId,
    remediationId: record.subject.remediationId,
    decision,
  });
  try {
    await deps.store.recordDelivery(record.approvalId, { status: 'DELIVERED', at: deps.now().toISOString() });
  } catch (error) {
    // The workflow has the decision; a missing delivery note must not turn that into an error.
    logger.error('could not record the delivery of a decision', { approvalId: record.approvalId, error });
  }
  return { kind: 'decided', decision, record };
}
