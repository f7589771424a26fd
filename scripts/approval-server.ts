/**
 * A local HTTP server hosting the real approval-API Lambda handler, as API Gateway's REST proxy
 * integration would call it: for the browser test and for trying approvals by hand.
 *
 * By hand (the handler reads its usual environment; AWS_ENDPOINT_URL points the SDK at moto):
 *   APPROVALS_TABLE_NAME=approvals SLACK_SECRET_ARN=slack-approvals AWS_ENDPOINT_URL=http://127.0.0.1:5000 \
 *     npx tsx scripts/approval-server.ts --seed  # listens on http://localhost:8787 (APPROVAL_SERVER_PORT)
 * `--seed` first creates the table and a local secret when missing and stores one sample pending
 * approval, then prints its signed link to open in a browser.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ApprovalRequest } from '../remediators/approvals/contract.js';
import { ApprovalApiEnvironmentSchema, readEnvironment } from '../remediators/approvals/environment.js';
import type { ApprovalApiEvent } from '../remediators/approvals/http.js';
import { newApprovalRecord } from '../remediators/approvals/record.js';
import { approvalLink, newApprovalId } from '../remediators/approvals/signed-link.js';
import { slackSecretLoader } from '../remediators/approvals/slack-secret.js';
import { createApprovalStore } from '../remediators/approvals/store.js';
import { createApprovalResources } from '../remediators/local/approvals.js';

export type ApprovalApiHandler = (event: ApprovalApiEvent) => Promise<APIGatewayProxyResult>;

export interface RunningServer {
  /** e.g. http://localhost:8787 */
  readonly url: string;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Builds the REST proxy event the way API Gateway does: single-value headers and query parameters. */
export async function toProxyEvent(request: IncomingMessage): Promise<ApprovalApiEvent> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  // API Gateway sets X-Forwarded-Proto to the scheme the client used (https there, http here).
  headers['x-forwarded-proto'] = 'http';
  const query = Object.fromEntries(url.searchParams);
  const body = await readBody(request);
  return {
    httpMethod: request.method ?? 'GET',
    path: url.pathname,
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    body: body.length > 0 ? body : null,
    isBase64Encoded: false,
  };
}

export async function startApprovalServer(
  handler: ApprovalApiHandler,
  options: { readonly port?: number; readonly host?: string } = {},
): Promise<RunningServer> {
  const server: Server = createServer((request, response) => {
    toProxyEvent(request)
      .then(handler)
      .then((result) => {
        response.writeHead(
          result.statusCode,
          Object.fromEntries(
            Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
        );
        response.end(result.body);
      })
      .catch((error: unknown) => {
        console.error('approval server: the handler threw', error);
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('internal error');
      });
  });
  const host = options.host ?? 'localhost';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A pending approval as the workflow would request it: a REST stage's execution logging and
 * tracing, a one-hour window from `now`. Built here from the approvals contract, so the server
 * needs nothing from test/.
 */
export function sampleApprovalRequest(approvalId: string, now: Date): ApprovalRequest {
  return {
    taskToken: `local-sample-token-${approvalId}`,
    remediationId: `local-${approvalId.slice(0, 8)}`,
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:apigw-remediation:local-sample',
    account: '123456789012',
    region: 'us-east-1',
    partition: 'aws',
    apiType: 'REST',
    apiId: 'a1b2c3d4e5',
    apiName: 'orders-api',
    stageName: 'prod',
    controls: ['APIGateway.1', 'APIGateway.3'],
    changes: [
      {
        controlId: 'APIGateway.1',
        setting: 'methodSettings[*/*].loggingLevel',
        before: 'OFF',
        after: 'ERROR',
      },
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
    ],
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
  };
}

/** Creates the table and secret when missing and stores one pending sample approval; returns its link. */
async function seed(serverUrl: string): Promise<string> {
  const env = readEnvironment(ApprovalApiEnvironmentSchema, process.env, 'approval-server --seed');
  const dynamodb = new DynamoDBClient({});
  const secrets = new SecretsManagerClient({});
  await createApprovalResources(process.env.AWS_ENDPOINT_URL, await dynamodb.config.region(), {
    table: env.APPROVALS_TABLE_NAME,
    secret: env.SLACK_SECRET_ARN,
  });
  const secret = await slackSecretLoader(secrets, env.SLACK_SECRET_ARN)();
  const now = new Date();
  const approvalId = newApprovalId();
  const record = newApprovalRecord(approvalId, sampleApprovalRequest(approvalId, now), now);
  await createApprovalStore(dynamodb, env.APPROVALS_TABLE_NAME).create(record);
  return approvalLink(serverUrl, secret.linkSigningKey, {
    approvalId,
    expiresAtEpoch: record.expiresAtEpoch,
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { handler } = await import('../remediators/handlers/approval-api.js');
  const running = await startApprovalServer(handler, {
    port: Number(process.env['APPROVAL_SERVER_PORT'] ?? 8787),
  });
  console.log(
    `approval API listening on ${running.url} (Slack interactivity: ${running.url}/slack/interactions)`,
  );
  if (process.argv.includes('--seed')) console.log(`sample approval: ${await seed(running.url)}`);
}
