/**
 * Acting on a decision, whichever way it came (Slack button or signed link):
 * look up → refuse expired, unauthorised or foreign clicks → claim (PENDING → DECIDED, one
 * winner, final) → deliver it to Step Functions at least once → record how far that got.
 *
 * The claim is the decision (docs/approvals.md, "States"): it is never released, whatever
 * happens to the delivery. A delivery that is not confirmed within the caller's deadline stays
 * PENDING in the table and is re-driven by the next click and by the sweep.
 */
import { logger } from '../shared/powertools.js';
import type { ApprovalDecision, Approver } from './contract.js';
import { deliverDecision } from './delivery.js';
import type { ApprovalRecord, Delivery } from './record.js';
import type { ApprovalStore } from './store.js';
import type { SFNClient } from '@aws-sdk/client-sfn';

export interface DecisionInput {
  readonly approvalId: string;
  readonly decision: ApprovalDecision['decision'];
  readonly approver: Approver;
  readonly channel: ApprovalDecision['channel'];
  readonly comment?: string;
  /** The Slack message the button was clicked in; must be the approval's own message. */
  readonly message?: { readonly channel: string; readonly ts: string };
}

export type DecisionOutcome =
  /** This request's claim won: the decision is final; `delivery` says how far it got. */
  | {
      readonly kind: 'decided';
      readonly decision: ApprovalDecision;
      readonly record: ApprovalRecord;
      readonly delivery: Delivery;
    }
  /** Single use: someone decided first; nothing changed now (a PENDING delivery was re-driven). */
  | {
      readonly kind: 'already-decided';
      readonly decision: ApprovalDecision;
      readonly record: ApprovalRecord;
      readonly delivery: Delivery | undefined;
    }
  | { readonly kind: 'expired'; readonly expiresAt: string }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-allowed' }
  /** The button was not clicked in the message this approval posted. */
  | { readonly kind: 'wrong-message' }
  /**
   * The claim was sent but not answered in time: it may have been applied or not. Whatever the
   * table holds is what stands; the sweep delivers it and updates the Slack message.
   */
  | { readonly kind: 'unconfirmed' };

export interface DecisionDeps {
  readonly store: ApprovalStore;
  readonly sfn: SFNClient;
  /** `signal` ends the user group look-up with the request's deadline. */
  readonly mayDecide: (approver: Approver, signal?: AbortSignal) => Promise<boolean>;
  readonly now: () => Date;
}

/** The outcome that needs no write, or undefined when the request may be decided now. Pure. */
export function precheck(
  record: ApprovalRecord | undefined,
  nowSeconds: number,
  message?: DecisionInput['message'],
):
  | Extract<DecisionOutcome, { kind: 'already-decided' | 'expired' | 'not-found' | 'wrong-message' }>
  | undefined {
  if (record === undefined) return { kind: 'not-found' };
  const posted = record.slackMessage;
  if (message !== undefined && posted !== undefined) {
    if (message.channel !== posted.channel || message.ts !== posted.ts) return { kind: 'wrong-message' };
  }
  if (record.decision !== undefined) {
    return { kind: 'already-decided', decision: record.decision, record, delivery: record.delivery };
  }
  if (record.status === 'EXPIRED' || nowSeconds >= record.expiresAtEpoch)
    return { kind: 'expired', expiresAt: record.expiresAt };
  return undefined;
}

/** How long the winner of a claim has for its own first delivery before a later click re-drives it. */
export const WINNER_DELIVERY_GRACE_MS = 10_000;

/**
 * A click on a decided approval re-drives its delivery when that is unconfirmed and nobody is on
 * it: an attempt already failed, or the winner's time is up. A concurrent click while the winner
 * is still delivering leaves it alone (a second SendTask would only be answered "token used"). Pure.
 */
export function redriveOnClick(record: ApprovalRecord, now: Date): boolean {
  const delivery = record.delivery;
  if (delivery?.status !== 'PENDING') return false;
  if (delivery.attempts > 0) return true;
  const decidedAt = Date.parse(record.decision?.decidedAt ?? '');
  return !(now.getTime() - decidedAt < WINNER_DELIVERY_GRACE_MS);
}

/** Delivers (or re-drives) a decided record's decision and stores how far it got. Never throws. */
export async function driveDelivery(
  deps: Pick<DecisionDeps, 'store' | 'sfn' | 'now'>,
  record: ApprovalRecord,
  signal: AbortSignal,
): Promise<Delivery> {
  let delivery = await deliverDecision(deps, record, signal);
  if (delivery !== record.delivery) {
    try {
      // Its own short budget: a note that the deadline cut off is written by the next re-drive.
      // What the table holds afterwards is what is told: when another re-drive or the timeout's
      // settlement stored a final status first, that one stands, not what this attempt concluded.
      delivery = await deps.store.recordDelivery(
        record.approvalId,
        delivery,
        AbortSignal.any([signal, AbortSignal.timeout(1_000)]),
      );
    } catch (error) {
      logger.error('could not record how the delivery of a decision stands', {
        approvalId: record.approvalId,
        delivery,
        error,
      });
    }
  }
  if (delivery.status !== 'PENDING') {
    logger.info('approval decision delivery settled', { approvalId: record.approvalId, delivery });
  }
  return delivery;
}

/** The stored decision is this very one (same what, who and when): our own write. Pure. */
function isOwnDecision(record: ApprovalRecord | undefined, decision: ApprovalDecision): boolean {
  const stored = record?.decision;
  return (
    stored !== undefined &&
    stored.decision === decision.decision &&
    stored.approver.id === decision.approver.id &&
    stored.decidedAt === decision.decidedAt &&
    stored.channel === decision.channel
  );
}

export async function decide(
  deps: DecisionDeps,
  input: DecisionInput,
  signal: AbortSignal,
): Promise<DecisionOutcome> {
  const now = deps.now();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const early = precheck(await deps.store.get(input.approvalId, signal), nowSeconds, input.message);
  if (early?.kind === 'already-decided' && redriveOnClick(early.record, now)) {
    // A later click re-drives an unconfirmed delivery; the answer stays "already decided".
    return { ...early, delivery: await driveDelivery(deps, early.record, signal) };
  }
  if (early !== undefined) return early;
  if (!(await deps.mayDecide(input.approver, signal))) {
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
  let claim;
  try {
    claim = await deps.store.claim(input.approvalId, decision, nowSeconds, signal);
  } catch (error) {
    // A write that got no answer may have been applied: never tell the approver it was not.
    logger.error('the claim got no answer; the table decides what stands', {
      approvalId: input.approvalId,
      decision,
      error,
    });
    return { kind: 'unconfirmed' };
  }
  if (!claim.won && !isOwnDecision(claim.record, decision)) {
    // Lost the race: report what the winner (or the clock) did.
    return precheck(claim.record, nowSeconds) ?? { kind: 'not-found' };
  }
  // Won, or the SDK retried our own write after a lost answer and found it already applied.
  const record = claim.record;
  if (record === undefined) return { kind: 'not-found' };
  logger.info('approval decided', {
    approvalId: record.approvalId,
    remediationId: record.subject.remediationId,
    decision,
  });
  const delivery = await driveDelivery(deps, record, signal);
  return { kind: 'decided', decision, record, delivery };
}
