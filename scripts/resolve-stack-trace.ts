/**
 * Resolves a stack trace a function logged (minified positions in `index.mjs`) to the source
 * files, lines and names, offline, with the source map that is deployed beside the bundle but not
 * loaded at start (the functions run without `--enable-source-maps`, docs/decisions/0018).
 *
 * The map: `index.mjs.map` in the function's deployment package (`aws lambda get-function
 * --function-name NAME --query Code.Location` gives a link to the zip), or in
 * `cdk.out/asset.<hash>/` after `npm run synth` at the deployed commit.
 *
 *   npx tsx scripts/resolve-stack-trace.ts path/to/index.mjs.map < trace.txt
 *
 * Each `index.mjs:LINE:COLUMN` in the input is followed by ` [source:line:column name]`; the rest of
 * the text is printed as it is. Node's own `SourceMap` (node:module) reads the map.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';

/** `index.mjs:12:345` or `index.js:1:2`, as Node prints a frame of the bundle (file URL or path). */
const FRAME = /\bindex\.m?js:(\d+):(\d+)/g;

/** Strips what esbuild puts before a project path in `sources` (`../../remediators/…`). */
function sourcePath(source: string): string {
  return source.replace(/^(?:\.\.\/)+/, '');
}

/** The trace with each bundle position followed by the source position it came from. */
export function resolveStackTrace(trace: string, map: SourceMap): string {
  return trace.replace(FRAME, (frame: string, line: string, column: string) => {
    // Stack traces count lines and columns from 1, as findOrigin does.
    const origin = map.findOrigin(Number(line), Number(column));
    if (!('fileName' in origin)) return frame;
    const name = origin.name === undefined ? '' : ` ${origin.name}`;
    return `${frame} [${sourcePath(origin.fileName)}:${origin.lineNumber}:${origin.columnNumber}${name}]`;
  });
}

export function loadSourceMap(path: string): SourceMap {
  return new SourceMap(JSON.parse(readFileSync(path, 'utf8')) as SourceMapPayload);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mapPath = process.argv[2];
  if (mapPath === undefined) {
    console.error('usage: npx tsx scripts/resolve-stack-trace.ts path/to/index.mjs.map < trace.txt');
    process.exit(2);
  }
  process.stdout.write(resolveStackTrace(readFileSync(0, 'utf8'), loadSourceMap(mapPath)));
}
