/**
 * Intake of what starts an execution (pure): either one EventBridge event (the approval API's Slack
 * undo, the CLI's `fix`, the demo) or a batch the EventBridge Pipe read from the intake queue, an
 * array of SQS records whose `body` is the event as JSON text (docs/decisions/0036; record shape:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html). Pipes send a JSON
 * array to a Step Functions target even for a batch of one
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html).
 *
 * Each record is read on its own: a malformed one is rejected with the reason and the others go on.
 * The same EventBridge event twice in one batch (SQS standard queues deliver at least once) is read
 * once; the later copies are listed as duplicate deliveries. Across batches, the admit task drops a
 * redelivery by the event id it records (remediators/workflow/admit.ts).
 */
import * as z from 'zod';
import { describeIssues } from '../../config/issues.js';
import { intake } from './intake.js';
import { batchCutAtSize } from './pipe-batch.js';
import type { IntakeResult, IntakeSettings } from './types.js';

/** One record of a Pipe's SQS batch: what intake reads of it (the other attributes pass unread). */
const SqsRecordSchema = z.object({
  messageId: z.string().min(1),
  body: z.string(),
  eventSource: z.literal('aws:sqs').optional(),
});

export interface DuplicateDelivery {
  readonly eventId: string;
  readonly reason: string;
}

export interface BatchIntakeResult extends IntakeResult {
  /** Later copies of an event already in this batch, each dropped with the reason. */
  readonly duplicates: readonly DuplicateDelivery[];
  /**
   * The Pipe cut this batch at its size: a burst is under way, and the stage runs of this
   * execution gather their stages' other findings before they plan (docs/decisions/0039).
   */
  readonly gather: boolean;
}

/** The event's `id` when it has one (EventBridge always sets it; intake rejects an event without). */
function eventIdOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const id = (event as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

type Delivery = { readonly event: unknown } | { readonly rejected: string };

function recordDelivery(record: unknown, index: number): Delivery {
  const parsed = SqsRecordSchema.safeParse(record);
  if (!parsed.success) {
    const problems = describeIssues(SqsRecordSchema, parsed.error.issues, record);
    return { rejected: `batch record [${index}]: not an SQS record: ${problems.join('; ')}` };
  }
  try {
    return { event: JSON.parse(parsed.data.body) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      rejected: `batch record [${index}] (SQS message ${parsed.data.messageId}): body is not JSON: ${message}`,
    };
  }
}

/** A single event, or every record of a Pipe batch, as one result (input order kept in each list). */
export function intakeBatch(input: unknown, settings: IntakeSettings): BatchIntakeResult {
  const deliveries: Delivery[] = Array.isArray(input)
    ? input.map((record, index) => recordDelivery(record, index))
    : [{ event: input }];
  const seen = new Set<string>();
  const requests: IntakeResult['requests'][number][] = [];
  const ignored: IntakeResult['ignored'][number][] = [];
  const rejected: IntakeResult['rejected'][number][] = [];
  const duplicates: DuplicateDelivery[] = [];
  for (const delivery of deliveries) {
    if ('rejected' in delivery) {
      rejected.push({ error: delivery.rejected });
      continue;
    }
    const eventId = eventIdOf(delivery.event);
    if (eventId !== undefined && seen.has(eventId)) {
      duplicates.push({ eventId, reason: `event ${eventId} delivered again in the same batch` });
      continue;
    }
    if (eventId !== undefined) seen.add(eventId);
    const result = intake(delivery.event, settings);
    requests.push(...result.requests);
    ignored.push(...result.ignored);
    rejected.push(...result.rejected);
  }
  return {
    requests,
    ignored,
    rejected,
    duplicates,
    gather: Array.isArray(input) && batchCutAtSize(input.length),
  };
}
