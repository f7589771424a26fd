/**
 * The configuration a Lambda runs with: config/remediation.json, bundled into the function code by
 * esbuild (a static JSON import), validated once per cold start.
 *
 * Bundling (rather than an environment variable) keeps one source of truth that `cdk synth` has
 * already validated, and is not limited by Lambda's 4 KB environment size.
 */
import deployedJson from './remediation.json' with { type: 'json' };
import { parseConfig } from './load.js';
import type { RemediationConfig } from './schema.js';

let validated: RemediationConfig | undefined;

/** The validated deployed configuration; throws ConfigError (naming field and allowed values) if invalid. */
export function deployedConfig(): RemediationConfig {
  validated ??= parseConfig(deployedJson, 'config/remediation.json');
  return validated;
}
