/**
 * What the simulation assumes where AWS publishes no number: latencies. They set how long a run
 * takes when nothing is throttled, not what the quotas allow; the minimum (minimum.ts) does not
 * use them. Round figures of the order commonly seen from a Lambda in the same Region.
 */
import {
  PIPE_BATCH_SIZE,
  PIPE_BATCHING_WINDOW_SECONDS,
  STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS,
  LAMBDA_PIPE_PAYLOAD_CHARS,
} from '../../remediators/intake/pipe-batch.js';
import { KILL_SWITCH_CACHE_SECONDS } from '../../remediators/workflow/kill-switch.js';
import type { Latency } from './model.js';

/** A control-plane call (API Gateway, WAF, Logs, Security Hub, SSM, STS). */
export const CONTROL_PLANE_CALL_MS = 60;
/** A DynamoDB item read or write (single-digit milliseconds plus the round trip). */
export const DYNAMODB_CALL_MS = 10;
/** An SNS Publish. */
export const SNS_CALL_MS = 20;
/** What Step Functions adds per state entered. */
export const TRANSITION_MS = 20;
/** A warm Lambda invocation's overhead around the handler's calls. */
export const INVOKE_OVERHEAD_MS = 20;

export const ASSUMED_LATENCY: Latency = {
  callMs: (service) =>
    service === 'dynamodb' ? DYNAMODB_CALL_MS : service === 'sns' ? SNS_CALL_MS : CONTROL_PLANE_CALL_MS,
  transitionMs: TRANSITION_MS,
};

/**
 * The EventBridge Pipe between the queue and the state machine, in the coarse machine's front
 * (docs/decisions/0022, 0024). `batchSize` and `batchingWindowSeconds` are the pipe's
 * SourceParameters.SqsQueueParameters (BatchSize 1 to 10,000, MaximumBatchingWindowInSeconds 0 to
 * 300: https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_PipeSourceSqsQueueParameters.html).
 * They, and the target's payload quota, are the deployed pipe's own constants (remediators/intake/pipe-batch.ts,
 * docs/decisions/0036), so the simulation and the deployed pipe cannot differ.
 *
 * The rest is what a pipe does with them. A pipe reads the queue in batches and invokes its target
 * once per batch, "until the batch window expires, the invocation payload size quota is reached, or
 * the configured maximum batch size is reached"; a Step Functions target receives the whole batch
 * as one input, limited to 262,144 characters, not to a number of records
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html).
 * A Standard workflow target is started FIRE_AND_FORGET, so a poller is free again as soon as
 * StartExecution returns.
 *
 * AWS does not publish how many pollers a pipe with an SQS source runs. `pollers` assumes the
 * number Lambda documents for its SQS event source mapping when messages appear: "five batches at
 * a time with five concurrent invocations", growing by up to 300 a minute
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html). The simulation keeps
 * the five of the first minute: a burst of seconds is over before the growth matters, and more
 * pollers would only cut the same arrivals into more, smaller batches.
 */
/**
 * The pipe's enrichment (docs/decisions/0042): a Lambda function the pipe invokes with each batch
 * before it starts the target, whose answer the target gets instead of the raw records. It takes
 * up to `payloadBytes` of raw records; each record then weighs `recordBytes` in the target's
 * payload.
 */
export interface PipeEnrichment {
  /** The function, as the Lambda pool knows it. */
  readonly function: string;
  /** The enrichment's payload quota (a Lambda function: 6 MB). */
  readonly payloadBytes: number;
  /** One record as the enrichment renders it (its requests), in the target's payload. */
  readonly recordBytes: number;
}

export interface PipeSource {
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly pollers: number;
  /** The target's payload quota (Step Functions' input: 262,144 characters). */
  readonly targetPayloadBytes: number;
  /**
   * One SQS record as the pipe passes it: the EventBridge event as the message body (the Security
   * Hub finding fixtures of test/fixtures/events are 4.7 to 6.3 KB) plus the record's attributes.
   */
  readonly recordBytes: number;
  /** Absent: the target gets the raw records. */
  readonly enrichment?: PipeEnrichment;
}

/** The enrichment's function in the simulation's Lambda pool (no reserved concurrency, as deployed). */
export const INTAKE_ENRICHMENT_FUNCTION = 'IntakeEnrichment';

export const PIPE_SOURCE: PipeSource = {
  batchSize: PIPE_BATCH_SIZE,
  batchingWindowSeconds: PIPE_BATCHING_WINDOW_SECONDS,
  pollers: 5,
  targetPayloadBytes: STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS,
  recordBytes: 6_000,
  // An ASFF finding's request measures about 700 to 800 characters (test/infra/intake-front.test.ts
  // holds every fixture under MEASURED_MAX_ENRICHED_RECORD_CHARS, 2,000).
  enrichment: {
    function: INTAKE_ENRICHMENT_FUNCTION,
    payloadBytes: LAMBDA_PIPE_PAYLOAD_CHARS,
    recordBytes: 800,
  },
};

/**
 * Reads a warm Lambda keeps instead of calling again: the kill switch, KILL_SWITCH_CACHE_SECONDS
 * per environment (remediators/workflow/deps/kill-switch.ts). Only a successful read is kept.
 */
export const KEPT_READS: Readonly<Record<string, number>> = {
  'ssm.GetParameter': KILL_SWITCH_CACHE_SECONDS * 1000,
};
