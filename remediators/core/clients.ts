/**
 * The one factory for every AWS client the core uses, so that all of them share:
 * - the endpoint (options, else env `AWS_ENDPOINT_URL`): the handlers run unchanged against moto;
 * - a retry strategy tuned for the API Gateway control plane (10 rps per account, bursts of
 *   40, CreateDeployment 1 per 5 s, UpdateAccount 1 per 20 s): more attempts than the SDK's 3
 *   and exponential backoff with full jitter, so concurrent remediations spread out instead
 *   of retrying in lock step;
 * - a call counter (reads vs writes by operation) that the results and the bench report;
 * - no X-Ray SDK: traces come from Lambda active tracing and Step Functions tracing
 *   (docs/decisions/0018), and the call counts from the counter above.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { STSClient } from '@aws-sdk/client-sts';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  HandlerExecutionContext,
  MetadataBearer,
  Pluggable,
  RetryStrategyV2,
} from '@smithy/types';

export type CountedService = 'APIGateway' | 'ApiGatewayV2' | 'WAFV2' | 'CloudWatchLogs';

export interface ApiCallCounts {
  readonly reads: number;
  readonly writes: number;
  /** UpdateStage calls (REST and V2): the target is at most one per stage per remediation. */
  readonly updateStageCalls: number;
  /** CreateDeployment calls (REST and V2). */
  readonly deployments: number;
  /** Calls per `Service.Operation`, e.g. `APIGateway.GetStage`. */
  readonly byOperation: Readonly<Record<string, number>>;
}

/** Get*, List*, Describe* change nothing; every other operation is counted as a write. */
export function isReadOperation(operation: string): boolean {
  return /^(Get|List|Describe)[A-Z]/.test(operation);
}

/**
 * Counts the calls the core makes: one per command sent, whatever its outcome, because a
 * failed or throttled call still spends the account's control-plane quota. SDK retries of
 * the same command are not counted again (they are the retry strategy's business).
 */
export class ApiCallCounter {
  private readonly calls = new Map<string, number>();

