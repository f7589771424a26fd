/**
 * The workflow's metric names (namespace ApigwRemediation, Powertools adds the `service`
 * dimension), shared by the handlers that publish them and infra/monitoring.ts that alarms and
 * graphs them. Dimensions stay bounded: outcomes and control ids, never accounts or APIs (those
 * are in the outcome log, for Logs Insights).
 */

/** Stage outcomes: {Outcome}, and {ControlId, Outcome} once per control of the record. */
export const REMEDIATIONS_METRIC = 'Remediations';

/** Outcomes Security Hub refused or could not be asked to hold: the audit trail has a gap (alarmed). */
export const RECORD_FAILURES_METRIC = 'RecordFailures';

/**
 * Deliveries dropped because the same EventBridge event id was seen before (the intake queue and
 * EventBridge deliver at least once): intake counts the copies within a batch, admit the later ones.
 */
export const DUPLICATE_DELIVERY_METRIC = 'DuplicateDelivery';
/** Executions started with a batch the Pipe's enrichment read (docs/decisions/0042), one each. */
export const ENRICHED_BATCHES_METRIC = 'EnrichedBatches';
