/**
 * One SSM GetParameter call, for the kill switch (./kill-switch.ts), without the SSM client.
 *
 * Why not `@aws-sdk/client-ssm` (with Powertools Parameters), as before: the decide and apply
 * functions read one String parameter, and the client's schema registry binds every SSM operation
 * and all of its 140 error classes (80 KB of the bundle, 90 KB with Powertools Parameters;
 * docs/decisions/0033). This is the same request the client sends, built from the parts of the SDK
 * every function already bundles: the default credential chain, SigV4 (`@smithy/signature-v4`,
 * the client's own signer) and its SHA-256.
 *
 * The request (AWS Systems Manager API Reference, GetParameter and "Common parameters"; the
 * service's protocol is `awsJson1_1`): `POST /` to `ssm.{region}.amazonaws.com`
 * (`ssm.{region}.amazonaws.com.cn` in the China Regions; AWS General Reference, "AWS Systems
 * Manager endpoints and quotas"), `X-Amz-Target: AmazonSSM.GetParameter`, `Content-Type:
 * application/x-amz-json-1.1`, body `{"Name": …}`, signed for service `ssm`. The answer is
 * `{"Parameter": {"Value": …}}`; an error is a 4xx/5xx with `{"__type": …, "message": …}`.
 *
 * What the client did that is kept: `AWS_ENDPOINT_URL_SSM`, else `AWS_ENDPOINT_URL`, overrides the
 * endpoint (moto in tests and the demo); what the SDK's standard retry strategy retries (its own
 * classifiers: throttling, transient and 5xx errors) is retried with its policy (3 calls,
 * full-jitter backoff from 100 ms); any other error is thrown at once, named by its error code.
 * What is not: FIPS and dual-stack endpoints (the stacks set neither `AWS_USE_FIPS_ENDPOINT` nor
 * `AWS_USE_DUALSTACK_ENDPOINT`).
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { Sha256 } from '@smithy/core/checksum';
import { Client, Command } from '@smithy/core/client';
import { HttpRequest } from '@smithy/core/protocols';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Handler,
  MetadataBearer,
  RequestHandler,
  SdkError,
} from '@smithy/types';
import * as z from 'zod';
import { partitionOfRegion } from '../../core/arn.js';
import { fullJitterDelay, type RetryTuning } from '../../core/clients.js';
import { retrying } from '../../shared/retry.js';

/** The SDK's standard retry mode: 3 calls in all, full jitter from 100 ms, at most 20 s. */
export const SSM_RETRY: RetryTuning = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 20_000 };

/** One call's limit: a kill switch that cannot be read within it counts as on. */
export const SSM_CALL_TIMEOUT_MS = 5_000;

/** An error answer of SSM: `name` is its error code (e.g. ParameterNotFound, AccessDeniedException). */
export class SsmError extends Error {
  /** Where the SDK's error classifiers (@smithy/core/retry) look for the status. */
  readonly $metadata: { readonly httpStatusCode: number };
  constructor(
    override readonly name: string,
    message: string,
    statusCode: number,
  ) {
    super(message);
    this.$metadata = { httpStatusCode: statusCode };
  }
}

const ParameterAnswerSchema = z.object({ Parameter: z.object({ Value: z.string() }) });
const ErrorAnswerSchema = z.object({
  __type: z.string().optional(),
  message: z.string().optional(),
  Message: z.string().optional(),
});

export interface SsmParameterOptions {
  /** Default env AWS_REGION (Lambda sets it), else AWS_DEFAULT_REGION. */
  readonly region?: string;
  /** Default the Lambda's own (the SDK's default chain: the environment on Lambda). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Overrides env AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL. */
  readonly endpoint?: string;
  /** Default a real timer; tests pass one that records the waits. */
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** Default the global fetch. */
  readonly fetch?: typeof fetch;
}

