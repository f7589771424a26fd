/**
 * Bundles every Lambda function of the service exactly as the CDK app does (NodejsFunction with
 * infra/functions.ts SERVICE_BUNDLING, translated to the esbuild JS API the way aws-cdk-lib
 * translates it to esbuild CLI flags) into a temporary directory, and reports per function the
 * bundle, gzip and source map bytes and the five input modules that put the most bytes in it.
 *
 * Budget: a function whose bundle exceeds its budget (budgetBytesFor: INTAKE_BUDGET_BYTES for the
 * intake, TARGET_BUNDLE_BYTES for the TARGET_MET functions, its own OVER_TARGET_BUDGETS entry for
 * the others, set from the measurements in docs/benchmarks.md with a small margin) gets a warning row; the process
 * exits 1 when one does. test/unit/bench/bundle-budget.test.ts holds every bundle to the same
 * budgets. "Left to the runtime" lists what a bundle imports from outside itself (not deployed with
 * it; SERVICE_BUNDLING's externalModules) and how much of it loading the bundle imports.
 *
 *   npm run bench:bundle            a table
 *   npm run bench:bundle -- --json  a JSON array of {name, entry, bundleBytes, gzipBytes, sourceMapBytes, topInputs, runtimeModules}
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { APPROVAL_API_ENTRY, APPROVAL_REDRIVE_ENTRY } from '../infra/approval-api.js';
import { INTAKE_ENRICHMENT_ENTRY } from '../infra/central-stack.js';
import { SERVICE_BUNDLING } from '../infra/functions.js';
import { TASKS } from '../state-machines/tasks.js';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * The budget of each function that still misses issue 9's target (minified bytes, before gzip),
 * about 5 % over what it measured on 2026-12-04 after each task got only the SDK clients its core
 * calls need, the kill switch was read without the SSM client (docs/decisions/0033) and the SDK's
 * schema modules were made tree-shakeable (0044; docs/benchmarks.md): so a bundle that takes back the SSM client (+87 KiB), CloudWatch Logs' or WAF's client
 * (+18 and +14 KB), zod's whole namespace (+355 KiB), the X-Ray SDK (+124 KiB) or the unused
 * credential providers (+76 KiB) crosses its own, and an SDK patch update does not. One budget for
 * all of them (745,000 until then, 5 % over `apply`) would let every smaller one grow by a client
 * unnoticed. What keeps these over 500,000 is the SDK base and zod (about 330 KiB) plus Security
 * Hub's finding structures (BatchImportFindings and GetFindings carry the whole ASFF, about 128 KiB:
 * admit, finish, report-failure) or two API Gateway clients with DynamoDB, WAF or the controls' code
 * (decision 0021 keeps the SDK bundled; 0033 says what is left).
 */
export const OVER_TARGET_BUDGETS: Readonly<Record<string, number>> = {
  // Measured 2026-12-04 with the SDK's schema modules made tree-shakeable (docs/decisions/0044:
  // each bundle keeps the schemas of the operations it calls, not its clients' every one).
  // The coarse per-stage tasks (docs/decisions/0035), each the union of its steps' bundles: prepare
  // (decide, acquire-lock, snapshot), remediate (recheck, deploy-slot, apply, redeploy,
  // update-stage), finish (record, notify, the Undo offer with the Slack client and Secrets
  // Manager's, release-lock). Over issue 9's target: a known tension, not fought here.
  prepare: 587_000, // 558,706
  remediate: 622_000, // 592,115
  // verify and report-failure: + DynamoDB's client for the paced calls' schedules (0038).
  verify: 544_000, // 518,481
  finish: 749_000, // 713,422
  'report-failure': 644_000, // 613,217
  // The batch front (docs/decisions/0036): two API Gateway clients to list stages, DynamoDB for the
  // delivery markers, Security Hub and SNS for ownership and the reports (report-failure in-process).
  admit: 679_000, // 646,904
  // The undo path (docs/decisions/0030): API Gateway v1/v2, WAF, DynamoDB and the controls' undo
  // declarations.
  undo: 580_000, // 552,584
};

/**
 * The intake's budget: it makes no AWS call and sits on the hot path of every finding. Measured
 * 185,831 bytes on 2026-12-02 (zod about 97 KiB of it), then 200,265 once every control carried
 * its undo (issue 12) and its source fix (issue 14), because the intake bound the whole catalog
 * for the configuration's schema. Since the configuration reads only the controls' metadata
 * (remediators/controls/catalog-meta.ts, each control built `/* @__PURE__ *\/` from its own), the
 * intake leaves the controls' behaviour out: 170,760 bytes. The budget leaves about 5 % over it,
 * within issue 9's target of 200,000.
 */
