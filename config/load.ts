/**
 * Reads and validates the service configuration.
 *
 * The CDK app calls {@link loadConfig} at synth time, so a bad file fails `cdk synth` before anything
 * is deployed; Lambdas validate the copy bundled into them with {@link parseConfig} (config/deployed.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeIssues } from './issues.js';
import { baselineSectionProblem } from './moved-fields.js';
import { ConfigSchema, type RemediationConfig } from './schema.js';

/** The deployed configuration file, next to this module. */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('./remediation.json', import.meta.url));

/** A configuration that cannot be used; `problems` holds one line per problem, without the source name. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(problems.map((problem) => `${source}: ${problem}`).join('\n'));
  }
}

/** Validates an already-parsed JSON value; `sourceName` (usually the file path) prefixes every error. */
export function parseConfig(raw: unknown, sourceName: string): RemediationConfig {
  const moved = baselineSectionProblem(raw);
  if (moved !== undefined) throw new ConfigError(sourceName, [moved]);
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(sourceName, describeIssues(ConfigSchema, result.error.issues, raw));
  }
  return result.data;
}

/** A configuration file as read: its name, the JSON it holds, and the validated configuration. */
export interface LoadedConfigFile {
  readonly name: string;
  /** The JSON as written, before defaults: some checks need to know what the file itself says. */
  readonly raw: unknown;
  readonly config: RemediationConfig;
}

/** Reads, parses and validates a configuration file (default: config/remediation.json). */
export function loadConfig(path: string = DEFAULT_CONFIG_PATH): RemediationConfig {
  return loadConfigFile(path).config;
}

/** {@link loadConfig}, keeping the file's own JSON (for config/deployability.ts). */
export function loadConfigFile(path: string = DEFAULT_CONFIG_PATH): LoadedConfigFile {
  let text: string;
  try {
    // Stryker disable next-line StringLiteral: equivalent, without an encoding readFileSync returns a Buffer, which JSON.parse reads as UTF-8 text too
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(path, [`cannot read the configuration file (${reason})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(path, [`not valid JSON (${reason})`]);
  }
  return { name: path, raw, config: parseConfig(raw, path) };
}
