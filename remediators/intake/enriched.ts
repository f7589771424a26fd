/**
 * The Pipe's enrichment (docs/decisions/0042), pure: the intake reads the Pipe's batch of SQS
 * records before the state machine is started, and the execution gets what it made of them — one
 * compact result (~0.2 to 0.8 KB a finding) instead of the raw records (5 to 8 KB each). Pipes pass
 * an enrichment's response to the target as it is, an array for a target that takes batches, and
 * bound the enrichment's response by 6 MB and a Step Functions target's input by 262,144 characters
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/pipes-enrichment.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html).
 *
 * The execution's first state (Normalize, the intake Lambda) then finds `[enriched]` and passes it
 * on unchanged: the same state machine serves the Pipe and the callers that start it with one
 * event (the CLI's `fix`, the Slack undo, the demo), with no Choice on any path.
 */
import * as z from 'zod';
import { describeIssues } from '../../config/issues.js';
import type { BatchIntakeResult } from './batch.js';
import { STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS } from './pipe-batch.js';
import type { RemediationRequest } from './types.js';

/** The mark of a result the enrichment made (nothing an SQS record or an EventBridge event carries). */
export const ENRICHED_BY = 'apigw-remediation intake';

/**
 * What Normalize checks of an enriched result before it passes it on. The requests are checked in
 * full by the admit task that reads them (workflow/state.ts RemediationRequestSchema).
 */
const EnrichedResultSchema = z.object({
  enrichedBy: z.literal(ENRICHED_BY),
  requests: z.array(
    z.custom<RemediationRequest>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
      {
        message: 'expected a request object',
      },
    ),
  ),
  ignored: z.array(z.object({ reason: z.string() })),
  rejected: z.array(z.object({ error: z.string() })),
  duplicates: z.array(z.object({ eventId: z.string(), reason: z.string() })),
  gather: z.boolean(),
});

export type EnrichedBatch = readonly [BatchIntakeResult & { readonly enrichedBy: typeof ENRICHED_BY }];

export class EnrichedBatchTooLargeError extends Error {
  override readonly name = 'EnrichedBatchTooLarge';
}

/**
 * The enrichment's response for a batch's intake result: an array of one, the result marked. A
 * response the Step Functions target could not take (over its 262,144 characters) throws: the
 * Pipe then fails the batch, SQS delivers it again and, after INTAKE_MAX_RECEIVE_COUNT receives,
 * moves it to the dead-letter queue, whose alarm calls a human. Nothing is dropped.
 */
export function enrichedBatch(
  result: BatchIntakeResult,
  limit: number = STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS,
): EnrichedBatch {
  const enriched: EnrichedBatch = [{ enrichedBy: ENRICHED_BY, ...result }];
  const size = JSON.stringify(enriched).length;
  if (size > limit) {
    throw new EnrichedBatchTooLargeError(
      `the intake result of this batch is ${size} characters, over the ${limit} a Step Functions target ` +
        `of a Pipe takes (${result.requests.length} requests); the Pipe retries the batch and then ` +
        'moves it to the dead-letter queue',
    );
  }
  return enriched;
}

/** Whether the input is an enrichment's response (an array of one marked result), however malformed. */
export function isEnrichedBatch(input: unknown): input is readonly [unknown] {
  if (!Array.isArray(input) || input.length !== 1) return false;
  const [first] = input as unknown[];
  return typeof first === 'object' && first !== null && 'enrichedBy' in first;
}

/**
 * The result an enriched batch carries, as the execution's first state hands it on; a malformed
 * one (a caller that started the state machine with a forged or broken input) is rejected whole
 * with the reason, which Admit reports (INTAKE_REJECTED).
 */
export function passEnriched(input: readonly [unknown]): {
  readonly kind: 'PASSED' | 'MALFORMED';
  readonly result: BatchIntakeResult;
} {
  const parsed = EnrichedResultSchema.safeParse(input[0]);
  if (!parsed.success) {
    const problems = describeIssues(EnrichedResultSchema, parsed.error.issues, input[0]);
    return {
      kind: 'MALFORMED',
      result: {
        requests: [],
        ignored: [],
        rejected: [{ error: `enriched batch [0]: not an intake result: ${problems.join('; ')}` }],
        duplicates: [],
        gather: false,
      },
    };
  }
  const { requests, ignored, rejected, duplicates, gather } = parsed.data;
  return { kind: 'PASSED', result: { requests, ignored, rejected, duplicates, gather } };
}