/** `https://ssm.{region}.amazonaws.com`, `.amazonaws.com.cn` in the China Regions, unless overridden. */
export function ssmEndpoint(region: string, override?: string): URL {
  // The first one set and not empty, as the SDK reads them (service-specific before global).
  const configured = [override, process.env.AWS_ENDPOINT_URL_SSM, process.env.AWS_ENDPOINT_URL].find(
    (value) => value !== undefined && value !== '',
  );
  if (configured !== undefined) return new URL(configured);
  const suffix = partitionOfRegion(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://ssm.${region}.${suffix}`);
}

/**
 * What the SDK's standard retry strategy retries, by its own classifiers: throttling (429 and the
 * throttling error codes), transient errors (5xx 500/502/503/504, timeouts, a connection reset or
 * refused, also as the `cause` of fetch's TypeError) and other 5xx.
 */
export function isRetryableSsmError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // SdkError is an Error with optional $metadata, $fault and $retryable: the classifiers read
  // each of them optionally, so any Error (fetch's included) can be classified.
  const sdkError = error as SdkError;
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

/** The error an SSM error answer describes; `__type` may carry a namespace (`…#ParameterNotFound`). */
export function ssmErrorOf(statusCode: number, body: string): SsmError {
  let parsed: z.infer<typeof ErrorAnswerSchema> = {};
  try {
    parsed = ErrorAnswerSchema.catch({}).parse(JSON.parse(body));
  } catch {
    // Not JSON (a proxy's page, an empty body): the status says what is known.
  }
  const code = parsed.__type?.split('#').pop() || `HTTP ${statusCode}`;
  const message = parsed.message ?? parsed.Message ?? '';
  return new SsmError(code, message === '' ? code : `${code}: ${message}`, statusCode);
}

export interface GetParameterInput {
  readonly Name: string;
}

export interface GetParameterOutput extends MetadataBearer {
  readonly Parameter: { readonly Value: string };
}

interface ReaderConfig {
  /** Never called: the command sends its own request (below); the Smithy base client requires one. */
  readonly requestHandler: RequestHandler<unknown, unknown, object>;
  readonly apiVersion: string;
  readonly region: () => Promise<string>;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly getParameter: (name: string) => Promise<string>;
}

/**
 * GetParameter as a command of the Smithy base client every SDK client extends, so what wraps or
 * observes SDK calls sees this one too (the test suite's strict AWS model checks it against the
 * function's IAM policy; bench:workflow counts it), under the SDK's own names: `SSMClient`,
 * `GetParameterCommand`. The command sends the request itself (createSsmParameterReader).
 */
export class GetParameterCommand extends Command<GetParameterInput, GetParameterOutput, ReaderConfig> {
  constructor(readonly input: GetParameterInput) {
    super();
  }

  resolveMiddleware(
    _stack: unknown,
    configuration: ReaderConfig,
  ): Handler<GetParameterInput, GetParameterOutput> {
    return async () => ({
      output: { Parameter: { Value: await configuration.getParameter(this.input.Name) }, $metadata: {} },
      // The raw HTTP answer stays inside getParameter (its status is on any SsmError it throws).
      response: undefined,
    });
  }
}

/** See GetParameterCommand: the one operation, under the SDK client's name. */
export class SSMClient extends Client<object, GetParameterInput, GetParameterOutput, ReaderConfig> {}

/** A reader of one parameter's value at a time; one signer (and credential chain) per reader. */
export function createSsmParameterReader(
  options: SsmParameterOptions = {},
): (name: string) => Promise<string> {
  let endpoint: URL | undefined;
  let signer: SignatureV4 | undefined;
  const send = options.fetch ?? fetch;
  const given = options.credentials;
  const credentials: AwsCredentialIdentityProvider =
    given === undefined ? fromNodeProviderChain() : typeof given === 'function' ? given : async () => given;
  const regionOf = (): string => {
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (region === undefined || region === '') throw new Error('no Region (AWS_REGION) to read SSM in');
    return region;
  };

  async function callOnce(name: string): Promise<string> {
    const region = regionOf();
    endpoint ??= ssmEndpoint(region, options.endpoint);
    signer ??= new SignatureV4({ service: 'ssm', region, credentials, sha256: Sha256 });
    const body = JSON.stringify({ Name: name });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
        path: endpoint.pathname,
        headers: {
          host: endpoint.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonSSM.GetParameter',
        },
        body,
      }),
    );
    // fetch sets Host from the URL itself (the same value that was signed).
    const headers = Object.fromEntries(
      Object.entries(signed.headers).filter(([header]) => header.toLowerCase() !== 'host'),
    );
    const response = await send(endpoint, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(SSM_CALL_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw ssmErrorOf(response.status, text);
    const answer = ParameterAnswerSchema.safeParse(JSON.parse(text));
    if (!answer.success) throw new Error(`GetParameter ${name} answered without Parameter.Value`);
    return answer.data.Parameter.Value;
  }

  const client = new SSMClient({
    requestHandler: {
      handle: () => Promise.reject(new Error('SSMClient (kill switch) sends its requests itself')),
    },
    apiVersion: '2014-11-06',
    region: async () => regionOf(),
    credentials,
    getParameter: (name) =>
      retrying(() => callOnce(name), {
        maxAttempts: SSM_RETRY.maxAttempts,
        delayMs: (attempt) => fullJitterDelay(attempt, SSM_RETRY),
        retryable: isRetryableSsmError,
        ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
      }),
  });
  return async (name) => (await client.send(new GetParameterCommand({ Name: name }))).Parameter.Value;
}
