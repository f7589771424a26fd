// @ts-check
/**
 * Mutation testing of the decision code (`npm run test:mutation`; docs/testing.md, decision 0020).
 *
 * What is mutated is chosen by directory: the pure modules that decide. Left out are only modules
 * whose job is I/O (they send AWS or Slack calls, read files or hold SDK clients); their logic is
 * covered by the integration tests against moto, which are too slow to run once per mutant.
 */
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', pool: 'threads' },
  coverageAnalysis: 'perTest',
  mutate: [
    'remediators/controls/**/*.ts',
    'remediators/core/**/*.ts',
    // I/O shell: UpdateStage/CreateDeployment/WAF calls, Get* reads, SDK client factory, STS.
    '!remediators/core/{apply,snapshot,clients,credentials}.ts',
    // I/O shell of the redesign (issue 9): the effects' appliers (CloudWatch Logs, GetAccount and
    // UpdateAccount, WAF ListWebACLs/CreateWebACL) and the loop that awaits them one by one
    // (effects/apply.ts, prerequisites.ts); verify.ts re-reads the stage with back-off; paginators.ts
    // only wires SDK commands into smithy paginators. The effects as data (effects/{access-log-group,
    // account-cloudwatch-role,web-acl,effect,index,context}.ts), plan.ts, stage-plan.ts and arn.ts
    // stay mutated.
    '!remediators/core/effects/apply{,-*}.ts',
    '!remediators/core/{prerequisites,verify,paginators}.ts',
    'remediators/intake/**/*.ts',
    'remediators/approvals/**/*.ts',
    // I/O: DynamoDB, Slack Web API, Step Functions, Secrets Manager, and the handlers' orchestration of them.
    '!remediators/approvals/{store,slack-api,delivery,decide,redrive,clients,slack-secret}.ts',
    'config/**/*.ts',
    // I/O only: the bundled config/remediation.json, read once.
    '!config/deployed.ts',
    'remediators/workflow/outcome.ts',
    // The pure builders; records*.ts and unprocessed.ts send them.
    'remediators/securityhub/findings*.ts',
  ],
  // A static mutant (module-level code, e.g. a zod schema's definition) forces a fresh module graph
  // and every test for each mutant; the behaviour it encodes is exercised through the functions.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // 2 cores: one test runner per core.
  concurrency: 2,
  // The machine is shared: leave room for a slow but terminating mutant.
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, skipFull: true },
  thresholds: { high: 95, low: 90, break: 95 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

export default config;
