#!/usr/bin/env node
// `npx apigw-remediation …` from the checkout (package.json "bin"). The CLI is TypeScript, run
// through tsx's ESM loader (a dev dependency, as for every script of the project); the command
// itself is remediators/cli/main.ts.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../remediators/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
