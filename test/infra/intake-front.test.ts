/**
 * The Pipe's batch size (remediators/intake/pipe-batch.ts) rests on measured upper bounds of an
 * event record: every event fixture, wrapped as the Pipe delivers it, stays under
 * MEASURED_MAX_RECORD_CHARS, and what it adds to the enrichment's result under
 * MEASURED_MAX_ENRICHED_RECORD_CHARS; a full batch at twice each bound fits its payload (the Lambda
 * enrichment's 6 MB, the Step Functions target's 262,144 characters).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { intakeBatch } from '../../remediators/intake/batch.js';
import { enrichedBatch } from '../../remediators/intake/enriched.js';
import {
  LAMBDA_PIPE_PAYLOAD_CHARS,
  MEASURED_MAX_ENRICHED_RECORD_CHARS,
  MEASURED_MAX_RECORD_CHARS,
  PIPE_BATCH_SIZE,
  RECORD_SIZE_MARGIN,
  STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS,
} from '../../remediators/intake/pipe-batch.js';
import { DEFAULT_SETTINGS } from '../unit/intake/events.js';
import { pipeBatch } from '../workflow/harness.js';

const EVENTS = new URL('../../../shared/fixtures/events/', import.meta.url);
const MORE_EVENTS = new URL('../fixtures/events/', import.meta.url);
const OCSF = new URL('../fixtures/ocsf/', import.meta.url);

/** The events the rules match: every fixture but the expectations file and the malformed OCSF ones. */
function deliverableEvents(): { name: string; event: unknown }[] {
  return [
    ...[EVENTS, MORE_EVENTS].flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.json') && name !== 'expected.json')
        .map((name) => ({ name, event: JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as unknown })),
    ),
    ...readdirSync(OCSF)
      .filter((name) => name.endsWith('.json') && name !== 'expected.json' && !name.includes('malformed'))
      .map((name) => ({ name, event: JSON.parse(readFileSync(new URL(name, OCSF), 'utf8')) as unknown })),
  ];
}

describe('the intake Pipe batch size', () => {
  it('bounds every event record as the Pipe wraps it', () => {
    const sizes = deliverableEvents().map(({ name, event }) => [
      name,
      JSON.stringify(pipeBatch([event])[0]).length,
    ]);
    expect(sizes.length).toBeGreaterThan(10);
    for (const [name, size] of sizes)
      expect(size, String(name)).toBeLessThanOrEqual(MEASURED_MAX_RECORD_CHARS);
  });

  it('bounds what every event record adds to the enrichment result', () => {
    const enrichedSize = (events: readonly unknown[]) =>
      JSON.stringify(enrichedBatch(intakeBatch(pipeBatch(events), DEFAULT_SETTINGS))).length;
    const empty = enrichedSize([]);
    const sizes = deliverableEvents().map(
      ({ name, event }) => [name, enrichedSize([event]) - empty] as const,
    );
    for (const [name, size] of sizes)
      expect(size, name).toBeLessThanOrEqual(MEASURED_MAX_ENRICHED_RECORD_CHARS);
    // Every fixture is read into something (a request, or the reason it is ignored or rejected).
    expect(Math.min(...sizes.map(([, size]) => size))).toBeGreaterThan(0);
  });

  it('fits a full batch at the margin into both payloads: the raw records into the enrichment, its result into the target', () => {
    expect(PIPE_BATCH_SIZE).toBe(64);
    expect(PIPE_BATCH_SIZE * MEASURED_MAX_RECORD_CHARS * RECORD_SIZE_MARGIN).toBeLessThanOrEqual(
      LAMBDA_PIPE_PAYLOAD_CHARS,
    );
    expect(PIPE_BATCH_SIZE * MEASURED_MAX_ENRICHED_RECORD_CHARS * RECORD_SIZE_MARGIN).toBeLessThanOrEqual(
      STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS,
    );
    // A full batch of the fixture that adds the most to the result, each a distinct event (the
    // enrichment reads a redelivery in the same batch once).
    const largest = deliverableEvents()
      .map(({ event }) => event)
      .sort(
        (a, b) =>
          JSON.stringify(enrichedBatch(intakeBatch(pipeBatch([b]), DEFAULT_SETTINGS))).length -
          JSON.stringify(enrichedBatch(intakeBatch(pipeBatch([a]), DEFAULT_SETTINGS))).length,
      )[0] as Record<string, unknown>;
    const batch = pipeBatch(
      Array.from({ length: PIPE_BATCH_SIZE }, (_, index) => ({ ...largest, id: `largest-${index}` })),
    );
    expect(JSON.stringify(batch).length).toBeLessThanOrEqual(LAMBDA_PIPE_PAYLOAD_CHARS / RECORD_SIZE_MARGIN);
    const result = enrichedBatch(intakeBatch(batch, DEFAULT_SETTINGS));
    expect(result[0].requests.length).toBeGreaterThanOrEqual(PIPE_BATCH_SIZE);
    expect(JSON.stringify(result).length).toBeLessThanOrEqual(
      STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS / RECORD_SIZE_MARGIN,
    );
  });
});
