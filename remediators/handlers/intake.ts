/**
 * The intake Lambda: the state machine's first ("normalize") state, also run locally by
 * `npm run intake -- <event.json>`. Input: one EventBridge event, the Pipe's batch of SQS records
 * (remediators/intake/batch.ts), or the Pipe's enriched batch, which the intake-enrichment Lambda
 * already read (remediators/intake/enriched.ts, docs/decisions/0042: passed on as it is, counted
 * there); output: {@link BatchIntakeResult}. It makes no AWS call: the admit task that follows
 * drops redeliveries and takes ownership (docs/decisions/0036).
 *
 * Never throws: a configuration or environment problem rejects the event with the reason, so the
 * execution records it instead of failing without a trace. Every ignored, rejected and duplicate item
 * is logged, and the counts are published as the Requests, Ignored, Rejected and DuplicateDelivery
 * metrics.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { deployedConfig } from '../../config/deployed.js';
import { intakeBatch, type BatchIntakeResult } from '../intake/batch.js';
import { isEnrichedBatch, passEnriched } from '../intake/enriched.js';
import { intakeSettings } from '../intake/settings.js';
import { DUPLICATE_DELIVERY_METRIC, ENRICHED_BATCHES_METRIC } from '../workflow/metrics.js';
import { lambdaHandler } from '../shared/handler.js';
import { logger, metrics } from '../shared/powertools.js';

function run(event: unknown): BatchIntakeResult {
  try {
    return intakeBatch(event, intakeSettings(deployedConfig(), process.env));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      requests: [],
      ignored: [],
      rejected: [{ error: `intake cannot run: ${message}` }],
      duplicates: [],
      gather: false,
    };
  }
}

/** Reads the input, logs the fate of every item and adds the counts to the metrics buffer. */
export function intakeAndReport(event: unknown): BatchIntakeResult {
  const result = run(event);
  for (const request of result.requests) {
    logger.info('remediation requested', { request });
  }
  for (const item of result.ignored) {
    logger.info('event item ignored', { reason: item.reason });
  }
  for (const item of result.rejected) {
    logger.error('event item rejected', { error: item.error });
  }
  for (const duplicate of result.duplicates) {
    logger.info('duplicate delivery dropped', { ...duplicate });
  }
  metrics.addMetric('Requests', MetricUnit.Count, result.requests.length);
  metrics.addMetric('Ignored', MetricUnit.Count, result.ignored.length);
  metrics.addMetric('Rejected', MetricUnit.Count, result.rejected.length);
  metrics.addMetric(DUPLICATE_DELIVERY_METRIC, MetricUnit.Count, result.duplicates.length);
  return result;
}

/** The items of an enriched batch were logged and counted by the enrichment: only the batch counts here. */
async function handleEvent(event: unknown): Promise<BatchIntakeResult> {
  if (!isEnrichedBatch(event)) return intakeAndReport(event);
  const passed = passEnriched(event);
  metrics.addMetric(ENRICHED_BATCHES_METRIC, MetricUnit.Count, 1);
  if (passed.kind === 'MALFORMED') {
    for (const item of passed.result.rejected) logger.error('event item rejected', { error: item.error });
    metrics.addMetric('Rejected', MetricUnit.Count, passed.result.rejected.length);
  } else {
    logger.info('enriched batch passed on', {
      requests: passed.result.requests.length,
      gather: passed.result.gather,
    });
  }
  return passed.result;
}

/** The metrics are flushed by the handler plumbing (shared/handler.ts), also if a log line throws. */
export const handler = lambdaHandler(handleEvent, { flushMetrics: true });
