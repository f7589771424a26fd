/**
 * Each workflow function carries only the AWS SDK clients its handler uses: the bundle is built as
 * the CDK app builds it (bench/bundle-size.ts esbuildOptionsFor with infra's SERVICE_BUNDLING) and
 * the `@aws-sdk/client-*` packages in it are compared with what the task needs
 * (state-machines/tasks.ts). A handler that goes back to a shared all-clients runtime fails here.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsFor, PROJECT_ROOT } from '../../../bench/bundle-size.js';
import { SERVICE_BUNDLING } from '../../../infra/functions.js';
import { TASKS, type TaskNeed } from '../../../state-machines/tasks.js';

/**
 * API Gateway v1/v2, WAF and Logs in the stage's account (core/clients.ts), reached through STS:
 * only its GetCallerIdentity command's schema and errors, for the resolver the CLI also uses
 * (core/credentials.ts); the functions build no STS client (HOME_ACCOUNT_ID is set).
 */
const CORE = [
  '@aws-sdk/client-api-gateway',
  '@aws-sdk/client-apigatewayv2',
  '@aws-sdk/client-cloudwatch-logs',
  '@aws-sdk/client-sts',
  '@aws-sdk/client-wafv2',
];
/** What a task that only reads stages, lists them or deploys builds (core/clients.ts createApiClients). */
const API = ['@aws-sdk/client-api-gateway', '@aws-sdk/client-apigatewayv2', '@aws-sdk/client-sts'];
/** Plus WAF, to associate the baseline web ACL (createStageClients). */
const STAGE = [...API, '@aws-sdk/client-wafv2'];

/**
 * The SDK clients each workflow task's bundle holds (intake and request-approval belong to other
 * packages). The kill switch (prepare, remediate) is read without the SSM client
 * (workflow/deps/ssm-parameter.ts, docs/decisions/0033).
 */
const EXPECTED_CLIENTS: Readonly<Record<string, readonly string[]>> = {
  // Lists stages (API), writes the delivery markers (DynamoDB), takes ownership and reports what
  // stops before its stages as report-failure does (Security Hub, SNS).
  admit: [...API, '@aws-sdk/client-dynamodb', '@aws-sdk/client-securityhub', '@aws-sdk/client-sns'],
  // Decide, acquire-lock and snapshot (the exemptions, the lock, the flap guard's table: docs/decisions/0029, 0035).
  prepare: [...API, '@aws-sdk/client-dynamodb'],
  'acquire-lock': ['@aws-sdk/client-dynamodb'],
  // Recheck, deploy-slot, apply (Logs for the prerequisites), redeploy, update-stage (WAF).
  remediate: [...CORE, '@aws-sdk/client-dynamodb'],
  // The stage's reads, paced in the account's schedule (the locks table: docs/decisions/0038).
  verify: [...API, '@aws-sdk/client-dynamodb'],
  // Record, notify, the Undo offer (the approvals table, the Slack secret), release-lock.
  finish: [
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-securityhub',
    '@aws-sdk/client-sns',
    '@aws-sdk/client-sts',
  ],
  // Security Hub's writes paced in the schedules of the locks table (docs/decisions/0038).
  'report-failure': [
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-securityhub',
    '@aws-sdk/client-sns',
    '@aws-sdk/client-sts',
  ],
  'release-lock': ['@aws-sdk/client-dynamodb'],
  // The ledger (remediation, UNDO entry, exemptions); WAF for DisassociateWebACL; the note and the
  // notification are report-undo's (docs/decisions/0030).
  undo: [...STAGE, '@aws-sdk/client-dynamodb'],
  'report-undo': ['@aws-sdk/client-dynamodb', '@aws-sdk/client-securityhub', '@aws-sdk/client-sns'],
};

/** The clients a need allows the function to hold (its IAM permissions cover nothing else). */
const ALLOWED_BY_NEED: Readonly<Record<TaskNeed, readonly string[]>> = {
  config: [],
  memberRole: CORE,
  locksTable: ['@aws-sdk/client-dynamodb'],
  locksTableDeliveries: ['@aws-sdk/client-dynamodb'],
  securityHub: ['@aws-sdk/client-securityhub'],
  notifyTopic: ['@aws-sdk/client-sns'],
  // The approvals table and the Slack secret (the Undo offer Finish makes; request-approval is another package's).
  approvals: ['@aws-sdk/client-dynamodb', '@aws-sdk/client-secrets-manager'],
  // One signed GetParameter over fetch, no SDK client.
  killSwitch: [],
  ledgerExemptions: ['@aws-sdk/client-dynamodb'],
  ledgerWrite: ['@aws-sdk/client-dynamodb'],
  flapTableRead: ['@aws-sdk/client-dynamodb'],
  flapTableWrite: ['@aws-sdk/client-dynamodb'],
  ledgerUndo: ['@aws-sdk/client-dynamodb'],
  // The paced calls' schedules (UpdateItem on the locks table).
  pacing: ['@aws-sdk/client-dynamodb'],
};

const nameOf = (entry: string) => entry.replace(/^.*\//, '').replace(/\.ts$/, '');
const workflowTasks = TASKS.filter((task) => nameOf(task.entry) in EXPECTED_CLIENTS);

async function sdkClientsIn(entry: string): Promise<string[]> {
  const options = esbuildOptionsFor(SERVICE_BUNDLING, PROJECT_ROOT, entry, '/tmp/unused');
  const result = await build({ ...options, write: false });
  const output = Object.values(result.metafile.outputs).find(
    (candidate) => candidate.entryPoint !== undefined,
  );
  // Inputs esbuild read but tree-shook away contribute no bytes: only what is in the bundle counts.
  const packages = Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .flatMap(([path]) => /node_modules\/(@aws-sdk\/client-[^/]+)\//.exec(path)?.[1] ?? []);
  return [...new Set(packages)].sort();
}

describe('the SDK clients in each workflow function', () => {
  it('has an expectation for every workflow task of the manifest', () => {
    expect(workflowTasks.map((task) => nameOf(task.entry)).sort()).toEqual(
      Object.keys(EXPECTED_CLIENTS).sort(),
    );
  });

  it.each(workflowTasks.map((task) => [nameOf(task.entry), task] as const))(
    '%s bundles only the clients it uses, all within its needs',
    async (name, task) => {
      const allowed = new Set(task.needs.flatMap((need) => ALLOWED_BY_NEED[need]));
      expect(EXPECTED_CLIENTS[name]?.filter((client) => !allowed.has(client))).toEqual([]);
      expect(await sdkClientsIn(task.entry)).toEqual([...(EXPECTED_CLIENTS[name] ?? [])].sort());
    },
  );
});
