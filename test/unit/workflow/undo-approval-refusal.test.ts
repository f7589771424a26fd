/**
 * `undo.mode: approve`: which approval outcomes let the undo restore (approved, or a late approval
 * that won the timeout) and what a refusal records (who rejected, or that it expired). Pure.
 */
import { describe, expect, it } from 'vitest';
import { approvalRefusal } from '../../../remediators/handlers/undo.js';

const approver = { id: 'U024BE7LH', name: 'Dana Approver' };
const decision = (verdict: 'APPROVED' | 'REJECTED', comment?: string) => ({
  decision: verdict,
  approver,
  decidedAt: '2026-12-02T10:05:00.000Z',
  channel: 'slack' as const,
  ...(comment === undefined ? {} : { comment }),
});

describe('approvalRefusal', () => {
  it('approved (delivered, or settled over the timeout): no refusal', () => {
    expect(approvalRefusal({ approval: decision('APPROVED') })).toBeUndefined();
    expect(
      approvalRefusal({
        approvalError: { Error: 'States.Timeout', Cause: 'timed out' },
        approvalSettlement: { outcome: 'APPROVED', decision: decision('APPROVED') },
      }),
    ).toBeUndefined();
  });

  it('rejected: names who, when and the comment (from the Cause, or from the settlement)', () => {
    const expected =
      "the undo's approval was rejected by Dana Approver (U024BE7LH) at 2026-12-02T10:05:00.000Z: not now";
    expect(
      approvalRefusal({
        approvalError: { Error: 'ApprovalRejected', Cause: JSON.stringify(decision('REJECTED', 'not now')) },
      }),
    ).toBe(expected);
    expect(
      approvalRefusal({
        approvalSettlement: { outcome: 'REJECTED', decision: decision('REJECTED', 'not now') },
      }),
    ).toBe(expected);
    expect(approvalRefusal({ approvalError: { Error: 'ApprovalRejected', Cause: 'not json' } })).toBe(
      "the undo's approval was rejected by an unknown approver",
    );
  });

  it('expired: never applied', () => {
    expect(
      approvalRefusal({
        approvalError: { Error: 'States.Timeout', Cause: 'timed out' },
        approvalSettlement: { outcome: 'EXPIRED' },
      }),
    ).toBe("the undo's approval expired: nobody decided within approval.timeoutSeconds, nothing restored");
  });

  it('no approval asked: refused with the plan’s reason', () => {
    expect(approvalRefusal({ undoPlan: { ask: false, reason: 'nothing to restore' } })).toBe(
      'undo.mode is approve and no approval was asked: nothing to restore',
    );
    expect(approvalRefusal({})).toBe(
      'undo.mode is approve and no approval was asked: the undo was not planned',
    );
  });
});
