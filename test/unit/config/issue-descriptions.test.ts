/**
 * How a validation problem is put into words (config/issues.ts), for the configuration file and
 * for incoming events alike: bounded renderings of values, the value at a path that does not exist,
 * the keys an object accepts wherever it sits (in a record, an array, behind a transform), and
 * record keys refused for more than one reason.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { describeIssues, describeValue } from '../../../config/issues.js';
import { parseConfig } from '../../../config/load.js';

/** The sentences describeIssues makes of `input`'s problems under `schema`. */
function problemsOf(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return describeIssues(schema, result.error.issues, input);
}

describe('describeValue', () => {
  it('shows a value of 80 characters whole', () => {
    const value = 'x'.repeat(78);
    expect(describeValue(value)).toBe(JSON.stringify(value));
  });

  it('cuts a longer one to its first 77 characters and an ellipsis', () => {
    const value = 'y'.repeat(79);
    expect(describeValue(value)).toBe(`"${'y'.repeat(76)}...`);
  });

  it('falls back to String for what JSON cannot hold (a bigint)', () => {
    expect(describeValue(12n)).toBe('12');
  });
});

describe('describeIssues', () => {
  it('says "nothing" for a value whose path runs through null or through a missing object', () => {
    const schema = z.object({ approval: z.object({ timeoutSeconds: z.number() }) });
    // A refinement's issue may name a path the input does not have.
    const issue: z.core.$ZodIssue = {
      code: 'custom',
      path: ['approval', 'timeoutSeconds'],
      message: 'needed',
    };
    expect(describeIssues(schema, [issue], { approval: null })).toStrictEqual([
      'approval.timeoutSeconds: got nothing; needed',
    ]);
    expect(describeIssues(schema, [issue], {})).toStrictEqual([
      'approval.timeoutSeconds: got nothing; needed',
    ]);
  });

  it('lists the keys an account override accepts, though accounts is a record', () => {
    expect(() => parseConfig({ accounts: { '111122223333': { modes: 'off' } } }, 'file.json')).toThrow(
      'file.json: accounts."111122223333".modes: unknown field; allowed: mode, controls, dryRun',
    );
  });

  it('lists the keys an object in an array accepts', () => {
    const schema = z.object({ items: z.array(z.object({ a: z.string() }).strict()) });
    expect(problemsOf(schema, { items: [{ a: 'x', b: 1 }] })).toStrictEqual([
      'items[0].b: unknown field; allowed: a',
    ]);
  });

  it('lists the keys of an object behind a transform (a zod pipe)', () => {
    const schema = z.object({
      p: z
        .object({ x: z.string() })
        .strict()
        .transform((value) => value),
    });
    expect(problemsOf(schema, { p: { x: 'a', y: 1 } })).toStrictEqual(['p.y: unknown field; allowed: x']);
  });

  it('names an unknown key without a list when the keys cannot be read from the schema (a union)', () => {
    const schema = z.object({
      effect: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('a'), inner: z.object({ deeper: z.object({}).strict() }) }),
      ]),
    });
    expect(problemsOf(schema, { effect: { kind: 'a', inner: { deeper: { zzz: 1 } } } })).toStrictEqual([
      'effect.inner.deeper.zzz: unknown field',
    ]);
  });

  it('names an unknown key without a list when the object is behind z.lazy', () => {
    const schema = z.object({ nested: z.lazy(() => z.object({ a: z.string() }).strict()) });
    expect(problemsOf(schema, { nested: { a: 'x', b: 1 } })).toStrictEqual(['nested.b: unknown field']);
  });

  it('names the refused record key itself, however deep, with every reason it is refused', () => {
    const schema = z.object({
      a: z.object({ b: z.record(z.string().min(3).regex(/^\d+$/, 'digits only'), z.string()) }),
    });
    expect(problemsOf(schema, { a: { b: { x: '1' } } })).toStrictEqual([
      'a.b.x: key "x" is not valid; expected Too small: expected string to have >=3 characters; digits only',
    ]);
  });
});
