import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_BUNDLING } from '../../../infra/functions.js';
import { PROJECT_ROOT } from '../../../bench/bundle-size.js';
import packageJson from '../../../package.json' with { type: 'json' };

const run = promisify(execFile);
const SCRIPT = join(PROJECT_ROOT, 'scripts', 'shakeable-sdk-schemas.mjs');
const require = createRequire(import.meta.url);

/** A schema module as the SDK generates it (cut down): string constants, computed trait keys. */
const GENERATED = `const _e = "error";
const _c = "client";
const _h = "http";
const _hE = "httpError";
const _q = "a \\"quoted\\" trait";
const n0 = "com.amazonaws.fake";
export var Oops$ = [-3, n0, "Oops",
    { [_e]: _c, [_hE]: 400 },
    [], []
];
export var Get$ = [9, n0, "Get",
    { [_h]: ["GET", "/things", 200] }, () => Oops$, () => Oops$
];
export var Odd$ = [3, n0, "Odd", { [_q]: 1, [unknown]: 2 }, [], []];
`;

describe('scripts/shakeable-sdk-schemas.mjs (spawned, as npm runs it after an install)', () => {
  let nodeModules: string;
  beforeAll(async () => {
    nodeModules = await mkdtemp(join(tmpdir(), 'shakeable-'));
    for (const path of [
      '@aws-sdk/client-fake/dist-es/schemas/schemas_0.js',
      '@aws-sdk/nested-clients/dist-es/submodules/sts/schemas/schemas_0.js',
    ]) {
      await mkdir(dirname(join(nodeModules, path)), { recursive: true });
      await writeFile(join(nodeModules, path), GENERATED);
    }
    // Not a schema module: left alone.
    await writeFile(join(nodeModules, '@aws-sdk/client-fake/dist-es/index.js'), GENERATED);
  });
  afterAll(() => rm(nodeModules, { recursive: true, force: true }));

  it('writes each computed key that names a string constant as that string, in every schema module, once', async () => {
    const first = await run(process.execPath, [SCRIPT, nodeModules]);
    expect(first.stdout.trim()).toBe(
      `shakeable-sdk-schemas: 8 computed keys rewritten in 2 of 2 AWS SDK schema modules (${nodeModules})`,
    );
    const rewritten = await readFile(
      join(nodeModules, '@aws-sdk/client-fake/dist-es/schemas/schemas_0.js'),
      'utf8',
    );
    expect(rewritten).toContain('{ "error": _c, "httpError": 400 }');
    expect(rewritten).toContain('{ "http": ["GET", "/things", 200] }');
    // An escaped constant stays the same string; a name that is no constant of the module stays computed.
    expect(rewritten).toContain('{ "a \\"quoted\\" trait": 1, [unknown]: 2 }');
    expect(rewritten.split('\n').slice(0, 6).join('\n')).toBe(GENERATED.split('\n').slice(0, 6).join('\n'));
    expect(await readFile(join(nodeModules, '@aws-sdk/client-fake/dist-es/index.js'), 'utf8')).toBe(
      GENERATED,
    );

    const again = await run(process.execPath, [SCRIPT, nodeModules]);
    expect(again.stdout).toContain('0 computed keys rewritten in 0 of 2 AWS SDK schema modules');
    expect(
      await readFile(join(nodeModules, '@aws-sdk/client-fake/dist-es/schemas/schemas_0.js'), 'utf8'),
    ).toBe(rewritten);
  });
});

/**
 * Whether two schema graphs are the same value for value: the lazy references (`() => Other$`) are
 * followed on both sides, and a pair already being compared counts as equal (schemas are cyclic).
 */
function sameSchema(
  a: unknown,
  b: unknown,
  seen = new Set<string>(),
  ids = new Map<object, number>(),
): boolean {
  const resolve = (value: unknown): unknown =>
    typeof value === 'function' ? (value as () => unknown)() : value;
  const left = resolve(a);
  const right = resolve(b);
  if (typeof left !== 'object' || left === null || typeof right !== 'object' || right === null)
    return Object.is(left, right);
  const id = (value: object) => ids.get(value) ?? (ids.set(value, ids.size), ids.size - 1);
  const pair = `${id(left)}/${id(right)}`;
  if (seen.has(pair)) return true;
  seen.add(pair);
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every(
    (key) =>
      Object.hasOwn(right, key) &&
      sameSchema((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key], seen, ids),
  );
}

describe("the installed SDK's schema modules", () => {
  const clients = Object.keys({ ...packageJson.dependencies, ...packageJson.devDependencies }).filter(
    (name) => name.startsWith('@aws-sdk/client-'),
  );

  it('have no computed key left: the postinstall ran (else run node scripts/shakeable-sdk-schemas.mjs)', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, join(PROJECT_ROOT, 'node_modules'), '--dry-run']);
    expect(stdout).toMatch(/^shakeable-sdk-schemas: 0 computed keys to rewrite in 0 of \d+ /);
  });

  it.each(clients)(
    "%s: every schema the bundles get (dist-es, rewritten) is the SDK's own (dist-cjs, untouched)",
    async (client) => {
      const out = await mkdtemp(join(tmpdir(), 'shakeable-bundle-'));
      try {
        const entry = join(out, 'entry.mjs');
        await writeFile(entry, `export * from '${client}';\n`);
        await build({
          entryPoints: [entry],
          bundle: true,
          platform: 'node',
          format: 'esm',
          mainFields: [...(SERVICE_BUNDLING.mainFields ?? [])],
          nodePaths: [join(PROJECT_ROOT, 'node_modules')],
          outfile: join(out, 'index.mjs'),
          banner: {
            js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
          },
          logLevel: 'error',
        });
        const bundled = (await import(pathToFileURL(join(out, 'index.mjs')).href)) as Record<string, unknown>;
        const own = require(client) as Record<string, unknown>;
        const schemas = Object.keys(own).filter((name) => name.endsWith('$'));
        expect(schemas.length).toBeGreaterThan(10);
        expect(schemas.filter((name) => !sameSchema(bundled[name], own[name]))).toEqual([]);
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
