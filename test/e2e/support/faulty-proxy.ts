/**
 * An HTTP proxy in front of moto_server that injects faults into chosen DynamoDB actions
 * (X-Amz-Target `DynamoDB_20120810.<Action>`): slow, failing with a 500, forwarded and then the
 * connection dropped (applied, but the client never learns it), or never answered.
 */
import { request as httpRequest } from 'node:http';
import { listenLocally, readBody } from './local-server.js';

export type ProxyFault =
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'fail500' }
  | { readonly kind: 'forward-then-drop' }
  | { readonly kind: 'hang' };

export interface FaultyProxy {
  readonly endpoint: string;
  /** Faults per action for its next calls, in order; then calls pass through. */
  readonly faults: Map<string, ProxyFault[]>;
  /** Every action seen, in order. */
  readonly actions: string[];
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const upstream = new URL(target);
  const faults = new Map<string, ProxyFault[]>();
  const actions: string[] = [];
  const server = await listenLocally((request, response) => {
    void readBody(request).then((requestBody) => {
      const action = String(request.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
      actions.push(action);
      const fault = faults.get(action)?.shift();
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'fail500') {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: 'injected',
          }),
        );
        return;
      }
      const forward = () => {
        const proxied = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            path: request.url,
            method: request.method,
            headers: request.headers,
          },
          (upstreamResponse) => {
            const body: Buffer[] = [];
            upstreamResponse.on('data', (chunk: Buffer) => body.push(chunk));
            upstreamResponse.on('end', () => {
              if (fault?.kind === 'forward-then-drop') {
                request.socket.destroy();
                return;
              }
              response
                .writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers)
                .end(Buffer.concat(body));
            });
          },
        );
        proxied.on('error', () => request.socket.destroy());
        proxied.end(requestBody);
      };
      if (fault?.kind === 'delay') setTimeout(forward, fault.ms);
      else forward();
    });
  });
  return { endpoint: server.endpoint, faults, actions, close: server.close };
}
