import { defineConfig } from 'vitest/config';
import projectConfig from './vitest.config.js';

/**
 * The vitest run Stryker drives (stryker.config.mjs, `npm run test:mutation`): the unit tests only,
 * with the project's environment but without the strict-AWS project (its globalSetup synthesizes the
 * CDK app) and without moto.
 *
 * Left out, because they cannot see a mutant and cover no decision code: tests that spawn a process
 * or bundle with esbuild (those read the files on disk, not the instrumented modules loaded in this
 * process), the bench harness and the strict-AWS test machinery.
 */
export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    // Stryker switches mutants at run time (no static mutants: ignoreStatic), so the modules can stay
    // loaded between runs; re-importing the AWS SDK for every mutant would cost most of the run.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: projectConfig.test?.env,
    include: ['test/unit/**/*.test.ts'],
    exclude: [
      'test/unit/bench/**',
      'test/unit/strict-aws/**',
      // Random input, a new seed each run: a mutant it kills in one run may survive the next, which
      // would make the score wobble; and its thousands of cases would run again for every mutant.
      'test/unit/intake/fuzz.test.ts',
      // Spawns `tsx scripts/intake.ts`.
      'test/unit/intake/cli.test.ts',
      // Bundles every handler with esbuild.
      'test/unit/workflow/handler-clients.test.ts',
    ],
  },
});
