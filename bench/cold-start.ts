/**
 * Module init time of every Lambda bundle, today's side by side with a baseline commit's (by
 * default 8761bb0, the last before issue 9's lean-Lambda work), in one run: bundles each function
 * as bench/bundle-size.ts does, builds the baseline's bundles with that commit's own bench and
 * bundling options (bench/baseline.ts), and this checkout's again with the AWS SDK packaged the
 * other ways decision 0021 weighed (alternativeBundlings: all of it bundled, and left to the
 * runtime's copy, resolved from a node_modules linked beside the bundles), then starts fresh `node`
 * processes (the project's Node 24, node_modules/.bin/node), one at a time, rotating the order of
 * the trees run by run so that a drift of the shared machine's speed hits all alike. Each process times `await import(bundle)`
 * with performance.now() and checks that it exports `handler`; the parent also times the whole
 * process. `node -e 0`, timed the same way, is the floor: what starting Node alone costs.
 *
 * What this is NOT: Lambda's cold start. It leaves out the sandbox and runtime start, downloading
 * and unpacking the code, the runtime client's own init and the first invocation (where the SDK
 * clients resolve credentials and open connections). It measures the module init part, on this
 * machine's CPU and disk cache, which is the part the code controls. Compare runs, not absolutes.
 *
 * The child processes get a minimal environment: the variables the CDK app sets (dummy values),
 * the ones Lambda sets, and the NODE_OPTIONS each tree's infra/functions.ts deploys (the baseline's
 * `--enable-source-maps`; none today, docs/decisions/0018).
 *
 *   npm run bench:cold-start                        a table, 5 runs per function and tree
 *   npm run bench:cold-start -- --runs 10           10 runs per function and tree
 *   npm run bench:cold-start -- --baseline abc1234  against another commit of this clone's history
 *   npm run bench:cold-start -- --json              {baselineCommit, node, runs, floor, functions: [...]}
 */
import { execFile } from 'node:child_process';
import { readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { HOME_ACCOUNT_ENV } from '../remediators/core/credentials.js';
import { SERVICE_NAME } from '../remediators/shared/powertools.js';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RUNTIME_SDK_MODULES, SERVICE_BUNDLING } from '../infra/functions.js';
import { BASELINE_COMMIT, buildBaselineBundles, checkCommit, nodeOptionsIn } from './baseline.js';
import { bundleLambdas, formatTable, PROJECT_ROOT, type BundledLambdas } from './bundle-size.js';

const run = promisify(execFile);

export const NODE_BIN = join(PROJECT_ROOT, 'node_modules', '.bin', 'node');
export const DEFAULT_RUNS = 5;

/**
 * Dummy values for every variable the CDK app and Lambda set; none is used to reach AWS here.
 * `nodeOptions`: the NODE_OPTIONS the bundle's tree deploys (the baseline's `--enable-source-maps`
 * makes Node load the source map when the bundle is compiled); none today.
 */
export function childEnvironment(functionName: string, nodeOptions?: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    ...(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }),
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

/** Another way to package the AWS SDK, timed beside the deployed one (docs/decisions/0021). */
export interface AlternativeBundling {
  /** `SDK bundled` or `SDK from the runtime`. */
  readonly label: string;
  readonly bundling: BundlingOptions;
}

/**
 * Today's bundling with the AWS SDK packaged the two other ways decision 0021 weighed: all of it
 * bundled (`externalModules: []`, main's build before 0021) and left to the runtime
 * (RUNTIME_SDK_MODULES external); either is left out when it is what `bundling` already does.
 */
export function alternativeBundlings(bundling: BundlingOptions): AlternativeBundling[] {
  const same = (externals: readonly string[]) =>
    JSON.stringify([...(bundling.externalModules ?? ['@aws-sdk/*'])].sort()) ===
    JSON.stringify([...externals].sort());
  const candidates: AlternativeBundling[] = [
    { label: 'SDK bundled', bundling: { ...bundling, externalModules: [] } },
    { label: 'SDK from the runtime', bundling: { ...bundling, externalModules: [...RUNTIME_SDK_MODULES] } },
  ];
  return candidates.filter((candidate) => !same(candidate.bundling.externalModules ?? []));
}

/**
 * Lets the bundles of `bundled` resolve what they leave external the way Lambda resolves it from
 * /var/runtime/node_modules: a `node_modules` beside the bundle directories, linked to this
 * checkout's (flat, npm-installed, the SDK's `dist-cjs` entry points like the runtime's copy; its
 * versions are this lock file's, not the runtime's). Nothing to do for self-contained bundles.
 */
