/**
 * The re-drive sweep (docs/approvals.md, "Delivery"): every decided approval whose delivery is
 * not settled is delivered again, and every Slack message that does not show how its decision
 * stands is brought up to date with chat.update (response_url accepts only 5 uses within 30
 * minutes, https://api.slack.com/interactivity/handling#message_responses; chat.update has no
 * such limit). Runs on a schedule, in its own invocation, so nothing depends on work after a
 * Lambda has answered.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { logger } from '../shared/powertools.js';
import { driveDelivery } from './decide.js';
import { decidedMessage } from './messages.js';
import type { ApprovalRecord, Delivery } from './record.js';
import type { SlackApi } from './slack-api.js';
import type { ApprovalStore } from './store.js';

export interface RedriveDeps {
  readonly store: ApprovalStore;
  readonly sfn: SFNClient;
  readonly slack: () => Promise<SlackApi>;
  readonly now: () => Date;
  /** Budget per approval, so one stuck delivery cannot use up the sweep's whole run. */
  readonly perApprovalMs: number;
  /** When the sweep stops starting new work (before the Lambda's own timeout). */
  readonly stopAt: () => number;
}

export interface RedriveReport {
  readonly looked: number;
  readonly delivered: number;
  readonly finished: number;
  readonly pending: number;
  readonly messagesUpdated: number;
  readonly failures: number;
}

async function updateMessage(
  deps: RedriveDeps,
  record: ApprovalRecord,
  delivery: Delivery,
): Promise<boolean> {
  const message = record.slackMessage;
  const decision = record.decision;
  if (message === undefined || decision === undefined || record.slackShows === delivery.status) return false;
  const slack = await deps.slack();
  await slack.updateMessage(message.channel, message.ts, decidedMessage(record.subject, decision, delivery));
  await deps.store.recordSlackShows(record.approvalId, delivery.status);
  return true;
}

export async function redrive(deps: RedriveDeps): Promise<RedriveReport> {
  const counts = { looked: 0, delivered: 0, finished: 0, pending: 0, messagesUpdated: 0, failures: 0 };
  for await (const record of deps.store.unsettled()) {
    if (Date.now() >= deps.stopAt()) {
      logger.warn('re-drive sweep out of time; the next run continues', counts);
      break;
    }
    counts.looked += 1;
    try {
      const delivery = await driveDelivery(deps, record, AbortSignal.timeout(deps.perApprovalMs));
      if (delivery.status === 'PENDING') counts.pending += 1;
      else if (delivery.status === 'DELIVERED') counts.delivered += 1;
      else counts.finished += 1;
      if (await updateMessage(deps, record, delivery)) counts.messagesUpdated += 1;
    } catch (error) {
      counts.failures += 1;
      logger.error('re-drive of an approval failed; the next run tries again', {
        approvalId: record.approvalId,
        error,
      });
    }
  }
  if (counts.looked > 0) logger.info('approval re-drive sweep', counts);
  return counts;
}
