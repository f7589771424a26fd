/**
 * The import graph of remediators/, config/, infra/, bin/ (ESM import and export-from specifiers,
 * relative ones resolved to files): imports run one way (infra → workflow/handlers → controls →
 * core; config is built from the catalog), and nothing imports in a circle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SCANNED = ['remediators', 'config', 'infra', 'bin'];

function sourceFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `import … from '…'`, `import '…'`, `export … from '…'`, `import('…')`; comments skipped. */
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  return [...text.matchAll(SPECIFIER)]
    .map((match) => match[1] ?? match[2] ?? '')
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts'))
    .filter((target) => !target.endsWith('.json'));
}

const GRAPH: ReadonlyMap<string, readonly string[]> = new Map(
  SCANNED.flatMap(sourceFiles).map((file) => [file, importsOf(file)]),
);

function edgesFrom(prefix: string): [string, string][] {
  return [...GRAPH].flatMap(([file, targets]) =>
    file.startsWith(prefix) ? targets.map((target): [string, string] => [file, target]) : [],
  );
}

function into(edges: [string, string][], prefixes: readonly string[]): string[] {
  return edges
    .filter(([, target]) => prefixes.some((prefix) => target.startsWith(prefix)))
    .map(([file, target]) => `${file} → ${target}`);
}

/** Every cycle's files, found by depth-first search (each reported once, from its first file). */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const target of GRAPH.get(file) ?? []) {
      if (state.get(target) === 'visiting') found.push([...stack.slice(stack.indexOf(target)), target]);
      else if (state.get(target) === undefined && GRAPH.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of GRAPH.keys()) if (state.get(file) === undefined) visit(file);
  return found;
}

describe('import graph', () => {
  it('reads the graph (a parser that finds nothing would pass every rule)', () => {
    expect(GRAPH.size).toBeGreaterThan(100);
    expect(GRAPH.get('remediators/core/plan.ts')).toContain('remediators/core/effects/index.ts');
    expect(GRAPH.get('config/schema.ts')).toContain('remediators/controls/catalog-meta.ts');
  });

  it('core imports nothing from controls, config, workflow, handlers or infra', () => {
    expect(
      into(edgesFrom('remediators/core/'), [
        'remediators/controls/',
        'config/',
        'remediators/workflow/',
        'remediators/handlers/',
        'infra/',
      ]),
    ).toEqual([]);
  });

  it('controls import nothing from config, workflow, handlers or infra', () => {
    expect(
      into(edgesFrom('remediators/controls/'), [
        'config/',
        'remediators/workflow/',
        'remediators/handlers/',
        'infra/',
      ]),
    ).toEqual([]);
  });

  it('config imports nothing from workflow, handlers or infra', () => {
    expect(into(edgesFrom('config/'), ['remediators/workflow/', 'remediators/handlers/', 'infra/'])).toEqual(
      [],
    );
  });

  it('nothing under remediators/ imports infra or bin', () => {
    expect(into(edgesFrom('remediators/'), ['infra/', 'bin/'])).toEqual([]);
  });

  it('has no circle anywhere', () => {
    expect(cycles().map((cycle) => cycle.join(' → '))).toEqual([]);
  });
});
