/**
 * `undo.mode: approve` (docs/decisions/0030): the undo's approval request is the remediation's
 * message, headed as an undo, its changes read now → restored to; a remediation's is unchanged.
 */
import { describe, expect, it } from 'vitest';
import {
  approvalRequestMessage,
  changeSections,
  decidedMessage,
  expiredMessage,
} from '../../../remediators/approvals/messages.js';
import { ApprovalRequestSchema, newApprovalRecord } from '../../../remediators/approvals/record.js';
import { approvalRequest, DURING } from './support/fixtures.js';

const APPROVAL_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const header = (blocks: unknown) => (blocks as { type: string; text?: { text: string } }[])[0];

describe('the undo approval request', () => {
  const undoSubject = newApprovalRecord(APPROVAL_ID, { ...approvalRequest(), kind: 'undo' }, DURING).subject;
  const fixSubject = newApprovalRecord(APPROVAL_ID, approvalRequest(), DURING).subject;

  it('the schema keeps kind undo and refuses any other kind', () => {
    expect(ApprovalRequestSchema.parse({ ...approvalRequest(), kind: 'undo' }).kind).toBe('undo');
    expect(ApprovalRequestSchema.safeParse({ ...approvalRequest(), kind: 'fix' }).success).toBe(false);
  });

  it('says undo in the header and the fallback text', () => {
    const message = approvalRequestMessage(undoSubject, APPROVAL_ID, undefined);
    expect(header(message.blocks)).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'API Gateway undo: approval needed' },
    });
    expect(message.text).toMatch(/^Undo approval needed: /);
  });

  it('lists the changes as now → restored to', () => {
    const [first] = changeSections(undoSubject);
    expect(first).toMatch(/^\*Changes \(now → restored to\): \d+\*\n1\//);
  });

  it("a remediation's request is as before", () => {
    const message = approvalRequestMessage(fixSubject, APPROVAL_ID, undefined);
    expect(header(message.blocks)?.text?.text).toBe('API Gateway remediation: approval needed');
    expect(message.text).toMatch(/^Approval needed: /);
    expect(changeSections(fixSubject)[0]).toMatch(/^\*Changes \(before → after\): \d+\*/);
  });

  it('the decided and expired messages say undo too; an expired undo is not applied', () => {
    const decided = decidedMessage(
      undoSubject,
      {
        decision: 'REJECTED',
        approver: { id: 'U1', name: 'dana' },
        decidedAt: '2026-12-02T10:05:00.000Z',
        channel: 'slack',
      },
      undefined,
    );
    expect(header(decided.blocks)?.text?.text).toBe('API Gateway undo: decided');
    const expired = expiredMessage(undoSubject, '2026-12-02T11:00:00.000Z');
    expect(header(expired.blocks)?.text?.text).toBe('API Gateway undo: expired');
    expect(expired.text).toMatch(
      /^Nobody decided in time: the approval expired at 2026-12-02T11:00:00.000Z, and the undo is not applied\. /,
    );
    expect(header(expiredMessage(fixSubject, '2026-12-02T11:00:00.000Z').blocks)?.text?.text).toBe(
      'API Gateway remediation: expired',
    );
  });
});
