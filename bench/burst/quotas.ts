/**
 * The AWS limits the burst runs into, each with its source. Every quota is a token bucket per
 * account and Region; `scope` says whose: `member` (the stage's account) or `home` (the service's
 * own account, the Security Hub delegated administrator: ITS quotas are shared by the findings of
 * every member account).
 */
import type { BucketLimit } from './token-bucket.js';

export interface CallQuota extends BucketLimit {
  readonly name: string;
  readonly scope: 'member' | 'home';
  readonly service: string;
  /** The operations it counts; undefined = every operation of the service(s). */
  readonly operations?: readonly string[];
  /** Further services that share the bucket. */
  readonly alsoServices?: readonly string[];
  /** The error a throttled call answers (each is in the ASL's Retry ErrorEquals). */
  readonly error: string;
}

/**
 * API Gateway, "API Gateway quotas for creating, deploying and managing an API"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html): fixed, per account
 * and Region, cannot be increased. "Total operations: 10 requests per second with a burst of 40"
 * over all management calls; CreateDeployment 1 request every 5 seconds; UpdateAccount 1 every
 * 20 seconds. The page is written for the REST API's management calls; the V2 management calls
 * (HTTP APIs) are modelled as sharing the same per-account bucket, as bench:throughput did. A
 * throttled call answers 429 TooManyRequestsException.
 *
 * Security Hub (https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html, the
 * throttling list; and the partner guide's "Guidelines for using the BatchImportFindings API"):
 * BatchUpdateFindings 10 requests/s, burst 30; GetFindings 3 requests/s, burst 6;
 * BatchImportFindings 10 TPS per account per Region, burst 30; every other operation 10/30.
 * Throttled calls answer 429 LimitExceededException. BatchUpdateFindings runs in the home
 * account (the administrator, where the findings are updated); BatchImportFindings and the
 * GetFindings that precedes it run in the stage's account (securityhub/records.ts).
 *
 * SSM GetParameter (the kill switch), standard parameters: 40 transactions per second per account
 * and Region by default ("Max throughput (transactions per second)", Systems Manager endpoints and
 * quotas, https://docs.aws.amazon.com/general/latest/gr/ssm.html). Throttled: ThrottlingException.
 *
 * Not modelled as quotas (their limits are far above what a burst of this size asks, or vary by
 * operation and are not the ones the workflow's design is about): DynamoDB on-demand tables, SNS
 * Publish (30,000/s in us-east-1), STS, WAF and CloudWatch Logs control-plane calls. Their calls
 * are counted and take time, but are never throttled.
 */
/** The Security Hub operations that update findings (ASFF and OCSF): the home account's bucket. */
export const BATCH_UPDATE_FINDINGS_OPERATIONS: readonly string[] = [
  'BatchUpdateFindings',
  'BatchUpdateFindingsV2',
];
/**
 * FindingIdentifiers of one BatchUpdateFindings: "Minimum number of 1 item. Maximum number of 100
 * items" (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html).
 */
export const BATCH_UPDATE_FINDINGS_MAX_FINDINGS = 100;

export const CALL_QUOTAS: readonly CallQuota[] = [
  {
    name: 'API Gateway management calls (per member account)',
    scope: 'member',
    service: 'apigateway',
    alsoServices: ['apigatewayv2'],
    ratePerSecond: 10,
    burst: 40,
    error: 'TooManyRequestsException',
  },
  {
    name: 'CreateDeployment (per member account)',
    scope: 'member',
    service: 'apigateway',
    alsoServices: ['apigatewayv2'],
    operations: ['CreateDeployment'],
    ratePerSecond: 1 / 5,
    burst: 1,
    error: 'TooManyRequestsException',
  },
  {
    name: 'UpdateAccount (per member account)',
    scope: 'member',
    service: 'apigateway',
    operations: ['UpdateAccount'],
    ratePerSecond: 1 / 20,
    burst: 1,
    error: 'TooManyRequestsException',
  },
  {
    name: 'Security Hub BatchUpdateFindings (home account)',
    scope: 'home',
    service: 'securityhub',
    operations: BATCH_UPDATE_FINDINGS_OPERATIONS,
    ratePerSecond: 10,
    burst: 30,
    error: 'LimitExceededException',
  },
  {
    name: 'Security Hub GetFindings (per member account)',
    scope: 'member',
    service: 'securityhub',
    operations: ['GetFindings', 'GetFindingsV2'],
    ratePerSecond: 3,
    burst: 6,
    error: 'LimitExceededException',
  },
  {
    name: 'Security Hub BatchImportFindings (per member account)',
    scope: 'member',
    service: 'securityhub',
    operations: ['BatchImportFindings'],
    ratePerSecond: 10,
    burst: 30,
    error: 'LimitExceededException',
  },
  {
    name: 'SSM GetParameter (home account)',
    scope: 'home',
    service: 'ssm',
    operations: ['GetParameter', 'GetParameters'],
    ratePerSecond: 40,
    burst: 40,
    error: 'ThrottlingException',
  },
];

/**
 * Operations that set an account-level property (UpdateAccount sets the Region's CloudWatch role
 * for API Gateway): once it is set, a later run reads it back (GetAccount) and does not call it
 * again, so the simulation skips such a call in an account where one already succeeded (runs that
 * reach it before then still make it), and the minimum counts one per account.
 */
export const ONCE_PER_ACCOUNT: ReadonlySet<string> = new Set(['apigateway.UpdateAccount']);

export function quotaCounts(quota: CallQuota, service: string, operation: string): boolean {
  const services = [quota.service, ...(quota.alsoServices ?? [])];
  return (
    services.includes(service) && (quota.operations === undefined || quota.operations.includes(operation))
  );
}

/**
 * Step Functions Standard workflows, "Quotas related to state throttling" and "API action
 * throttling" (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html), in
 * us-east-1 (also us-west-2, eu-west-1; other Regions have lower defaults): StateTransition
 * bucket 5,000, refill 5,000 per second; StartExecution bucket 1,300, refill 300 per second.
 * Both are per account and Region, in the home account. A throttled state transition delays the
 * execution (modelled as waiting for a token); a throttled StartExecution is retried by
 * EventBridge (modelled as waiting for a token too: an optimistic reading of EventBridge's retry).
 */
export interface StepFunctionsQuotas {
  readonly stateTransitions: BucketLimit;
  readonly startExecution: BucketLimit;
}

export const STEP_FUNCTIONS_QUOTAS: StepFunctionsQuotas = {
  stateTransitions: { ratePerSecond: 5_000, burst: 5_000 },
  startExecution: { ratePerSecond: 300, burst: 1_300 },
};

/**
 * Lambda (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): 1,000
 * concurrent executions per account and Region by default, shared by every function without
 * reserved concurrency; a function with reserved concurrency runs at most that many at once
 * (infra/central-stack.ts RESERVED_CONCURRENCY). An invocation past either limit is throttled:
 * Step Functions sees Lambda.TooManyRequestsException, which the ASL retries.
 */
export const LAMBDA_ACCOUNT_CONCURRENCY = 1_000;
