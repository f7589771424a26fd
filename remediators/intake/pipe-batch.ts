/**
 * The EventBridge Pipe's batching (docs/decisions/0036), shared by the stack that deploys the Pipe
 * (infra/intake-front.ts), the intake that reads its batches and the burst simulation.
 *
 * Batch size: Pipes hand a Step Functions target the whole batch in one request, bounded by the
 * target's payload, 262,144 characters, not by a record count
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html);
 * a batch over it fails its invocation. So the batch size is that payload divided by twice the
 * largest event record measured (test/infra/intake-front.test.ts measures every event fixture as
 * the Pipe wraps it and holds it under {@link MEASURED_MAX_RECORD_CHARS}).
 */

/** The most a Step Functions target of a Pipe takes in one request (characters of the batch). */
export const STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS = 262_144;
/**
 * The largest event record the rules deliver, as the Pipe wraps it (SQS record, body the event as
 * JSON text), rounded up: 7,950 measured on 2026-12-02 (an OCSF event carrying three control
 * findings; a single ASFF finding is at most 5,601).
 */
export const MEASURED_MAX_RECORD_CHARS = 8_000;
/** Headroom for findings larger than the fixtures (more resources, notes, fields). */
export const RECORD_SIZE_MARGIN = 2;
/** Records per batch: 16, so a batch stays under the target payload with the margin. */
export const PIPE_BATCH_SIZE = Math.floor(
  STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS / (MEASURED_MAX_RECORD_CHARS * RECORD_SIZE_MARGIN),
);
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
