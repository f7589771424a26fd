import { describe, expect, it } from 'vitest';
import type { ApprovalDecision } from '../../../remediators/approvals/contract.js';
import {
  APPROVE_ACTION_ID,
  approvalRequestMessage,
  CHANGE_SECTIONS_PER_MESSAGE,
  changeListReplies,
  decidedMessage,
  DEPLOYMENT_WARNING,
  outcomeSentence,
  REJECT_ACTION_ID,
} from '../../../remediators/approvals/messages.js';
import { newApprovalRecord } from '../../../remediators/approvals/record.js';
import type { SlackMessage } from '../../../remediators/approvals/slack-api.js';
import { approvalRequest, DURING, TASK_TOKEN } from './support/fixtures.js';

const APPROVAL_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const record = newApprovalRecord(APPROVAL_ID, approvalRequest(), DURING);
const LINK = `https://abc.execute-api.us-east-1.amazonaws.com/prod/approvals/${APPROVAL_ID}?exp=1&sig=x`;

const approved: ApprovalDecision = {
  decision: 'APPROVED',
  approver: { id: 'U024BE7LH', name: 'jane.doe' },
  decidedAt: '2026-11-21T10:06:00.000Z',
  channel: 'slack',
};

/** The blocks as Slack receives them: JSON. */
const blocksOf = (message: SlackMessage): Block[] => JSON.parse(JSON.stringify(message.blocks)) as Block[];

interface Block {
  readonly type: string;
  readonly elements?: Record<string, unknown>[];
  readonly text?: { readonly text: string };
}

describe('the Slack approval request message', () => {
  const message = approvalRequestMessage(record.subject, APPROVAL_ID, LINK);
  const json = JSON.stringify(message);
  const blocks = blocksOf(message);

  it('names account, Region, API name and id, stage, controls, times and the exact change', () => {
    for (const fact of [
      '111122223333',
      'us-east-1',
      'orders-api',
      'a1b2c3d4e5',
      'prod',
      'APIGateway.1, APIGateway.3',
      '2026-11-21T10:00:00.000Z',
      '2026-11-22T10:00:00.000Z',
      '`methodSettings[*/*].loggingLevel`  `OFF` → `ERROR`',
      '`tracingEnabled`  `false` → `true`',
    ]) {
      expect(json).toContain(fact);
    }
    expect(message.text).toBe(
      'Approval needed: APIGateway.1, APIGateway.3 on orders-api/prod (account 111122223333, us-east-1)',
    );
  });

  it('has Approve and Reject buttons whose value is the short id only, and never the task token', () => {
    const actions = blocks.find((block) => block.type === 'actions') as {
      elements: Record<string, unknown>[];
    };
    expect(actions.elements.map((element) => [element['action_id'], element['value']])).toEqual([
      [APPROVE_ACTION_ID, APPROVAL_ID],
      [REJECT_ACTION_ID, APPROVAL_ID],
    ]);
    expect(json).not.toContain(TASK_TOKEN);
  });

  it('carries the signed link when given one, and none otherwise', () => {
    expect(json).toContain(`<${LINK}|Review and decide on a web page>`);
    const withoutLink = approvalRequestMessage(record.subject, APPROVAL_ID, undefined);
    expect(JSON.stringify(withoutLink)).not.toContain('/approvals/');
  });

  it('escapes Slack mrkdwn control characters from API names', () => {
    const hostile = newApprovalRecord(APPROVAL_ID, approvalRequest({ apiName: '<!channel> & `x`' }), DURING);
    const text = JSON.stringify(approvalRequestMessage(hostile.subject, APPROVAL_ID, undefined));
    expect(text).toContain("&lt;!channel&gt; &amp; 'x'");
    expect(text).not.toContain('<!channel>');
  });

  it("says plainly that a deployment publishes the API's current definition, and only when there is one", () => {
    const changes = [
      {
        controlId: 'Baseline.DefaultEndpoint' as const,
        setting: 'disableExecuteApiEndpoint',
        before: false,
        after: true,
      },
      {
        controlId: 'Baseline.DefaultEndpoint' as const,
        setting: 'deployment',
        before: 'dep123',
        after: "publishes the API's current definition",
      },
    ];
    const deploying = newApprovalRecord(APPROVAL_ID, approvalRequest({ changes }), DURING);
    const text = JSON.stringify(approvalRequestMessage(deploying.subject, APPROVAL_ID, undefined));
    expect(text).toContain("`deployment`  `dep123` → `publishes the API's current definition`");
    expect(text).toContain(DEPLOYMENT_WARNING);
    expect(JSON.stringify(decidedMessage(deploying.subject, approved, undefined))).toContain(
      DEPLOYMENT_WARNING,
    );
    expect(json).not.toContain('creates a deployment');
  });

  const sectionTexts = (message: SlackMessage) =>
    blocksOf(message).flatMap((block) =>
      block.type === 'section' && block.text !== undefined ? [block.text.text] : [],
    );
  const throttlingChanges = (count: number, valueLength = 0) =>
    Array.from({ length: count }, (_, index) => ({
      controlId: 'Baseline.StageThrottling' as const,
      setting: `methodSettings[~1orders~1${index}/GET].throttlingRateLimit`,
      before: valueLength === 0 ? null : 'v'.repeat(valueLength),
      after: 1000,
    }));

  it('shows every one of 45 changes, numbered, within 3,000 characters a section and 50 blocks, with no link', () => {
    const big = newApprovalRecord(APPROVAL_ID, approvalRequest({ changes: throttlingChanges(45) }), DURING);
    const message = approvalRequestMessage(big.subject, APPROVAL_ID, undefined);
    const texts = sectionTexts(message);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const all = texts.join('\n');
    for (let index = 0; index < 45; index += 1) {
      expect(all).toContain(
        `${index + 1}/45 • Baseline.StageThrottling: \`methodSettings[~1orders~1${index}/GET].throttlingRateLimit\``,
      );
    }
    expect(all).not.toMatch(/more: open the link/);
    expect(changeListReplies(big.subject)).toEqual([]);
  });

  it('puts what one message cannot hold into thread replies and says so, losing no change', () => {
    // ~2,000-character values: one change per section, more sections than a message may hold.
    const count = CHANGE_SECTIONS_PER_MESSAGE + 10;
    const big = newApprovalRecord(
      APPROVAL_ID,
      approvalRequest({ changes: throttlingChanges(count, 2_000) }),
      DURING,
    );
    const message = approvalRequestMessage(big.subject, APPROVAL_ID, undefined);
    const replies = changeListReplies(big.subject);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) expect(reply.blocks.length).toBeLessThanOrEqual(50);
    expect(sectionTexts(message).join('')).toContain('are in the replies to this message');
    const all = [message, ...replies].flatMap(sectionTexts).join('\n');
    for (let index = 0; index < count; index += 1) {
      expect(all).toContain(
        `${index + 1}/${count} • Baseline.StageThrottling: \`methodSettings[~1orders~1${index}/GET]`,
      );
    }
    for (const text of [message, ...replies].flatMap(sectionTexts))
      expect(text.length).toBeLessThanOrEqual(3000);
  });

  it('splits one change longer than a section over several sections instead of cutting it', () => {
    const [change] = throttlingChanges(1, 7_000);
    if (change === undefined) throw new Error('no change');
    const big = newApprovalRecord(APPROVAL_ID, approvalRequest({ changes: [change] }), DURING);
    const texts = sectionTexts(approvalRequestMessage(big.subject, APPROVAL_ID, undefined));
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    expect(texts.join('').match(/v/g)?.length ?? 0).toBeGreaterThanOrEqual(7_000);
  });
});