  record(service: CountedService, operation: string): void {
    const key = `${service}.${operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  counts(): ApiCallCounts {
    let reads = 0;
    let writes = 0;
    let updateStageCalls = 0;
    let deployments = 0;
    const byOperation: Record<string, number> = {};
    for (const [key, count] of [...this.calls.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const operation = key.slice(key.indexOf('.') + 1);
      byOperation[key] = count;
      if (isReadOperation(operation)) reads += count;
      else writes += count;
      if (operation === 'UpdateStage') updateStageCalls += count;
      if (operation === 'CreateDeployment') deployments += count;
    }
    return { reads, writes, updateStageCalls, deployments, byOperation };
  }
}

/** The difference between two readings of one counter: the calls made in between. */
export function callsBetween(before: ApiCallCounts, after: ApiCallCounts): ApiCallCounts {
  const byOperation: Record<string, number> = {};
  for (const [key, count] of Object.entries(after.byOperation)) {
    const made = count - (before.byOperation[key] ?? 0);
    if (made > 0) byOperation[key] = made;
  }
  return {
    reads: after.reads - before.reads,
    writes: after.writes - before.writes,
    updateStageCalls: after.updateStageCalls - before.updateStageCalls,
    deployments: after.deployments - before.deployments,
    byOperation,
  };
}

/**
 * Runs before every command a client sends (the initialize step: once per command, not per SDK
 * retry). The workflow paces API Gateway's calls with it (remediators/workflow/pacing.ts): the
 * hook waits for the call's place in its account's schedule, or throws to fail the call unsent.
 */
export type BeforeCall = (operation: string) => Promise<void>;

/**
 * SDK middleware at the initialize step (once per command, not per SDK retry) that awaits `hook`
 * with the operation's name (the command without `Command`) before the command goes on.
 */
function operationHook(
  name: string,
  priority: 'high' | 'low',
  hook: (operation: string) => void | Promise<void>,
): Pluggable<object, MetadataBearer> {
  return {
    applyToStack(stack) {
      stack.add(
        <Output extends MetadataBearer>(
          next: InitializeHandler<object, Output>,
          context: HandlerExecutionContext,
        ) =>
          async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<Output>> => {
            await hook((context.commandName ?? 'Unknown').replace(/Command$/, ''));
            return next(args);
          },
        { step: 'initialize', name, priority },
      );
    },
  };
}

/**
 * The before-call hook as SDK middleware, after the counter (priority high): a call refused a place
 * still counts as asked for.
 */
export function beforeCallPlugin(hook: BeforeCall): Pluggable<object, MetadataBearer> {
  return operationHook('apigwRemediationBeforeCall', 'low', hook);
}

function countingPlugin(counter: ApiCallCounter, service: CountedService): Pluggable<object, MetadataBearer> {
  return operationHook('apigwRemediationCallCounter', 'high', (operation) =>
    counter.record(service, operation),
  );
}

export interface RetryTuning {
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  /** Delay cap of the first retry; doubles with every further retry. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * 8 attempts with a 500 ms base: the waits are drawn from [0,0.5], [0,1], [0,2] … [0,20] s,
 * about a minute in the worst case, long enough to outlast a burst against the 10 rps
 * account quota, short enough for a Lambda task. UpdateAccount (1 per 20 s) is not retried so.
 */
export const API_GATEWAY_RETRY: RetryTuning = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 20_000 };
/** One attempt: the account setting's writes are not retried by the SDK ({@link ApiClients}). */
export const ACCOUNT_SETTING_RETRY: RetryTuning = { ...API_GATEWAY_RETRY, maxAttempts: 1 };

/** "Full jitter" (AWS Architecture Blog, Exponential Backoff And Jitter): random in [0, min(cap, base·2^(n-1))]. */
export function fullJitterDelay(
  retry: number,
  tuning: RetryTuning,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(tuning.maxDelayMs, tuning.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The SDK's standard strategy (retries throttling codes incl. TooManyRequestsException and
 * LimitExceededException, transient errors and 5xx; keeps the retry quota) with our attempts
 * and backoff.
 */
export function createRetryStrategy(tuning: RetryTuning = API_GATEWAY_RETRY): RetryStrategyV2 {
  return new ConfiguredRetryStrategy(tuning.maxAttempts, (retry) => fullJitterDelay(retry, tuning));
}

export interface ClientOptions {
  readonly region: string;
  /** Omit for the Lambda's own credentials (the default provider chain). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Overrides env AWS_ENDPOINT_URL (moto in tests and the bench). */
  readonly endpoint?: string;
  readonly retry?: RetryTuning;
  /** Share one counter across client sets to count a whole run. */
  readonly counter?: ApiCallCounter;
  /** Awaited before every API Gateway call (REST and V2): the workflow's pacing. */
  readonly beforeApiGatewayCall?: BeforeCall;
}

/**
 * The API Gateway clients (REST and V2) for one account and Region, counted by one counter: all
 * the tasks that read stages, list them or deploy need (decide, expand-stages, snapshot, recheck,
 * redeploy, verify).
 */
export interface ApiClients {
  readonly region: string;
  readonly apiGateway: APIGatewayClient;
  /**
   * The same REST client for UpdateAccount alone, sending each call once ({@link ACCOUNT_SETTING_RETRY}):
   * API Gateway takes one UpdateAccount per 20 s per account
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html), so the SDK's
   * backoff of seconds cannot succeed where it was throttled; the caller re-reads instead
   * (core/effects/apply-account-cloudwatch-role.ts).
   */
  readonly apiGatewayAccountSettings: APIGatewayClient;
  readonly apiGatewayV2: ApiGatewayV2Client;
  readonly counter: ApiCallCounter;
}

/** Plus WAF: what finding, creating and associating the baseline web ACL need (update-stage; apply). */
export interface StageClients extends ApiClients {
  readonly wafv2: WAFV2Client;
}

/**
 * Every client the core uses for one account and Region (plus CloudWatch Logs, which only the
 * apply task's prerequisites call), counted by one counter.
 *
 * Three factories, not one with options: a task's bundle carries the SDK clients of the factory
 * it calls and no other (esbuild drops an SDK client class nobody constructs; the SDK's packages
 * declare no side effects), so a task that never creates a log group does not load CloudWatch
 * Logs' client at init (docs/benchmarks.md, "Bundles: each task's own clients"). The types make
 * a task that calls a core function needing WAF or Logs use the factory that has them.
 */
export interface CoreClients extends StageClients {
  readonly logs: CloudWatchLogsClient;
}

function baseConfig(options: Omit<ClientOptions, 'counter' | 'beforeApiGatewayCall'>) {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  return {
    region: options.region,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(endpoint === undefined || endpoint === '' ? {} : { endpoint }),
    retryStrategy: createRetryStrategy(options.retry),
  };
}

type BaseConfig = ReturnType<typeof baseConfig>;

function counted<
  Client extends { middlewareStack: { use(plugin: Pluggable<object, MetadataBearer>): void } },
>(client: Client, counter: ApiCallCounter, service: CountedService): Client {
  client.middlewareStack.use(countingPlugin(counter, service));
  return client;
}

/** One config (and so one retry strategy and its retry quota) shared by every client of the set, as before. */
function apiClients(options: ClientOptions, config: BaseConfig): ApiClients {
  const counter = options.counter ?? new ApiCallCounter();
  const apiGateway = counted(new APIGatewayClient(config), counter, 'APIGateway');
  const apiGatewayAccountSettings = counted(
    new APIGatewayClient({ ...config, retryStrategy: createRetryStrategy(ACCOUNT_SETTING_RETRY) }),
    counter,
    'APIGateway',
  );
  const apiGatewayV2 = counted(new ApiGatewayV2Client(config), counter, 'ApiGatewayV2');
  if (options.beforeApiGatewayCall !== undefined) {
    for (const client of [apiGateway, apiGatewayAccountSettings, apiGatewayV2])
      client.middlewareStack.use(beforeCallPlugin(options.beforeApiGatewayCall));
  }
  return { region: options.region, apiGateway, apiGatewayAccountSettings, apiGatewayV2, counter };
}

function stageClients(options: ClientOptions, config: BaseConfig): StageClients {
  const api = apiClients(options, config);
  return { ...api, wafv2: counted(new WAFV2Client(config), api.counter, 'WAFV2') };
}

export function createApiClients(options: ClientOptions): ApiClients {
  return apiClients(options, baseConfig(options));
}

export function createStageClients(options: ClientOptions): StageClients {
  return stageClients(options, baseConfig(options));
}

export function createCoreClients(options: ClientOptions): CoreClients {
  const config = baseConfig(options);
  const stage = stageClients(options, config);
  return { ...stage, logs: counted(new CloudWatchLogsClient(config), stage.counter, 'CloudWatchLogs') };
}

/** STS for the home account (AssumeRole, GetCallerIdentity); not counted: it is not the member account's quota. */
export function createStsClient(options: Omit<ClientOptions, 'counter' | 'beforeApiGatewayCall'>): STSClient {
  return new STSClient(baseConfig(options));
}
