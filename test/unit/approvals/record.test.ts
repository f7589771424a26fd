/** What the approvals table holds for a new approval (remediators/approvals/record.ts). */
import { describe, expect, it } from 'vitest';
import { approverGate } from '../../../remediators/approvals/approvers.js';
import {
  RECORD_RETENTION_AFTER_EXPIRY_SECONDS,
  newApprovalRecord,
  requestKey,
} from '../../../remediators/approvals/record.js';
import { APPROVAL_ID_PATTERN } from '../../../remediators/approvals/signed-link.js';
import { approvalRequest } from './support/fixtures.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');

describe('a new approval record', () => {
  it('is PENDING, keeps the task token apart from the subject, and expires in epoch seconds, rounded down', () => {
    const request = approvalRequest({ expiresAt: '2026-11-22T10:00:00.999Z' });
    const { taskToken, ...subject } = request;

    expect(newApprovalRecord('AbCdEfGhIjKlMnOpQrStUv', request, NOW)).toStrictEqual({
      approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
      status: 'PENDING',
      taskToken,
      subject,
      expiresAt: '2026-11-22T10:00:00.999Z',
      expiresAtEpoch: 1_795_341_600,
      ttl: 1_795_341_600 + RECORD_RETENTION_AFTER_EXPIRY_SECONDS,
      createdAt: '2026-11-21T10:00:00.000Z',
    });
  });

  it('is kept a week after it expires', () => {
    expect(RECORD_RETENTION_AFTER_EXPIRY_SECONDS).toBe(604_800);
  });
});

describe('the request guard key', () => {
  it('is one per remediation and execution, and never an approval id', () => {
    const key = requestKey(approvalRequest());

    expect(key).toMatch(/^request#[A-Za-z0-9_-]{43}$/);
    expect(APPROVAL_ID_PATTERN.test(key)).toBe(false);
    expect(requestKey(approvalRequest())).toBe(key);
    expect(requestKey(approvalRequest({ remediationId: 'rem-other' }))).not.toBe(key);
    expect(requestKey(approvalRequest({ executionArn: `${approvalRequest().executionArn}-2` }))).not.toBe(
      key,
    );
  });

  it('cannot be made equal by moving characters between the execution and the remediation id', () => {
    const base = approvalRequest();
    expect(requestKey({ executionArn: `${base.executionArn}a`, remediationId: 'b' })).not.toBe(
      requestKey({ executionArn: base.executionArn, remediationId: 'ab' }),
    );
  });
});

describe('a signed link and an allow-list', () => {
  it('a signed link never passes an allow-list with a user group, and the group is not even asked for', async () => {
    let asked = 0;
    const gate = approverGate({ userIds: [], userGroupId: 'S0123456789' }, () => {
      asked += 1;
      return Promise.resolve(['link']);
    });

    expect(await gate({ id: 'link', name: 'signed link' })).toBe(false);
    expect(asked).toBe(0);
  });
});
