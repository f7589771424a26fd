/**
 * The Slack approval path for an in-process run on the embedded emulator (`npm run demo`): the REAL
 * request-approval and approval-API handlers, their approvals table and Slack secret in moto, Slack's
 * Web API replaced by a local HTTP server that keeps what was posted (reached through the Slack
 * client's `baseUrl`, SLACK_API_BASE_URL in the Lambdas), and Step Functions' task-token calls
 * answered in-process.
 *
 * Why a token bridge: aws-local-stepfunctions has no `$$.Task.Token` and no SendTaskSuccess. The
 * runner hands each execution a token through the library's context option (workflow-runner.ts);
 * the approval Task stores it with the real request-approval handler and then waits on
 * {@link TaskTokenBridge.waitFor}; the approval API's SFN client gets SDK middleware that answers
 * SendTaskSuccess / SendTaskFailure as Step Functions would (an empty 200) and resolves or fails that
 * wait: SendTaskSuccess's output becomes the Task's result, SendTaskFailure becomes the Task's error
 * (name = `error`, message = `cause`), which the state machine's Catch matches as it matches
 * States' own (ApprovalRejected). A token nobody waits on answers TaskDoesNotExist, as AWS does
 * (Step Functions API Reference, SendTaskSuccess, Errors).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  SFNClient,
  type SendTaskFailureCommandInput,
  type SendTaskSuccessCommandInput,
} from '@aws-sdk/client-sfn';
import type { RemediationConfig } from '../../config/schema.js';
import { createSlackApi } from '../approvals/slack-api.js';
import { slackSecretLoader, type SlackSecret } from '../approvals/slack-secret.js';
import { createApprovalStore } from '../approvals/store.js';
import { createApprovalApiHandler } from '../handlers/approval-api.js';
import {
  createOfferUndoHandler,
  createRequestApprovalHandler,
  createSettleTimeoutHandler,
} from '../handlers/request-approval.js';
import type { InProcessApproval } from './in-process-workflow.js';

export const LOCAL_APPROVALS_TABLE = 'apigw-remediation-approvals';
export const LOCAL_SLACK_SECRET = 'apigw-remediation/slack';

/** One Web API call the fake Slack took (JSON bodies: chat.postMessage, chat.update). */
export interface PostedToSlack {
  readonly method: string;
  readonly body: Record<string, unknown>;
}

export interface FakeSlack {
  /** The Web API base URL, as SLACK_API_BASE_URL would name it. */
  readonly apiUrl: string;
  readonly calls: readonly PostedToSlack[];
  close(): Promise<void>;
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** Answers chat.postMessage and chat.update as Slack does (`{"ok": true, …}`), keeping each call. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: PostedToSlack[] = [];
  let messages = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const method = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/^\/api\//, '');
      const text = Buffer.concat(chunks).toString('utf8');
      const body = (
        request.headers['content-type']?.startsWith('application/json') === true
          ? JSON.parse(text)
          : Object.fromEntries(new URLSearchParams(text))
      ) as Record<string, unknown>;
      calls.push({ method, body });
      const answer =
        method === 'chat.postMessage'
          ? {
              ok: true,
              channel: body['channel'],
              ts: `1700000000.${String((messages += 1)).padStart(6, '0')}`,
            }
          : method === 'chat.update'
            ? { ok: true, channel: body['channel'], ts: body['ts'] }
            : { ok: false, error: 'unknown_method' };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { apiUrl: `http://127.0.0.1:${port}/api`, calls, close: closer(server) };
}

