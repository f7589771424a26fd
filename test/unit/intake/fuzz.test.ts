/**
 * Property-based fuzzing of intake: whatever JSON comes in (random values, or real fixtures with a
 * field replaced or removed anywhere), intake returns requests / ignored / rejected and never throws,
 * and every input item is accounted for exactly once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROL_IDS } from '../../../remediators/controls/catalog.js';
import { intake } from '../../../remediators/intake/intake.js';
import type { IntakeResult } from '../../../remediators/intake/types.js';
import { RemediationRequestSchema } from '../../../remediators/workflow/state.js';
import { DEFAULT_SETTINGS, fixture, fixtureFiles, type Json } from './events.js';

/** The new Security Hub's OCSF fixtures (test/fixtures/ocsf) beside the shared ASFF and CloudTrail ones. */
const OCSF_DIR = fileURLToPath(new URL('../../fixtures/ocsf/', import.meta.url));
const OCSF_FIXTURES: readonly Json[] = readdirSync(OCSF_DIR)
  .filter((name) => name.endsWith('.json') && name !== 'expected.json')
  .sort()
  .map((name) => JSON.parse(readFileSync(`${OCSF_DIR}${name}`, 'utf8')) as Json);

const FIXTURES: readonly Json[] = [...fixtureFiles().map(fixture), ...OCSF_FIXTURES];

function total(result: IntakeResult): number {
  return result.requests.length + result.ignored.length + result.rejected.length;
}

/** The number of findings of a Security Hub event; undefined for anything else. */
function findingCount(event: Json): number | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return undefined;
  if (event['source'] !== 'aws.securityhub') return undefined;
  const detail = event['detail'];
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return undefined;
  const findings = detail['findings'];
  return Array.isArray(findings) ? findings.length : undefined;
}

/**
 * The accounting invariant: a Security Hub event with N findings yields N items, unless the event
 * itself is unreadable, which is then one rejection and nothing else; any other event yields one item.
 */
function assertAccounted(event: Json, result: IntakeResult): void {
  const findings = findingCount(event);
  const items = total(result);
  if (findings !== undefined && findings > 0 && items === findings) return;
  expect(items).toBe(1);
  if (findings !== undefined && findings !== 1) {
    expect(result.rejected).toHaveLength(1);
  }
}

function assertWellFormed(result: IntakeResult): void {
  // Plain JSON the state machine can carry: nothing lost in a round trip.
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  for (const request of result.requests) {
    expect(RemediationRequestSchema.safeParse(request).success).toBe(true);
    expect(request.controls.every((id) => (CONTROL_IDS as readonly string[]).includes(id))).toBe(true);
  }
  for (const item of result.ignored) expect(item.reason.length).toBeGreaterThan(0);
  for (const item of result.rejected) expect(item.error.length).toBeGreaterThan(0);
}

/** Replaces (or, with `undefined`, deletes) the value at a path given as indexes into the keys met. */
function mutate(value: Json, steps: readonly number[], replacement: Json | undefined): Json {
  if (value === null || typeof value !== 'object') return replacement ?? null;
  const keys = Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value);
  const [step, ...rest] = steps;
  if (step === undefined || keys.length === 0) return replacement ?? null;
  const key = keys[step % keys.length] as string | number;
  const child = (value as Record<string | number, Json>)[key] as Json;
  const next = rest.length === 0 ? replacement : mutate(child, rest, replacement);
  if (Array.isArray(value)) {
    return next === undefined
      ? value.filter((_, index) => index !== key)
      : value.map((item, index) => (index === key ? next : item));
  }
  const entries = Object.entries(value).filter(([name]) => name !== key);
  return Object.fromEntries(next === undefined ? entries : [...entries, [key, next]]) as Json;
}

const mutatedFixture = fc
  .record({
    base: fc.constantFrom(...FIXTURES),
    steps: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    replacement: fc.option(fc.jsonValue() as fc.Arbitrary<Json>, { nil: undefined }),
  })
  .map(({ base, steps, replacement }) => mutate(base, steps, replacement));

describe('intake fuzzing (fast-check)', () => {
  it('never throws on any JSON value and accounts for the event once', () => {
    fc.assert(
      fc.property(fc.jsonValue() as fc.Arbitrary<Json>, (event) => {
        const result = intake(event, DEFAULT_SETTINGS);
        assertWellFormed(result);
        assertAccounted(event, result);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on real fixtures with any field replaced or removed, and accounts for every finding', () => {
    fc.assert(
      fc.property(mutatedFixture, (event) => {
        const result = intake(event, DEFAULT_SETTINGS);
        assertWellFormed(result);
        assertAccounted(event, result);
      }),
      { numRuns: 2000 },
    );
  });

  it('accounts for every finding of an event carrying many (mutated) findings', () => {
    const securityHubFixtures = FIXTURES.filter((event) => findingCount(event) !== undefined);
    const manyFindings = fc
      .tuple(
        fc.constantFrom(...securityHubFixtures),
        fc.array(mutatedFixture, { minLength: 1, maxLength: 6 }),
      )
      .map(([base, others]) => {
        const event = structuredClone(base) as { detail: { findings: Json[] } };
        for (const other of others) {
          const finding = (other as { detail?: { findings?: Json[] } } | null)?.detail?.findings?.[0];
          event.detail.findings.push(finding ?? other);
        }
        return event as unknown as Json;
      });
    fc.assert(
      fc.property(manyFindings, (event) => {
        const result = intake(event, DEFAULT_SETTINGS);
        assertWellFormed(result);
        expect(total(result)).toBe(findingCount(event));
      }),
      { numRuns: 300 },
    );
  });

  it('can tell when an item is lost: the accounting check fails on a result missing one', () => {
    const event = fixture('securityhub-apigateway1-rest-consolidated.json');
    expect(() => assertAccounted(event, { requests: [], ignored: [], rejected: [] })).toThrow();
  });
});
