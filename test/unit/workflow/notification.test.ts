import { describe, expect, it } from 'vitest';
import { buildNotification, shouldNotify } from '../../../remediators/workflow/notification.js';
import { outcomeRecord } from './fixtures.js';

const auto = { controlId: 'APIGateway.1', mode: 'auto', source: 'default', dryRun: false } as const;
const notify = { controlId: 'APIGateway.8', mode: 'notify', source: 'default', dryRun: false } as const;

describe('shouldNotify', () => {
  it('stays quiet only for ALREADY_COMPLIANT without a control in notify mode', () => {
    expect(shouldNotify(outcomeRecord({ outcome: 'ALREADY_COMPLIANT' }), [auto])).toBe(false);
    expect(shouldNotify(outcomeRecord({ outcome: 'ALREADY_COMPLIANT' }), [auto, notify])).toBe(true);
    for (const outcome of [
      'REMEDIATED',
      'DRY_RUN',
      'SKIPPED',
      'REJECTED',
      'EXPIRED',
      'RESOURCE_GONE',
      'FAILED',
    ] as const) {
      expect(shouldNotify(outcomeRecord({ outcome }), [auto]), outcome).toBe(true);
    }
  });
});

describe('buildNotification', () => {
  it('is an AWS Chatbot custom notification naming the stage, the change, the approver and the execution', () => {
    const { subject, message } = buildNotification(outcomeRecord());
    const body = JSON.parse(message) as {
      version: string;
      source: string;
      content: { textType: string; title: string; description: string };
    };
    expect(subject).toBe('[apigw-remediation] REMEDIATED a1b2c3d4e5/prod');
    expect(body.version).toBe('1.0');
    expect(body.source).toBe('custom');
    expect(body.content.textType).toBe('client-markdown');
    expect(body.content.title).toBe(
      'REMEDIATED: API Gateway stage a1b2c3d4e5/prod (111122223333, us-east-1)',
    );
    expect(body.content.description).toContain(
      '• APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR',
    );
    expect(body.content.description).toContain('*Approver:* automatic');
    expect(body.content.description).toContain('*Execution:* arn:aws:states:');
  });

  it('says "Would change" when nothing was changed', () => {
    const { message } = buildNotification(outcomeRecord({ outcome: 'DRY_RUN' }));
    expect(message).toContain('*Would change:*');
  });

  it('keeps the SNS subject within 100 characters', () => {
    const { subject } = buildNotification(
      outcomeRecord({ stage: { ...outcomeRecord().stage, stageName: 's'.repeat(128) } }),
    );
    expect(subject.length).toBeLessThanOrEqual(100);
  });
});
