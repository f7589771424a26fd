/**
 * Handing a claimed decision to Step Functions, at least once (docs/approvals.md, "Delivery";
 * decision record 0014).
 *
 * The decision is already final in the approvals table when this runs; nothing here can change
 * it. What this decides is how far the delivery got:
 * - SendTaskSuccess / SendTaskFailure answered → DELIVERED.
 * - No answer that proves anything (reset connection, timeout, abort, 5xx, throttling) → still
 *   PENDING: the request may or may not have been applied. Retried while the caller's deadline
 *   allows, then left to the next click or the re-drive sweep.
 * - TaskTimedOut / TaskDoesNotExist / InvalidToken: the token no longer works. On a first ever
 *   attempt that is also what it says; after an unanswered attempt it may be our own earlier
 *   SendTask that closed the token. Either way the execution tells: its history shows the approval
 *   task ending with this decision (→ DELIVERED), or the execution has ended without it
 *   (→ EXECUTION_FINISHED), or it is still running without it (→ PENDING, looked at again later).
 */
import {
  DescribeExecutionCommand,
  paginateGetExecutionHistory,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { logger } from '../shared/powertools.js';
import { APPROVAL_REJECTED_ERROR, type ApprovalDecision } from './contract.js';
import { ApprovalDecisionSchema, type ApprovalRecord, type Delivery } from './record.js';

/** SendTask errors meaning the token no longer works (API reference, SendTaskSuccess, Errors). */
export const TOKEN_CLOSED_ERRORS = ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'] as const;

export interface DeliveryDeps {
  readonly sfn: SFNClient;
  readonly now: () => Date;
}

/** The contract: APPROVED → SendTaskSuccess(output), REJECTED → SendTaskFailure(ApprovalRejected, cause). */
async function sendToWorkflow(
  sfn: SFNClient,
  taskToken: string,
  decision: ApprovalDecision,
  signal: AbortSignal,
): Promise<void> {
  const payload = JSON.stringify(decision);
  const options = { abortSignal: signal };
  if (decision.decision === 'APPROVED') {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: payload }), options);
  } else {
    await sfn.send(
      new SendTaskFailureCommand({ taskToken, error: APPROVAL_REJECTED_ERROR, cause: payload }),
      options,
    );
  }
}