export interface TaskTokenBridge {
  /** The SFN client the approval API delivers decisions with. */
  readonly sfn: SFNClient;
  /** Resolves with SendTaskSuccess's output (parsed), rejects with SendTaskFailure's error. */
  waitFor(taskToken: string): Promise<unknown>;
}

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export function createTaskTokenBridge(region: string): TaskTokenBridge {
  const waiting = new Map<string, Waiting>();
  const sfn = new SFNClient({ region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  sfn.middlewareStack.add(
    (_next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (command !== 'SendTaskSuccessCommand' && command !== 'SendTaskFailureCommand') {
        throw new Error(`the in-process Step Functions answers no ${command.replace(/Command$/, '')}`);
      }
      const input = args.input as SendTaskSuccessCommandInput | SendTaskFailureCommandInput;
      const wait = waiting.get(input.taskToken ?? '');
      if (wait === undefined) {
        const error = new Error('Task does not exist anymore');
        error.name = 'TaskDoesNotExist';
        throw error;
      }
      waiting.delete(input.taskToken ?? '');
      if ('output' in input) {
        wait.resolve(JSON.parse(input.output ?? 'null') as unknown);
      } else {
        const failure = new Error(input.cause ?? '');
        failure.name = input.error ?? 'States.TaskFailed';
        wait.reject(failure);
      }
      return { output: { $metadata: { httpStatusCode: 200 } } as never, response: {} };
    },
    { step: 'initialize', name: 'answerTaskTokensInProcess' },
  );
  return {
    sfn,
    waitFor: (taskToken) =>
      new Promise((resolve, reject) => {
        waiting.set(taskToken, { resolve, reject });
      }),
  };
}

export interface LocalApprovalsOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly approval: RemediationConfig['approval'];
  /** Where the approval API is served (the signed links point there). */
  readonly approvalBaseUrl: string;
  readonly slackApiUrl: string;
}

export interface LocalApprovals {
  /** The approval API Lambda's handler, composed as in AWS (host it with scripts/approval-server.ts). */
  readonly api: ReturnType<typeof createApprovalApiHandler>;
  /** The workflow's approval states, answered by the real request-approval handler and the bridge. */
  readonly workflow: InProcessApproval;
}

/** Creates the approvals table and a local Slack secret on the emulator when missing. */
export async function createApprovalResources(
  endpoint: string | undefined,
  region: string,
  names: { readonly table: string; readonly secret: string } = {
    table: LOCAL_APPROVALS_TABLE,
    secret: LOCAL_SLACK_SECRET,
  },
): Promise<void> {
  const aws = { region, ...(endpoint === undefined || endpoint === '' ? {} : { endpoint }) };
  try {
    await new DynamoDBClient(aws).send(
      new CreateTableCommand({
        TableName: names.table,
        KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'approvalId', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const secret: SlackSecret = {
    botToken: 'xoxb-local-only',
    signingSecret: randomBytes(16).toString('hex'),
    linkSigningKey: randomBytes(32).toString('base64url'),
  };
  try {
    await new SecretsManagerClient(aws).send(
      new CreateSecretCommand({ Name: names.secret, SecretString: JSON.stringify(secret) }),
    );
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
  }
}

export async function createLocalApprovals(options: LocalApprovalsOptions): Promise<LocalApprovals> {
  const { endpoint, region } = options;
  await createApprovalResources(endpoint, region);
  const store = createApprovalStore(new DynamoDBClient({ region, endpoint }), LOCAL_APPROVALS_TABLE);
  const slackSecret = slackSecretLoader(new SecretsManagerClient({ region, endpoint }), LOCAL_SLACK_SECRET);
  const slackApi = (secret: SlackSecret, signal?: AbortSignal) =>
    createSlackApi({
      botToken: secret.botToken,
      baseUrl: options.slackApiUrl,
      ...(signal === undefined ? {} : { signal }),
    });
  const now = () => new Date();
  const bridge = createTaskTokenBridge(region);
  const requestDeps = {
    store,
    slackSecret,
    slackApi,
    approval: options.approval,
    baseUrl: options.approvalBaseUrl,
    now,
  };
  const request = createRequestApprovalHandler(requestDeps);
  const settle = createSettleTimeoutHandler(requestDeps);
  return {
    api: createApprovalApiHandler({
      store,
      sfn: bridge.sfn,
      slackSecret,
      slackApi,
      approval: options.approval,
      now,
      slackResponseOrigins: [new URL(options.slackApiUrl).origin],
    }),
    workflow: {
      request: async (input) => {
        // What the Task sends the Lambda (lambda:invoke Payload); the Lambda keeps the token.
        const { Payload: payload } = input as { Payload: { taskToken: string } };
        const decided = bridge.waitFor(payload.taskToken);
        await request(payload);
        return decided;
      },
      settle,
      offerUndo: createOfferUndoHandler(requestDeps),
    },
  };
}
