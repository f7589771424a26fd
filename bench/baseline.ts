/**
 * The bundles of an earlier commit, built the way that commit built them, so bench/cold-start.ts
 * can time them side by side with today's in one run.
 *
 * The commit's tree is taken with `git archive` (it must be in this clone's history) into a
 * directory under the system temp dir, kept between runs (one per commit); its production
 * dependencies are installed from its own package-lock.json (`npm ci --omit=dev`), and the
 * build-time packages its bench and infra import (BUILD_TIME_PACKAGES) are linked from
 * this checkout. Then that tree's own `bench/bundle-size.ts` bundles its Lambdas with that tree's
 * own `SERVICE_BUNDLING`. The NODE_OPTIONS its functions were deployed with are read from that
 * tree's `infra/functions.ts`.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './bundle-size.js';

const run = promisify(execFile);

/** The commit whose bundles issue 9 measures against: the last one before the lean-Lambda work. */
export const BASELINE_COMMIT = '8761bb0';

/** Packages the commit's bench/bundle-size.ts and infra import at build time (dev dependencies there). */
export const BUILD_TIME_PACKAGES = ['aws-cdk-lib', 'constructs', 'cdk-nag', 'esbuild'] as const;

/** The marker written once the tree and its dependencies are complete. */
const READY_MARKER = '.baseline-ready';

/**
 * The `NODE_OPTIONS` value a version of infra/functions.ts gives every function's environment, or
 * undefined when it sets none.
 */
export function nodeOptionsIn(functionsSource: string): string | undefined {
  return /\bNODE_OPTIONS:\s*'([^']*)'/.exec(functionsSource)?.[1];
}

/** A commit-ish the bench may pass to git: hex digits only, so it can never be read as an option. */
export function checkCommit(commit: string): string {
  if (!/^[0-9a-f]{7,40}$/.test(commit)) {
    throw new Error(`baseline commit must be 7 to 40 lowercase hex digits, got "${commit}"`);
  }
  return commit;
}

/** Where the tree of `commit` is kept between runs. */
export function baselineDir(commit: string): string {
  return join(tmpdir(), `apigw-remediation-baseline-${checkCommit(commit)}`);
}

/** `git archive <commit> | tar -x -C <dir>`. */
async function extractTree(commit: string, dir: string): Promise<void> {
  const archive = spawn('git', ['-C', PROJECT_ROOT, 'archive', '--format=tar', commit], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  archive.stdout.pipe(tar.stdin);
  let stderr = '';
  archive.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Both exit codes: tar can finish before git's process is reaped.
  const exited = (child: typeof archive | typeof tar) =>
    new Promise<number | null>((resolveCode, reject) => {
      child.on('error', reject);
      child.on('close', resolveCode);
    });
  const [archiveCode, tarCode] = await Promise.all([exited(archive), exited(tar)]);
  if (archiveCode !== 0 || tarCode !== 0) {
    throw new Error(
      `git archive ${commit} | tar failed (git ${archiveCode}, tar ${tarCode}); is the commit in this clone's history? ${stderr}`,
    );
  }
}

/** The commit's tree with its production dependencies (installed once, then reused) and the build-time links. */
export async function prepareBaselineTree(commit: string, log: (line: string) => void): Promise<string> {
  const dir = baselineDir(commit);
  if (!existsSync(join(dir, READY_MARKER))) {
    log(`Preparing the tree of ${commit} in ${dir} (git archive, npm ci --omit=dev) ...`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await extractTree(commit, dir);
    await run(
      'npm',
      ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
    );
    // The tree's own postinstall, if it has one (the dependencies' scripts stay off): since decision
    // 0044 it makes the SDK's schema modules tree-shakeable, which its deployed bundles were.
    await run('npm', ['run', 'postinstall', '--if-present'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    await writeFile(join(dir, READY_MARKER), `${commit}\n`);
  }
  for (const name of BUILD_TIME_PACKAGES) {
    const link = join(dir, 'node_modules', name);
    // The tree is shared by every checkout on the machine: a link made by one that is gone
    // dangles (existsSync follows it), so it is replaced by one into this checkout.
    if (!existsSync(link)) {
      await rm(link, { force: true });
      await symlink(join(PROJECT_ROOT, 'node_modules', name), link, 'dir');
    }
  }
  return dir;
}

/** One bundle of the baseline: the name its bench gives it and the file on disk. */
export interface BaselineBundle {
  readonly name: string;
  readonly bundleBytes: number;
  readonly outfile: string;
}

export interface BaselineBundles {
  readonly commit: string;
  readonly bundles: readonly BaselineBundle[];
  /** What that commit's functions had in NODE_OPTIONS (undefined: none). */
  readonly nodeOptions: string | undefined;
  cleanup(): Promise<void>;
}

interface BaselineBenchModule {
  bundleLambdas(): Promise<{
    rows: readonly { name: string; bundleBytes: number; outfile: string }[];
    cleanup(): Promise<void>;
  }>;
}

/** Builds the commit's bundles with that commit's own bench and bundling options. */
export async function buildBaselineBundles(
  commit: string = BASELINE_COMMIT,
  log: (line: string) => void = (line) => console.error(line),
): Promise<BaselineBundles> {
  const dir = await prepareBaselineTree(checkCommit(commit), log);
  const bench = (await import(
    pathToFileURL(join(dir, 'bench', 'bundle-size.ts')).href
  )) as BaselineBenchModule;
  const bundled = await bench.bundleLambdas();
  const functionsSource = await readFile(join(dir, 'infra', 'functions.ts'), 'utf8');
  return {
    commit,
    bundles: bundled.rows.map(({ name, bundleBytes, outfile }) => ({ name, bundleBytes, outfile })),
    nodeOptions: nodeOptionsIn(functionsSource),
    cleanup: () => bundled.cleanup(),
  };
}
