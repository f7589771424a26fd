/**
 * Pacing of the calls whose AWS quota every run of the service shares (docs/decisions/0038): the
 * API Gateway management calls of a member account, and the Security Hub writes of the home
 * account. Without it a burst of findings overdraws those buckets, every run retries its throttled
 * calls on its own, and the retries run out (bench:burst: 5,379 of 9,978 runs FAILED at 10,000
 * findings). With it, every call of a paced kind first takes its place in one shared schedule per
 * quota, account and Region, and is sent when its place comes.
 *
 * The schedule is the generic cell rate algorithm (GCRA: a token bucket kept as one number, the
 * theoretical arrival time `tat` of the next call). One DynamoDB item per key holds `tat`, in the
 * locks table (`pace#…` keys). Taking a place is one conditional UpdateItem that adds the interval
 * to `tat` (no read first: an UpdateItem is atomic, as DynamoDB's atomic counters rely on, "Working
 * with items and attributes in DynamoDB", so no two calls get the same place and none is lost);
 * an idle schedule (`tat` in the past) is restarted at now by a second conditional update. A call
 * whose place is at most MAX_PACED_WAIT_MS away (less when the invocation has little time left)
 * sleeps until then in the Lambda; one whose place is further is refused without taking a place,
 * and its task fails with CallsPaced, which the state machine's Retry of that task waits out (a
 * Lambda never sleeps for minutes, nor into its timeout, and holds no concurrency while it waits).
 *
 * The limits are below AWS's own, so the calls the account's owners make themselves (their
 * pipelines deploy APIs through the same quota) and the SDK's retries still find tokens: the pacer
 * takes PACED_SHARE of each rate and a smaller burst. A call AWS throttles anyway is retried by the
 * SDK and the state machine as before.
 *
 * A task that has begun a schedule's calls finishes them: once a call of an invocation has its
 * place, the invocation's later calls of the same schedule may wait up to MAX_COMMITTED_PACED_WAIT_MS
 * for theirs instead of being refused. Refusing one would fail the task after it made its first
 * calls, and the task's retry would make them again: Finish's record of two shares (decision 0040)
 * sent its first BatchUpdateFindings once per retry, so in a burst the home schedule's demand grew
 * with its backlog (bench:burst at 10,000 findings: 34,939 Security Hub calls for about 13,600
 * needed, 7,403 runs FAILED on CallsPaced). The wait stays bounded: only a granted call moves a
 * schedule, and a first call is granted only while its place is at most MAX_PACED_WAIT_MS away, so
 * a committed call waits that long plus the places the tasks committed before it took.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { currentInvocation, remainingInvocationMs } from '../shared/handler.js';
import { LOCKS_TABLE_KEY, LOCKS_TABLE_TTL_ATTRIBUTE } from './lock.js';

/** The function environment variable that names the table holding the schedules (the locks table). */
export const PACING_TABLE_ENV = 'PACING_TABLE_NAME';
/** The key prefix of the schedules (the IAM grant of the tasks that pace is limited to it). */
export const PACE_KEY_PREFIX = 'pace#';
/** The error of a task whose call was refused a place (the state machine retries it). */
export const CALLS_PACED_ERROR = 'CallsPaced';
/** The longest a Lambda sleeps for its place: past it the call is refused (CallsPaced). */
export const MAX_PACED_WAIT_MS = 10_000;
/**
 * The longest a Lambda sleeps for a place of a schedule its invocation already took one in (it has
 * begun that schedule's calls, see above): well inside the 60 s timeout of the paced tasks
 * (infra/central-stack.ts) less PACED_WAIT_RESERVE_MS.
 */
export const MAX_COMMITTED_PACED_WAIT_MS = 30_000;
/**
 * What a task keeps of its invocation's time for the rest of its work: a call waits for its place
 * no longer than the invocation's remaining time less this, so several paced calls in one task
 * (Finish records on findings of several products) never sleep it into its Lambda timeout.
 */
export const PACED_WAIT_RESERVE_MS = 20_000;
/** The share of each AWS rate the service takes for itself. */
export const PACED_SHARE = 0.9;