export async function linkRuntimeModules(bundled: BundledLambdas): Promise<void> {
  if (bundled.rows.every((row) => row.runtimeModules.length === 0)) return;
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(bundled.dir, 'node_modules'), 'dir');
}

/** The child's program: one timed dynamic import (wall and CPU time), the result as one JSON line. */
const CHILD_SCRIPT = `
const url = process.env.BENCH_BUNDLE_URL;
const cpuStart = process.cpuUsage();
const start = performance.now();
const mod = await import(url);
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
if (typeof mod.handler !== 'function') throw new Error('bundle does not export handler: ' + url);
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000 }) + '\\n');
`;

export interface InitSample {
  /** `await import(bundle)` inside the child, wall time. */
  readonly initMs: number;
  /** The CPU time (user + system) of that import: steadier than wall time on a busy machine. */
  readonly initCpuMs: number;
  /** The whole child process, timed by the parent: Node's start, the import, the exit. */
  readonly processMs: number;
}

/** Starts one fresh process that imports the bundle; returns its module init and whole-process times. */
export async function measureInit(
  bundleFile: string,
  functionName: string,
  nodeOptions?: string,
): Promise<InitSample> {
  const started = performance.now();
  const { stdout } = await run(NODE_BIN, ['--input-type=module', '--eval', CHILD_SCRIPT], {
    env: { ...childEnvironment(functionName, nodeOptions), BENCH_BUNDLE_URL: pathToFileURL(bundleFile).href },
    timeout: 60_000,
  });
  const processMs = performance.now() - started;
  const lines = stdout.trim().split('\n');
  return { ...parseChildLine(lines[lines.length - 1] ?? '', functionName), processMs };
}

/** The child's JSON line: `{ms, cpuMs}`, both numbers. */
export function parseChildLine(line: string, functionName: string): Omit<InitSample, 'processMs'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`unexpected output from the child for ${functionName}: ${line}`);
  }
  const { ms, cpuMs } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
    string,
    unknown
  >;
  if (typeof ms !== 'number' || typeof cpuMs !== 'number') {
    throw new Error(`unexpected output from the child for ${functionName}: ${line}`);
  }
  return { initMs: ms, initCpuMs: cpuMs };
}

