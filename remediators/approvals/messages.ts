/**
 * What people read: the Slack approval message (Block Kit), the message once decided, and one
 * sentence per decision outcome, shared by Slack and the confirmation page. Pure.
 */
import { DEPLOYMENT_SETTING } from '../core/types.js';
import type { ApprovalDecision, Approver } from './contract.js';
import { LINK_APPROVER_ID } from './approvers.js';
import type { DecisionOutcome } from './decide.js';
import type { ApprovalSubject } from './record.js';
import type { SlackMessage } from './slack-api.js';

export const APPROVE_ACTION_ID = 'approval.approve';
export const REJECT_ACTION_ID = 'approval.reject';
const ACTIONS_BLOCK_ID = 'approval.actions';

/** Slack allows 3,000 characters in a section's text; long change lists are cut with a count. */
const SECTION_TEXT_LIMIT = 3_000;

export function formatValue(value: string | number | boolean | null): string {
  return value === null ? '(not set)' : String(value);
}

export function approverLabel(approver: Approver): string {
  return approver.id === LINK_APPROVER_ID ? 'signed link' : `${approver.name} (${approver.id})`;
}

/** Slack mrkdwn (blocks and the top-level fallback text) needs &, < and > escaped; backticks would end a code span early. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, "'");
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text)}\``;
}

export function subjectSummary(subject: ApprovalSubject): string {
  return `${subject.controls.join(', ')} on ${subject.apiName || subject.apiId}/${subject.stageName} (account ${subject.account}, ${subject.region})`;
}

function changeLines(subject: ApprovalSubject): string {
  const lines = subject.changes.map(
    (change) =>
      `• ${change.controlId}: ${code(change.setting)}  ${code(formatValue(change.before))} → ${code(formatValue(change.after))}`,
  );
  let text = '*Change (before → after)*';
  for (const [index, line] of lines.entries()) {
    const more = `\n…and ${lines.length - index} more: open the link to see them all`;
    if (text.length + 1 + line.length + more.length > SECTION_TEXT_LIMIT) return text + more;
    text += `\n${line}`;
  }
  return text;
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
    { type: 'section', text: { type: 'mrkdwn', text: changeLines(subject) } },
    ...(subject.changes.some((change) => change.setting === DEPLOYMENT_SETTING)
      ? [{ type: 'section', text: { type: 'mrkdwn', text: DEPLOYMENT_WARNING } }]
      : []),
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
  const button = (text: string, actionId: string, style: 'primary' | 'danger') => ({
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: actionId,
    value: approvalId,
    style,
  });
  return {
    text: escapeMrkdwn(`Approval needed: ${subjectSummary(subject)}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'API Gateway remediation: approval needed' } },
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

/** The original message once decided: same facts, no buttons, who decided and when. */
export function decidedMessage(subject: ApprovalSubject, decision: ApprovalDecision): SlackMessage {
  const icon = decision.decision === 'APPROVED' ? ':white_check_mark:' : ':x:';
  return {
    text: escapeMrkdwn(`${decisionSentence(decision)} ${subjectSummary(subject)}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'API Gateway remediation: decided' } },
      ...subjectBlocks(subject),
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `${icon} ${escapeMrkdwn(decisionSentence(decision))}` },
      },
    ],
  };
}

/** One sentence for the person who clicked, whatever happened. */
export function outcomeSentence(outcome: DecisionOutcome): string {
  switch (outcome.kind) {
    case 'decided':
      return `${decisionSentence(outcome.decision)} The workflow has been told.`;
    case 'already-decided': {
      const verb = outcome.decision.decision === 'APPROVED' ? 'approved' : 'rejected';
      return `Already ${verb} by ${approverLabel(outcome.decision.approver)} at ${outcome.decision.decidedAt}. Nothing was changed.`;
    }
    case 'expired':
      return `This approval request expired at ${outcome.expiresAt}. Nothing was decided; the workflow takes its configured timeout action.`;
    case 'not-found':
      return 'This approval request no longer exists. Nothing was decided.';
    case 'not-allowed':
      return 'Sorry, you are not on the list of approvers for these remediations. Nothing was changed; please ask one of the approvers.';
    case 'workflow-gone':
      return `Your decision was recorded, but the workflow no longer waits for it (${outcome.error}), so it will not act on it.`;
    case 'delivery-failed':
      return 'The workflow could not be reached, so nothing was decided. Please try again in a moment.';
  }
}
