import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor } from '../../../bench/bundle-size.js';
import { NODE_BIN } from '../../../bench/cold-start.js';
import { SERVICE_BUNDLING } from '../../../infra/functions.js';
import { loadSourceMap, resolveStackTrace } from '../../../scripts/resolve-stack-trace.js';

const run = promisify(execFile);

const FIXTURE = `export function rejectInput(input: string): never {
  const message = 'bad input: ' + input;
  throw new Error(message);
}

export const handler = async (event: { input: string }) => rejectInput(event.input);
`;

let dir: string;
let outfile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'resolve-stack-trace-'));
  await writeFile(join(dir, 'fixture.ts'), FIXTURE);
  const options = esbuildOptionsFor(SERVICE_BUNDLING, dir, 'fixture.ts', join(dir, 'out'));
  await build(options);
  outfile = options.outfile;
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveStackTrace', () => {
  it('turns the minified frames a function logs (no --enable-source-maps) into source lines', async () => {
    const child = `const m = await import(${JSON.stringify(pathToFileURL(outfile).href)});
      try { await m.handler({ input: 'x' }); } catch (error) { console.log(error.stack); }`;
    const { stdout: trace } = await run(NODE_BIN, ['--input-type=module', '--eval', child], {
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(trace).toMatch(/index\.mjs:\d+:\d+/);
    expect(trace).not.toContain('fixture.ts');

    const resolved = resolveStackTrace(trace, loadSourceMap(`${outfile}.map`));
    // The throw is on line 3 of the fixture, column 9 (`new Error`), inside rejectInput.
    expect(resolved).toMatch(/index\.mjs:\d+:\d+ \[fixture\.ts:3:\d+/);
    expect(resolved.split('\n')[0]).toBe('Error: bad input: x');
  });

  it('leaves the rest of the text, and positions the map does not cover, as they are', () => {
    const map = loadSourceMap(`${outfile}.map`);
    const text = 'plain line\n    at node:internal/process/task_queues:95:5\n';
    expect(resolveStackTrace(text, map)).toBe(text);
  });
});
