/**
 * One loop for both Security Hub write APIs (BatchUpdateFindings for ASFF, BatchUpdateFindingsV2
 * for OCSF): send, then send again only the findings that came back unprocessed for a passing
 * reason, with full-jitter backoff, until none is left or the attempts run out; anything else
 * left unprocessed fails loudly (a partial update would leave the audit trail silently incomplete).
 */
import { fullJitterDelay, type RetryTuning } from '../core/clients.js';
import { retrying } from '../shared/retry.js';

/** What every Security Hub batch update answers for a finding it did not process. */
export interface UnprocessedFinding<Identifier> {
  readonly FindingIdentifier?: Identifier | undefined;
  readonly ErrorCode?: string | undefined;
}

export interface UnprocessedPolicy<Identifier, Unprocessed extends UnprocessedFinding<Identifier>> {
  /** Error codes worth sending again (the finding is there, or will be, and the call was fine). */
  readonly retryable: ReadonlySet<string>;
  readonly retry: RetryTuning;
  /** The error to throw when findings stay unprocessed, after `attempts` calls. */
  readonly failure: (unprocessed: readonly Unprocessed[], attempts: number) => Error;
}

/** Findings left unprocessed for a passing reason: worth sending again. */
class LeftUnprocessed<Unprocessed> extends Error {
  constructor(
    readonly unprocessed: readonly Unprocessed[],
    readonly attempt: number,
  ) {
    super(`${unprocessed.length} finding(s) left unprocessed`);
  }
}

/** Sends `identifiers` (and then only the retryable leftovers); returns how many were processed. */
export async function sendUntilProcessed<Identifier, Unprocessed extends UnprocessedFinding<Identifier>>(
  identifiers: Identifier[] | undefined,
  send: (
    identifiers: Identifier[] | undefined,
  ) => Promise<{ readonly processed: number; readonly unprocessed: readonly Unprocessed[] }>,
  policy: UnprocessedPolicy<Identifier, Unprocessed>,
): Promise<number> {
  let processed = 0;
  let pending = identifiers;
  try {
    return await retrying(
      async (attempt) => {
        const response = await send(pending);
        processed += response.processed;
        const { unprocessed } = response;
        if (unprocessed.length === 0) return processed;
        const passing = unprocessed.every(
          (finding) =>
            finding.FindingIdentifier !== undefined && policy.retryable.has(finding.ErrorCode ?? ''),
        );
        if (!passing) throw policy.failure(unprocessed, attempt);
        pending = unprocessed.flatMap((finding) =>
          finding.FindingIdentifier === undefined ? [] : [finding.FindingIdentifier],
        );
        throw new LeftUnprocessed(unprocessed, attempt);
      },
      {
        maxAttempts: policy.retry.maxAttempts,
        delayMs: (attempt) => fullJitterDelay(attempt, policy.retry),
        retryable: (error) => error instanceof LeftUnprocessed,
      },
    );
  } catch (error) {
    if (error instanceof LeftUnprocessed) throw policy.failure(error.unprocessed, error.attempt);
    throw error;
  }
}
