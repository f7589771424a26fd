/**
 * `cdk synth` exactly as a user runs it (npm run synth / the CLI, cdk.json, bin/app.ts), offline
 * and without AWS credentials: it bundles every Lambda locally with esbuild into ESM with source
 * maps and prints no warning; a deployment that cannot work (config/deployability.ts) or a bad
 * configuration file stops it before anything is built, with one message that names every
 * problem, exit code 1 and no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_SLACK_CHANNEL_ID } from '../../config/deployability.js';
import { DEFAULT_CONFIG_PATH } from '../../config/load.js';
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

/** `cdk synth` with `args`, as the CLI runs for a user, into a fresh output directory. */
function synth(args: readonly string[], command: readonly string[] = [CDK, 'synth', '--quiet']) {
  const home = mkdtempSync(join(tmpdir(), 'apigw-remediation-home-'));
  const outdir = mkdtempSync(join(tmpdir(), 'apigw-remediation-cdkout-'));
  const [executable = CDK, ...rest] = command;
  // Notices come from the internet about the CDK itself, not from this app: left out.
  const run = spawnSync(executable, [...rest, '--no-notices', '-o', outdir, ...args], {
    cwd: PROJECT_ROOT,
    env: offlineEnvironment(home),
    encoding: 'utf8',
    timeout: 280_000,
  });
  return { ...run, outdir, output: `${run.stdout}\n${run.stderr}` };
}

/** A configuration file holding `config` (JSON), for `-c config=path`. */
function configFile(config: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'apigw-remediation-config-')), 'remediation.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The shipped configuration with `change` applied on top (one level deep per key). */
function shippedWith(change: Record<string, Record<string, unknown>>): unknown {
  const shipped = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  return Object.fromEntries(
    [...new Set([...Object.keys(shipped), ...Object.keys(change)])].map((key) => [
      key,
      typeof shipped[key] === 'object' && !Array.isArray(shipped[key])
        ? { ...shipped[key], ...change[key] }
        : (change[key] ?? shipped[key]),
    ]),
  );
}

const EXAMPLE_CHANNEL = ['-c', `slackChannelId=${EXAMPLE_SLACK_CHANNEL_ID}`];

/** A refused synth: exit code 1, the message, and no stack trace anywhere in the output. */
function expectRefused(run: ReturnType<typeof synth>, ...messages: string[]) {
  expect(run.error).toBeUndefined();
  expect(run.status).toBe(1);
  for (const message of messages) expect(run.output).toContain(message);
  expect(run.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  // Refused before anything was built: not a single Lambda bundled.
  expect(run.output).not.toContain('Bundling asset');
}

describe('npm run synth (CLI, offline, no credentials)', () => {
  let result: ReturnType<typeof synth>;

  beforeAll(() => {
    result = synth([], ['npm', 'run', 'synth', '--']);
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

  it('prints no warning: no deprecated API, every recommended feature flag configured', () => {
    const lines = result.output.split('\n').filter((line) => line.trim() !== '');
    // What it does print: npm's command echo, the assets it bundles, and where it wrote them.
    expect(lines.some((line) => line.startsWith('Bundling asset '))).toBe(true);
    expect(lines.filter((line) => /warn|deprecat|feature flag|not configured|error/i.test(line))).toEqual([]);
  });

  it('bundles every function as minified ESM with a source map and the createRequire banner', () => {
    const template = JSON.parse(
      readFileSync(join(result.outdir, 'ApigwRemediation-us-east-1.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Metadata?: Record<string, string> }> };
    const functions = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    // The task functions, the approval API's, the approval re-drive sweep's and the Pipe's enrichment.
    expect(functions).toHaveLength(TASKS.length + 3);
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
});

describe('cdk synth refuses a deployment that cannot work, with one message and exit code 1', () => {
  it('the shipped configuration without a Slack channel', () => {
    expectRefused(
      synth([]),
      'apigw-remediation cannot be deployed like this (1 problem):',
      `${DEFAULT_CONFIG_PATH}: approval.slack.channelId: missing, and no context "slackChannelId" either: ` +
        'approval requests would go nowhere and every approval would time out; approvals are asked for by ' +
        'controls."APIGateway.4"=approve, controls."Baseline.StageThrottling"=approve, ' +
        'controls."Baseline.DefaultEndpoint"=approve, any API or stage tagged apigw-remediation:mode=approve ' +
        'or apigw-remediation:mode:<ControlId>=approve. Fix: pass -c slackChannelId=<channel id> or set ' +
        `approval.slack.channelId in ${DEFAULT_CONFIG_PATH}`,
    );
  }, 120_000);

  it('a channel name where the channel id belongs', () => {
    expectRefused(
      synth(['-c', 'slackChannelId=#api-remediation']),
      'context "slackChannelId": got "#api-remediation", which is not a Slack channel id',
    );
  }, 120_000);

  it('onTimeout apply without a timeout, in the file -c config=path names', () => {
    const file = configFile(shippedWith({ approval: { onTimeout: 'apply', timeoutSeconds: undefined } }));
    expectRefused(
      synth(['-c', `config=${file}`, ...EXAMPLE_CHANNEL]),
      '(1 problem)',
      `${file}: approval.timeoutSeconds: missing while approval.onTimeout is apply: a change nobody approved is ` +
        'applied when the wait ends, so the wait must be chosen, not taken from the default (86400 s). Fix: set ' +
        'approval.timeoutSeconds (300 to 604800 seconds), or set approval.onTimeout to skip.',
    );
  }, 120_000);

  it('an account override that is not a 12-digit account id', () => {
    const file = configFile(shippedWith({ accounts: { '1234': { mode: 'off' } } }));
    expectRefused(
      synth(['-c', `config=${file}`, ...EXAMPLE_CHANNEL]),
      `${file}: accounts."1234": key "1234" is not valid; expected an AWS account id of 12 digits`,
    );
  }, 120_000);

  it('a bad configuration file, with the loader’s message', () => {
    const file = configFile({ parameters: { 'APIGateway.1': { executionLogLevel: 'DEBUG' } } });
    expectRefused(
      synth(['-c', `config=${file}`, ...EXAMPLE_CHANNEL]),
      `${file}: parameters."APIGateway.1".executionLogLevel: got "DEBUG"; allowed: ERROR, INFO`,
    );
  }, 120_000);

  it('a Region list with names that are not Regions, or Regions of two partitions', () => {
    expectRefused(
      synth(['-c', 'regions=us-east-1,Frankfurt', ...EXAMPLE_CHANNEL]),
      'context "regions": has "Frankfurt", not AWS Region names the CDK knows. Fix: pass -c regions=',
    );
    expectRefused(
      synth(['-c', 'regions=eu-west-1,cn-north-1', ...EXAMPLE_CHANNEL]),
      'context "regions": mixes partitions (eu-west-1: aws, cn-north-1: aws-cn)',
    );
  }, 240_000);
});
