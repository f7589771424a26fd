import { describe, expect, it } from 'vitest';
import type { ApprovalDecision } from '../../../remediators/approvals/contract.js';
import {
  APPROVE_ACTION_ID,
  approvalRequestMessage,
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
    expect(JSON.stringify(decidedMessage(deploying.subject, approved))).toContain(DEPLOYMENT_WARNING);
    expect(json).not.toContain('creates a deployment');
  });

  it("keeps the change list within Slack's 3,000-character section limit", () => {
    const changes = Array.from({ length: 120 }, (_, index) => ({
      controlId: 'Baseline.StageThrottling' as const,
      setting: `methodSettings[~1orders~1${index}/GET].throttlingRateLimit`,
      before: null,
      after: 1000,
    }));
    const big = newApprovalRecord(APPROVAL_ID, approvalRequest({ changes }), DURING);
    const texts = blocksOf(approvalRequestMessage(big.subject, APPROVAL_ID, undefined)).flatMap((block) =>
      block.type === 'section' && block.text !== undefined ? [block.text.text] : [],
    );
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(3000);
    expect(texts.join('')).toMatch(/…and \d+ more/);
  });
});

describe('the decided message', () => {
  it('drops the buttons and says who decided and when', () => {
    const message = decidedMessage(record.subject, { ...approved, comment: 'ok for prod' });
    const blocks = blocksOf(message);
    expect(blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(JSON.stringify(message)).toContain(
      'Approved by jane.doe (U024BE7LH) at 2026-11-21T10:06:00.000Z. Comment: “ok for prod”',
    );
  });

  it('names the signed link when no Slack user is known', () => {
    const message = decidedMessage(record.subject, {
      ...approved,
      decision: 'REJECTED',
      approver: { id: 'link', name: 'link' },
      channel: 'link',
    });
    expect(message.text).toContain('Rejected by signed link at 2026-11-21T10:06:00.000Z.');
  });
});

describe('outcome sentences', () => {
  it('answer a second click with who decided first and when', () => {
    expect(outcomeSentence({ kind: 'already-decided', decision: approved, record })).toBe(
      'Already approved by jane.doe (U024BE7LH) at 2026-11-21T10:06:00.000Z. Nothing was changed.',
    );
  });

  it('explain expiry, refusal and a workflow that stopped waiting', () => {
    expect(outcomeSentence({ kind: 'expired', expiresAt: '2026-11-22T10:00:00.000Z' })).toContain(
      'expired at 2026-11-22T10:00:00.000Z',
    );
    expect(outcomeSentence({ kind: 'not-allowed' })).toContain('not on the list of approvers');
    expect(
      outcomeSentence({ kind: 'workflow-gone', decision: approved, record, error: 'TaskTimedOut' }),
    ).toContain('no longer waits for it (TaskTimedOut)');
  });
});
