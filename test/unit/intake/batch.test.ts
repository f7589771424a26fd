/**
 * Intake of a Pipe batch (remediators/intake/batch.ts): every SQS record read on its own, a
 * malformed one rejected with the reason while the others go on, the same event twice in a batch
 * read once, a single event (the other starters) read as before, and a batch cut at the Pipe's
 * batch size marked to gather.
 */
import { describe, expect, it } from 'vitest';
import { intakeBatch } from '../../../remediators/intake/batch.js';
import { intake } from '../../../remediators/intake/intake.js';
import { PIPE_BATCH_SIZE } from '../../../remediators/intake/pipe-batch.js';
import { pipeBatch } from '../../workflow/harness.js';
import { DEFAULT_SETTINGS, fixture, type JsonObject } from './events.js';

const finding = (): JsonObject => fixture('securityhub-apigateway1-rest-consolidated.json');
const withId = (event: JsonObject, id: string): JsonObject => ({ ...event, id });

describe('intake of a batch', () => {
  it('reads a single event as intake does, with no duplicates', () => {
    const event = finding();
    expect(intakeBatch(event, DEFAULT_SETTINGS)).toEqual({
      ...intake(event, DEFAULT_SETTINGS),
      duplicates: [],
      gather: false,
    });
  });

  it("says a batch of the Pipe's batch size gathers (docs/decisions/0039), and a smaller one does not", () => {
    const events = (count: number) =>
      pipeBatch(Array.from({ length: count }, (_, index) => withId(finding(), `e-${index}`)));
    expect(intakeBatch(events(PIPE_BATCH_SIZE), DEFAULT_SETTINGS).gather).toBe(true);
    expect(intakeBatch(events(PIPE_BATCH_SIZE - 1), DEFAULT_SETTINGS).gather).toBe(false);
  });

  it('reads every record of a Pipe batch, in order', () => {
    const events = [withId(finding(), 'e-1'), fixture('cloudtrail-updatestage-by-user.json')];
    const result = intakeBatch(pipeBatch(events), DEFAULT_SETTINGS);
    expect(result.requests.map((request) => request.trigger)).toEqual(['securityhub', 'cloudtrail']);
    expect(result.rejected).toEqual([]);
  });

  it('rejects a malformed record with the reason and keeps the others', () => {
    const [good] = pipeBatch([withId(finding(), 'e-1')]);
    const notJson = { ...(good as object), messageId: 'm-2', body: '{not json' };
    const result = intakeBatch([good, notJson, { body: 42 }], DEFAULT_SETTINGS);
    expect(result.requests).toHaveLength(1);
    expect(result.rejected.map((item) => item.error)).toEqual([
      expect.stringMatching(/^batch record \[1\] \(SQS message m-2\): body is not JSON: /),
      expect.stringMatching(/^batch record \[2\]: not an SQS record: /),
    ]);
  });

  it('reads the same event twice in one batch once, listing the copy as a duplicate delivery', () => {
    const event = withId(finding(), 'same');
    const result = intakeBatch(pipeBatch([event, event, event]), DEFAULT_SETTINGS);
    expect(result.requests).toHaveLength(1);
    expect(result.duplicates).toEqual([
      { eventId: 'same', reason: 'event same delivered again in the same batch' },
      { eventId: 'same', reason: 'event same delivered again in the same batch' },
    ]);
  });

  it('reads a finding reset to NEW (a new event, a new id) as a new request, not a duplicate', () => {
    const result = intakeBatch(
      pipeBatch([withId(finding(), 'first'), withId(finding(), 'reset')]),
      DEFAULT_SETTINGS,
    );
    expect(result.requests.map((request) => request.eventId)).toEqual(['first', 'reset']);
    expect(result.duplicates).toEqual([]);
  });
});
