/**
 * The `apigw-remediation` binary spawned as an operator runs it (bin/apigw-remediation.mjs under the
 * project's Node 24), with stdin not a terminal (nothing can be confirmed interactively), in the
 * environment of a user with keys and a Region and nothing of the test runner's AWS settings.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOTO_REGION, motoCredentials } from './moto.js';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'apigw-remediation.mjs');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment of a user with keys and a Region, and nothing of the test runner's AWS settings. */
export function userEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('VITEST') && value !== undefined) env[name] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: motoCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: motoCredentials.secretAccessKey,
    AWS_REGION: MOTO_REGION,
    // No shared config or credentials file of the machine's user may change what the test sees.
    AWS_CONFIG_FILE: join(ROOT, 'node_modules', '.cache', 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(ROOT, 'node_modules', '.cache', 'no-aws-credentials'),
    ...extra,
  };
}

export function spawned(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** `apigw-remediation …` with `env`. */
export function cli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return spawned(process.execPath, [BIN, ...args], env);
}

/** `apigw-remediation …` against the emulator at `endpoint` (AWS_ENDPOINT_URL, as a user sets it). */
export function cliAgainst(endpoint: string, args: readonly string[]): Promise<Run> {
  return cli(args, userEnvironment({ AWS_ENDPOINT_URL: endpoint }));
}