function tokenClosedError(error: unknown): string | undefined {
  return error instanceof Error && (TOKEN_CLOSED_ERRORS as readonly string[]).includes(error.name)
    ? error.name
    : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Same decision: what, who and when (the JSON an approval task ends with, or its rejection cause). Pure. */
function isThisDecision(text: string | undefined, decision: ApprovalDecision): boolean {
  if (text === undefined) return false;
  try {
    const parsed = ApprovalDecisionSchema.safeParse(JSON.parse(text));
    return (
      parsed.success &&
      parsed.data.decision === decision.decision &&
      parsed.data.approver.id === decision.approver.id &&
      parsed.data.decidedAt === decision.decidedAt
    );
  } catch {
    return false;
  }
}

/**
 * What SettleApprovalTimeout's Lambda task ends with when a decision won over the timeout
 * (handlers/request-approval.ts, TimeoutSettlementResult): the workflow then follows that
 * decision (FollowApprovalSettlement), so it received it as surely as through SendTask.
 */
const SettlementOutputSchema = z.object({
  outcome: z.enum(['APPROVED', 'REJECTED']),
  decision: z.unknown(),
});

/** The settlement's output names this very decision. Pure. */
function isSettlementOf(text: string | undefined, decision: ApprovalDecision): boolean {
  if (text === undefined) return false;
  try {
    const parsed = SettlementOutputSchema.safeParse(JSON.parse(text));
    return (
      parsed.success &&
      parsed.data.outcome === decision.decision &&
      isThisDecision(JSON.stringify(parsed.data.decision), decision)
    );
  } catch {
    return false;
  }
}

/**
 * Whether the execution's history shows a waitForTaskToken task ending with this decision, or
 * the timeout's settlement handing it to the workflow. A Map runs one approval task per stage, so
 * the match is on the decision itself, not the state. Pure.
 */
export function historyShowsDecision(events: readonly HistoryEvent[], decision: ApprovalDecision): boolean {
  return events.some((event) => {
    if (event.type === 'TaskSucceeded') {
      const output = event.taskSucceededEventDetails?.output;
      return (
        (decision.decision === 'APPROVED' && isThisDecision(output, decision)) ||
        isSettlementOf(output, decision)
      );
    }
    // SettleApprovalTimeout names the function ARN as its Resource, so its result is recorded as
    // LambdaFunctionSucceeded (API reference, HistoryEvent; LambdaFunctionSucceededEventDetails).
    if (event.type === 'LambdaFunctionSucceeded') {
      return isSettlementOf(event.lambdaFunctionSucceededEventDetails?.output, decision);
    }
    if (event.type === 'TaskFailed') {
      const details = event.taskFailedEventDetails;
      return (
        decision.decision === 'REJECTED' &&
        details?.error === APPROVAL_REJECTED_ERROR &&
        isThisDecision(details.cause, decision)
      );
    }
    return false;
  });
}

/** After a token error: what the execution itself says about this decision. */
async function askTheExecution(
  deps: DeliveryDeps,
  record: ApprovalRecord,
  decision: ApprovalDecision,
  error: string,
  attempts: number,
  signal: AbortSignal,
): Promise<Delivery> {
  const executionArn = record.subject.executionArn;
  const options = { abortSignal: signal };
  // Described first: a finished execution's history is complete, so "not in it" is then a fact.
  const { status } = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }), options);
  // Newest first: the approval task ended after everything the workflow did before it.
  const pages = paginateGetExecutionHistory(
    { client: deps.sfn, pageSize: 1000 },
    { executionArn, reverseOrder: true, includeExecutionData: true },
    options,
  );
  for await (const page of pages) {
    if (historyShowsDecision(page.events ?? [], decision)) {
      return { status: 'DELIVERED', attempts, at: deps.now().toISOString() };
    }
  }
  if (status !== undefined && status !== 'RUNNING') {
    return {
      status: 'EXECUTION_FINISHED',
      attempts,
      executionStatus: status,
      error,
      at: deps.now().toISOString(),
    };
  }
  // Running, token closed, decision not (yet) in the history: nothing proven; look again later.
  return { status: 'PENDING', attempts, lastError: error, at: deps.now().toISOString() };
}

const RETRY_PAUSE_MS = 100;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Delivers a claimed decision until Step Functions confirms, the execution says how it stands, or
 * `signal` ends the time this caller has. Never throws: an unproven delivery is PENDING.
 */
export async function deliverDecision(
  deps: DeliveryDeps,
  record: ApprovalRecord,
  signal: AbortSignal,
): Promise<Delivery> {
  const decision = record.decision;
  if (decision === undefined) throw new Error(`approval ${record.approvalId} has no decision to deliver`);
  const previous = record.delivery;
  if (previous !== undefined && previous.status !== 'PENDING') return previous;
  let attempts = previous?.attempts ?? 0;
  let lastError = previous?.lastError;
  while (!signal.aborted) {
    try {
      await sendToWorkflow(deps.sfn, record.taskToken, decision, signal);
      attempts += 1;
      return { status: 'DELIVERED', attempts, at: deps.now().toISOString() };
    } catch (error) {
      attempts += 1;
      const closed = tokenClosedError(error);
      if (closed !== undefined) {
        try {
          return await askTheExecution(deps, record, decision, closed, attempts, signal);
        } catch (lookupError) {
          logger.warn('could not ask the execution how the approval stands', {
            approvalId: record.approvalId,
            error: lookupError,
          });
          lastError = `${closed}; then ${errorText(lookupError)}`;
          break;
        }
      }
      lastError = errorText(error);
      logger.warn('Step Functions did not confirm the decision; it stays final and is retried', {
        approvalId: record.approvalId,
        attempts,
        error,
      });
      await pause(RETRY_PAUSE_MS * attempts, signal);
    }
  }
  return {
    status: 'PENDING',
    attempts,
    ...(lastError === undefined ? {} : { lastError }),
    at: deps.now().toISOString(),
  };
}
