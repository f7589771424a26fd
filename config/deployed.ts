/**
 * The configuration a Lambda runs with: the file `cdk synth` validated (config/remediation.json, or
 * the one named by `-c config=path`), bundled into the function code by esbuild (a static JSON
 * import), validated once per cold start.
 *
 * `#deployed-config` is a subpath import (package.json "imports", Node.js docs "Subpath imports"):
 * Node, tsx, vitest and TypeScript resolve it to config/remediation.json, and the CDK app points
 * esbuild's `--alias` at the file named by `-c config=path` (infra/bundled-config.ts), so the
 * functions run with exactly the file the stacks were built from.
 *
 * Bundling (rather than an environment variable) keeps one source of truth that `cdk synth` has
 * already validated, and is not limited by Lambda's 4 KB environment size.
 */
import deployedJson from '#deployed-config' with { type: 'json' };
import { parseConfig } from './load.js';
import type { RemediationConfig } from './schema.js';

let validated: RemediationConfig | undefined;

/** The validated deployed configuration; throws ConfigError (naming field and allowed values) if invalid. */
export function deployedConfig(): RemediationConfig {
  validated ??= parseConfig(
    deployedJson,
    'the configuration bundled at synth (-c config, default config/remediation.json)',
  );
  return validated;
}
