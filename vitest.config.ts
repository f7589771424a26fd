import { defineConfig } from 'vitest/config';

/** Suites that run production code against moto: they run under the strict AWS model (test/strict-aws). */
const STRICT_AWS_SUITES = ['test/integration/**/*.test.ts', 'test/workflow/**/*.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    // Integration tests talk to a local moto_server; synth tests bundle Lambdas with esbuild.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
    env: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      POWERTOOLS_DEV: 'false',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // Metrics are asserted through spies; their EMF lines would only flood the test output.
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        test: { name: 'default', include: ['test/**/*.test.ts'], exclude: STRICT_AWS_SUITES },
      },
      {
        extends: true,
        test: {
          name: 'strict-aws',
          include: STRICT_AWS_SUITES,
          // The CDK app is synthesized once per run and its roles' policies checked on every call.
          globalSetup: ['test/strict-aws/global-setup.ts'],
          setupFiles: ['test/strict-aws/setup.ts'],
        },
      },
    ],
  },
});
