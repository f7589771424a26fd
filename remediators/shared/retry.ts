/**
 * The one retry loop of the service's own code, for errors the SDK's retry strategy does not
 * (and should not) retry: a web ACL that WAF has not propagated yet, a DynamoDB transaction that
 * lost a race whose winner is not readable yet, Security Hub findings left unprocessed for a
 * passing reason. Throttling, transient and 5xx errors are the SDK's business: every client of the
 * core gets a `ConfiguredRetryStrategy` (core/clients.ts createRetryStrategy), so a call is
 * retried there and counted once.
 *
 * Not retries, and deliberately not run through here: waits for a state to read back (the
 * Slack-post lease poll of handlers/request-approval.ts, the state machine's own Retry on
 * StageLocked / VerificationPending (the verify re-reads) / DeploySlotBusy), and the
 * deadline-bounded decision delivery of approvals/delivery.ts, which stops on its caller's
 * AbortSignal rather than after a number of attempts.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';

export interface RetryPolicy {
  /** Calls in all, including the first. */
  readonly maxAttempts: number;
  /** The wait after failed call `attempt` (1-based), before the next one. */
  readonly delayMs: (attempt: number) => number;
  /** Whether the error is worth another call; any other error is thrown at once. */
  readonly retryable: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log; default nothing. */
  readonly onRetry?: (error: unknown, attempt: number) => void;
  /** Default a real timer; tests pass one that records the waits. */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** Calls `call` until it succeeds, its error is not retryable, or the attempts run out (then rethrows). */
export async function retrying<T>(call: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt >= policy.maxAttempts || !policy.retryable(error)) throw error;
      policy.onRetry?.(error, attempt);
      await sleep(policy.delayMs(attempt));
    }
  }
}

/** `initialMs` after the first failure, doubling after each further one (no jitter). */
export function doublingDelay(initialMs: number): (attempt: number) => number {
  return (attempt) => initialMs * 2 ** (attempt - 1);
}
