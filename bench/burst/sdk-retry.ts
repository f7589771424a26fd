/**
 * The AWS SDK for JavaScript v3's standard retry mode, as the simulation applies it to one call
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html; the code is
 * @smithy/core's StandardRetryStrategy, whose numbers sdk-config.ts reads from the SDK itself):
 * - at most `maxAttempts` attempts in all (the first included);
 * - a retryable error (throttling included) is retried after a backoff with full jitter;
 * - each client keeps a retry quota ("token bucket" in the SDK guide): a retry costs
 *   `throttlingCost` tokens when the error is throttling, and is refused when fewer are left; a
 *   success gives back the cost of its last retry, or `noRetryIncrement` when it needed none.
 */
import type { Random } from './random.js';

export interface SdkRetryPolicy {
  /** Where the numbers come from, for the printed report. */
  readonly source: string;
  readonly maxAttempts: number;
  /** The wait before the next attempt after `retriesSoFar` retries (0 for the first retry). */
  readonly backoffMs: (retriesSoFar: number, random: Random) => number;
  readonly initialCapacity: number;
  readonly throttlingCost: number;
  readonly noRetryIncrement: number;
  /**
   * How long one client (and so one retry quota) lives: `invocation` when the task builds its
   * clients per call (the core's, remediators/workflow/deps/core-clients.ts), `container` when the
   * module keeps one for the warm Lambda (Security Hub, DynamoDB, SNS, SSM).
   */
  readonly clientLifetime: 'invocation' | 'container';
}

/** One client's retry quota. */
export class RetryQuota {
  private capacity: number;

  constructor(private readonly policy: SdkRetryPolicy) {
    this.capacity = policy.initialCapacity;
  }

  /** Takes the cost of a throttling retry; false when the quota refuses it. */
  takeRetry(): boolean {
    if (this.capacity < this.policy.throttlingCost) return false;
    this.capacity -= this.policy.throttlingCost;
    return true;
  }

  recordSuccess(retried: boolean): void {
    const refund = retried ? this.policy.throttlingCost : this.policy.noRetryIncrement;
    this.capacity = Math.min(this.policy.initialCapacity, this.capacity + refund);
  }

  get tokens(): number {
    return this.capacity;
  }
}

/** No SDK retries at all (one attempt): what a test uses to show what the retries buy. */
export function withoutSdkRetries(policy: SdkRetryPolicy): SdkRetryPolicy {
  return { ...policy, source: `${policy.source}, retries removed`, maxAttempts: 1 };
}
