/**
 * The intake Lambda: the state machine's first ("normalize") state, also run locally by
 * `npm run intake -- <event.json>`. Input: one EventBridge event; output: {@link IntakeResult}.
 *
 * Never throws: a configuration or environment problem rejects the event with the reason, so the
 * execution records it instead of failing without a trace. Every ignored and rejected item is logged,
 * and the counts are published as the Requests, Ignored and Rejected metrics.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { deployedConfig } from '../../config/deployed.js';
import { intake } from '../intake/intake.js';
import { intakeSettings } from '../intake/settings.js';
import type { IntakeResult } from '../intake/types.js';
import { lambdaHandler } from '../shared/handler.js';
import { logger, metrics } from '../shared/powertools.js';

function run(event: unknown): IntakeResult {
  try {
    return intake(event, intakeSettings(deployedConfig(), process.env));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { requests: [], ignored: [], rejected: [{ error: `intake cannot run: ${message}` }] };
  }
}

async function handleEvent(event: unknown): Promise<IntakeResult> {
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
  metrics.addMetric('Requests', MetricUnit.Count, result.requests.length);
  metrics.addMetric('Ignored', MetricUnit.Count, result.ignored.length);
  metrics.addMetric('Rejected', MetricUnit.Count, result.rejected.length);
  return result;
}

/** The metrics are flushed by the handler plumbing (shared/handler.ts), also if a log line throws. */
export const handler = lambdaHandler(handleEvent, { flushMetrics: true });
