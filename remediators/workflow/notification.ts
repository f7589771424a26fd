/**
 * Pure: whether an outcome is worth a message, and the message. The topic's subscriber is AWS
 * Chatbot (Amazon Q Developer in chat applications), which posts "custom notifications" to
 * Slack: JSON `{version: "1.0", source: "custom", content: {textType, title, description}}`.
 */
import { describeChange, type OutcomeRecord } from './outcome.js';
import type { ControlDecision } from './state.js';

/** Chatbot custom notification limits (title, description). */
const MAX_TITLE_LENGTH = 250;
const MAX_DESCRIPTION_LENGTH = 8000;
/** SNS Subject: at most 100 characters. */
const MAX_SUBJECT_LENGTH = 100;

/**
 * Every outcome but ALREADY_COMPLIANT is news; a control in mode `notify` always is (that is
 * what the mode asks for).
 */
export function shouldNotify(record: OutcomeRecord, decisions: readonly ControlDecision[]): boolean {
  return record.outcome !== 'ALREADY_COMPLIANT' || decisions.some((decision) => decision.mode === 'notify');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface Notification {
  readonly subject: string;
  /** The Chatbot custom notification, as the SNS message body. */
  readonly message: string;
}

export function buildNotification(record: OutcomeRecord): Notification {
  const { stage } = record;
  const where = `${stage.apiId}/${stage.stageName} (${stage.account}, ${stage.region})`;
  const title = clip(`${record.outcome}: API Gateway stage ${where}`, MAX_TITLE_LENGTH);
  const changeHeading = record.outcome === 'REMEDIATED' ? 'Changed' : 'Would change';
  const lines = [
    `*Why:* ${record.reason}`,
    `*Approver:* ${record.approver}`,
    ...(record.changes.length === 0
      ? []
      : [`*${changeHeading}:*`, ...record.changes.map((change) => `• ${describeChange(change)}`)]),
    ...(record.findingId === undefined ? [] : [`*Finding:* ${record.findingId}`]),
    `*Execution:* ${record.executionArn}`,
  ];
  const body = {
    version: '1.0',
    source: 'custom',
    id: record.remediationId,
    content: {
      textType: 'client-markdown',
      title,
      description: clip(lines.join('\n'), MAX_DESCRIPTION_LENGTH),
    },
    metadata: {
      summary: clip(`${record.outcome} ${where}`, MAX_TITLE_LENGTH),
      additionalContext: { outcome: record.outcome, remediationId: record.remediationId },
    },
  };
  return {
    subject: clip(
      `[apigw-remediation] ${record.outcome} ${stage.apiId}/${stage.stageName}`,
      MAX_SUBJECT_LENGTH,
    ),
    message: JSON.stringify(body),
  };
}
