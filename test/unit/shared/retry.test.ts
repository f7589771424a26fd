import { describe, expect, it } from 'vitest';
import { doublingDelay, retrying } from '../../../remediators/shared/retry.js';

class Passing extends Error {}

describe('retrying', () => {
  it('calls again after a retryable error, waiting the policy delay, until the call succeeds', async () => {
    const waits: number[] = [];
    const retried: number[] = [];
    let calls = 0;

    const result = await retrying(
      async (attempt) => {
        calls += 1;
        expect(attempt).toBe(calls);
        if (attempt < 3) throw new Passing(`attempt ${attempt}`);
        return 'done';
      },
      {
        maxAttempts: 5,
        delayMs: doublingDelay(100),
        retryable: (error) => error instanceof Passing,
        onRetry: (_error, attempt) => retried.push(attempt),
        sleep: async (ms) => void waits.push(ms),
      },
    );

    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(waits).toEqual([100, 200]);
    expect(retried).toEqual([1, 2]);
  });

  it('rethrows the last error once the attempts run out', async () => {
    let calls = 0;
    await expect(
      retrying(
        async (attempt) => {
          calls += 1;
          throw new Passing(`attempt ${attempt}`);
        },
        { maxAttempts: 3, delayMs: () => 0, retryable: () => true, sleep: async () => undefined },
      ),
    ).rejects.toThrow('attempt 3');
    expect(calls).toBe(3);
  });

  it('throws an error that is not retryable at once, without waiting', async () => {
    const waits: number[] = [];
    let calls = 0;
    await expect(
      retrying(
        async () => {
          calls += 1;
          throw new Error('AccessDenied');
        },
        {
          maxAttempts: 5,
          delayMs: () => 10,
          retryable: (error) => error instanceof Passing,
          sleep: async (ms) => void waits.push(ms),
        },
      ),
    ).rejects.toThrow('AccessDenied');
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('waits on a real timer by default', async () => {
    const started = performance.now();
    let calls = 0;
    await retrying(
      async () => {
        calls += 1;
        if (calls === 1) throw new Passing('once');
      },
      { maxAttempts: 2, delayMs: () => 30, retryable: () => true },
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('doublingDelay', () => {
  it('starts at the initial delay and doubles after each further failure', () => {
    const delay = doublingDelay(2_000);
    expect([1, 2, 3, 4].map(delay)).toEqual([2_000, 4_000, 8_000, 16_000]);
  });
});
