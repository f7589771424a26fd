/**
 * Turns zod issues into sentences a person can act on: which field, what it holds, what is allowed.
 *
 * Used for the configuration file and for incoming events, so every validation error in the service
 * reads the same way, e.g. `controls."APIGateway.1": got "sometimes"; allowed: auto, approve, notify, off`,
 * with a "did you mean" for a near miss of a field name or an allowed value (did-you-mean.ts), e.g.
 * `dryrun: unknown field; allowed: …; did you mean "dryRun"?`.
 */
import type * as z from 'zod';
import { didYouMean } from './did-you-mean.js';

type PathSegment = PropertyKey;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `controls."APIGateway.1"`, `resources.webAcl.managedRuleGroups[0]`, `(top level)` for the root. */
export function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const name = String(segment);
      const rendered = IDENTIFIER.test(name) ? name : JSON.stringify(name);
      return index === 0 ? rendered : `.${rendered}`;
    })
    .join('');
}

/** A short, bounded rendering of an input value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** The zod internals we walk to find which keys an object at a path accepts. */
interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.core.$ZodType;
  readonly in?: z.core.$ZodType;
  readonly shape?: Readonly<Record<string, z.core.$ZodType>>;
  readonly valueType?: z.core.$ZodType;
  readonly element?: z.core.$ZodType;
}

function defOf(schema: z.core.$ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

/** Strips wrappers (default, optional, pipe...) that do not change which keys are accepted. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    // Stryker disable next-line ConditionalExpression: equivalent for `true`, only a pipe's def has `in`; `false` is pinned by issue-descriptions.test.ts (an object behind a transform)
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner === undefined) return current;
    current = inner;
  }
}

function schemaAt(schema: z.core.$ZodType, path: readonly PathSegment[]): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (current === undefined) return undefined;
    const def = defOf(current);
    const next: z.core.$ZodType | undefined =
      def.type === 'object'
        ? // Stryker disable next-line OptionalChaining: equivalent, a zod object's def always has a shape; the ? is for SchemaDef's type
          def.shape?.[String(segment)]
        : def.type === 'record'
          ? def.valueType
          : // Stryker disable next-line ConditionalExpression: equivalent for `true`, only an array's def has `element`; `false` is pinned by issue-descriptions.test.ts
            def.type === 'array'
            ? def.element
            : undefined;
    current = next === undefined ? undefined : unwrap(next);
  }
  return current;
}

function allowedKeys(schema: z.core.$ZodType, path: readonly PathSegment[]): readonly string[] {
  const target = schemaAt(schema, path);
  if (target === undefined) return [];
  const shape = defOf(target).shape;
  return shape === undefined ? [] : Object.keys(shape);
}

/**
 * One line per problem: `<field>: got <value>; <what was expected>`. `basePath` says where `input`
 * sits in a larger document (e.g. `['detail', 'findings', 0]`), so fields are named from its root.
 */
export function describeIssues(
  schema: z.core.$ZodType,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  basePath: readonly PathSegment[] = [],
): string[] {
  return issues.flatMap((issue): string[] => {
    const path = issue.path as readonly PathSegment[];
    const field = formatPath([...basePath, ...path]);
    const got = describeValue(valueAt(input, path));
    switch (issue.code) {
      case 'invalid_value': {
        const allowed = issue.values.map((value) => String(value));
        return [
          `${field}: got ${got}; allowed: ${allowed.join(', ')}${didYouMean(valueAt(input, path), allowed)}`,
        ];
      }
      case 'invalid_type':
        return [`${field}: got ${got}; expected ${issue.expected}`];
      case 'unrecognized_keys': {
        const allowed = allowedKeys(schema, path);
        return issue.keys.map(
          (key) =>
            `${formatPath([...basePath, ...path, key])}: unknown field` +
            (allowed.length > 0 ? `; allowed: ${allowed.join(', ')}${didYouMean(key, allowed)}` : ''),
        );
      }
      case 'invalid_key': {
        const key = path.at(-1);
        const reasons = issue.issues.map((inner) => inner.message).join('; ');
        return [`${field}: key ${describeValue(key)} is not valid; expected ${reasons}`];
      }
      default:
        return [`${field}: got ${got}; ${issue.message}`];
    }
  });
}
