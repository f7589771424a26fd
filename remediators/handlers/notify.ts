/**
 * Notify task: publishes the outcome to the notification topic (Slack through AWS Chatbot),
 * except for ALREADY_COMPLIANT without a control in mode notify. When the record task could not
 * write the outcome to Security Hub (`record.recorded` false), it always publishes, saying so, and
 * counts it in the `RecordFailures` metric, which an alarm watches.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { RECORD_FAILURES_METRIC } from '../workflow/metrics.js';
import { buildNotification, shouldNotify } from '../workflow/notification.js';
import { type ClockDeps } from '../workflow/deps/clock.js';
import { type NotificationDeps } from '../workflow/deps/notifications.js';
import { type ReportingDeps } from '../workflow/deps/reporting.js';
import { causeMessage, toOutcomeRecord } from '../workflow/outcome.js';
import { CaughtErrorSchema, parseTaskInput, StageWorkItemSchema, TerminalSchema } from '../workflow/state.js';

const InputSchema = StageWorkItemSchema.extend({
  terminal: TerminalSchema,
  /** The record task's output, or `{recorded: false}` with `recordError` when Security Hub refused it. */
  record: z.looseObject({ recorded: z.boolean() }).optional(),
  recordError: CaughtErrorSchema.optional(),
});

export function createNotifyHandler(deps: NotificationDeps & ReportingDeps & Pick<ClockDeps, 'now'>) {
  return async (
    event: unknown,
  ): Promise<{
    readonly published: boolean;
    readonly messageId?: string;
    readonly ownerMessageId?: string;
  }> => {
    const item = parseTaskInput('notify', InputSchema, event);
    const record = toOutcomeRecord(item, item.terminal.outcome, deps.serviceVersion, deps.now());
    const notRecorded =
      item.record?.recorded === false
        ? item.recordError === undefined
          ? 'the record task failed'
          : `${item.recordError.Error}: ${causeMessage(item.recordError.Cause)}`
        : undefined;
    if (notRecorded !== undefined) deps.metric(RECORD_FAILURES_METRIC, {});
    if (notRecorded === undefined && !shouldNotify(record, item.decision?.controls ?? [])) {
      return { published: false };
    }
    const { subject, message } = buildNotification(record, notRecorded);
    const response = await deps
      .sns()
      .send(new PublishCommand({ TopicArn: deps.notifyTopicArn(), Subject: subject, Message: message }));
    // A deferral is the owner's turn: their own channel hears of it too (iac.ownerChannels, docs/decisions/0029).
    const ownerTopicArn = record.outcome === 'DEFERRED_TO_OWNER' ? record.iac?.ownerTopicArn : undefined;
    const owner =
      ownerTopicArn === undefined
        ? undefined
        : await deps
            .sns()
            .send(new PublishCommand({ TopicArn: ownerTopicArn, Subject: subject, Message: message }));
    return {
      published: true,
      ...(response.MessageId === undefined ? {} : { messageId: response.MessageId }),
      ...(owner?.MessageId === undefined ? {} : { ownerMessageId: owner.MessageId }),
    };
  };
}
