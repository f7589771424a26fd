/**
 * What the docs say the app deploys is what `cdk synth` makes. docs/deploy.md states it in one
 * table ("What the templates contain": counts and names of functions, rules, alarms, parameters
 * and outputs per template); any prose in README.md or docs/*.md that counts task functions,
 * Lambda functions, event rules or alarms must give the central template's number. The expected
 * values come from the synthesized templates, so adding a task function or an output only needs
 * the docs updated, never this test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, synthesizeApp } from './synth.js';

interface TemplateJson {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
  readonly Parameters?: Record<string, unknown>;
  readonly Outputs?: Record<string, unknown>;
}

interface Facts {
  readonly lambdaFunctions: number;
  readonly taskFunctions: number;
  readonly eventRules: readonly string[];
  readonly alarms: number;
  readonly parameters: readonly string[];
  readonly outputs: readonly string[];
}

/** Logical ids as the docs name them: without the 8-character hash the CDK appends. */
function withoutHash(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

function logicalIdsOfType(template: TemplateJson, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId]) => logicalId);
}

/** The functions the state machine's definition substitutions point at (through their versions): its task functions. */
function taskFunctionIds(template: TemplateJson): Set<string> {
  const functions = new Set(logicalIdsOfType(template, 'AWS::Lambda::Function'));
  const referenced = new Set<string>();
  for (const machine of logicalIdsOfType(template, 'AWS::StepFunctions::StateMachine')) {
    const substitutions = template.Resources[machine]?.Properties?.['DefinitionSubstitutions'] ?? {};
    for (const value of Object.values(substitutions as Record<string, unknown>)) {
      const version = template.Resources[(value as { Ref?: string }).Ref ?? ''];
      const target = (version?.Properties?.['FunctionName'] as { Ref?: string } | undefined)?.Ref;
      if (version?.Type === 'AWS::Lambda::Version' && target !== undefined && functions.has(target)) {
        referenced.add(target);
      }
    }
  }
  return referenced;
}

function factsOf(template: TemplateJson): Facts {
  const sorted = (names: readonly string[]) => names.map(withoutHash).sort();
  return {
    lambdaFunctions: logicalIdsOfType(template, 'AWS::Lambda::Function').length,
    taskFunctions: taskFunctionIds(template).size,
    eventRules: sorted(logicalIdsOfType(template, 'AWS::Events::Rule')),
    alarms: logicalIdsOfType(template, 'AWS::CloudWatch::Alarm').length,
    parameters: sorted(Object.keys(template.Parameters ?? {})),
    outputs: sorted(Object.keys(template.Outputs ?? {})),
  };
}

const COLUMNS = [
  'template',
  'Lambda functions',
  'task functions',
  'event rules',
  'alarms',
  'parameters',
  'outputs',
];

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((cell) => cell.trim());
}

const countIn = (cell: string) => Number(/^\d+/.exec(cell)?.[0] ?? Number.NaN);
const namesIn = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '').sort();

/** The rows of the table in `markdown` whose header is {@link COLUMNS}, keyed by template name. */
function documentedFacts(markdown: string): Map<string, Facts> {
  const lines = markdown.split('\n');
  const header = lines.findIndex(
    (line) => line.trim().startsWith('|') && cells(line).join('|') === COLUMNS.join('|'),
  );
  const rows = new Map<string, Facts>();
  if (header === -1) return rows;
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [
      template = '',
      lambdaFunctions = '',
      taskFunctions = '',
      eventRules = '',
      alarms = '',
      parameters = '',
      outputs = '',
    ] = cells(line);
    const [name = template] = namesIn(template);
    const rules = namesIn(eventRules);
    expect(countIn(eventRules), `${name}: the event rule count says how many names follow`).toBe(
      rules.length,
    );
    rows.set(name, {
      lambdaFunctions: countIn(lambdaFunctions),
      taskFunctions: countIn(taskFunctions),
      eventRules: rules,
      alarms: countIn(alarms),
      parameters: namesIn(parameters),
      outputs: namesIn(outputs),
    });
  }
  return rows;
}

function documents(): { path: string; text: string }[] {
  const docs = readdirSync(join(PROJECT_ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => join('docs', file));
  return ['README.md', ...docs].map((path) => ({
    path,
    text: readFileSync(join(PROJECT_ROOT, path), 'utf8'),
  }));
}

describe('the docs say what the app deploys', () => {
  let central: Facts;
  let member: Facts;

  beforeAll(() => {
    const synthesized = synthesizeApp(['us-east-1']);
    central = factsOf(synthesized.central.toJSON() as TemplateJson);
    member = factsOf(synthesized.member.toJSON() as TemplateJson);
  }, 120_000);

  it('docs/deploy.md: the table "What the templates contain" matches both templates', () => {
    const table = documentedFacts(readFileSync(join(PROJECT_ROOT, 'docs', 'deploy.md'), 'utf8'));
    expect(Object.fromEntries(table)).toEqual({
      'ApigwRemediation-<region>': central,
      ApigwRemediationMember: member,
    });
  });

  it('every count of task functions, Lambda functions, event rules or alarms in the docs is the central stack’s', () => {
    const expected: Record<string, number> = {
      'task functions': central.taskFunctions,
      'Lambda functions': central.lambdaFunctions,
      'event rules': central.eventRules.length,
      alarms: central.alarms,
    };
    const stated = documents().flatMap(({ path, text }) =>
      [...text.matchAll(/\b(\d+) (task functions|Lambda functions|event rules|alarms)\b/g)].map((match) => ({
        path,
        phrase: match[0],
        kind: match[2] ?? '',
        count: Number(match[1]),
      })),
    );
    // deploy.md counts them in prose too, so this test cannot pass by finding nothing.
    expect(stated.filter((statement) => statement.path === join('docs', 'deploy.md')).length).toBeGreaterThan(
      0,
    );
    expect(stated.filter((statement) => statement.count !== expected[statement.kind])).toEqual([]);
  });

  it('reads the facts it compares from the templates, not from nothing', () => {
    // A guard on the derivation itself: a template parse that found nothing would make both sides empty.
    expect(central.taskFunctions).toBeGreaterThan(0);
    expect(central.lambdaFunctions).toBeGreaterThan(central.taskFunctions); // the approval API's function too
    expect(central.eventRules.length).toBeGreaterThan(0);
    expect(central.outputs.length).toBeGreaterThan(0);
    expect(member.parameters.length).toBeGreaterThan(0);
  });
});