export interface PaceLimit {
  /** Calls per second, sustained. */
  readonly ratePerSecond: number;
  /** Calls that may start at once after a quiet period. */
  readonly burst: number;
}

export type PacedQuota =
  'apiGateway' | 'securityHubUpdates' | 'securityHubGetFindings' | 'securityHubImports' | 'killSwitchReads';

/**
 * Each quota the service paces, AWS's limit and the service's own, with their sources.
 *
 * - apiGateway: "API Gateway quotas for creating, deploying and managing an API": 10 requests per
 *   second with a burst of 40 over every management call, per account and Region, fixed
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). HTTP APIs' calls
 *   (apigatewayv2) are paced in the same schedule. CreateDeployment's 1 per 5 s keeps its own deploy
 *   slot (deploy-slot.ts); UpdateAccount (1 per 20 s) is made once per account and Region.
 * - securityHubUpdates: BatchUpdateFindings, 10 requests per second, burst 30, per account and
 *   Region (the Security Hub API reference's throttling list); made in the home account, where the
 *   findings of every member account are updated, so one schedule per Region for the organization.
 *   BatchUpdateFindingsV2 is paced in the same schedule.
 * - securityHubGetFindings: GetFindings, 3 requests per second, burst 6 (same list), in the member
 *   account (the record's read of the service's own finding).
 * - securityHubImports: BatchImportFindings, 10 transactions per second, burst 30, per account and
 *   Region ("Guidelines for using the BatchImportFindings API"), in the member account.
 * - killSwitchReads: SSM GetParameter of the kill switch, a standard parameter: 40 transactions per
 *   second per account and Region by default ("Max throughput (transactions per second)", AWS
 *   Systems Manager endpoints and quotas, https://docs.aws.amazon.com/general/latest/gr/ssm.html);
 *   the home account's, where the parameter is. Its burst is not published: 20 is assumed.
 */
/** AWS's limit, and the service's: PACED_SHARE of its rate, and a burst of its own below AWS's. */
const pacedBelow = (aws: PaceLimit, burst: number) => ({
  aws,
  paced: { ratePerSecond: aws.ratePerSecond * PACED_SHARE, burst },
});

export const PACED_QUOTAS: Readonly<
  Record<PacedQuota, { readonly aws: PaceLimit; readonly paced: PaceLimit }>
> = {
  apiGateway: pacedBelow({ ratePerSecond: 10, burst: 40 }, 30),
  securityHubUpdates: pacedBelow({ ratePerSecond: 10, burst: 30 }, 20),
  securityHubGetFindings: pacedBelow({ ratePerSecond: 3, burst: 6 }, 4),
  securityHubImports: pacedBelow({ ratePerSecond: 10, burst: 30 }, 20),
  killSwitchReads: pacedBelow({ ratePerSecond: 40, burst: 40 }, 20),
};

/**
 * Which calls each client paces, by the operation's name (the SDK command without `Command`):
 * every call of the API Gateway clients; the home Security Hub client's finding updates; the member
 * Security Hub client's GetFindings and BatchImportFindings; the kill switch's read of its SSM
 * parameter. bench:burst reads the same table.
 */
export const PACED_OPERATIONS = {
  apiGateway: (_operation: string): PacedQuota | undefined => 'apiGateway',
  homeSecurityHub: (operation: string): PacedQuota | undefined =>
    operation === 'BatchUpdateFindings' || operation === 'BatchUpdateFindingsV2'
      ? 'securityHubUpdates'
      : undefined,
  memberSecurityHub: (operation: string): PacedQuota | undefined =>
    operation === 'GetFindings' || operation === 'GetFindingsV2'
      ? 'securityHubGetFindings'
      : operation === 'BatchImportFindings'
        ? 'securityHubImports'
        : undefined,
  /** The kill switch's reader (deps/kill-switch.ts): a signed GetParameter without the SSM client. */
  killSwitch: (operation: string): PacedQuota | undefined =>
    operation === 'GetParameter' ? 'killSwitchReads' : undefined,
} as const;

