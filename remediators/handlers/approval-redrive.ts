/**
 * Approval re-drive Lambda, run by an EventBridge schedule: delivers decisions Step Functions has
 * not confirmed yet and brings Slack messages up to date (approvals/redrive.ts).
 *
 * Environment: APPROVALS_TABLE_NAME, SLACK_SECRET_ARN, optional SLACK_API_BASE_URL.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { approvalClientOptions } from '../approvals/clients.js';
import { ApprovalApiEnvironmentSchema, readEnvironment } from '../approvals/environment.js';
import { redrive, type RedriveDeps, type RedriveReport } from '../approvals/redrive.js';
import { createSlackApi } from '../approvals/slack-api.js';
import { slackSecretLoader } from '../approvals/slack-secret.js';
import { createApprovalStore } from '../approvals/store.js';
import { lambdaHandler } from '../shared/handler.js';

/** Time kept back from the Lambda timeout so the last approval's notes are written. */
const SAFETY_MS = 10_000;

let configured: Omit<RedriveDeps, 'stopAt'> | undefined;

function fromEnvironment(): Omit<RedriveDeps, 'stopAt'> {
  const env = readEnvironment(ApprovalApiEnvironmentSchema, process.env, 'approval-redrive');
  const slackSecret = slackSecretLoader(new SecretsManagerClient({}), env.SLACK_SECRET_ARN);
  return {
    store: createApprovalStore(new DynamoDBClient({}), env.APPROVALS_TABLE_NAME),
    sfn: new SFNClient(approvalClientOptions(1)),
    slack: async () =>
      createSlackApi({ botToken: (await slackSecret()).botToken, baseUrl: env.SLACK_API_BASE_URL }),
    now: () => new Date(),
    perApprovalMs: 5_000,
  };
}

export const handler = lambdaHandler(async (_event: unknown, context: Context): Promise<RedriveReport> => {
  configured ??= fromEnvironment();
  const stopAt = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
  return redrive({ ...configured, stopAt: () => stopAt });
});
