/**
 * The warm-Lambda caches (remediators/core/cache.ts): an entry lives exactly its TTL, and one that
 * has expired is dropped, so a clock that steps back (Date.now is wall-clock time) cannot revive it.
 */
import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../../remediators/core/cache.js';

function clock(start: number) {
  let now = start;
  return { now: () => now, set: (value: number) => (now = value) };
}

describe('TtlCache', () => {
  it('returns an entry until the last millisecond before its TTL ends', () => {
    const time = clock(1_000);
    const cache = new TtlCache<string>(500, time.now);
    cache.set('key', 'value');
    time.set(1_499);
    expect(cache.get('key')).toBe('value');
  });

  it('treats an entry as expired at the very millisecond its TTL ends', () => {
    const time = clock(1_000);
    const cache = new TtlCache<string>(500, time.now);
    cache.set('key', 'value');
    time.set(1_500);
    expect(cache.get('key')).toBeUndefined();
  });

  it('drops an expired entry: it stays gone when the clock steps back', () => {
    const time = clock(1_000);
    const cache = new TtlCache<string>(500, time.now);
    cache.set('key', 'value');
    time.set(2_000);
    expect(cache.get('key')).toBeUndefined();
    time.set(1_200);
    expect(cache.get('key')).toBeUndefined();
  });

  it('loads again once an entry has expired, and caches the new value', async () => {
    const time = clock(0);
    const cache = new TtlCache<string>(100, time.now);
    const loads: string[] = [];
    const load = (value: string) => () => {
      loads.push(value);
      return Promise.resolve(value);
    };
    expect(await cache.getOrLoad('key', load('first'))).toBe('first');
    time.set(99);
    expect(await cache.getOrLoad('key', load('unused'))).toBe('first');
    time.set(100);
    expect(await cache.getOrLoad('key', load('second'))).toBe('second');
    expect(loads).toStrictEqual(['first', 'second']);
  });
});
