/**
 * The Slack Undo button's pure parts: the remediated message and its button, the click's parse,
 * the execution name within StartExecution's rules, and the execution input the intake reads.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalDecision } from '../../../remediators/approvals/contract.js';
import {
  decidedMessage,
  remediatedMessage,
  UNDO_ACTION_ID,
  undoRequestedMessage,
} from '../../../remediators/approvals/messages.js';
import type { ApprovalSubject } from '../../../remediators/approvals/record.js';
import { parseInteraction } from '../../../remediators/approvals/slack-interactivity.js';
import { slackUndoEnvelope, undoExecutionName } from '../../../remediators/approvals/undo-request.js';
import { slackUndoOutcome } from '../../../remediators/intake/undo.js';
import { approvalRequest, blockActionsBody } from './support/fixtures.js';

const APPROVAL_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const RESPONSE_URL = 'https://hooks.slack.com/actions/T0001/1234/abcd';
const JANE = { userId: 'U024BE7LH', userName: 'jane.doe' };
// The request as approvers see it (the messages never read the task token).
const subject: ApprovalSubject = approvalRequest();
const decision: ApprovalDecision = {
  decision: 'APPROVED',
  approver: { id: 'U024BE7LH', name: 'jane.doe' },
  decidedAt: '2026-11-21T10:05:00.000Z',
  channel: 'slack',
};

type Button = Record<string, unknown> & { confirm?: Record<string, { text: string }> };
const buttons = (blocks: readonly Record<string, unknown>[]): Button[] =>
  blocks.filter((block) => block['type'] === 'actions').flatMap((block) => block['elements'] as Button[]);

describe('the remediated message', () => {
  it('says who approved and that it is done, with one Undo button naming the approval, behind a confirm dialog', () => {
    const message = remediatedMessage(subject, decision, APPROVAL_ID);
    expect(message.text).toContain('Remediated: the approved changes were applied to a1b2c3d4e5/prod.');
    expect(message.text).toContain('Approved by jane.doe (U024BE7LH)');
    const [undo, ...more] = buttons(message.blocks);
    expect(more).toEqual([]);
    expect(undo).toMatchObject({
      type: 'button',
      action_id: UNDO_ACTION_ID,
      value: APPROVAL_ID,
      style: 'danger',
    });
    // Block Kit confirmation dialog: plain_text title (≤ 100 chars), text, confirm and deny.
    expect(undo?.confirm).toMatchObject({
      title: { type: 'plain_text', text: 'Undo this remediation?' },
      text: { type: 'plain_text' },
      confirm: { type: 'plain_text', text: 'Undo' },
      deny: { type: 'plain_text', text: 'Cancel' },
    });
    expect(undo?.confirm?.['title']?.text.length).toBeLessThanOrEqual(100);
  });

  // The facts of the approval (account, Region, API, stage, controls, changes), as the decided message shows them.
  const subjectBlocks = decidedMessage(subject, decision, undefined).blocks.slice(1, -1);

  it('is, block for block, the header, the approval facts, who approved and what was done, and the Undo button', () => {
    const done = 'Remediated: the approved changes were applied to a1b2c3d4e5/prod.';
    const approved = 'Approved by jane.doe (U024BE7LH) at 2026-11-21T10:05:00.000Z.';
    expect(remediatedMessage(subject, decision, APPROVAL_ID)).toStrictEqual({
      text: `${done} ${approved}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'API Gateway remediation: remediated' } },
        ...subjectBlocks,
        { type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: ${approved}\n${done}` } },
        {
          type: 'actions',
          block_id: 'approval.undo',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Undo' },
              action_id: 'undo',
              value: APPROVAL_ID,
              style: 'danger',
              confirm: {
                title: { type: 'plain_text', text: 'Undo this remediation?' },
                text: {
                  type: 'plain_text',
                  text:
                    'Every setting listed above goes back to its value before the remediation, where the stage ' +
                    'still holds the remediated value. The controls are exempted so the service does not fix them again.',
                },
                confirm: { type: 'plain_text', text: 'Undo' },
                deny: { type: 'plain_text', text: 'Cancel' },
                style: 'danger',
              },
            },
          ],
        },
      ],
    });
  });

  it('once Undo is requested is, block for block, the facts, who approved and who asked for the undo, with no button', () => {
    const sentence =
      'Undo requested by dana (U0DANA) at 2026-11-21T11:00:00.000Z: the workflow restores the settings and reports the outcome.';
    const message = undoRequestedMessage(
      subject,
      decision,
      { id: 'U0DANA', name: 'dana' },
      '2026-11-21T11:00:00.000Z',
    );
    expect(message.text.startsWith(`${sentence} `)).toBe(true);
    expect(message.blocks).toStrictEqual([
      { type: 'header', text: { type: 'plain_text', text: 'API Gateway remediation: undo requested' } },
      ...subjectBlocks,
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: ':white_check_mark: Approved by jane.doe (U024BE7LH) at 2026-11-21T10:05:00.000Z.',
        },
      },
      { type: 'section', text: { type: 'mrkdwn', text: `:leftwards_arrow_with_hook: ${sentence}` } },
    ]);
  });

  it('once Undo is requested: no button, who asked and when', () => {
    const message = undoRequestedMessage(
      subject,
      decision,
      { id: 'U0DANA', name: 'dana' },
      '2026-11-21T11:00:00.000Z',
    );
    expect(buttons(message.blocks)).toEqual([]);
    expect(message.text).toContain('Undo requested by dana (U0DANA) at 2026-11-21T11:00:00.000Z');
  });
});

describe('parsing an Undo click', () => {
  const body = (value: string, actionId = UNDO_ACTION_ID) =>
    blockActionsBody({ approvalId: value, actionId, responseUrl: RESPONSE_URL, ...JANE });

  it('reads the approval id, the user and the message', () => {
    expect(parseInteraction(body(APPROVAL_ID))).toEqual({
      kind: 'undo',
      click: {
        approvalId: APPROVAL_ID,
        approver: { id: 'U024BE7LH', name: 'jane.doe' },
        responseUrl: RESPONSE_URL,
        message: { channel: 'C0123456789', ts: '1700000000.000001' },
      },
    });
  });

  it('ignores a malformed value and refuses a response_url that is not Slack', () => {
    for (const value of ['', 'rem-7f3c2a/../x', 'x'.repeat(300), '{"approvalId":1}']) {
      expect(parseInteraction(body(value)), value).toMatchObject({ kind: 'ignored' });
    }
    const foreign = blockActionsBody({
      approvalId: APPROVAL_ID,
      actionId: UNDO_ACTION_ID,
      responseUrl: 'https://attacker.example/x',
      ...JANE,
    });
    expect(parseInteraction(foreign).kind).toBe('refused');
  });
});

describe('the undo execution', () => {
  it('is named undo-{remediationId} when that fits StartExecution (≤ 80 chars of 0-9 A-Z a-z - _), else by digest', () => {
    expect(undoExecutionName('rem-7f3c2a')).toBe('undo-rem-7f3c2a');
    const arnLike = 'arn:aws:states:us-east-1:111122223333:execution:apigw-remediation:x/a1b2c3d4e5/prod';
    const long = 'r'.repeat(76);
    for (const id of [arnLike, long]) {
      const name = undoExecutionName(id);
      expect(name, id).toMatch(/^undo-[0-9a-f]{64}$/);
      expect(name.length).toBeLessThanOrEqual(80);
      expect(undoExecutionName(id)).toBe(name);
    }
    expect(undoExecutionName('r'.repeat(75))).toBe(`undo-${'r'.repeat(75)}`);
    expect(undoExecutionName(arnLike)).not.toBe(undoExecutionName(`${arnLike}2`));
  });

  it('gets the Slack undo request the intake reads: the remediation, its stage and controls, who asked', () => {
    const envelope = slackUndoEnvelope(
      subject,
      { id: 'U0DANA', name: 'dana' },
      new Date('2026-11-21T11:00:00Z'),
    );
    const outcome = slackUndoOutcome({ ...envelope, detail: { ...envelope.detail } });
    // An EventBridge event's envelope, as the intake checks every request's.
    expect(envelope).toStrictEqual({
      version: '0',
      id: 'undo-rem-7f3c2a',
      'detail-type': 'Undo Requested in Slack',
      source: 'apigw-remediation.undo',
      account: '111122223333',
      time: '2026-11-21T11:00:00.000Z',
      region: 'us-east-1',
      resources: [],
      detail: {
        remediationId: 'rem-7f3c2a',
        account: '111122223333',
        stageArn: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod',
        controls: ['APIGateway.1', 'APIGateway.3'],
        requestedBy: 'dana (U0DANA)',
      },
    });
    expect(outcome).toEqual({
      kind: 'request',
      request: expect.objectContaining({
        trigger: 'undo',
        undoSource: 'slack',
        remediationId: 'rem-7f3c2a',
        account: '111122223333',
        region: 'us-east-1',
        apiType: 'REST',
        apiId: 'a1b2c3d4e5',
        stageName: 'prod',
        controls: ['APIGateway.1', 'APIGateway.3'],
        requestedBy: 'dana (U0DANA)',
      }),
    });
  });
});
