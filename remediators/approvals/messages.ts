/**
 * What people read: the Slack approval message (Block Kit), the message once decided, and one
 * sentence per decision outcome, shared by Slack and the confirmation page. Pure.
 */
import { DEPLOYMENT_SETTING } from '../core/types.js';
import type { ApprovalDecision, Approver } from './contract.js';
import { LINK_APPROVER_ID } from './approvers.js';
import type { DecisionOutcome } from './decide.js';
import type { ApprovalSubject, Delivery } from './record.js';
import type { SlackMessage } from './slack-api.js';

export const APPROVE_ACTION_ID = 'approval.approve';
export const REJECT_ACTION_ID = 'approval.reject';
const ACTIONS_BLOCK_ID = 'approval.actions';
/** The Undo button of a remediated approval's message (docs/approvals.md, "Undo"); its value is the approval id. */
export const UNDO_ACTION_ID = 'undo';
const UNDO_BLOCK_ID = 'approval.undo';

/**
 * Slack allows 3,000 characters in a section's text and 50 blocks in a message
 * (https://api.slack.com/reference/block-kit/blocks#section, https://api.slack.com/reference/block-kit/blocks):
 * a long change list takes as many sections as it needs, and what a message cannot hold goes into
 * replies in its thread. Every change is always shown: with an allow-list there is no link to read
 * them elsewhere, and an approval approves them all.
 */
const SECTION_TEXT_LIMIT = 3_000;
const MESSAGE_BLOCK_LIMIT = 50;
/** Blocks besides the change sections: header, facts, a note, actions or decision, link, spare. */
const OTHER_BLOCKS = 6;
export const CHANGE_SECTIONS_PER_MESSAGE = MESSAGE_BLOCK_LIMIT - OTHER_BLOCKS;

export function formatValue(value: string | number | boolean | null): string {
  return value === null ? '(not set)' : String(value);
}

export function approverLabel(approver: Approver): string {
  return approver.id === LINK_APPROVER_ID ? 'signed link' : `${approver.name} (${approver.id})`;
}

/** Slack mrkdwn (blocks and the top-level fallback text) needs &, < and > escaped; backticks would end a code span early. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, "'");
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text)}\``;
}

export function subjectSummary(subject: ApprovalSubject): string {
  return `${subject.controls.join(', ')} on ${subject.apiName || subject.apiId}/${subject.stageName} (account ${subject.account}, ${subject.region})`;
}

function changeLine(change: ApprovalSubject['changes'][number]): string {
  return `• ${change.controlId}: ${code(change.setting)}  ${code(formatValue(change.before))} → ${code(formatValue(change.after))}`;
}

/** Splits text into pieces of at most `limit` characters. Pure. */
function pieces(text: string, limit: number): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += limit) parts.push(text.slice(start, start + limit));
  return parts;
}

/**
 * Every change, numbered, as section texts of at most 3,000 characters each, in order. Pure.
 */
export function changeSections(subject: ApprovalSubject): string[] {
  const total = subject.changes.length;
  const sections: string[] = [];
  let current =
    subject.kind === 'undo'
      ? `*Changes (now → restored to): ${total}*`
      : `*Changes (before → after): ${total}*`;
  for (const [index, change] of subject.changes.entries()) {
    const line = `${index + 1}/${total} ${changeLine(change)}`;
    if (current.length + 1 + line.length <= SECTION_TEXT_LIMIT) {
      current += `\n${line}`;
      continue;
    }
    sections.push(current);
    // One change longer than a section (a very long value) is split over sections, never cut.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, pieces() returns a line that fits as it is, so skipping this branch (false, <) changes nothing; `true` and `>`, disabled with them, are pinned by test/unit/approvals/change-sections.test.ts
    if (line.length <= SECTION_TEXT_LIMIT) current = line;
    else {
      const parts = pieces(line, SECTION_TEXT_LIMIT);
      // Stryker disable next-line StringLiteral: equivalent, a change's line is never empty, so pieces() returns at least one piece
      current = parts.pop() ?? '';
      sections.push(...parts);
    }
  }
  sections.push(current);
  return sections;
}

