import { describe, expect, it } from 'vitest';
import { GATHER_SECONDS, gathers, waitsToGather } from '../../../remediators/workflow/gather.js';
import { batchCutAtSize, PIPE_BATCH_SIZE } from '../../../remediators/intake/pipe-batch.js';

const STARTED = '2026-12-03T10:00:00.000Z';
const T0 = Date.parse(STARTED);
const finding = { trigger: 'securityhub' };

describe('gathering (docs/decisions/0039)', () => {
  it('counts a batch as cut at its size only when it holds the batch size', () => {
    expect(batchCutAtSize(PIPE_BATCH_SIZE)).toBe(true);
    expect(batchCutAtSize(PIPE_BATCH_SIZE - 1)).toBe(false);
    expect(batchCutAtSize(1)).toBe(false);
  });

  it("gathers the first round of a burst's finding or drift, never an undo, a fix or a later round", () => {
    expect(gathers({ gather: true, request: finding })).toBe(true);
    expect(gathers({ gather: true, request: { trigger: 'cloudtrail' } })).toBe(true);
    expect(gathers({ gather: false, request: finding })).toBe(false);
    expect(gathers({ request: finding })).toBe(false);
    expect(gathers({ gather: true, request: { trigger: 'undo' } })).toBe(false);
    expect(gathers({ gather: true, request: { trigger: 'fix' } })).toBe(false);
    expect(gathers({ gather: true, request: finding, nextRound: { Error: 'PendingRequests' } })).toBe(false);
  });

  it('waits only after taking a free lock, while the window from the execution start is open', () => {
    const run = { gather: true, startedAt: STARTED, request: finding };
    expect(waitsToGather(run, true, T0 + 2_000)).toBe(true);
    expect(waitsToGather(run, true, T0 + GATHER_SECONDS * 1000)).toBe(false);
    // Its attempt after the wait finds the lock its own: it plans.
    expect(waitsToGather(run, false, T0 + 2_000)).toBe(false);
    expect(waitsToGather({ ...run, startedAt: undefined }, true, T0)).toBe(false);
    expect(waitsToGather({ ...run, startedAt: 'not a time' }, true, T0)).toBe(false);
  });
});