export const INTAKE_BUDGET_BYTES = 180_000;

/** Issue 9's target for every bundle; the budget of every function not over it (TARGET_MET, and any new one). */
export const TARGET_BUNDLE_BYTES = 500_000;

/**
 * The functions whose bundle meets TARGET_BUNDLE_BYTES (2026-12-02: 325,337 for `notify` to
 * 493,489 for `redeploy`): the ones that reach no member account (no API Gateway, WAF, Logs or STS
 * client) and carry at most one large client, and, since it builds only the API Gateway clients,
 * `redeploy` (a step of the coarse Remediate task now, docs/decisions/0035; `deploy-slot` and
 * `notify` too, in Remediate and Finish).
 */
export const TARGET_MET: ReadonlySet<string> = new Set([
  // 424,408 bytes since decision 0044 (585,748 before): Security Hub's client keeps only the
  // schemas of the calls it makes.
  'report-undo',
  'acquire-lock',
  'request-approval',
  'release-lock',
  'approval-api',
  'approval-redrive',
]);

/** The budget of one function's bundle, by its name (lambdaEntries); a function not listed is held to the target. */
export function budgetBytesFor(name: string): number {
  // The enrichment is the intake's code: issue 9's intake budget holds for both.
  if (name === 'intake' || name === 'intake-enrichment') return INTAKE_BUDGET_BYTES;
  if (TARGET_MET.has(name)) return TARGET_BUNDLE_BYTES;
  return OVER_TARGET_BUDGETS[name] ?? TARGET_BUNDLE_BYTES;
}

export interface LambdaEntry {
  /** Short name: the handler file name without extension (e.g. `update-stage`). */
  readonly name: string;
  /** Handler file relative to the project root. */
  readonly entry: string;
}

/**
 * Every Lambda the CDK app creates: the state machine's tasks, the approval API handler and its
 * re-drive sweep, and the intake Pipe's enrichment.
 */
export function lambdaEntries(): LambdaEntry[] {
  const entries = [
    ...TASKS.map((task) => task.entry),
    APPROVAL_API_ENTRY,
    APPROVAL_REDRIVE_ENTRY,
    INTAKE_ENRICHMENT_ENTRY,
  ];
  return [...new Set<string>(entries)].map((entry) => ({ name: basename(entry, '.ts'), entry }));
}

/** The bundling options the bench can translate; anything else would be silently ignored, so it fails. */
const SUPPORTED_BUNDLING_KEYS = new Set<string>([
  'forceDockerBundling',
  'format',
  'target',
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'mainFields',
  'banner',
  'footer',
  'logLevel',
  'externalModules',
  'keepNames',
  'define',
  'loader',
]);

/**
 * The esbuild JS API options equivalent to the CLI flags aws-cdk-lib (Bundling.buildEsbuildArgs)
 * passes for these NodejsFunction bundling options: `--bundle --platform=node --target --format
 * --outfile=index.mjs|index.js --minify --sourcemap[=mode] --external:… --banner:js …`.
 * Differences from CDK: `metafile` is always on (the report needs it) and the output goes to `outdir`.
 */
