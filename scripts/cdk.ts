/**
 * `npm run deploy|diff|destroy -- [--target central|stackset|management] -c key=value ...`: runs
 * the project's `cdk` with the stacks and parameters scripts/cdk-command.ts computes, or refuses
 * with one message (exit code 2) when a required context value is missing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cdkCommand } from './cdk-command.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cdkJson = JSON.parse(readFileSync(`${root}cdk.json`, 'utf8')) as { context?: Record<string, unknown> };
const [command = '', ...args] = process.argv.slice(2);
const result = cdkCommand(command, args, cdkJson.context ?? {});
if (!result.ok) {
  console.error(result.message);
  process.exitCode = 2;
} else {
  console.error(`cdk ${result.argv.join(' ')}`);
  const run = spawnSync(`${root}node_modules/.bin/cdk`, result.argv, { stdio: 'inherit' });
  if (run.error !== undefined) console.error(run.error.message);
  process.exitCode = run.status ?? 1;
}
