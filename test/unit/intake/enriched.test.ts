/**
 * The Pipe's enrichment (remediators/intake/enriched.ts, handlers/intake-enrichment.ts): the intake
 * reads the batch before the execution starts and answers with one marked result; the execution's
 * Normalize state (handlers/intake.ts) passes that result on as it is, rejects a forged or broken
 * one with the reason, and still reads a raw batch or a single event itself.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { handler as enrichment } from '../../../remediators/handlers/intake-enrichment.js';
import { handler as normalize } from '../../../remediators/handlers/intake.js';
import { intakeBatch } from '../../../remediators/intake/batch.js';
import {
  ENRICHED_BY,
  EnrichedBatchTooLargeError,
  enrichedBatch,
  isEnrichedBatch,
  passEnriched,
} from '../../../remediators/intake/enriched.js';
import { metrics } from '../../../remediators/shared/powertools.js';
import { pipeBatch } from '../../workflow/harness.js';
import { DEFAULT_SETTINGS, fixture, type JsonObject } from './events.js';

const finding = (id: string): JsonObject => ({
  ...fixture('securityhub-apigateway1-rest-consolidated.json'),
  id,
});

describe('the enriched batch (pure)', () => {
  it('is the intake result of the batch, marked, as an array of one', () => {
    const result = intakeBatch(pipeBatch([finding('e-1'), finding('e-1')]), DEFAULT_SETTINGS);
    const enriched = enrichedBatch(result);
    expect(enriched).toEqual([{ enrichedBy: ENRICHED_BY, ...result }]);
    expect(result.duplicates).toHaveLength(1);
    expect(isEnrichedBatch(enriched)).toBe(true);
    expect(passEnriched(enriched)).toEqual({ kind: 'PASSED', result });
  });

  it('refuses a result the Step Functions target could not take, naming its size', () => {
    const result = intakeBatch(pipeBatch([finding('e-1'), finding('e-2')]), DEFAULT_SETTINGS);
    const size = JSON.stringify(enrichedBatch(result)).length;
    expect(() => enrichedBatch(result, size - 1)).toThrow(EnrichedBatchTooLargeError);
    expect(() => enrichedBatch(result, size - 1)).toThrow(
      new RegExp(`is ${size} characters, over the ${size - 1} .* \\(2 requests\\)`),
    );
    expect(enrichedBatch(result, size)).toHaveLength(1);
  });

  it('tells an enriched batch from a Pipe batch of SQS records and from a single event', () => {
    expect(isEnrichedBatch(pipeBatch([finding('e-1')]))).toBe(false);
    expect(isEnrichedBatch(finding('e-1'))).toBe(false);
    expect(isEnrichedBatch([])).toBe(false);
    expect(isEnrichedBatch([{ enrichedBy: ENRICHED_BY }, { enrichedBy: ENRICHED_BY }])).toBe(false);
  });

  it('rejects a malformed enriched batch whole, with every problem named', () => {
    const passed = passEnriched([{ enrichedBy: 'someone else', requests: 'all of them', gather: 'yes' }]);
    expect(passed.kind).toBe('MALFORMED');
    expect(passed.result.requests).toEqual([]);
    const [rejected] = passed.result.rejected;
    expect(rejected?.error).toMatch(/^enriched batch \[0\]: not an intake result: /);
    for (const field of ['enrichedBy', 'requests', 'ignored', 'rejected', 'duplicates', 'gather'])
      expect(rejected?.error).toContain(field);
    expect(
      passEnriched([
        { enrichedBy: ENRICHED_BY, requests: [1], ignored: [], rejected: [], duplicates: [], gather: false },
      ]),
    ).toMatchObject({
      kind: 'MALFORMED',
      result: { rejected: [{ error: expect.stringContaining('request object') }] },
    });
  });
});

describe('the Lambdas on both sides of the Pipe', () => {
  let addMetric: MockInstance<typeof metrics.addMetric>;

  beforeEach(() => {
    addMetric = vi.spyOn(metrics, 'addMetric');
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the enrichment reads the batch and counts its items; Normalize passes the result on and counts the batch only', async () => {
    const records = pipeBatch([finding('e-1'), finding('e-2'), { not: 'an event' }]);
    const enriched = await enrichment(records);
    expect(enriched).toEqual([{ enrichedBy: ENRICHED_BY, ...(await normalize(records)) }]);
    const enrichmentCounts = async () => {
      addMetric.mockClear();
      await enrichment(records);
      return addMetric.mock.calls;
    };
    expect(await enrichmentCounts()).toEqual([
      ['Requests', MetricUnit.Count, 2],
      ['Ignored', MetricUnit.Count, 0],
      ['Rejected', MetricUnit.Count, 1],
      ['DuplicateDelivery', MetricUnit.Count, 0],
    ]);
    addMetric.mockClear();
    const passed = await normalize(enriched);
    expect(passed).toEqual(intakeBatch(records, DEFAULT_SETTINGS));
    expect(passed.requests).toHaveLength(2);
    expect(addMetric.mock.calls).toEqual([['EnrichedBatches', MetricUnit.Count, 1]]);
  });

  it('Normalize rejects a forged enriched batch, counted as rejected, so Admit reports it', async () => {
    const result = await normalize([{ enrichedBy: ENRICHED_BY, requests: [] }]);
    expect(result.requests).toEqual([]);
    expect(result.rejected).toEqual([
      { error: expect.stringMatching(/^enriched batch \[0\]: not an intake result/) },
    ]);
    expect(addMetric.mock.calls).toEqual([
      ['EnrichedBatches', MetricUnit.Count, 1],
      ['Rejected', MetricUnit.Count, 1],
    ]);
  });
});
