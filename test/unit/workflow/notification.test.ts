import { describe, expect, it } from 'vitest';
import {
  MAX_MESSAGE_BYTES,
  buildIntakeRejectedNotification,
  buildNotification,
  buildRequestFailureNotification,
  shouldNotify,
  snsSubject,
} from '../../../remediators/workflow/notification.js';
import { toRequestFailureRecord } from '../../../remediators/workflow/request-failure.js';
import { EXECUTION_ARN, outcomeRecord } from './fixtures.js';

const auto = { controlId: 'APIGateway.1', mode: 'auto', source: 'default', dryRun: false } as const;
const notify = { controlId: 'APIGateway.8', mode: 'notify', source: 'default', dryRun: false } as const;

describe('shouldNotify', () => {
  it('never announces JOINED: the joined run notifies the stage outcome itself', () => {
    expect(shouldNotify(outcomeRecord({ outcome: 'JOINED' }), [auto, notify])).toBe(false);
  });

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

  it('keeps the SNS subject LESS than 100 characters for the longest stage name (128)', () => {
    const { subject } = buildNotification(
      outcomeRecord({ stage: { ...outcomeRecord().stage, stageName: 's'.repeat(128) } }),
    );
    expect(subject.length).toBe(99);
    expect(subject).toMatch(/^\[apigw-remediation\] REMEDIATED a1b2c3d4e5\/s+…$/);
  });
});

/** A string is valid UTF-8 text only when it has no lone surrogate (which a careless clip leaves). */
function wellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

describe('SNS Publish limits (subject < 100 characters, one line; message ≤ 262,144 UTF-8 bytes)', () => {
  it('a subject loses line breaks and control characters and stays under 100 characters', () => {
    const subject = snsSubject(`FAILED x\r\ny\tz\u0007\u2028w ${'é'.repeat(200)}`);
    expect(subject).toMatch(/^FAILED x y z w é+…$/);
    expect(subject.length).toBeLessThan(100);
    expect(/[\p{Cc}\u2028\u2029]/u.test(subject)).toBe(false);
  });

  it('a subject clipped inside a 4-byte character keeps the whole character or drops it', () => {
    // 97 letters, then emoji: the 98th code unit, the last one kept before "…", is a first surrogate half.
    const subject = snsSubject(`${'a'.repeat(97)}😀😀😀`);
    expect(subject.length).toBeLessThan(100);
    expect(wellFormed(subject)).toBe(true);
    expect(subject).toBe(`${'a'.repeat(97)}…`);
  });

  it('a reason of 4-byte characters is clipped whole and the message stays within the byte limit', () => {
    const reason = `odd one out ${'😀'.repeat(9000)}`;
    const { message, subject } = buildNotification(outcomeRecord({ reason }));
    const body = JSON.parse(message) as { content: { description: string } };
    expect(wellFormed(body.content.description)).toBe(true);
    expect(body.content.description.length).toBeLessThanOrEqual(8000);
    expect(body.content.description.endsWith('…')).toBe(true);
    expect(utf8Bytes(message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(subject.length).toBeLessThan(100);
  });

  it('the worst case (control characters JSON-escape to 6 bytes each, in every text field) fits 256 KB', () => {
    const nasty = '\u0001'.repeat(20_000);
    const rejected = Array.from({ length: 500 }, (_, index) => ({ error: `item ${index}: ${nasty}` }));
    const intake = buildIntakeRejectedNotification(rejected, EXECUTION_ARN);
    expect(utf8Bytes(intake.message)).toBeGreaterThan(40_000);
    expect(utf8Bytes(intake.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);

    const failure = buildRequestFailureNotification(
      toRequestFailureRecord(
        'EXPAND_FAILED',
        {
          trigger: 'cloudtrail',
          account: '111122223333',
          region: 'us-east-1',
          partition: 'aws',
          apiType: 'REST',
          apiId: 'a1b2c3d4e5',
          stageName: 'x'.repeat(128),
          controls: ['APIGateway.1'],
          eventId: 'e',
          eventTime: '2026-03-14T09:28:04Z',
        },
        { Error: 'TooManyRequestsException', Cause: `${nasty}${'ü'.repeat(10_000)}` },
        EXECUTION_ARN,
        '0.1.0',
        new Date('2026-03-14T09:30:00Z'),
      ),
      { recorded: false, why: 'no finding' },
    );
    expect(utf8Bytes(failure.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(failure.subject.length).toBeLessThan(100);
  });
});