export function esbuildOptionsFor(
  bundling: BundlingOptions,
  projectRoot: string,
  entry: string,
  outdir: string,
): BuildOptions & { outfile: string; metafile: true } {
  const unsupported = Object.keys(bundling).filter(
    (key) => !SUPPORTED_BUNDLING_KEYS.has(key) && bundling[key as keyof BundlingOptions] !== undefined,
  );
  if (unsupported.length > 0) {
    throw new Error(`bench/bundle-size.ts does not translate bundling option(s): ${unsupported.join(', ')}`);
  }
  if (bundling.target === undefined) {
    throw new Error('SERVICE_BUNDLING must set target (the bench does not derive it from the runtime)');
  }
  if (bundling.sourceMap === false && bundling.sourceMapMode !== undefined) {
    throw new Error('sourceMapMode cannot be used when sourceMap is false');
  }
  const esm = bundling.format === OutputFormat.ESM;
  const sourceMapEnabled = Boolean(bundling.sourceMapMode ?? bundling.sourceMap);
  const sourceMapMode = bundling.sourceMapMode ?? 'default';
  return {
    absWorkingDir: projectRoot,
    entryPoints: [resolve(projectRoot, entry)],
    bundle: true,
    platform: 'node',
    target: bundling.target,
    ...(bundling.format === undefined ? {} : { format: bundling.format as BuildOptions['format'] }),
    outfile: join(outdir, esm ? 'index.mjs' : 'index.js'),
    minify: bundling.minify ?? false,
    ...(sourceMapEnabled
      ? {
          sourcemap:
            sourceMapMode === 'default' ? true : (sourceMapMode as 'external' | 'inline' | 'both' | 'linked'),
        }
      : {}),
    ...(bundling.sourcesContent === false ? { sourcesContent: false } : {}),
    // CDK's default for Node 18+ runtimes is to leave the runtime's SDK v3 out.
    external: [...(bundling.externalModules ?? ['@aws-sdk/*'])],
    ...(bundling.loader === undefined ? {} : { loader: { ...bundling.loader } as BuildOptions['loader'] }),
    ...(bundling.define === undefined ? {} : { define: { ...bundling.define } }),
    ...(bundling.logLevel === undefined ? {} : { logLevel: bundling.logLevel as BuildOptions['logLevel'] }),
    ...(bundling.keepNames === true ? { keepNames: true } : {}),
    ...(bundling.banner === undefined ? {} : { banner: { js: bundling.banner } }),
    ...(bundling.footer === undefined ? {} : { footer: { js: bundling.footer } }),
    ...(bundling.mainFields === undefined ? {} : { mainFields: [...bundling.mainFields] }),
    metafile: true,
  };
}

export interface InputShare {
  /** Input path as esbuild reports it (relative to the project root). */
  readonly path: string;
  /** Bytes this input contributes to the (minified) output. */
  readonly bytes: number;
}

