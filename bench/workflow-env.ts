/**
 * Imported first by bench/workflow.ts, before any handler module reads its environment: what the
 * workflow suites get from vitest.config.ts (moto's dummy credentials and Region, quiet Powertools).
 * A value already set in the environment wins.
 */
const defaults: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};
for (const [name, value] of Object.entries(defaults)) process.env[name] ??= value;