/**
 * Whose quota: a member account's (its partition, account and Region), or the home account's, where
 * the table is (HOME_PACE_SCOPE and the Region).
 */
export type PaceScope = readonly string[];
export const HOME_PACE_SCOPE = 'home';

export function memberPaceScope(target: {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
}): PaceScope {
  return [target.partition, target.account, target.region];
}

export function homePaceScope(region: string): PaceScope {
  return [HOME_PACE_SCOPE, region];
}

export function paceKey(quota: PacedQuota, scope: PaceScope): string {
  return [PACE_KEY_PREFIX + quota, ...scope].join('#');
}

/** Whole milliseconds between two places (rounded up: never faster than the rate). */
export function paceIntervalMs(limit: PaceLimit): number {
  return Math.ceil(1000 / limit.ratePerSecond);
}

/** How far ahead of its place a call may start (the burst): GCRA's tolerance. */
function toleranceMs(limit: PaceLimit): number {
  return (limit.burst - 1) * paceIntervalMs(limit);
}

export type PaceDecision =
  | { readonly kind: 'GRANTED'; readonly tatMs: number; readonly waitMs: number }
  | { readonly kind: 'REFUSED'; readonly retryAfterMs: number };

/**
 * Pure: the place of one call at `nowMs` in a schedule whose theoretical arrival time is `tatMs`
 * (undefined: never used). A quiet schedule lets `burst` calls start at once, then one per interval.
 */
export function paceDecision(
  tatMs: number | undefined,
  nowMs: number,
  limit: PaceLimit,
  maxWaitMs: number = MAX_PACED_WAIT_MS,
): PaceDecision {
  const base = Math.max(tatMs ?? nowMs, nowMs);
  const waitMs = Math.max(0, base - toleranceMs(limit) - nowMs);
  if (waitMs > maxWaitMs) return { kind: 'REFUSED', retryAfterMs: waitMs - maxWaitMs };
  return { kind: 'GRANTED', tatMs: base + paceIntervalMs(limit), waitMs };
}

export class CallsPacedError extends Error {
  override readonly name = CALLS_PACED_ERROR;
}

/** Takes a place for one call of a paced kind, sleeping until it comes; throws CallsPaced when refused. */
export type Pacer = (quota: PacedQuota, scope: PaceScope, operation: string) => Promise<void>;

/**
 * The before-call hook of one client (core/clients.ts BeforeCall): paces the operations `paced`
 * maps to a quota, in `scope`'s schedule, and lets every other call through.
 */
export function pacedCalls(
  pacer: Pacer,
  paced: (operation: string) => PacedQuota | undefined,
  scope: PaceScope,
): (operation: string) => Promise<void> {
  return async (operation) => {
    const quota = paced(operation);
    if (quota !== undefined) await pacer(quota, scope, operation);
  };
}

export interface DynamoPacerOptions {
  readonly db: () => DynamoDBDocumentClient;
  /** The table; absent: env PACING_TABLE_NAME, read at the first call. */
  readonly tableName?: string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** The invocation's remaining time (default: the Lambda context's, shared/handler.ts); undefined: no limit. */
  readonly remainingMs?: () => number | undefined;
  /** The invocation a call is made in (default: shared/handler.ts currentInvocation); undefined: none. */
  readonly invocation?: () => object | undefined;
}

/**
 * The longest this call may wait: MAX_PACED_WAIT_MS, or MAX_COMMITTED_PACED_WAIT_MS when its
 * invocation has begun the schedule's calls; less when the invocation has little time left.
 */
export function maxPacedWaitMs(remainingMs: number | undefined, committed = false): number {
  const longest = committed ? MAX_COMMITTED_PACED_WAIT_MS : MAX_PACED_WAIT_MS;
  if (remainingMs === undefined) return longest;
  return Math.max(0, Math.min(longest, remainingMs - PACED_WAIT_RESERVE_MS));
}

/** Schedule items live as long as a burst; TTL removes them after. */
const PACE_ITEM_TTL_SECONDS = 3600;
/** Conditional attempts before a call counts as refused (each lost only to a concurrent restart of an idle schedule). */
const MAX_PACE_ATTEMPTS = 4;

