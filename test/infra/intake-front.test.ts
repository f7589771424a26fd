/**
 * The Pipe's batch size (remediators/intake/pipe-batch.ts) rests on a measured upper bound of an event record:
 * every event fixture, wrapped as the Pipe delivers it, stays under MEASURED_MAX_RECORD_CHARS, and
 * a full batch at twice that bound fits the Step Functions target's 262,144 characters.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MEASURED_MAX_RECORD_CHARS,
  PIPE_BATCH_SIZE,
  RECORD_SIZE_MARGIN,
  STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS,
} from '../../remediators/intake/pipe-batch.js';
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

  it('fits a full batch of records at the margin into the Step Functions target payload', () => {
    expect(PIPE_BATCH_SIZE).toBe(16);
    expect(PIPE_BATCH_SIZE * MEASURED_MAX_RECORD_CHARS * RECORD_SIZE_MARGIN).toBeLessThanOrEqual(
      STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS,
    );
    const largest = deliverableEvents()
      .map(({ event }) => event)
      .sort((a, b) => JSON.stringify(b).length - JSON.stringify(a).length)[0];
    const batch = pipeBatch(Array.from({ length: PIPE_BATCH_SIZE }, () => largest));
    expect(JSON.stringify(batch).length).toBeLessThanOrEqual(
      STEP_FUNCTIONS_PIPE_PAYLOAD_CHARS / RECORD_SIZE_MARGIN,
    );
  });
});
