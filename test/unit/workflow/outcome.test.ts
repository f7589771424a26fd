import { describe, expect, it } from 'vitest';
import { causeMessage, describeChange, toOutcomeRecord } from '../../../remediators/workflow/outcome.js';
import { EXECUTION_ARN, workItem } from './fixtures.js';

const NOW = new Date('2026-11-21T10:00:00Z');
const APPROVER = { id: 'U024BE7LH', name: 'Dana' };

describe('toOutcomeRecord', () => {
  it('reports an automatic fix with its changes and the verified compliance', () => {
    const record = toOutcomeRecord(
      workItem({
        applied: {
          redeploy: false,
          applied: [
            {
              controlId: 'APIGateway.1',
              setting: 'methodSettings[*/*].loggingLevel',
              before: 'OFF',
              after: 'ERROR',
            },
          ],
        },
        verification: {
          status: 'VERIFIED',
          evaluations: [{ controlId: 'APIGateway.1', status: 'COMPLIANT', reason: 'loggingLevel is ERROR' }],
        },
      }),
      'REMEDIATED',
      '1.2.3',
      NOW,
    );
    expect(record).toMatchObject({
      outcome: 'REMEDIATED',
      remediationId: 'rem-1',
      executionArn: EXECUTION_ARN,
      approver: 'automatic',
      serviceVersion: '1.2.3',
      recordedAt: '2026-11-21T10:00:00.000Z',
      findingId: 'finding-1',
      evaluations: [{ controlId: 'APIGateway.1', compliance: 'PASSED', reason: 'loggingLevel is ERROR' }],
    });
    expect(record.changes.map(describeChange)).toEqual([
      'APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR',
    ]);
  });

  it('names the approver of an approved fix', () => {
    const record = toOutcomeRecord(
      workItem({
        approval: {
          decision: 'APPROVED',
          approver: APPROVER,
          decidedAt: NOW.toISOString(),
          channel: 'slack',
        },
      }),
      'REMEDIATED',
      '1',
      NOW,
    );
    expect(record.approver).toBe('Dana (U024BE7LH)');
  });

  it('reads the rejecting approver and comment from the ApprovalRejected cause (Lambda-style JSON)', () => {
    const decision = {
      decision: 'REJECTED',
      approver: APPROVER,
      decidedAt: NOW.toISOString(),
      comment: 'freeze',
      channel: 'link',
    };
    const cause = JSON.stringify({ errorType: 'ApprovalRejected', errorMessage: JSON.stringify(decision) });
    const record = toOutcomeRecord(
      workItem({ approvalError: { Error: 'ApprovalRejected', Cause: cause } }),
      'REJECTED',
      '1',
      NOW,
    );
    expect(record.approver).toBe('Dana (U024BE7LH)');
    expect(record.reason).toBe('rejected: freeze');
    expect(record.changes).toHaveLength(1);
  });

  it('explains an expiry with the configured timeout', () => {
    const record = toOutcomeRecord(
      workItem({ approvalError: { Error: 'States.Timeout', Cause: 'timed out' } }),
      'EXPIRED',
      '1',
      NOW,
    );
    expect(record.reason).toBe('nobody decided within 3600 s (approval.onTimeout skip): nothing changed');
    expect(record.approver).toBe('nobody (approval timed out)');
  });

  it('quotes the error of a failure', () => {
    const record = toOutcomeRecord(
      workItem({ error: { Error: 'BadRequestException', Cause: '{"errorMessage":"Invalid patch path"}' } }),
      'FAILED',
      '1',
      NOW,
    );
    expect(record.reason).toBe('BadRequestException: Invalid patch path');
  });

  it('names the run a JOINED run joined, and claims no approver or change of its own', () => {
    const lock = { key: 'stage#x', owner: 'exec-b/rem-b', expiresAt: 1 };
    const joined = { remediationId: 'rem-a', executionArn: 'arn:aws:states:us-east-1:1:execution:m:a' };
    const record = toOutcomeRecord(workItem({ lock: { ...lock, joined } }), 'JOINED', '1', NOW);
    expect(record.reason).toBe(
      'joined remediation rem-a (execution arn:aws:states:us-east-1:1:execution:m:a), which records its outcome here too',
    );
    expect(record.approver).toBe('nobody (joined)');
    expect(record.changes).toEqual([]);
  });

  it('lists every requested control as NOT_AVAILABLE when the stage was never read', () => {
    const record = toOutcomeRecord(
      workItem({ plan: undefined, error: { Error: 'StageLocked', Cause: 'held' } }),
      'FAILED',
      '1',
      NOW,
    );
    expect(record.evaluations).toEqual([
      {
        controlId: 'APIGateway.1',
        compliance: 'NOT_AVAILABLE',
        reason: 'not checked: the workflow ended before reading the stage',
      },
    ]);
  });
});

describe('causeMessage', () => {
  it('unwraps a Lambda error cause and keeps a plain one', () => {
    expect(causeMessage('{"errorType":"X","errorMessage":"boom"}')).toBe('boom');
    expect(causeMessage('plain words')).toBe('plain words');
    expect(causeMessage(undefined)).toBe('no cause given');
  });
});
