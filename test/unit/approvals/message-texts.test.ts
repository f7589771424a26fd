/**
 * The exact words approvers read (remediators/approvals/messages.ts): the approval request as Slack
 * shows it, and one sentence per decision outcome and per delivery state. One behaviour per test.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalDecision } from '../../../remediators/approvals/contract.js';
import type { DecisionOutcome } from '../../../remediators/approvals/decide.js';
import {
  approvalRequestMessage,
  approverLabel,
  changeListReplies,
  decidedMessage,
  DEPLOYMENT_WARNING,
  deliverySentence,
  escapeMrkdwn,
  expiredMessage,
  formatValue,
  outcomeSentence,
} from '../../../remediators/approvals/messages.js';
import { newApprovalRecord } from '../../../remediators/approvals/record.js';
import { approvalRequest, REQUESTED_AT } from './support/fixtures.js';

const APPROVAL_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const record = newApprovalRecord(APPROVAL_ID, approvalRequest(), new Date(REQUESTED_AT));
const subject = record.subject;
const DANA = { id: 'U024BE7LH', name: 'Dana' };
const approved: ApprovalDecision = {
  decision: 'APPROVED',
  approver: DANA,
  decidedAt: '2026-11-21T11:00:00.000Z',
  channel: 'slack',
};
const rejected: ApprovalDecision = { ...approved, decision: 'REJECTED', comment: 'freeze' };
const field = (label: string, value: string) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` });
const FACTS = {
  type: 'section',
  fields: [
    field('Account', '`111122223333`'),
    field('Region', '`us-east-1`'),
    field('API', 'orders-api `a1b2c3d4e5` (REST)'),
    field('Stage', '`prod`'),
    field('Control(s)', 'APIGateway.1, APIGateway.3'),
    field('Remediation', '`rem-7f3c2a`'),
    field('Requested at', '2026-11-21T10:00:00.000Z'),
    field('Expires at', '2026-11-22T10:00:00.000Z'),
  ],
};
const CHANGES = {
  type: 'section',
  text: {
    type: 'mrkdwn',
    text:
      '*Changes (before → after): 2*\n' +
      '1/2 • APIGateway.1: `methodSettings[*/*].loggingLevel`  `OFF` → `ERROR`\n' +
      '2/2 • APIGateway.3: `tracingEnabled`  `false` → `true`',
  },
};
const button = (text: string, action_id: string, style: string) => ({
  type: 'button',
  text: { type: 'plain_text', text },
  action_id,
  value: APPROVAL_ID,
  style,
});

describe('the approval request in Slack', () => {
  it('has a header, the facts, every change numbered, Approve and Reject carrying the approval id, and the link', () => {
    expect(approvalRequestMessage(subject, APPROVAL_ID, 'https://x.example/a?exp=1&sig=s')).toStrictEqual({
      text: 'Approval needed: APIGateway.1, APIGateway.3 on orders-api/prod (account 111122223333, us-east-1)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'API Gateway remediation: approval needed' } },
        FACTS,
        CHANGES,
        {
          type: 'actions',
          block_id: 'approval.actions',
          elements: [
            button('Approve', 'approval.approve', 'primary'),
            button('Reject', 'approval.reject', 'danger'),
          ],
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: 'Buttons not working? <https://x.example/a?exp=1&sig=s|Review and decide on a web page>',
            },
          ],
        },
      ],
    });
  });

  it('has no link block when there is no link', () => {
    const message = approvalRequestMessage(subject, APPROVAL_ID, undefined);

    expect(message.blocks.map((block) => block['type'])).toEqual(['header', 'section', 'section', 'actions']);
  });

  it('names an API without a name by its id', () => {
    const message = approvalRequestMessage({ ...subject, apiName: '' }, APPROVAL_ID, undefined);

    expect(message.text).toBe(
      'Approval needed: APIGateway.1, APIGateway.3 on a1b2c3d4e5/prod (account 111122223333, us-east-1)',
    );
  });
});

describe('the message once decided or expired', () => {
  it('an approval keeps the facts and says who decided, when, and how far the delivery got', () => {
    const message = decidedMessage(subject, approved, { status: 'DELIVERED', at: approved.decidedAt });

    expect(message.blocks).toStrictEqual([
      { type: 'header', text: { type: 'plain_text', text: 'API Gateway remediation: decided' } },
      FACTS,
      CHANGES,
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':white_check_mark: Approved by Dana (U024BE7LH) at 2026-11-21T11:00:00.000Z.\nThe workflow has received this decision.',
        },
      },
    ]);
    expect(message.text).toBe(
      'Approved by Dana (U024BE7LH) at 2026-11-21T11:00:00.000Z. APIGateway.1, APIGateway.3 on orders-api/prod (account 111122223333, us-east-1)',
    );
  });

  it('a rejection shows a cross and the comment', () => {
    const message = decidedMessage(subject, rejected, undefined);

    expect(message.blocks.at(-1)).toMatchObject({
      text: {
        text: expect.stringMatching(
          /^:x: Rejected by Dana \(U024BE7LH\) at 2026-11-21T11:00:00\.000Z\. Comment: “freeze”\n/,
        ),
      },
    });
  });

  it('an expiry says when and that the timeout action follows', () => {
    const message = expiredMessage(subject, '2026-11-22T10:00:00.000Z');
    const sentence =
      'Nobody decided in time: the approval expired at 2026-11-22T10:00:00.000Z, and the workflow takes its configured timeout action.';

    expect(message.text).toBe(
      `${sentence} APIGateway.1, APIGateway.3 on orders-api/prod (account 111122223333, us-east-1)`,
    );
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'API Gateway remediation: expired' },
    });
    expect(message.blocks.at(-1)).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: `:hourglass: ${sentence}` },
    });
  });
});

describe('sentences', () => {
  it('say how far the delivery of a decision got', () => {
    expect(deliverySentence(undefined)).toMatch(
      /^This decision is final\. Step Functions has not confirmed it yet/,
    );
    expect(deliverySentence({ status: 'PENDING', attempts: 1, at: approved.decidedAt })).toBe(
      deliverySentence(undefined),
    );
    expect(
      deliverySentence({
        status: 'EXECUTION_FINISHED',
        executionStatus: 'ABORTED',
        at: approved.decidedAt,
      } as never),
    ).toBe(
      'The workflow execution ended (ABORTED) without receiving this decision, so it did not act on it.',
    );
    expect(deliverySentence({ status: 'WORKFLOW_GONE', error: 'TaskTimedOut', at: approved.decidedAt })).toBe(
      'The workflow no longer waited for this decision (TaskTimedOut).',
    );
    expect(deliverySentence({ status: 'WORKFLOW_GONE', at: approved.decidedAt })).toBe(
      'The workflow no longer waited for this decision (token closed).',
    );
  });

  it.each<[DecisionOutcome['kind'], Partial<DecisionOutcome>, string]>([
    [
      'already-decided',
      { decision: rejected },
      'Already rejected by Dana (U024BE7LH) at 2026-11-21T11:00:00.000Z. Nothing was changed.',
    ],
    [
      'already-decided',
      { decision: approved },
      'Already approved by Dana (U024BE7LH) at 2026-11-21T11:00:00.000Z. Nothing was changed.',
    ],
    [
      'expired',
      { expiresAt: '2026-11-22T10:00:00.000Z' } as never,
      'This approval request expired at 2026-11-22T10:00:00.000Z. Nothing was decided; the workflow takes its configured timeout action.',
    ],
    ['not-found', {}, 'This approval request no longer exists. Nothing was decided.'],
    [
      'not-allowed',
      {},
      'Sorry, you are not on the list of approvers for these remediations. Nothing was changed; please ask one of the approvers.',
    ],
    [
      'wrong-message',
      {},
      'This button does not belong to the approval request it names. Nothing was changed; please use the buttons in the approval message.',
    ],
    [
      'unconfirmed',
      {},
      'Your decision could not be confirmed in time, so it may or may not have been recorded. The approval message shows what stands within a minute or two; if it still asks for a decision then, decide again.',
    ],
  ])('for %s %#', (kind, rest, sentence) => {
    expect(outcomeSentence({ kind, record, ...rest } as DecisionOutcome)).toBe(sentence);
  });

  it('a decision through the signed link is labelled as such, and a value not set says so', () => {
    expect(approverLabel({ id: 'link', name: 'anyone' })).toBe('signed link');
    expect(formatValue(null)).toBe('(not set)');
    expect(formatValue(false)).toBe('false');
  });

  it('mrkdwn escapes &, <, > and turns backticks into quotes', () => {
    expect(escapeMrkdwn('a&b<c>d`e')).toBe("a&amp;b&lt;c&gt;d'e");
  });
});

