/**
 * The kill switch's GetParameter request (remediators/workflow/deps/ssm-parameter.ts) against a
 * recording fetch: what is sent and signed, which answers are retried (the SDK's own classifiers)
 * and which are not, and where it goes by Region and endpoint override.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createSsmParameterReader,
  isRetryableSsmError,
  SSM_RETRY,
  SsmError,
  ssmEndpoint,
  ssmErrorOf,
} from '../../../remediators/workflow/deps/ssm-parameter.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

function answering(...answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = vi.fn(async (url: URL | string | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });

describe('SSM GetParameter without the SSM client', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('sends the awsJson1_1 GetParameter request, signed for ssm in the Region', async () => {
    const { fetch, calls } = answering(
      json(200, { Parameter: { Name: '/p', Type: 'String', Value: 'off' } }),
    );
    const read = createSsmParameterReader({ region: 'eu-west-1', credentials, fetch, endpoint: undefined });

    vi.stubEnv('AWS_ENDPOINT_URL', '');
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', '');
    expect(await read('/p')).toBe('off');

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.url).toBe('https://ssm.eu-west-1.amazonaws.com/');
    expect(call?.init.method).toBe('POST');
    expect(call?.init.body).toBe('{"Name":"/p"}');
    const headers = call?.init.headers as Record<string, string>;
    expect(headers['x-amz-target']).toBe('AmazonSSM.GetParameter');
    expect(headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ssm\/aws4_request, SignedHeaders=[^,]*host[^,]*x-amz-target[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(Object.keys(headers).map((name) => name.toLowerCase())).not.toContain('host');
  });

  it('retries throttling and 5xx as the SDK does, at most 3 calls, with full-jitter waits', async () => {
    const waits: number[] = [];
    const { fetch, calls } = answering(
      json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }),
      json(503, {}),
      json(200, { Parameter: { Value: 'on: x' } }),
    );
    const read = createSsmParameterReader({
      region: 'us-east-1',
      credentials,
      endpoint: 'http://127.0.0.1:1',
      fetch,
      sleep: async (ms) => waits.push(ms),
    });

    expect(await read('/p')).toBe('on: x');
    expect(calls).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThanOrEqual(SSM_RETRY.baseDelayMs);
    expect(waits[1]).toBeLessThanOrEqual(SSM_RETRY.baseDelayMs * 2);
  });

  it('gives up after 3 throttled calls with the last error', async () => {
    const throttled = () => json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    const { fetch, calls } = answering(throttled(), throttled(), throttled(), throttled());
    const read = createSsmParameterReader({
      region: 'us-east-1',
      credentials,
      endpoint: 'http://127.0.0.1:1',
      fetch,
      sleep: async () => undefined,
    });

    await expect(read('/p')).rejects.toThrow('ThrottlingException: Rate exceeded');
    expect(calls).toHaveLength(3);
  });

  it('does not retry an answer that will not change: a missing parameter, access denied', async () => {
    const { fetch, calls } = answering(
      json(400, { __type: 'ParameterNotFound' }),
      json(400, { __type: 'AccessDeniedException', Message: 'not authorized to perform: ssm:GetParameter' }),
    );
    const read = createSsmParameterReader({
      region: 'us-east-1',
      credentials,
      endpoint: 'http://127.0.0.1:1',
      fetch,
      sleep: async () => undefined,
    });

    await expect(read('/p')).rejects.toMatchObject({
      name: 'ParameterNotFound',
      message: 'ParameterNotFound',
    });
    await expect(read('/p')).rejects.toThrow(
      'AccessDeniedException: not authorized to perform: ssm:GetParameter',
    );
    expect(calls).toHaveLength(2);
  });

  it('retries a connection that failed (fetch TypeError caused by ECONNRESET), not a parse error', () => {
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('socket'), { code: 'ECONNRESET' }),
    });
    expect(isRetryableSsmError(reset)).toBe(true);
    expect(isRetryableSsmError(new DOMException('timed out', 'TimeoutError'))).toBe(true);
    expect(isRetryableSsmError(new SyntaxError('Unexpected token'))).toBe(false);
    expect(isRetryableSsmError(new SsmError('ParameterNotFound', 'ParameterNotFound', 400))).toBe(false);
    expect(isRetryableSsmError(new SsmError('InternalServerError', 'x', 500))).toBe(true);
    expect(isRetryableSsmError('not an error')).toBe(false);
  });

  it('refuses an answer without a value', async () => {
    const { fetch } = answering(json(200, { Parameter: { Name: '/p' } }));
    const read = createSsmParameterReader({
      region: 'us-east-1',
      credentials,
      endpoint: 'http://127.0.0.1:1',
      fetch,
    });

    await expect(read('/p')).rejects.toThrow('GetParameter /p answered without Parameter.Value');
  });

  it('reads an error code with a namespace, and a body that is not JSON', () => {
    expect(
      ssmErrorOf(400, '{"__type":"com.amazonaws.ssm#ParameterNotFound","message":"gone"}'),
    ).toMatchObject({
      name: 'ParameterNotFound',
      message: 'ParameterNotFound: gone',
    });
    expect(ssmErrorOf(502, '<html>Bad Gateway</html>')).toMatchObject({
      name: 'HTTP 502',
      message: 'HTTP 502',
    });
  });

  it('goes to the partition of the Region unless AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL says otherwise', () => {
    vi.stubEnv('AWS_ENDPOINT_URL', '');
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', '');
    expect(ssmEndpoint('cn-north-1').href).toBe('https://ssm.cn-north-1.amazonaws.com.cn/');
    expect(ssmEndpoint('us-gov-west-1').href).toBe('https://ssm.us-gov-west-1.amazonaws.com/');
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://localhost:5000');
    expect(ssmEndpoint('us-east-1').href).toBe('http://localhost:5000/');
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', 'http://localhost:5001');
    expect(ssmEndpoint('us-east-1').href).toBe('http://localhost:5001/');
    expect(ssmEndpoint('us-east-1', 'http://127.0.0.1:7').href).toBe('http://127.0.0.1:7/');
  });
});
