/**
 * Notify task: publishes the outcome to the notification topic (Slack through AWS Chatbot),
 * except for ALREADY_COMPLIANT without a control in mode notify.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { buildNotification, shouldNotify } from '../workflow/notification.js';
import { toOutcomeRecord } from '../workflow/outcome.js';
import { createWorkflowDeps, type WorkflowDeps } from '../workflow/runtime.js';
import { parseTaskInput, StageWorkItemSchema, TerminalSchema } from '../workflow/state.js';

const InputSchema = StageWorkItemSchema.extend({ terminal: TerminalSchema });

export function createNotifyHandler(deps: WorkflowDeps) {
  return async (event: unknown): Promise<{ readonly published: boolean; readonly messageId?: string }> => {
    const item = parseTaskInput('notify', InputSchema, event);
    const record = toOutcomeRecord(item, item.terminal.outcome, deps.serviceVersion, deps.now());
    if (!shouldNotify(record, item.decision?.controls ?? [])) return { published: false };
    const { subject, message } = buildNotification(record);
    const response = await deps
      .sns()
      .send(new PublishCommand({ TopicArn: deps.notifyTopicArn(), Subject: subject, Message: message }));
    return {
      published: true,
      ...(response.MessageId === undefined ? {} : { messageId: response.MessageId }),
    };
  };
}

export const handler = createNotifyHandler(createWorkflowDeps());
