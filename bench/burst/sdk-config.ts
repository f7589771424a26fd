/**
 * Reads the SDK retry policy of every service the workflow calls from the clients production
 * code builds (not from numbers typed here): the core's factory (remediators/core/clients.ts, a
 * ConfiguredRetryStrategy with API_GATEWAY_RETRY's attempts and full-jitter backoff) for API
 * Gateway v1/v2, WAF, Logs and STS, and the workflow's deps factories (SDK defaults: standard mode)
 * for Security Hub, DynamoDB, SNS and SSM. The standard mode's constants are @smithy/core's own.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  ConfiguredRetryStrategy,
  INITIAL_RETRY_TOKENS,
  MAXIMUM_RETRY_DELAY,
  NO_RETRY_INCREMENT,
  Retry,
  StandardRetryStrategy,
} from '@smithy/core/retry';
import {
  ACCOUNT_SETTING_RETRY,
  API_GATEWAY_RETRY,
  createCoreClients,
  createStsClient,
  fullJitterDelay,
} from '../../remediators/core/clients.js';
import { createLocksDeps } from '../../remediators/workflow/deps/locks.js';
import { createNotificationDeps } from '../../remediators/workflow/deps/notifications.js';
import { createHomeSecurityHubDeps } from '../../remediators/workflow/deps/security-hub.js';
import type { SdkRetryPolicy } from './sdk-retry.js';

interface ConfiguredClient {
  readonly config: { readonly retryStrategy: () => Promise<unknown> };
}

const REGION = 'us-east-1';
const DUMMY = { accessKeyId: 'bench', secretAccessKey: 'bench' };

async function policyOf(
  client: ConfiguredClient,
  clientLifetime: SdkRetryPolicy['clientLifetime'],
  where: string,
): Promise<SdkRetryPolicy> {
  const strategy = await client.config.retryStrategy();
  const shared = {
    initialCapacity: INITIAL_RETRY_TOKENS,
    throttlingCost: Retry.throttlingCost(),
    noRetryIncrement: NO_RETRY_INCREMENT,
    clientLifetime,
  };
  if (strategy instanceof ConfiguredRetryStrategy) {
    const maxAttempts = await strategy.maxAttempts();
    // The core's configured strategies are createRetryStrategy(API_GATEWAY_RETRY) and, for the
    // account setting's writes, createRetryStrategy(ACCOUNT_SETTING_RETRY): their backoff is
    // fullJitterDelay with that tuning (drawn from the simulation's seeded random instead of Math.random).
    const tuning = [API_GATEWAY_RETRY, ACCOUNT_SETTING_RETRY].find(
      (candidate) => candidate.maxAttempts === maxAttempts,
    );
    if (tuning === undefined) {
      throw new Error(
        `${where}: a configured retry strategy that is neither API_GATEWAY_RETRY nor ACCOUNT_SETTING_RETRY`,
      );
    }
    return {
      ...shared,
      source: `${where}: ConfiguredRetryStrategy, ${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'}, full jitter ${tuning.baseDelayMs} ms base, ${tuning.maxDelayMs} ms cap`,
      maxAttempts,
      backoffMs: (retriesSoFar, random) => fullJitterDelay(retriesSoFar + 1, tuning, random),
    };
  }
  if (strategy instanceof StandardRetryStrategy) {
    const maxAttempts = await strategy.maxAttempts();
    const base = Retry.throttlingDelay();
    return {
      ...shared,
      source: `${where}: SDK standard mode, ${maxAttempts} attempts, full jitter ${base} ms base (throttling), ${MAXIMUM_RETRY_DELAY} ms cap`,
      maxAttempts,
      // DefaultRetryBackoffStrategy: floor(random × min(base × 2^retries, MAXIMUM_RETRY_DELAY)).
      backoffMs: (retriesSoFar, random) =>
        Math.floor(random() * Math.min(base * 2 ** retriesSoFar, MAXIMUM_RETRY_DELAY)),
    };
  }
  throw new Error(`${where}: a retry strategy the simulation does not model`);
}

/**
 * SDK service name (as the recording spells it), or `service.Operation` for an operation sent
 * through a client of its own → the retry policy of the client production uses.
 */
export async function readSdkRetryPolicies(): Promise<Record<string, SdkRetryPolicy>> {
  const core = createCoreClients({ region: REGION, credentials: DUMMY });
  const home = createHomeSecurityHubDeps().homeSecurityHub(REGION);
  const dynamo = createLocksDeps().dynamo();
  const sns = createNotificationDeps().sns();
  // The kill switch's Powertools provider gets `new SSMClient(clientConfig)` (workflow/deps/kill-switch.ts).
  const ssm = new SSMClient({ region: REGION, credentials: DUMMY });
  const sts = createStsClient({ region: REGION, credentials: DUMMY });
  return {
    apigateway: await policyOf(core.apiGateway, 'invocation', 'core/clients.ts createCoreClients'),
    // An operation's own client, where it has one (the model looks for `service.Operation` first).
    'apigateway.UpdateAccount': await policyOf(
      core.apiGatewayAccountSettings,
      'invocation',
      'core/clients.ts createCoreClients (apiGatewayAccountSettings)',
    ),
    apigatewayv2: await policyOf(core.apiGatewayV2, 'invocation', 'core/clients.ts createCoreClients'),
    wafv2: await policyOf(core.wafv2, 'invocation', 'core/clients.ts createCoreClients'),
    logs: await policyOf(core.logs, 'invocation', 'core/clients.ts createCoreClients'),
    sts: await policyOf(sts, 'container', 'core/clients.ts createStsClient'),
    securityhub: await policyOf(home, 'container', 'workflow/deps/security-hub.ts'),
    dynamodb: await policyOf(dynamo, 'container', 'workflow/deps/locks.ts'),
    sns: await policyOf(sns, 'container', 'workflow/deps/notifications.ts'),
    ssm: await policyOf(ssm, 'container', 'workflow/deps/kill-switch.ts (Powertools SSMProvider)'),
  };
}
