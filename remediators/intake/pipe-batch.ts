/**
 * The EventBridge Pipe's batching (docs/decisions/0036, 0042), shared by the stack that deploys the
 * Pipe (infra/intake-front.ts), the intake that reads its batches and the burst simulation.
 *
 * A batch meets two payload bounds. The raw records go to the enrichment, a Lambda function, which
 * takes 6 MB; its compact result goes to the Step Functions target, which takes 262,144 characters
 * for the whole batch, not a record count
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html);
 * a batch over either fails its invocation. test/infra/intake-front.test.ts measures every event
 * fixture as the Pipe wraps it and as the enrichment renders it, holds them under the measured
 * bounds below, and a full batch at twice each bound under its payload.
 */

/** The most a Step Functions target of a Pipe takes in one request (characters of the batch). */
export const STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS = 262_144;
/** The most a Lambda enrichment of a Pipe takes in one request (the raw batch): 6 MB. */
export const LAMBDA_PIPE_PAYLOAD_CHARS = 6 * 1024 * 1024;
/**
 * The largest event record the rules deliver, as the Pipe wraps it (SQS record, body the event as
 * JSON text), rounded up: 7,950 measured on 2026-12-02 (an OCSF event carrying three control
 * findings; a single ASFF finding is at most 5,601).
 */
export const MEASURED_MAX_RECORD_CHARS = 8_000;
/**
 * The most one event record adds to the enrichment's result, rounded up: the requests, or the
 * reason it was ignored or rejected, it becomes (measured per fixture in test/infra/intake-front.test.ts).
 */
export const MEASURED_MAX_ENRICHED_RECORD_CHARS = 2_000;
/** Headroom for findings larger than the fixtures (more resources, notes, fields). */
export const RECORD_SIZE_MARGIN = 2;
/**
 * Records per batch: 64. Both payloads hold it with the margin (64 × 8,000 × 2 of 6 MB; 64 × 2,000
 * × 2 of 262,144), which allow up to 393 and 65. Below that, bench:burst chose it (seed 1,
 * docs/benchmarks.md): 10,000 findings over 2,000 stages took 876.4, 788.0, 661.4, 542.2 and 537.2 s
 * in batches of 40, 48, 56, 64 and 65 (and 637.2 s in batches of 100, past the bound: a batch's
 * stages run in one Map of at most 40 at once, so a larger batch's later stages wait), 1,000
 * findings 77.9 to 86.7 s in each.
 */
export const PIPE_BATCH_SIZE = 64;
/** How long the Pipe gathers a batch: a burst fills it, a lone event waits at most this long. */
export const PIPE_BATCHING_WINDOW_SECONDS = 5;

/**
 * Whether the Pipe cut this batch at its size rather than at the end of its window: events are
 * arriving faster than the window gathers them, so more findings for the same stages are likely
 * on their way (docs/decisions/0039). A batch the window closed holds everything that arrived in it.
 */
export function batchCutAtSize(records: number): boolean {
  return records >= PIPE_BATCH_SIZE;
}