describe('the decided message', () => {
  it('drops the buttons and says who decided and when', () => {
    const message = decidedMessage(record.subject, { ...approved, comment: 'ok for prod' }, undefined);
    const blocks = blocksOf(message);
    expect(blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(JSON.stringify(message)).toContain(
      'Approved by jane.doe (U024BE7LH) at 2026-11-21T10:06:00.000Z. Comment: “ok for prod”',
    );
  });

  it('names the signed link when no Slack user is known', () => {
    const message = decidedMessage(
      record.subject,
      { ...approved, decision: 'REJECTED', approver: { id: 'link', name: 'link' }, channel: 'link' },
      { status: 'DELIVERED', attempts: 1, at: '2026-11-21T10:06:01.000Z' },
    );
    expect(message.text).toContain('Rejected by signed link at 2026-11-21T10:06:00.000Z.');
    expect(JSON.stringify(message)).toContain('The workflow has received this decision.');
  });

  it('says how the delivery stands: final but unconfirmed, or the execution ended without it', () => {
    const pending = decidedMessage(record.subject, approved, {
      status: 'PENDING',
      attempts: 2,
      lastError: 'socket hang up',
      at: '2026-11-21T10:06:01.000Z',
    });
    expect(JSON.stringify(pending)).toContain(
      'This decision is final. Step Functions has not confirmed it yet',
    );
    // It promises no more than the re-drive does: an execution may end before it takes the decision.
    expect(JSON.stringify(pending)).toContain('or until the execution is known to have ended without it');
    expect(JSON.stringify(pending)).not.toContain('until it does,');
    const finished = decidedMessage(record.subject, approved, {
      status: 'EXECUTION_FINISHED',
      attempts: 1,
      executionStatus: 'ABORTED',
      error: 'TaskTimedOut',
      at: '2026-11-21T10:06:01.000Z',
    });
    expect(JSON.stringify(finished)).toContain(
      'The workflow execution ended (ABORTED) without receiving this decision, so it did not act on it.',
    );
  });
});

describe('outcome sentences', () => {
  it('answer a second click with who decided first and when', () => {
    expect(
      outcomeSentence({ kind: 'already-decided', decision: approved, record, delivery: undefined }),
    ).toBe('Already approved by jane.doe (U024BE7LH) at 2026-11-21T10:06:00.000Z. Nothing was changed.');
  });

  it('explain expiry, refusal, a foreign message and a claim that got no answer', () => {
    expect(outcomeSentence({ kind: 'expired', expiresAt: '2026-11-22T10:00:00.000Z' })).toContain(
      'expired at 2026-11-22T10:00:00.000Z',
    );
    expect(outcomeSentence({ kind: 'not-allowed' })).toContain('not on the list of approvers');
    expect(outcomeSentence({ kind: 'wrong-message' })).toContain('does not belong to the approval request');
    expect(outcomeSentence({ kind: 'unconfirmed' })).toContain('may or may not have been recorded');
    expect(
      outcomeSentence({
        kind: 'decided',
        decision: approved,
        record,
        delivery: { status: 'DELIVERED', attempts: 1, at: '2026-11-21T10:06:01.000Z' },
      }),
    ).toBe(
      'Approved by jane.doe (U024BE7LH) at 2026-11-21T10:06:00.000Z. The workflow has received this decision.',
    );
  });
});
