/**
 * `cdk synth` exactly as a user runs it (the CLI, cdk.json, bin/app.ts), offline and without AWS
 * credentials: it bundles every Lambda locally with esbuild into ESM with source maps, and a bad
 * configuration or Region list stops it with a message that names the problem.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TASKS } from '../../state-machines/tasks.js';
import { PROJECT_ROOT } from './synth.js';

const CDK = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');

/** The environment of a machine with no AWS credentials or profile at all. */
function offlineEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('CDK_')) env[name] = value;
  }
  return {
    ...env,
    HOME: home,
    PATH: `${join(PROJECT_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
  };
}

function synth(args: readonly string[]) {
  const home = mkdtempSync(join(tmpdir(), 'apigw-remediation-home-'));
  const outdir = mkdtempSync(join(tmpdir(), 'apigw-remediation-cdkout-'));
  const run = spawnSync(CDK, ['synth', '--quiet', '--no-notices', '-o', outdir, ...args], {
    cwd: PROJECT_ROOT,
    env: offlineEnvironment(home),
    encoding: 'utf8',
    timeout: 280_000,
  });
  return { ...run, outdir, output: `${run.stdout}\n${run.stderr}` };
}

describe('cdk synth (CLI, offline, no credentials)', () => {
  let result: ReturnType<typeof synth>;

  beforeAll(() => {
    result = synth([]);
  }, 300_000);

  it('synthesizes the central stack of the default Region and the member stack', () => {
    expect(result.error).toBeUndefined();
    expect({ status: result.status, output: result.status === 0 ? '' : result.output }).toEqual({
      status: 0,
      output: '',
    });
    const templates = readdirSync(result.outdir).filter((file) => file.endsWith('.template.json'));
    expect(templates.sort()).toEqual([
      'ApigwRemediation-us-east-1.template.json',
      'ApigwRemediationMember.template.json',
    ]);
  });

  it('bundles every function as minified ESM with a source map and the createRequire banner', () => {
    const template = JSON.parse(
      readFileSync(join(result.outdir, 'ApigwRemediation-us-east-1.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Metadata?: Record<string, string> }> };
    const functions = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    expect(functions).toHaveLength(TASKS.length + 1);
    for (const fn of functions) {
      const assetPath = fn.Metadata?.['aws:asset:path'];
      expect(assetPath).toBeDefined();
      const dir = join(result.outdir, assetPath ?? '');
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
      // Minified: long lines, not one statement per line.
      expect(code.split('\n').length).toBeLessThan(code.length / 200);
    }
  });

  it('stops on a bad configuration file with the loader’s message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apigw-remediation-config-'));
    const file = join(dir, 'remediation.json');
    writeFileSync(file, JSON.stringify({ baseline: { executionLogLevel: 'DEBUG' } }));
    const bad = synth(['-c', `config=${file}`]);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toContain(file);
    expect(bad.output).toContain('executionLogLevel');
  }, 120_000);

  it('stops on a Region list with a name that is not a Region', () => {
    const bad = synth(['-c', 'regions=us-east-1,Frankfurt']);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toContain('context "regions" has "Frankfurt"; expected AWS Region names');
  }, 120_000);
});
