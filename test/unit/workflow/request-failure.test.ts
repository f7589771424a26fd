import { describe, expect, it } from 'vitest';
import {
  buildIntakeRejectedNotification,
  buildNotification,
  buildRequestFailureNotification,
} from '../../../remediators/workflow/notification.js';
import { toRequestFailureRecord } from '../../../remediators/workflow/request-failure.js';
import { EXECUTION_ARN, outcomeRecord, workItem } from './fixtures.js';

const NOW = new Date('2026-11-21T10:00:00Z');
const REQUEST = { ...workItem().request, stageName: null, findingId: undefined, trigger: 'cloudtrail' };

function content(message: string): { title: string; description: string } {
  return (JSON.parse(message) as { content: { title: string; description: string } }).content;
}

describe('request failures', () => {
  it('say why the request stopped, quoting the error, as a FAILED record of nobody', () => {
    const record = toRequestFailureRecord(
      'EXPAND_FAILED',
      REQUEST,
      { Error: 'AccessDenied', Cause: JSON.stringify({ errorMessage: 'cannot assume the member role' }) },
      EXECUTION_ARN,
      '1.2.3',
      NOW,
    );
    expect(record).toMatchObject({
      kind: 'EXPAND_FAILED',
      outcome: 'FAILED',
      remediationId: `${EXECUTION_ARN}/a1b2c3d4e5/*`,
      reason:
        'the stages of API a1b2c3d4e5 could not be listed, so none was checked: AccessDenied: cannot assume the member role',
      changes: [],
      recordedAt: NOW.toISOString(),
    });
    const ownership = toRequestFailureRecord(
      'OWNERSHIP_NOT_TAKEN',
      { ...REQUEST, findingId: 'finding-1' },
      { Error: 'SecurityHubWriteError', Cause: 'left 1 finding(s) unprocessed' },
      EXECUTION_ARN,
      '1',
      NOW,
    );
    expect(ownership.reason).toBe(
      'Security Hub refused to take ownership of finding finding-1 (Workflow NOTIFIED), so nothing was checked or changed: SecurityHubWriteError: left 1 finding(s) unprocessed',
    );
  });

  it('are notified with the controls left unchecked and where (or why not) Security Hub holds them', () => {
    const record = toRequestFailureRecord(
      'EXPAND_FAILED',
      REQUEST,
      { Error: 'Boom' },
      EXECUTION_ARN,
      '1',
      NOW,
    );
    const recorded = buildRequestFailureNotification(record, { recorded: true, where: 'own-finding-id' });
    expect(recorded.subject).toBe('[apigw-remediation] FAILED EXPAND_FAILED a1b2c3d4e5');
    expect(content(recorded.message).title).toBe(
      'FAILED (EXPAND_FAILED): API a1b2c3d4e5 (111122223333, us-east-1)',
    );
    expect(content(recorded.message).description).toContain('*Controls not checked:* APIGateway.1');
    expect(content(recorded.message).description).toContain('*Security Hub:* recorded on own-finding-id');
    const refused = buildRequestFailureNotification(record, { recorded: false, why: 'AccessDenied' });
    expect(content(refused.message).description).toContain('*Security Hub:* NOT recorded: AccessDenied');
    expect(content(refused.message).description).toContain(`*Execution:* ${EXECUTION_ARN}`);
  });

  it('intake rejections are listed one per line', () => {
    const { subject, message } = buildIntakeRejectedNotification(
      [
        { error: 'not an EventBridge event: source missing' },
        { error: 'finding x: Resources is not a list' },
      ],
      EXECUTION_ARN,
    );
    expect(subject).toBe('[apigw-remediation] intake rejected 2 event item(s)');
    expect(content(message).title).toBe('REJECTED by intake: 2 event item(s)');
    expect(content(message).description.split('\n').slice(1, 3)).toEqual([
      '• not an EventBridge event: source missing',
      '• finding x: Resources is not a list',
    ]);
  });

  it('a stage outcome Security Hub refused says so in its notification', () => {
    expect(content(buildNotification(outcomeRecord()).message).description).not.toContain('Security Hub');
    expect(
      content(buildNotification(outcomeRecord(), 'InternalException: down').message).description,
    ).toContain('*Security Hub:* NOT recorded: InternalException: down');
  });
});
