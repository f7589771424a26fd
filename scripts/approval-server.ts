/**
 * A local HTTP server hosting the real approval-API Lambda handler, as API Gateway's REST proxy
 * integration would call it: for the browser test and for trying approvals by hand.
 *
 * By hand (the handler reads its usual environment; AWS_ENDPOINT_URL points the SDK at moto):
 *   APPROVALS_TABLE_NAME=approvals SLACK_SECRET_ARN=slack-approvals AWS_ENDPOINT_URL=http://127.0.0.1:5000 \
 *     npx tsx scripts/approval-server.ts        # listens on http://localhost:8787 (APPROVAL_SERVER_PORT)
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ApprovalApiEvent } from '../remediators/approvals/http.js';

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

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { handler } = await import('../remediators/handlers/approval-api.js');
  const running = await startApprovalServer(handler, {
    port: Number(process.env['APPROVAL_SERVER_PORT'] ?? 8787),
  });
  console.log(
    `approval API listening on ${running.url} (Slack interactivity: ${running.url}/slack/interactions)`,
  );
}
