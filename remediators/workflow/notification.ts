/**
 * Pure: whether an outcome is worth a message, and the message. The topic's subscriber is AWS
 * Chatbot (Amazon Q Developer in chat applications), which posts "custom notifications" to
 * Slack: JSON `{version: "1.0", source: "custom", content: {textType, title, description}}`.
 */
import { causeMessage, describeChange, type OutcomeRecord } from './outcome.js';
import type { RequestFailureRecord } from './request-failure.js';
import type { ControlDecision } from './state.js';

/** Chatbot custom notification limits (title, description). */
const MAX_TITLE_LENGTH = 250;
const MAX_DESCRIPTION_LENGTH = 8000;
/**
 * SNS Publish, Subject: "must be UTF-8 text with no line breaks or control characters, and less
 * than 100 characters long" (SNS API Reference, Publish, request parameters; older revisions said
 * ASCII). So at most 99, counted in UTF-16 code units, which is never fewer than characters.
 */
export const MAX_SUBJECT_LENGTH = 99;
/**
 * SNS Publish, Message: "UTF-8 encoded strings and at most 256 KB in size (262,144 bytes, not
 * 262,144 characters)" (SNS API Reference, Publish). Counted in UTF-8 bytes.
 */
export const MAX_MESSAGE_BYTES = 262_144;

/**
 * Every outcome but ALREADY_COMPLIANT is news; a control in mode `notify` always is (that is
 * what the mode asks for). JOINED never is: the joined run notifies the stage's outcome itself.
 */
export function shouldNotify(record: OutcomeRecord, decisions: readonly ControlDecision[]): boolean {
  if (record.outcome === 'JOINED') return false;
  return record.outcome !== 'ALREADY_COMPLIANT' || decisions.some((decision) => decision.mode === 'notify');
}

/** At most `max` UTF-16 code units, never splitting a surrogate pair (a lone half is not UTF-8 text). */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * Control characters (C0, DEL, C1) and line/paragraph separators become one space: a stage name
 * cannot hold them, but an error message or an API id read from an event might.
 */
const SUBJECT_FORBIDDEN = /[\p{Cc}\u2028\u2029]+/gu;

/** A subject SNS accepts: one line, no control characters, fewer than 100 characters. */
export function snsSubject(text: string): string {
  return clip(text.replace(SUBJECT_FORBIDDEN, ' ').replace(/ {2,}/g, ' ').trim(), MAX_SUBJECT_LENGTH);
}

export interface Notification {
  readonly subject: string;
  /** The Chatbot custom notification, as the SNS message body. */
  readonly message: string;
}

function chatbotNotification(
  id: string,
  title: string,
  lines: readonly string[],
  summary: string,
  context: Readonly<Record<string, string>>,
  subject: string,
): Notification {
  // Byte budget (MAX_MESSAGE_BYTES): the longest text fields are clipped in characters, and a
  // character is at most 6 bytes once JSON-encoded (a \u001f escape; 4-byte characters are 2
  // code units), so title + summary + description stay under 6 × 8,500 ≈ 51 KB, far below
  // 256 KB. clip() never splits a surrogate pair, which would not be valid UTF-8.
  const message = JSON.stringify({
    version: '1.0',
    source: 'custom',
    id,
    content: {
      textType: 'client-markdown',
      title: clip(title, MAX_TITLE_LENGTH),
      description: clip(lines.join('\n'), MAX_DESCRIPTION_LENGTH),
    },
    metadata: { summary: clip(summary, MAX_TITLE_LENGTH), additionalContext: context },
  });
  return { subject: snsSubject(`[apigw-remediation] ${subject}`), message };
}

/** `notRecorded`: why Security Hub does not hold this outcome (the record task failed), if it does not. */
export function buildNotification(record: OutcomeRecord, notRecorded?: string): Notification {
  const { stage } = record;
  const where = `${stage.apiId}/${stage.stageName} (${stage.account}, ${stage.region})`;
  const changeHeading = record.outcome === 'REMEDIATED' ? 'Changed' : 'Would change';
  const lines = [
    `*Why:* ${record.reason}`,
    `*Approver:* ${record.approver}`,
    ...(record.changes.length === 0
      ? []
      : [`*${changeHeading}:*`, ...record.changes.map((change) => `• ${describeChange(change)}`)]),
    ...(record.findingId === undefined ? [] : [`*Finding:* ${record.findingId}`]),
    ...(notRecorded === undefined ? [] : [`*Security Hub:* NOT recorded: ${notRecorded}`]),
    `*Execution:* ${record.executionArn}`,
  ];
  return chatbotNotification(
    record.remediationId,
    `${record.outcome}: API Gateway stage ${where}`,
    lines,
    `${record.outcome} ${where}`,
    { outcome: record.outcome, remediationId: record.remediationId },
    `${record.outcome} ${stage.apiId}/${stage.stageName}`,
  );
}