/** The floor: one fresh `node -e 0` (same binary, same environment), timed by the parent. */
export async function measureFloor(): Promise<number> {
  const started = performance.now();
  await run(NODE_BIN, ['-e', '0'], { env: childEnvironment('floor'), timeout: 60_000 });
  return performance.now() - started;
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

/** `--baseline COMMIT` (or `--baseline=COMMIT`); BASELINE_COMMIT without it. */
export function parseBaseline(argv: readonly string[]): string {
  let value: string | undefined = BASELINE_COMMIT;
  argv.forEach((arg, index) => {
    if (arg === '--baseline') value = argv[index + 1];
    else if (arg.startsWith('--baseline=')) value = arg.slice('--baseline='.length);
  });
  if (value === undefined) throw new Error('--baseline needs a commit');
  return checkCommit(value);
}

export interface Timing {
  readonly runs: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly samplesMs: readonly number[];
}

export function timing(samplesMs: readonly number[]): Timing {
  return {
    runs: samplesMs.length,
    medianMs: median(samplesMs),
    p90Ms: percentile(samplesMs, 90),
    samplesMs,
  };
}

/** One tree's figures for one function. */
export interface TreeTimings {
  readonly bundleBytes: number;
  /** Module init: `await import(bundle)` in the child, wall time. */
  readonly init: Timing;
  /** The CPU time of the same imports. */
  readonly initCpu: Timing;
  /** The whole process, to hold against the floor. */
  readonly process: Timing;
}

export interface ColdStartRow {
  readonly name: string;
  /** Absent: the function does not exist in that tree. */
  readonly baseline?: TreeTimings;
  readonly current?: TreeTimings;
  /** This checkout with the SDK packaged another way (alternativeBundlings), by label. */
  readonly alternatives: Readonly<Record<string, TreeTimings>>;
  /** current init median / baseline init median; absent unless both exist. */
  readonly initRatio?: number;
  /** The same ratio of the CPU medians (steadier than wall time on a busy machine). */
  readonly cpuRatio?: number;
  /** Each alternative's CPU median / the baseline's, by label; only where both exist. */
  readonly alternativeCpuRatios: Readonly<Record<string, number>>;
}

export interface ColdStartReport {
  readonly baselineCommit: string;
  readonly node: string;
  readonly runs: number;
  readonly baselineNodeOptions: string | null;
  readonly currentNodeOptions: string | null;
  /** The alternative trees timed (alternativeBundlings), in column order. */
  readonly alternativeLabels: readonly string[];
  /** `node -e 0`, whole process. */
  readonly floor: Timing;
  readonly functions: readonly ColdStartRow[];
}

export interface Sampled {
  readonly bundleBytes: number;
  readonly init: number[];
  readonly initCpu: number[];
  readonly process: number[];
}

function treeTimings(sampled: Sampled | undefined): TreeTimings | undefined {
  if (sampled === undefined) return undefined;
  return {
    bundleBytes: sampled.bundleBytes,
    init: timing(sampled.init),
    initCpu: timing(sampled.initCpu),
    process: timing(sampled.process),
  };
}

/** One row per function of either tree, in today's order, then the baseline's functions that are gone. */
export function compareRows(
  current: ReadonlyMap<string, Sampled>,
  baseline: ReadonlyMap<string, Sampled>,
  alternatives: ReadonlyMap<string, ReadonlyMap<string, Sampled>> = new Map(),
): ColdStartRow[] {
  const names = [...current.keys(), ...[...baseline.keys()].filter((name) => !current.has(name))];
  return names.map((name) => {
    const before = treeTimings(baseline.get(name));
    const after = treeTimings(current.get(name));
    const others = [...alternatives]
      .map(([label, samples]) => [label, treeTimings(samples.get(name))] as const)
      .filter((entry): entry is readonly [string, TreeTimings] => entry[1] !== undefined);
    return {
      name,
      ...(before === undefined ? {} : { baseline: before }),
      ...(after === undefined ? {} : { current: after }),
      alternatives: Object.fromEntries(others),
      ...(before === undefined || after === undefined
        ? {}
        : {
            initRatio: after.init.medianMs / before.init.medianMs,
            cpuRatio: after.initCpu.medianMs / before.initCpu.medianMs,
          }),
      alternativeCpuRatios:
        before === undefined
          ? {}
          : Object.fromEntries(
              others.map(([label, timings]) => [label, timings.initCpu.medianMs / before.initCpu.medianMs]),
            ),
    };
  });
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const kibOf = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** The report as a table: bytes, init median and p90 of each tree, the ratio, then the floor. */
export function formatReport(report: ColdStartReport): string {
  const dash = '-';
  const body = report.functions.map((row) => [
    row.name,
    row.baseline ? kibOf(row.baseline.bundleBytes) : dash,
    row.current ? kibOf(row.current.bundleBytes) : dash,
    row.baseline ? ms(row.baseline.init.medianMs) : dash,
    row.baseline ? ms(row.baseline.init.p90Ms) : dash,
    row.current ? ms(row.current.init.medianMs) : dash,
    row.current ? ms(row.current.init.p90Ms) : dash,
    row.initRatio === undefined ? dash : row.initRatio.toFixed(2),
    row.baseline ? ms(row.baseline.initCpu.medianMs) : dash,
    row.current ? ms(row.current.initCpu.medianMs) : dash,
    row.baseline ? ms(row.baseline.process.medianMs) : dash,
    row.current ? ms(row.current.process.medianMs) : dash,
    row.cpuRatio === undefined ? dash : row.cpuRatio.toFixed(2),
    ...report.alternativeLabels.flatMap((label) => {
      const other = row.alternatives[label];
      const ratio = row.alternativeCpuRatios[label];
      return [
        other ? kibOf(other.bundleBytes) : dash,
        other ? ms(other.init.medianMs) : dash,
        other ? ms(other.initCpu.medianMs) : dash,
        ratio === undefined ? dash : ratio.toFixed(2),
      ];
    }),
  ]);
  const table = formatTable(
    [
      'function',
      'bytes before',
      'bytes now',
      'init before',
      'p90 before',
      'init now',
      'p90 now',
      'now/before',
      'cpu before',
      'cpu now',
      'process before',
      'process now',
      'cpu now/before',
      ...report.alternativeLabels.flatMap((_label, index) => [
        `bytes alt${index + 1}`,
        `init alt${index + 1}`,
        `cpu alt${index + 1}`,
        `cpu alt${index + 1}/before`,
      ]),
    ],
    body,
  );
  const options = (value: string | null) => (value === null ? 'no NODE_OPTIONS' : `NODE_OPTIONS=${value}`);
  return [
    table,
    '',
    `Floor: node -e 0, whole process: median ${ms(report.floor.medianMs)}, p90 ${ms(report.floor.p90Ms)} (${report.floor.runs} runs).`,
    `"before" = the bundles of ${report.baselineCommit} (${options(report.baselineNodeOptions)}), "now" = this checkout's (${options(report.currentNodeOptions)}), as each deploys them.`,
    `init = median / p90 of await import(bundle) over ${report.runs} fresh node ${report.node} processes each, baseline and current alternating;`,
    'cpu = median CPU time (user + system) of the same imports; process = the whole process as the parent timed it (compare with the floor).',
    ...report.alternativeLabels.map(
      (label, index) =>
        `alt${index + 1} = this checkout with the AWS SDK packaged another way (${label}), timed in the same rotation.`,
    ),
    ...(report.alternativeLabels.length === 0
      ? []
      : [
          "A bundle that leaves modules external resolves them from this checkout's node_modules, linked beside it as Lambda lays out /var/runtime/node_modules.",
        ]),
    "Not Lambda's full cold start (no sandbox, runtime or code download, no first invocation).",
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const runs = parseRuns(argv);
  const baselineCommit = parseBaseline(argv);
  const currentNodeOptions = nodeOptionsIn(
    await readFile(join(PROJECT_ROOT, 'infra', 'functions.ts'), 'utf8'),
  );
  const current = await bundleLambdas();
  const alternatives: { label: string; bundled: BundledLambdas }[] = [];
  try {
    for (const { label, bundling } of alternativeBundlings(SERVICE_BUNDLING))
      alternatives.push({ label, bundled: await bundleLambdas(bundling, () => Number.POSITIVE_INFINITY) });
    await linkRuntimeModules(current);
    for (const { bundled } of alternatives) await linkRuntimeModules(bundled);
    const baseline = await buildBaselineBundles(baselineCommit);
    try {
      const samplesOf = (rows: readonly { name: string; bundleBytes: number }[]) =>
        new Map<string, Sampled>(
          rows.map((row) => [row.name, { bundleBytes: row.bundleBytes, init: [], initCpu: [], process: [] }]),
        );
      const currentSamples = samplesOf(current.rows);
      const alternativeSamples = new Map(
        alternatives.map(({ label, bundled }) => [label, samplesOf(bundled.rows)] as const),
      );
      const baselineSamples = samplesOf(baseline.bundles);
      const floorSamples: number[] = [];
      const sample = async (
        into: Sampled | undefined,
        outfile: string | undefined,
        name: string,
        nodeOptions: string | undefined,
      ) => {
        if (into === undefined || outfile === undefined) return;
        const { initMs, initCpuMs, processMs } = await measureInit(outfile, name, nodeOptions);
        into.init.push(initMs);
        into.initCpu.push(initCpuMs);
        into.process.push(processMs);
      };
      // One process at a time (parallel children would measure each other); the order of the
      // three trees rotates every run so none always goes first.
      for (let index = 0; index < runs; index++) {
        floorSamples.push(await measureFloor());
        for (const row of current.rows) {
          const previous = baseline.bundles.find((bundle) => bundle.name === row.name);
          const trees = [
            () => sample(baselineSamples.get(row.name), previous?.outfile, row.name, baseline.nodeOptions),
            () => sample(currentSamples.get(row.name), row.outfile, row.name, currentNodeOptions),
            ...alternatives.map(
              ({ label, bundled }) =>
                () =>
                  sample(
                    alternativeSamples.get(label)?.get(row.name),
                    bundled.rows.find((bundle) => bundle.name === row.name)?.outfile,
                    row.name,
                    currentNodeOptions,
                  ),
            ),
          ];
          for (let turn = 0; turn < trees.length; turn++) await trees[(index + turn) % trees.length]?.();
        }
        for (const previous of baseline.bundles.filter((bundle) => !currentSamples.has(bundle.name)))
          await sample(
            baselineSamples.get(previous.name),
            previous.outfile,
            previous.name,
            baseline.nodeOptions,
          );
      }
      const { stdout: version } = await run(NODE_BIN, ['--version']);
      const report: ColdStartReport = {
        baselineCommit,
        node: version.trim(),
        runs,
        baselineNodeOptions: baseline.nodeOptions ?? null,
        currentNodeOptions: currentNodeOptions ?? null,
        alternativeLabels: alternatives.map(({ label }) => label),
        floor: timing(floorSamples),
        functions: compareRows(currentSamples, baselineSamples, alternativeSamples),
      };
      console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
    } finally {
      await baseline.cleanup();
    }
  } finally {
    for (const { bundled } of alternatives) await bundled.cleanup();
    await current.cleanup();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
