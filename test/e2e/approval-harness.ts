/**
 * Wiring for the approval tests: the REAL handlers with DynamoDB and Secrets Manager in a
 * moto_server, Step Functions mocked (moto cannot issue task tokens for a waiting Lambda task)
 * and Slack replaced by a local fake HTTP server.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  type SendTaskFailureCommandInput,
  type SendTaskSuccessCommandInput,
} from '@aws-sdk/client-sfn';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { ApprovalSchema, type RemediationConfig } from '../../config/schema.js';
import type { ApprovalRequest } from '../../remediators/approvals/contract.js';
import { createSlackApi } from '../../remediators/approvals/slack-api.js';
import { slackSecretLoader } from '../../remediators/approvals/slack-secret.js';
import { createApprovalStore, type ApprovalStore } from '../../remediators/approvals/store.js';
import { createApprovalApiHandler } from '../../remediators/handlers/approval-api.js';
import { createRequestApprovalHandler } from '../../remediators/handlers/request-approval.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { serializeItemWrites } from '../helpers/serialized-item-writes.js';
import { startFakeSlack, type FakeSlack } from '../unit/approvals/support/fake-slack.js';
import { approvalRequest, DURING, SLACK_SECRET } from '../unit/approvals/support/fixtures.js';

export const TABLE_NAME = 'apigw-remediation-approvals';
export const SECRET_NAME = 'apigw-remediation/slack';
export const BASE_URL = 'https://abc123defg.execute-api.us-east-1.amazonaws.com/prod';

export interface ApprovalHarness {
  readonly store: ApprovalStore;
  readonly sfn: AwsClientStub<SFNClient>;
  readonly clock: { now: Date };
  readonly requestApproval: (
    request?: ApprovalRequest,
  ) => Promise<{ approvalId: string; link: string | undefined }>;
  /** The request-approval handler itself, answering with its own result. */
  readonly request: ReturnType<typeof createRequestApprovalHandler>;
  readonly api: ReturnType<typeof createApprovalApiHandler>;
  /** Every SendTaskSuccess and SendTaskFailure input, in order. */
  readonly sendTaskCalls: () => (SendTaskSuccessCommandInput | SendTaskFailureCommandInput)[];
}

export async function createAwsResources(endpoint: string): Promise<void> {
  const aws = { region: MOTO_REGION, endpoint, credentials: motoCredentials };
  await new DynamoDBClient(aws).send(
    new CreateTableCommand({
      TableName: TABLE_NAME,
      KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'approvalId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await new SecretsManagerClient(aws).send(
    new CreateSecretCommand({ Name: SECRET_NAME, SecretString: JSON.stringify(SLACK_SECRET) }),
  );
}

export function createHarness(
  endpoint: string,
  slack: FakeSlack,
  approvalConfig: unknown = { slack: { channelId: 'C0123456789' } },
  baseUrl: string = BASE_URL,
): ApprovalHarness {
  const aws = { region: MOTO_REGION, endpoint, credentials: motoCredentials };
  const store = createApprovalStore(serializeItemWrites(new DynamoDBClient(aws)), TABLE_NAME);
  const sfnClient = new SFNClient({ region: MOTO_REGION, credentials: motoCredentials });
  const sfn = mockClient(sfnClient);
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
  const clock = { now: DURING };
  const approval: RemediationConfig['approval'] = ApprovalSchema.parse(approvalConfig);
  const slackSecret = slackSecretLoader(new SecretsManagerClient(aws), SECRET_NAME);
  const slackApi = (secret: { botToken: string }, signal?: AbortSignal) =>
    createSlackApi({ botToken: secret.botToken, baseUrl: slack.apiUrl, ...(signal ? { signal } : {}) });
  const now = () => clock.now;
  const request = createRequestApprovalHandler({
    store,
    slackSecret,
    slackApi,
    approval,
    baseUrl,
    now,
  });
  const api = createApprovalApiHandler({
    store,
    sfn: sfnClient,
    slackSecret,
    slackApi,
    approval,
    now,
    slackResponseOrigins: [new URL(slack.apiUrl).origin],
  });
  return {
    store,
    sfn,
    clock,
    api,
    request,
    async requestApproval(input = approvalRequest()) {
      const { approvalId } = await request(input);
      const posted = slack.callsTo('/api/chat.postMessage').at(-1);
      const link = /<(https?:[^|>]+)\|/.exec(JSON.stringify(posted?.body ?? {}))?.[1];
      return { approvalId, link };
    },
    sendTaskCalls: () => [
      ...sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input),
      ...sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input),
    ],
  };
}

/**
 * Vitest wiring for a describe block of end-to-end approval tests: a moto_server and a fake Slack
 * for the block, then before each test fresh AWS resources and handlers. `prepareSlack` runs on
 * the reset fake Slack; `approvalConfig` is the handlers' `approval` configuration.
 */
export function useApprovalHarness(
  options: { readonly approvalConfig?: unknown; readonly prepareSlack?: (slack: FakeSlack) => void } = {},
): {
  readonly moto: ReturnType<typeof useMoto>;
  readonly slack: FakeSlack;
  readonly harness: ApprovalHarness;
} {
  const moto = useMoto();
  let slack: FakeSlack | undefined;
  let harness: ApprovalHarness | undefined;
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => slack?.close());
  beforeEach(async () => {
    if (!slack) throw new Error('the fake Slack did not start');
    slack.reset();
    options.prepareSlack?.(slack);
    await createAwsResources(moto.endpoint);
    harness = createHarness(moto.endpoint, slack, options.approvalConfig);
  });
  return {
    moto,
    get slack() {
      if (!slack) throw new Error('the fake Slack is not started: use it inside a hook or test');
      return slack;
    },
    get harness() {
      if (!harness) throw new Error('the harness is created before each test: use it inside a test');
      return harness;
    },
  };
}