describe('long change lists', () => {
  /** `count` changes, each long enough (about 2,950 characters) to fill a section of its own. */
  const longSubject = (count: number) => ({
    ...subject,
    changes: Array.from({ length: count }, () => ({
      controlId: 'APIGateway.3' as const,
      setting: 'tracingEnabled',
      before: false,
      after: 'x'.repeat(2_900),
    })),
  });

  it('a message holds 44 change sections and says how many more parts are in the replies', () => {
    const message = approvalRequestMessage(longSubject(50), APPROVAL_ID, undefined);
    const sections = message.blocks.filter((block) => block['type'] === 'section');

    expect(sections).toHaveLength(1 + 44 + 1);
    expect(sections.at(-1)).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*6 more part(s) of the change list are in the replies to this message.* Read them all before deciding: a decision covers every change.',
      },
    });
  });

  it('the replies hold the rest, each saying which approval it continues', () => {
    const replies = changeListReplies(longSubject(50));

    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toBe(
      'Changes awaiting approval, continued: APIGateway.1, APIGateway.3 on orders-api/prod (account 111122223333, us-east-1)',
    );
    expect(replies[0]?.blocks).toHaveLength(6);
    expect(JSON.stringify(replies[0]?.blocks[0])).toContain('45/50 • APIGateway.3');
  });

  it('a change list with a deployment ends with the warning that the API’s current definition is published', () => {
    const withDeployment = {
      ...subject,
      changes: [
        ...subject.changes,
        { controlId: 'APIGateway.9' as const, setting: 'deployment', before: null, after: 'new' },
      ],
    };

    expect(approvalRequestMessage(withDeployment, APPROVAL_ID, undefined).blocks.at(-2)).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: DEPLOYMENT_WARNING },
    });
    expect(approvalRequestMessage(subject, APPROVAL_ID, undefined).blocks).not.toContainEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: DEPLOYMENT_WARNING },
    });
  });
});
