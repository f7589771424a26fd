/**
 * The intake as the EventBridge Pipe's enrichment (docs/decisions/0042): reads the Pipe's batch of
 * SQS records as the Normalize state would (remediators/intake/batch.ts: each record on its own,
 * duplicates in the batch dropped, every item logged and counted) and answers with the compact
 * result (remediators/intake/enriched.ts), which the Pipe hands to the state machine instead of the
 * raw records. So a batch holds 64 records, not 16, and Admit takes ownership of their findings in
 * one Security Hub call per 100. It makes no AWS call; a result too large for the state machine's
 * input throws (the Pipe retries the batch, then the dead-letter queue keeps it).
 */
import { enrichedBatch, type EnrichedBatch } from '../intake/enriched.js';
import { lambdaHandler } from '../shared/handler.js';
import { intakeAndReport } from './intake.js';

async function enrich(records: unknown): Promise<EnrichedBatch> {
  return enrichedBatch(intakeAndReport(records));
}

export const handler = lambdaHandler(enrich, { flushMetrics: true });