/** The message's header: an undo's approval (undo.mode approve) says undo, a remediation's remediation. */
function header(subject: ApprovalSubject, what: string): Record<string, unknown> {
  const kind = subject.kind === 'undo' ? 'undo' : 'remediation';
  return { type: 'header', text: { type: 'plain_text', text: `API Gateway ${kind}: ${what}` } };
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

/**
 * The change sections a message holds, plus a note when the rest are in the thread. Pure.
 */
function changeBlocks(subject: ApprovalSubject): Record<string, unknown>[] {
  const sections = changeSections(subject);
  const shown = sections.slice(0, CHANGE_SECTIONS_PER_MESSAGE);
  const blocks = shown.map(section);
  if (sections.length > shown.length) {
    blocks.push(
      section(
        `*${sections.length - shown.length} more part(s) of the change list are in the replies to this message.* ` +
          'Read them all before deciding: a decision covers every change.',
      ),
    );
  }
  return blocks;
}

/**
 * The parts of the change list one message cannot hold, as thread replies (each one message,
 * at most {@link CHANGE_SECTIONS_PER_MESSAGE} sections). Empty when the message holds them all. Pure.
 */
export function changeListReplies(subject: ApprovalSubject): SlackMessage[] {
  const rest = changeSections(subject).slice(CHANGE_SECTIONS_PER_MESSAGE);
  const replies: SlackMessage[] = [];
  for (let start = 0; start < rest.length; start += CHANGE_SECTIONS_PER_MESSAGE) {
    const part = rest.slice(start, start + CHANGE_SECTIONS_PER_MESSAGE);
    replies.push({
      text: escapeMrkdwn(`Changes awaiting approval, continued: ${subjectSummary(subject)}`),
      blocks: part.map(section),
    });
  }
  return replies;
}

function subjectBlocks(subject: ApprovalSubject): Record<string, unknown>[] {
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` });
  return [
    {
      type: 'section',
      fields: [
        field('Account', code(subject.account)),
        field('Region', code(subject.region)),
        field('API', `${escapeMrkdwn(subject.apiName)} ${code(subject.apiId)} (${subject.apiType})`),
        field('Stage', code(subject.stageName)),
        field('Control(s)', escapeMrkdwn(subject.controls.join(', '))),
        field('Remediation', code(subject.remediationId)),
        field('Requested at', escapeMrkdwn(subject.requestedAt)),
        field('Expires at', escapeMrkdwn(subject.expiresAt)),
      ],
    },
    ...changeBlocks(subject),
    ...noteBlocks(subject),
  ];
}

/**
 * One section (the block budget's "note") for what the approver must know besides the changes:
 * the deployment warning, and the stage's infrastructure-as-code owner with the template change.
 */
function noteBlocks(subject: ApprovalSubject): Record<string, unknown>[] {
  const notes = [
    ...(subject.changes.some((change) => change.setting === DEPLOYMENT_SETTING) ? [DEPLOYMENT_WARNING] : []),
    ...ownerLines(subject),
  ];
  if (notes.length === 0) return [];
  return [
    section(
      pieces(notes.join('\n'), SECTION_TEXT_LIMIT)[0] ??
        // Stryker disable next-line StringLiteral: equivalent, notes is not empty here, so pieces() returns at least one piece
        '',
    ),
  ];
}

/**
 * The stage's infrastructure-as-code owner and the template change per control
 * (docs/decisions/0029): the fix approved here lasts until the owner's next deployment unless the
 * template changes too. Nothing for an unmanaged stage.
 */
export function ownerLines(subject: ApprovalSubject): string[] {
  const { iac } = subject;
  if (iac === undefined || iac.sourceFixes.length === 0) return [];
  return [
    `*Deployed by ${escapeMrkdwn(iac.ownerText)}*`,
    ...(iac.drift === undefined ? [] : [escapeMrkdwn(`Note: ${iac.drift}.`)]),
    '*Fix at the source (so the next deployment keeps it):*',
    ...iac.sourceFixes.map((fix) => `• ${escapeMrkdwn(fix.controlId)}: ${code(fix.change)}`),
  ];
}

/** A deployment is not one setting: it releases whatever the API's definition is now, and the approver must know. */
export const DEPLOYMENT_WARNING =
  ":warning: *This creates a deployment.* It publishes the API's current definition to the stage, " +
  'including any change to the API that has not been deployed yet.';

/**
 * The approval request. Button values carry the short approval id only; `link` is the signed link
 * for workspaces without interactivity (left out when an allow-list makes links useless).
 */
export function approvalRequestMessage(
  subject: ApprovalSubject,
  approvalId: string,
  link: string | undefined,
): SlackMessage {
  // undo.mode approve (docs/decisions/0030): the same message, saying it takes a remediation back.
  const undo = subject.kind === 'undo';
  const button = (text: string, actionId: string, style: 'primary' | 'danger') => ({
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: actionId,
    value: approvalId,
    style,
  });
  return {
    text: escapeMrkdwn(`${undo ? 'Undo approval needed' : 'Approval needed'}: ${subjectSummary(subject)}`),
    blocks: [
      header(subject, 'approval needed'),
      ...subjectBlocks(subject),
      {
        type: 'actions',
        block_id: ACTIONS_BLOCK_ID,
        elements: [
          button('Approve', APPROVE_ACTION_ID, 'primary'),
          button('Reject', REJECT_ACTION_ID, 'danger'),
        ],
      },
      ...(link === undefined
        ? []
        : [
            {
              type: 'context',
              elements: [
                { type: 'mrkdwn', text: `Buttons not working? <${link}|Review and decide on a web page>` },
              ],
            },
          ]),
    ],
  };
}

export function decisionSentence(decision: ApprovalDecision): string {
  const verb = decision.decision === 'APPROVED' ? 'Approved' : 'Rejected';
  const comment = decision.comment ? ` Comment: “${decision.comment}”` : '';
  return `${verb} by ${approverLabel(decision.approver)} at ${decision.decidedAt}.${comment}`;
}

/** Where the delivery of a final decision stands, as approvers read it. Pure. */
export function deliverySentence(delivery: Delivery | undefined): string {
  switch (delivery?.status) {
    case undefined:
    case 'PENDING':
      // "Until it does" alone would promise too much: an execution can end before it ever takes
      // the decision (its approval step failed, or it was stopped), and this message then says so.
      return 'This decision is final. Step Functions has not confirmed it yet: it is delivered again until Step Functions does, or until the execution is known to have ended without it; the workflow acts on no other decision.';
    case 'DELIVERED':
      return 'The workflow has received this decision.';
    case 'EXECUTION_FINISHED':
      return `The workflow execution ended (${delivery.executionStatus}) without receiving this decision, so it did not act on it.`;
    case 'WORKFLOW_GONE':
      return `The workflow no longer waited for this decision (${delivery.error ?? 'token closed'}).`;
  }
}

/** The original message once decided: same facts, no buttons, who decided, when, and its delivery. */
export function decidedMessage(
  subject: ApprovalSubject,
  decision: ApprovalDecision,
  delivery: Delivery | undefined,
): SlackMessage {
  const icon = decision.decision === 'APPROVED' ? ':white_check_mark:' : ':x:';
  return {
    text: escapeMrkdwn(`${decisionSentence(decision)} ${subjectSummary(subject)}`),
    blocks: [
      header(subject, 'decided'),
      ...subjectBlocks(subject),
      section(
        `${icon} ${escapeMrkdwn(decisionSentence(decision))}\n${escapeMrkdwn(deliverySentence(delivery))}`,
      ),
    ],
  };
}

/** The original message once the workflow's timeout won: same facts, no buttons. Pure. */
export function expiredMessage(subject: ApprovalSubject, expiredAt: string): SlackMessage {
  const sentence =
    subject.kind === 'undo'
      ? `Nobody decided in time: the approval expired at ${expiredAt}, and the undo is not applied.`
      : `Nobody decided in time: the approval expired at ${expiredAt}, and the workflow takes its configured timeout action.`;
  return {
    text: escapeMrkdwn(`${sentence} ${subjectSummary(subject)}`),
    blocks: [
      header(subject, 'expired'),
      ...subjectBlocks(subject),
      section(`:hourglass: ${escapeMrkdwn(sentence)}`),
    ],
  };
}

function alreadyDecidedSentence(decision: ApprovalDecision): string {
  const verb = decision.decision === 'APPROVED' ? 'approved' : 'rejected';
  return `Already ${verb} by ${approverLabel(decision.approver)} at ${decision.decidedAt}. Nothing was changed.`;
}

/** One sentence for the person who clicked, whatever happened (plain text; escape it for mrkdwn). */
export function outcomeSentence(outcome: DecisionOutcome): string {
  switch (outcome.kind) {
    case 'decided':
      return `${decisionSentence(outcome.decision)} ${deliverySentence(outcome.delivery)}`;
    case 'already-decided':
      return alreadyDecidedSentence(outcome.decision);
    case 'expired':
      return `This approval request expired at ${outcome.expiresAt}. Nothing was decided; the workflow takes its configured timeout action.`;
    case 'not-found':
      return 'This approval request no longer exists. Nothing was decided.';
    case 'not-allowed':
      return 'Sorry, you are not on the list of approvers for these remediations. Nothing was changed; please ask one of the approvers.';
    case 'wrong-message':
      return 'This button does not belong to the approval request it names. Nothing was changed; please use the buttons in the approval message.';
    case 'unconfirmed':
      return 'Your decision could not be confirmed in time, so it may or may not have been recorded. The approval message shows what stands within a minute or two; if it still asks for a decision then, decide again.';
  }
}

/**
 * The decided message once the approved remediation is done (outcome REMEDIATED): who approved,
 * the outcome, and an Undo button. The button's value is the approval id, like Approve/Reject:
 * the approval record names the remediation, its stage and controls, which the undo request
 * needs and a 2,000-character button value should not carry. Slack shows the `confirm` dialog
 * before the click is sent (https://api.slack.com/reference/block-kit/composition-objects#confirm:
 * title, text, confirm and deny, plain_text, title at most 100 characters). Pure.
 */
export function remediatedMessage(
  subject: ApprovalSubject,
  decision: ApprovalDecision,
  approvalId: string,
): SlackMessage {
  const done = `Remediated: the approved changes were applied to ${subject.apiId}/${subject.stageName}.`;
  return {
    text: escapeMrkdwn(`${done} ${decisionSentence(decision)}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'API Gateway remediation: remediated' } },
      ...subjectBlocks(subject),
      section(`:white_check_mark: ${escapeMrkdwn(decisionSentence(decision))}\n${escapeMrkdwn(done)}`),
      {
        type: 'actions',
        block_id: UNDO_BLOCK_ID,
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Undo' },
            action_id: UNDO_ACTION_ID,
            value: approvalId,
            style: 'danger',
            confirm: {
              title: { type: 'plain_text', text: 'Undo this remediation?' },
              text: {
                type: 'plain_text',
                text: 'Every setting listed above goes back to its value before the remediation, where the stage still holds the remediated value. The controls are exempted so the service does not fix them again.',
              },
              confirm: { type: 'plain_text', text: 'Undo' },
              deny: { type: 'plain_text', text: 'Cancel' },
              style: 'danger',
            },
          },
        ],
      },
    ],
  };
}

/** The remediated message once someone clicked Undo: the button goes, who asked and when stays. Pure. */
export function undoRequestedMessage(
  subject: ApprovalSubject,
  decision: ApprovalDecision,
  requestedBy: Approver,
  at: string,
): SlackMessage {
  const sentence = `Undo requested by ${approverLabel(requestedBy)} at ${at}: the workflow restores the settings and reports the outcome.`;
  return {
    text: escapeMrkdwn(`${sentence} ${subjectSummary(subject)}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'API Gateway remediation: undo requested' } },
      ...subjectBlocks(subject),
      section(`:white_check_mark: ${escapeMrkdwn(decisionSentence(decision))}`),
      section(`:leftwards_arrow_with_hook: ${escapeMrkdwn(sentence)}`),
    ],
  };
}