export function createDynamoPacer(options: DynamoPacerOptions): Pacer {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  const remaining = options.remainingMs ?? (() => remainingInvocationMs());
  const invocationOf = options.invocation ?? currentInvocation;
  /** The schedules each invocation has taken a place in (gone with the invocation). */
  const begun = new WeakMap<object, Set<string>>();
  const schedulesBegunIn = (invocation: object | undefined): Set<string> | undefined => {
    if (invocation === undefined) return undefined;
    const schedules = begun.get(invocation) ?? new Set<string>();
    begun.set(invocation, schedules);
    return schedules;
  };
  const tableName = (): string => {
    const name = options.tableName ?? process.env[PACING_TABLE_ENV];
    if (name === undefined || name === '') {
      throw new Error(`${PACING_TABLE_ENV} is not set: the paced calls need the table of their schedules`);
    }
    return name;
  };

  /** One conditional update of a schedule's item (its `tat` and its TTL). */
  const updateSchedule = (
    key: string,
    update: string,
    condition: string,
    values: Record<string, number>,
    returning: Pick<UpdateCommandInput, 'ReturnValues' | 'ReturnValuesOnConditionCheckFailure'> = {},
  ) =>
    options.db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { [LOCKS_TABLE_KEY]: key },
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE },
        ExpressionAttributeValues: values,
        ...returning,
      }),
    );

  return async (quota, scope, operation) => {
    const limit = PACED_QUOTAS[quota].paced;
    const interval = paceIntervalMs(limit);
    const key = paceKey(quota, scope);
    const begunHere = schedulesBegunIn(invocationOf());
    const committed = begunHere?.has(key) === true;
    const granted = (): void => {
      begunHere?.add(key);
    };
    for (let attempt = 1; attempt <= MAX_PACE_ATTEMPTS; attempt += 1) {
      const nowMs = now();
      const maxWaitMs = maxPacedWaitMs(remaining(), committed);
      const expires = Math.ceil(nowMs / 1000) + PACE_ITEM_TTL_SECONDS;
      try {
        // A schedule in use: take the next place if it is close enough (paceDecision's rule).
        const taken = await updateSchedule(
          key,
          'SET tat = tat + :interval, #expiresAt = :expires',
          'tat BETWEEN :now AND :horizon',
          {
            ':interval': interval,
            ':now': nowMs,
            ':horizon': nowMs + toleranceMs(limit) + maxWaitMs,
            ':expires': expires,
          },
          { ReturnValues: 'UPDATED_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
        );
        const tat = Number(taken.Attributes?.tat);
        const decision = paceDecision(tat - interval, nowMs, limit, maxWaitMs);
        granted();
        if (decision.kind === 'GRANTED' && decision.waitMs > 0) await wait(decision.waitMs);
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const oldTat = error.Item?.tat?.N === undefined ? undefined : Number(error.Item.tat.N);
        const decision = paceDecision(oldTat, nowMs, limit, maxWaitMs);
        if (decision.kind === 'REFUSED') {
          throw new CallsPacedError(
            `${operation} is paced (${quota} in ${scope.join('/')}): the next place is ` +
              `${((decision.retryAfterMs + maxWaitMs) / 1000).toFixed(1)} s away, past the ` +
              `${(maxWaitMs / 1000).toFixed(1)} s this task may wait; the state machine retries the task`,
          );
        }
        if (oldTat !== undefined && oldTat >= nowMs) continue; // moved on since: take a place again
      }
      try {
        // A quiet schedule (never used, or its last place passed): restart it at now.
        await updateSchedule(
          key,
          'SET tat = :next, #expiresAt = :expires',
          'attribute_not_exists(tat) OR tat < :now',
          { ':next': nowMs + interval, ':now': nowMs, ':expires': expires },
        );
        granted();
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Another call restarted it first: take a place in the schedule it started.
      }
    }
    throw new CallsPacedError(
      `${operation} is paced (${quota} in ${scope.join('/')}): no place after ` +
        `${MAX_PACE_ATTEMPTS} attempts; the state machine retries the task`,
    );
  };
}
