import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCoreClients, createStsClient } from '../../../remediators/core/clients.js';
import { tracer } from '../../../remediators/shared/tracing.js';
import { createLocksDeps } from '../../../remediators/workflow/deps/locks.js';
import { createNotificationDeps } from '../../../remediators/workflow/deps/notifications.js';
import {
  createHomeSecurityHubDeps,
  createMemberSecurityHubDeps,
} from '../../../remediators/workflow/deps/security-hub.js';

const target = {
  account: '123456789012',
  region: 'eu-west-1',
  partition: 'aws',
} as const;

describe('every AWS client the factories create goes through the tracer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const captured = () => vi.spyOn(tracer, 'captureAWSv3Client');

  it('is off in tests: Powertools disables tracing outside Lambda', () => {
    expect(process.env.AWS_EXECUTION_ENV ?? '').toBe('');
    expect(tracer.isTracingEnabled()).toBe(false);
  });

  it("createCoreClients: API Gateway v1 and v2, WAF and Logs, each the tracer's", () => {
    const capture = captured();
    const clients = createCoreClients({ region: 'eu-west-1' });
    expect(capture).toHaveBeenCalledTimes(4);
    const returned = capture.mock.results.map((result) => result.value);
    expect(returned).toEqual([clients.apiGateway, clients.apiGatewayV2, clients.wafv2, clients.logs]);
    expect(capture.mock.calls.map(([client]) => client)).toEqual(returned);
  });

  it('createStsClient', () => {
    const capture = captured();
    const sts = createStsClient({ region: 'eu-west-1' });
    expect(capture).toHaveBeenCalledOnce();
    expect(capture.mock.results[0]?.value).toBe(sts);
  });

  it('the locks table: the DynamoDB client under the document client', () => {
    const capture = captured();
    const dynamo = createLocksDeps({ endpoint: 'http://localhost:1' }).dynamo();
    expect(capture).toHaveBeenCalledOnce();
    // DynamoDBDocumentClient sends through the wrapped client's middleware stack.
    const wrapped = capture.mock.results[0]?.value as { middlewareStack: unknown };
    expect(dynamo.middlewareStack).toBe(wrapped.middlewareStack);
  });

  it('SNS, once per function', () => {
    const capture = captured();
    const deps = createNotificationDeps({ endpoint: 'http://localhost:1' });
    const sns = deps.sns();
    expect(deps.sns()).toBe(sns);
    expect(capture).toHaveBeenCalledOnce();
    expect(capture.mock.results[0]?.value).toBe(sns);
  });

  it('Security Hub in the home account and in the member account', async () => {
    const capture = captured();
    const home = createHomeSecurityHubDeps({ endpoint: 'http://localhost:1' }).homeSecurityHub('eu-west-1');
    const member = await createMemberSecurityHubDeps(
      { credentials: async () => undefined },
      { endpoint: 'http://localhost:1' },
    ).memberSecurityHub(target);
    expect(capture.mock.results.map((result) => result.value)).toEqual([home, member]);
  });
});
