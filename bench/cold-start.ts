/**
 * Module init time of every Lambda bundle: bundles each function as bench/bundle-size.ts does, then
 * starts N fresh `node` processes per bundle (the project's Node 24, node_modules/.bin/node), each
 * timing `await import(bundle)` with performance.now() and checking that it exports `handler`.
 * Reports the median and p90 over the N runs.
 *
 * What this is NOT: Lambda's cold start. It leaves out the sandbox and runtime start, downloading
 * and unpacking the code, the runtime client's own init and the first invocation (where the SDK
 * clients resolve credentials and open connections). It measures the module init part, on this
 * machine's CPU and disk cache, which is the part the code controls. Compare runs, not absolutes.
 *
 * The child processes get a minimal environment: the variables the CDK app sets (dummy values),
 * the ones Lambda sets, and NODE_OPTIONS=--enable-source-maps as infra/functions.ts sets it.
 *
 *   npm run bench:cold-start                       a table, 5 runs per function
 *   npm run bench:cold-start -- --runs 10          10 runs per function
 *   npm run bench:cold-start -- --no-source-maps   without NODE_OPTIONS=--enable-source-maps (to see its cost)
 *   npm run bench:cold-start -- --json             a JSON array of {name, bundleBytes, runs, medianMs, p90Ms, samplesMs}
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { HOME_ACCOUNT_ENV } from '../remediators/core/credentials.js';
import { SERVICE_NAME } from '../remediators/shared/powertools.js';
import { bundleLambdas, formatTable, PROJECT_ROOT } from './bundle-size.js';

const run = promisify(execFile);

export const NODE_BIN = join(PROJECT_ROOT, 'node_modules', '.bin', 'node');
export const DEFAULT_RUNS = 5;

/** Dummy values for every variable the CDK app and Lambda set; none is used to reach AWS here. */
export function childEnvironment(functionName: string, sourceMaps = true): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    // As infra/functions.ts sets it: Node then loads the source map when the bundle is compiled.
    ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    LOG_LEVEL: 'INFO',
    [HOME_ACCOUNT_ENV]: '111111111111',
    NOTIFY_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:bench',
    APPROVALS_TABLE_NAME: 'bench-approvals',
    SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:bench',
    APPROVAL_BASE_URL: 'https://bench.invalid/',
    SLACK_CHANNEL_ID: 'C0123456789',
    SERVICE_ROLE_ARNS: 'arn:aws:iam::111111111111:role/bench',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    // Never sends anything at import; at invocation it would go to this unused local port.
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    TZ: ':UTC',
  };
}

/** The child's program: one timed dynamic import, the result as one JSON line. */
const CHILD_SCRIPT = `
const url = process.env.BENCH_BUNDLE_URL;
const start = performance.now();
const mod = await import(url);
const ms = performance.now() - start;
if (typeof mod.handler !== 'function') throw new Error('bundle does not export handler: ' + url);
process.stdout.write(JSON.stringify({ ms }) + '\\n');
`;

/** Starts one fresh process that imports the bundle; returns its module init time in ms. */
export async function measureInit(
  bundleFile: string,
  functionName: string,
  sourceMaps = true,
): Promise<number> {
  const { stdout } = await run(NODE_BIN, ['--input-type=module', '--eval', CHILD_SCRIPT], {
    env: { ...childEnvironment(functionName, sourceMaps), BENCH_BUNDLE_URL: pathToFileURL(bundleFile).href },
    timeout: 60_000,
  });
  const lines = stdout.trim().split('\n');
  const parsed: unknown = JSON.parse(lines[lines.length - 1] ?? '');
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { ms?: unknown }).ms !== 'number') {
    throw new Error(`unexpected output from the child for ${functionName}: ${stdout}`);
  }
  return (parsed as { ms: number }).ms;
}

/** Nearest-rank percentile (p in (0, 100]) of a non-empty sample. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of an empty sample');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] as number;
}

/** The median: the middle value, or the mean of the two middle values of an even sample. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of an empty sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `--runs N` (or `--runs=N`) from the arguments; DEFAULT_RUNS without it. */
export function parseRuns(argv: readonly string[]): number {
  let value: string | undefined;
  let given = false;
  argv.forEach((arg, index) => {
    if (arg === '--runs') {
      given = true;
      value = argv[index + 1];
    } else if (arg.startsWith('--runs=')) {
      given = true;
      value = arg.slice('--runs='.length);
    }
  });
  if (!given) return DEFAULT_RUNS;
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a positive integer, got ${value ?? 'nothing'}`);
  return runs;
}

export interface ColdStartRow {
  readonly name: string;
  readonly bundleBytes: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly samplesMs: readonly number[];
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const runs = parseRuns(process.argv.slice(2));
  const sourceMaps = !process.argv.includes('--no-source-maps');
  const bundled = await bundleLambdas();
  try {
    const rows: ColdStartRow[] = [];
    for (const bundle of bundled.rows) {
      const samplesMs: number[] = [];
      // One process at a time: parallel children would measure each other.
      for (let index = 0; index < runs; index++)
        samplesMs.push(await measureInit(bundle.outfile, bundle.name, sourceMaps));
      rows.push({
        name: bundle.name,
        bundleBytes: bundle.bundleBytes,
        runs,
        medianMs: median(samplesMs),
        p90Ms: percentile(samplesMs, 90),
        samplesMs,
      });
    }
    if (json) {
      console.log(JSON.stringify(rows, null, 2));
    } else {
      const { stdout: version } = await run(NODE_BIN, ['--version']);
      console.log(
        formatTable(
          ['function', 'bundle', 'runs', 'median', 'p90'],
          rows.map((row) => [
            row.name,
            `${(row.bundleBytes / 1024).toFixed(0)} KiB`,
            String(row.runs),
            `${row.medianMs.toFixed(1)} ms`,
            `${row.p90Ms.toFixed(1)} ms`,
          ]),
        ),
      );
      console.log(
        `\nModule init (await import of the bundle) in fresh node ${version.trim()} processes on this machine,` +
          (sourceMaps
            ? ' NODE_OPTIONS=--enable-source-maps as deployed;'
            : ' WITHOUT --enable-source-maps;') +
          "\nnot Lambda's full cold start (no sandbox, runtime or code download, no first invocation).",
      );
    }
  } finally {
    await bundled.cleanup();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
