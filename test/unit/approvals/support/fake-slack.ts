/**
 * A local stand-in for Slack's Web API and response_url endpoints, recording every call.
 * Answers like Slack: HTTP 200 with {"ok": true|false, ...}; response_url answers "ok".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  /** JSON bodies parsed; form bodies as a plain object. */
  readonly body: Record<string, unknown>;
}

export interface FakeSlack {
  readonly apiUrl: string;
  /** A response_url Slack would put in an interactivity payload. */
  readonly responseUrl: string;
  readonly calls: SlackCall[];
  callsTo(path: string): SlackCall[];
  /** The next call to `method` answers {"ok": false, "error": error}. */
  failNext(method: string, error: string): void;
  userGroups: Record<string, string[]>;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const failures = new Map<string, string>();
  let ts = 0;
  const fake = { userGroups: {} as Record<string, string[]> };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const contentType = request.headers['content-type'];
      const body: Record<string, unknown> = contentType?.startsWith('application/json')
        ? (JSON.parse(text) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(text));
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      calls.push({ path, authorization: request.headers.authorization, contentType, body });
      if (path.startsWith('/response/')) {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      const method = path.replace(/^\/api\//, '');
      const reply = (answer: object) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      const failure = failures.get(method);
      if (failure !== undefined) {
        failures.delete(method);
        reply({ ok: false, error: failure });
        return;
      }
      if (method === 'chat.postMessage') {
        ts += 1;
        reply({ ok: true, channel: body['channel'], ts: `1700000000.${String(ts).padStart(6, '0')}` });
      } else if (method === 'chat.update') {
        reply({ ok: true, channel: body['channel'], ts: body['ts'] });
      } else if (method === 'usergroups.users.list') {
        const users = fake.userGroups[String(body['usergroup'])];
        reply(users === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users });
      } else {
        reply({ ok: false, error: 'unknown_method' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    apiUrl: `${base}/api`,
    responseUrl: `${base}/response/T1/1/abc`,
    calls,
    callsTo: (path) => calls.filter((call) => call.path === path),
    failNext: (method, error) => failures.set(method, error),
    get userGroups() {
      return fake.userGroups;
    },
    set userGroups(groups) {
      fake.userGroups = groups;
    },
    reset() {
      ts = 0;
      calls.length = 0;
      failures.clear();
      fake.userGroups = {};
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