/** The `limit` inputs that contribute the most bytes to `outfile`, largest first (ties by path). */
export function topInputs(metafile: Metafile, outfile: string, limit = 5): InputShare[] {
  const output = metafile.outputs[outfile];
  if (output === undefined) {
    throw new Error(
      `metafile has no output ${outfile} (outputs: ${Object.keys(metafile.outputs).join(', ')})`,
    );
  }
  return Object.entries(output.inputs)
    .map(([path, input]) => ({ path, bytes: input.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .slice(0, limit);
}

/**
 * The modules `outfile` imports at run time that are not in it and not Node's own: what the
 * bundling options leave external (`externalModules`), for the function to resolve from the
 * Lambda runtime (its /var/runtime/node_modules). Sorted, each specifier once.
 */
export function runtimeModules(
  metafile: Metafile,
  outfile: string,
  which: 'all' | 'atLoad' = 'all',
): string[] {
  const output = metafile.outputs[outfile];
  if (output === undefined) throw new Error(`metafile has no output ${outfile}`);
  const specifiers = output.imports
    .filter((entry) => entry.external === true && !isBuiltin(entry.path))
    // `atLoad`: only what loading the bundle imports (static import or require), not what a
    // dynamic import() brings in later, if the code path that makes it ever runs.
    .filter((entry) => which === 'all' || entry.kind !== 'dynamic-import')
    .map((entry) => entry.path);
  return [...new Set(specifiers)].sort();
}

/** `node_modules/@scope/pkg/dist-es/a/b.js` → `@scope/pkg/…/a/b.js`; project files stay as they are. */
export function shortInputPath(path: string): string {
  const marker = 'node_modules/';
  const at = path.lastIndexOf(marker);
  if (at < 0) return path;
  const rest = path.slice(at + marker.length).split('/');
  const packageParts = rest[0]?.startsWith('@') ? 2 : 1;
  const pkg = rest.slice(0, packageParts).join('/');
  const file = rest.slice(packageParts);
  return file.length > 2 ? `${pkg}/…/${file.slice(-2).join('/')}` : [pkg, ...file].join('/');
}

export interface BundleRow {
  readonly name: string;
  readonly entry: string;
  readonly bundleBytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  readonly topInputs: readonly InputShare[];
  /** What the bundle imports from outside itself at run time (runtimeModules): not deployed with it. */
  readonly runtimeModules: readonly string[];
  /** Those of them that loading the bundle imports (runtimeModules 'atLoad'). */
  readonly runtimeModulesAtLoad: readonly string[];
  /** The bundle file, still on disk until the caller's cleanup runs. */
  readonly outfile: string;
  readonly budgetBytes: number;
  readonly overBudget: boolean;
}

export interface BundledLambdas {
  readonly rows: BundleRow[];
  readonly dir: string;
  cleanup(): Promise<void>;
}

/** Bundles every Lambda into its own subdirectory of a fresh temporary directory. */
export async function bundleLambdas(
  bundling: BundlingOptions = SERVICE_BUNDLING,
  budgetOf: (name: string) => number = budgetBytesFor,
): Promise<BundledLambdas> {
  const dir = await mkdtemp(join(tmpdir(), 'apigw-remediation-bundles-'));
  const rows: BundleRow[] = [];
  try {
    for (const lambda of lambdaEntries()) {
      const options = esbuildOptionsFor(bundling, PROJECT_ROOT, lambda.entry, join(dir, lambda.name));
      const result = await build(options);
      const code = await readFile(options.outfile);
      const map = await readFile(`${options.outfile}.map`).catch(() => undefined);
      const outfileKey = Object.keys(result.metafile.outputs).find(
        (key) => resolve(PROJECT_ROOT, key) === options.outfile,
      );
      if (outfileKey === undefined) throw new Error(`esbuild reported no output for ${lambda.entry}`);
      rows.push({
        name: lambda.name,
        entry: lambda.entry,
        bundleBytes: code.byteLength,
        gzipBytes: gzipSync(code, { level: 9 }).byteLength,
        sourceMapBytes: map?.byteLength ?? 0,
        topInputs: topInputs(result.metafile, outfileKey),
        runtimeModules: runtimeModules(result.metafile, outfileKey),
        runtimeModulesAtLoad: runtimeModules(result.metafile, outfileKey, 'atLoad'),
        outfile: options.outfile,
        budgetBytes: budgetOf(lambda.name),
        overBudget: code.byteLength > budgetOf(lambda.name),
      });
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { rows, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Left-aligned first column, right-aligned others, two spaces apart (bench/api-calls.ts style). */
export function formatTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

function table(rows: readonly BundleRow[]): string {
  const header = ['function', 'bundle', 'gzip', 'source map', 'left to the runtime', 'budget'];
  const body = rows.map((row) => [
    row.name,
    kib(row.bundleBytes),
    kib(row.gzipBytes),
    kib(row.sourceMapBytes),
    `${row.runtimeModules.length} (${row.runtimeModulesAtLoad.length} at load)`,
    row.overBudget ? `WARNING > ${kib(row.budgetBytes)}` : `ok (${kib(row.budgetBytes)})`,
  ]);
  const details = rows.map(
    (row) =>
      `${row.name}\n${row.topInputs
        .map((input) => `    ${kib(input.bytes).padStart(10)}  ${shortInputPath(input.path)}`)
        .join('\n')}`,
  );
  return [
    formatTable(header, body),
    '',
    `Budget (minified, before gzip): ${kib(INTAKE_BUDGET_BYTES)} for the intake, ${kib(TARGET_BUNDLE_BYTES)} for ${[...TARGET_MET].join(', ')}; ${Object.entries(
      OVER_TARGET_BUDGETS,
    )
      .map(([name, bytes]) => `${kib(bytes)} for ${name}`)
      .join(', ')}.`,
    '',
    'Top 5 inputs by bytes in the bundle:',
    ...details,
    '',
    'Left to the runtime (imported at run time, not deployed with the bundle):',
    ...rows.map((row) => `${row.name}: ${row.runtimeModules.join(', ') || '(nothing)'}`),
  ].join('\n');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const bundled = await bundleLambdas();
  try {
    const { rows } = bundled;
    if (json) {
      const summary = rows.map(
        ({ name, entry, bundleBytes, gzipBytes, sourceMapBytes, topInputs: top, runtimeModules: left }) => ({
          name,
          entry,
          bundleBytes,
          gzipBytes,
          sourceMapBytes,
          topInputs: top,
          runtimeModules: left,
        }),
      );
      console.log(JSON.stringify(summary, null, 2));
    } else {
      console.log(table(rows));
    }
    const over = rows.filter((row) => row.overBudget);
    if (over.length > 0) {
      console.error(
        `Budget exceeded:\n${over.map((row) => `${row.name}: ${row.bundleBytes} bytes > ${row.budgetBytes}`).join('\n')}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await bundled.cleanup();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
