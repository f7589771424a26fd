/**
 * Fault injection below the SDK's retry middleware: a fake HTTP handler answers the real
 * clients with throttling errors, so the whole stack (error classification, retry strategy,
 * backoff, call counting) runs as in Lambda. aws-sdk-client-mock replaces `send` itself and
 * would bypass retries, so it cannot show them.
 */
import { GetStageCommand } from '@aws-sdk/client-api-gateway';
import { GetStageCommand as GetV2StageCommand } from '@aws-sdk/client-apigatewayv2';
import { HttpResponse } from '@smithy/core/transport';
import type { HttpHandler } from '@smithy/core/protocols';
import type { HttpRequest } from '@smithy/types';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  API_GATEWAY_RETRY,
  createCoreClients,
  fullJitterDelay,
  type CoreClients,
} from '../../../remediators/core/clients.js';

const FAST = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

interface Scripted {
  readonly status: number;
  readonly errorType?: string;
  readonly body: unknown;
}

/** Answers each request with the next scripted response (the last one repeats). */
function scriptedHandler(responses: readonly Scripted[]) {
  const requests: HttpRequest[] = [];
  const handler = {
    handle: async (request: HttpRequest) => {
      requests.push(request);
      const next = responses[Math.min(requests.length - 1, responses.length - 1)] as Scripted;
      return {
        response: new HttpResponse({
          statusCode: next.status,
          headers: {
            'content-type': 'application/json',
            ...(next.errorType ? { 'x-amzn-errortype': next.errorType } : {}),
          },
          body: Readable.from([Buffer.from(JSON.stringify(next.body))]),
        }),
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
  return { handler: handler as unknown as HttpHandler, requests };
}

function clientsWith(handler: HttpHandler): CoreClients {
  const clients = createCoreClients({
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    endpoint: 'http://127.0.0.1:9',
    retry: FAST,
  });
  clients.apiGateway.config.requestHandler = handler;
  clients.apiGatewayV2.config.requestHandler = handler;
  return clients;
}

const throttledRest: Scripted = {
  status: 429,
  errorType: 'TooManyRequestsException',
  body: { message: 'Too Many Requests' },
};
const stage: Scripted = { status: 200, body: { stageName: 'prod', deploymentId: 'abc123' } };

describe('retries tuned for API Gateway throttling', () => {
  it('retries TooManyRequestsException and succeeds on the third attempt, counted as one call', async () => {
    const { handler, requests } = scriptedHandler([throttledRest, throttledRest, stage]);
    const clients = clientsWith(handler);

    const result = await clients.apiGateway.send(
      new GetStageCommand({ restApiId: 'a1b2c3d4e5', stageName: 'prod' }),
    );

    expect(result.deploymentId).toBe('abc123');
    expect(result.$metadata.attempts).toBe(3);
    expect(requests).toHaveLength(3);
    expect(clients.counter.counts()).toMatchObject({
      reads: 1,
      writes: 0,
      byOperation: { 'APIGateway.GetStage': 1 },
    });
  });

  it('retries the V2 LimitExceededException the same way', async () => {
    const limitExceeded: Scripted = {
      status: 429,
      errorType: 'LimitExceededException',
      body: { message: 'Rate exceeded' },
    };
    const { handler, requests } = scriptedHandler([
      limitExceeded,
      { status: 200, body: { stageName: 'live', autoDeploy: true } },
    ]);
    const clients = clientsWith(handler);

    const result = await clients.apiGatewayV2.send(
      new GetV2StageCommand({ ApiId: 'z9y8x7w6v5', StageName: 'live' }),
    );

    expect(result.AutoDeploy).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('gives up after maxAttempts and surfaces the throttling error', async () => {
    const { handler, requests } = scriptedHandler([throttledRest]);
    const clients = clientsWith(handler);

    const failure = clients.apiGateway.send(
      new GetStageCommand({ restApiId: 'a1b2c3d4e5', stageName: 'prod' }),
    );

    await expect(failure).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      $metadata: { attempts: FAST.maxAttempts },
    });
    expect(requests).toHaveLength(FAST.maxAttempts);
  });

  it('does not retry an error that retrying cannot fix', async () => {
    const { handler, requests } = scriptedHandler([
      { status: 400, errorType: 'BadRequestException', body: { message: 'Invalid patch path' } },
    ]);
    const clients = clientsWith(handler);

    await expect(
      clients.apiGateway.send(new GetStageCommand({ restApiId: 'a1b2c3d4e5', stageName: 'prod' })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
    expect(requests).toHaveLength(1);
  });
});

describe('fullJitterDelay', () => {
  it('draws from [0, base·2^(retry-1)] capped at maxDelayMs', () => {
    const top = () => 0.999_999;
    expect(fullJitterDelay(1, API_GATEWAY_RETRY, top)).toBe(499);
    expect(fullJitterDelay(2, API_GATEWAY_RETRY, top)).toBe(999);
    expect(fullJitterDelay(4, API_GATEWAY_RETRY, top)).toBe(3999);
    expect(fullJitterDelay(7, API_GATEWAY_RETRY, top)).toBe(19_999);
    expect(fullJitterDelay(3, API_GATEWAY_RETRY, () => 0)).toBe(0);
    expect(fullJitterDelay(3, API_GATEWAY_RETRY, () => 0.5)).toBe(1000);
  });
});
