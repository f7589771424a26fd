/**
 * The configuration gives log retention in days (validated against the values CloudWatch Logs
 * accepts); the CDK wants its RetentionDays enum, whose values are those same day counts.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

const ALLOWED = new Set<number>(
  Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'),
);

export function logRetention(days: number): RetentionDays {
  if (!ALLOWED.has(days) || days === RetentionDays.INFINITE) {
    throw new Error(
      `log retention ${JSON.stringify(days)} days is not one CloudWatch Logs accepts; expected one of ${[
        ...ALLOWED,
      ]
        .filter((value) => value !== RetentionDays.INFINITE)
        .sort((a, b) => a - b)
        .join(', ')}`,
    );
  }
  return days as RetentionDays;
}
