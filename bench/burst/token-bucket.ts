/**
 * A token bucket as AWS describes its API throttling: `burst` tokens at most, refilled at
 * `ratePerSecond`; a call takes one token or is throttled. Starts full (a quiet account).
 */
export interface BucketLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt = 0;

  constructor(readonly limit: BucketLimit) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) {
      throw new Error(`invalid token bucket ${JSON.stringify(limit)}`);
    }
    this.tokens = limit.burst;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.updatedAt) {
      this.tokens = Math.min(
        this.limit.burst,
        this.tokens + ((nowMs - this.updatedAt) * this.limit.ratePerSecond) / 1000,
      );
      this.updatedAt = nowMs;
    }
  }

  /** Whether a call at `nowMs` would get a token (takes none). */
  available(nowMs: number): boolean {
    this.refill(nowMs);
    // A hair of tolerance: refills are sums of floating-point fractions.
    return this.tokens >= 1 - 1e-9;
  }

  /** Takes a token at `nowMs`; false (and nothing taken) when the call is throttled. */
  tryTake(nowMs: number): boolean {
    if (!this.available(nowMs)) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * For a caller that queues instead of failing (first come, first served): takes a token now,
   * into debt when the bucket is empty, and returns when that token is really there. A bucket is
   * used either this way or with tryTake, never both.
   */
  reserve(nowMs: number): number {
    this.refill(nowMs);
    this.tokens -= 1;
    if (this.tokens >= -1e-9) return nowMs;
    return nowMs + Math.ceil((-this.tokens * 1000) / this.limit.ratePerSecond);
  }
}