/** Where a request-level failure's record went: Security Hub, or why not. */
export type SecurityHubRecordState =
  { readonly recorded: true; readonly where: string } | { readonly recorded: false; readonly why: string };

/** A request that stopped before its stages were worked on (always news). */
export function buildRequestFailureNotification(
  record: RequestFailureRecord,
  securityHub: SecurityHubRecordState,
): Notification {
  const { request } = record;
  const where = `API ${request.apiId}${request.stageName === null ? '' : `/${request.stageName}`} (${request.account}, ${request.region})`;
  const lines = [
    `*Why:* ${record.reason}`,
    `*Controls not checked:* ${request.controls.join(', ')}`,
    securityHub.recorded
      ? `*Security Hub:* recorded on ${securityHub.where}`
      : `*Security Hub:* NOT recorded: ${securityHub.why}`,
    ...(request.findingId === undefined ? [] : [`*Finding:* ${request.findingId}`]),
    `*Execution:* ${record.executionArn}`,
  ];
  return chatbotNotification(
    record.remediationId,
    `FAILED (${record.kind}): ${where}`,
    lines,
    `FAILED ${record.kind} ${where}`,
    { outcome: 'FAILED', kind: record.kind, remediationId: record.remediationId },
    `FAILED ${record.kind} ${request.apiId}`,
  );
}

/** Parts of an event intake could not read (the Rejected metric counts them too). */
/**
 * The admit task failed past its retries (docs/decisions/0036): the batch's requests went no
 * further, and some of their findings may already be taken over (Workflow NOTIFIED), so they will
 * not start again by themselves. The message lists them, for a person to start them again.
 */
export function buildAdmitFailedNotification(
  requests: readonly {
    readonly findingId?: string | undefined;
    readonly apiId: string;
    readonly stageName: string | null;
    readonly account: string;
    readonly region: string;
  }[],
  error: { readonly Error: string; readonly Cause?: string | undefined },
  executionArn: string,
  securityHub: { readonly recorded: number; readonly problems: readonly string[] },
): Notification {
  const subject = `FAILED before any stage: ${requests.length} request(s) of the batch not admitted`;
  const withFinding = requests.filter((request) => request.findingId !== undefined).length;
  const lines = [
    `*The admit task failed (${error.Error}: ${causeMessage(error.Cause)}); nothing was checked or changed for these ${requests.length} request(s):*`,
    ...requests.map(
      (request) =>
        `• ${request.account}/${request.region} API ${request.apiId} stage ${request.stageName ?? '(every stage)'}` +
        (request.findingId === undefined ? '' : ` (finding ${request.findingId})`),
    ),
    `*Security Hub:* FAILED recorded on ${securityHub.recorded} of the ${withFinding} finding(s)` +
      (withFinding < requests.length
        ? `; ${requests.length - withFinding} request(s) without a finding (CloudTrail drift) recorded nowhere else`
        : ''),
    ...securityHub.problems.map((problem) => `• ${problem}`),
    `*Execution:* ${executionArn} (its input holds the batch)`,
  ];
  return chatbotNotification(
    `${executionArn}/admit`,
    subject,
    lines,
    subject,
    { outcome: 'FAILED', kind: 'ADMIT_FAILED' },
    `admit failed for ${requests.length} request(s)`,
  );
}

export function buildIntakeRejectedNotification(
  rejected: readonly { readonly error: string }[],
  executionArn: string,
): Notification {
  const lines = [
    `*${rejected.length} item(s) of the event were rejected; nothing was started for them:*`,
    ...rejected.map((item) => `• ${item.error}`),
    `*Execution:* ${executionArn} (its input holds the event)`,
  ];
  return chatbotNotification(
    `${executionArn}/intake`,
    `REJECTED by intake: ${rejected.length} event item(s)`,
    lines,
    `REJECTED by intake: ${rejected.length} event item(s)`,
    { outcome: 'REJECTED_BY_INTAKE' },
    `intake rejected ${rejected.length} event item(s)`,
  );
}
