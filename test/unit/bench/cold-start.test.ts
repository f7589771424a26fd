import { describe, expect, it } from 'vitest';
import { childEnvironment, DEFAULT_RUNS, median, parseRuns, percentile } from '../../../bench/cold-start.js';
import { HOME_ACCOUNT_ENV } from '../../../remediators/core/credentials.js';

describe('percentile (nearest rank)', () => {
  it('gives known answers', () => {
    expect(percentile([5, 1, 4, 2, 3], 90)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });

  it('refuses an empty sample or a percentile out of range', () => {
    expect(() => percentile([], 90)).toThrow();
    expect(() => percentile([1], 0)).toThrow();
    expect(() => percentile([1], 101)).toThrow();
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });
});

describe('parseRuns', () => {
  it('reads --runs N and --runs=N, with a default', () => {
    expect(parseRuns([])).toBe(DEFAULT_RUNS);
    expect(parseRuns(['--json', '--runs', '12'])).toBe(12);
    expect(parseRuns(['--runs=3'])).toBe(3);
  });

  it('refuses anything but a positive integer', () => {
    expect(() => parseRuns(['--runs', '0'])).toThrow();
    expect(() => parseRuns(['--runs', 'x'])).toThrow();
    expect(() => parseRuns(['--runs'])).toThrow();
  });
});

describe('childEnvironment', () => {
  it('sets what the handlers and infra set, with source maps enabled as deployed, and no real credentials', () => {
    const env = childEnvironment('apply');
    expect(env).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      AWS_LAMBDA_FUNCTION_NAME: 'apply',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
    });
    for (const name of [
      HOME_ACCOUNT_ENV,
      'NOTIFY_TOPIC_ARN',
      'APPROVALS_TABLE_NAME',
      'SLACK_SECRET_ARN',
      'APPROVAL_BASE_URL',
      'SLACK_CHANNEL_ID',
      'SERVICE_ROLE_ARNS',
    ]) {
      expect(env[name], name).toBeTruthy();
    }
    expect(Object.keys(env)).not.toContain('AWS_ENDPOINT_URL');
  });

  it('leaves NODE_OPTIONS out when source maps are off', () => {
    expect(childEnvironment('apply', false)).not.toHaveProperty('NODE_OPTIONS');
  });
});
