#!/usr/bin/env node
// `npx apigw-remediation …` from the checkout (package.json "bin"). The CLI is TypeScript, run
// through tsx's ESM loader (a dev dependency, as for every script of the project); the command
// itself is remediators/cli/main.ts.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
// fix runs the workflow's task handlers in-process: their Powertools logs and EMF metrics are for
// CloudWatch, not for the operator's terminal (set these variables to see them).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
const { main } = await import('../remediators/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
