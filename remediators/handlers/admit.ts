/**
 * Admit task: the second state, after intake, for a whole batch at once (docs/decisions/0036).
 *
 * 1. Drops duplicate deliveries: the first execution to see an EventBridge event id writes
 *    `event#{id}` in the locks table (conditional PutItem, TTL 24 h); a later delivery of the same
 *    event finds it and is dropped with a log line naming the event and the execution that has it,
 *    and a DuplicateDelivery metric. A retry of this task in the same execution finds its own
 *    marker and goes on. A finding reset to NEW arrives in a new event, so it is never a duplicate.
 * 2. Takes ownership of every finding in BatchUpdateFindings / BatchUpdateFindingsV2 calls of ≤ 100
 *    per Region and format, one note for all (paced in the home account's schedule, decision 0038).
 *    A finding Security Hub leaves unprocessed, or every finding of a call Security Hub refuses
 *    (AccessDenied …), is stopped as ownership not taken (report-failure's OWNERSHIP_NOT_TAKEN) and
 *    goes no further: without ownership it could start again. A throttled call (past the SDK's
 *    retries) or one refused its place (CallsPaced) throws instead: the state machine retries the
 *    whole task (ownership and the markers are idempotent), and past those retries its Catch
 *    reports every request of the batch (ADMIT_FAILED).
 * 3. Lists the stages of each request (expand-stages, paced in the account's schedule); a request
 *    whose stages cannot be listed is stopped (EXPAND_FAILED) and goes no further; throttling and
 *    CallsPaced throw, as above.
 * 4. Reports, last, intake's rejections (a notification; the Rejected metric already counts them)
 *    and every stopped request: after every step a retry would repeat, so a retried Admit does not
 *    report them twice (a report that itself is throttled still can).
 * 5. Groups what is left into one item per stage (remediators/workflow/admit.ts) for the per-stage Map.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsSecurityFindingIdentifier, OcsfFindingIdentifier } from '@aws-sdk/client-securityhub';
import * as z from 'zod';
import type { StageRef } from '../core/types.js';
import { ocsfFindingIdentifier } from '../securityhub/findings-v2.js';
import { findingIdentifier, SecurityHubWriteError, takeOwnership } from '../securityhub/records.js';
import { takeOwnershipV2 } from '../securityhub/records-v2.js';
import { logger } from '../shared/powertools.js';
import {
  eventIds,
  ownershipCalls,
  stageItems,
  type ExpandedRequest,
  type FindingRequest,
  type OwnershipCall,
  type StageItem,
} from '../workflow/admit.js';
import { RETRIED_ERRORS } from '../workflow/coarse.js';
import { LOCKS_TABLE_KEY, LOCKS_TABLE_TTL_ATTRIBUTE } from '../workflow/lock.js';
import { createDynamoPacer } from '../workflow/pacing.js';
import { DUPLICATE_DELIVERY_METRIC } from '../workflow/metrics.js';
import type { RequestFailureKind } from '../workflow/request-failure.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
import { createApiClientsDeps, type ApiClientsDeps } from '../workflow/deps/core-clients.js';
import { createLocksDeps, type LocksDeps } from '../workflow/deps/locks.js';
import { createMemberAccountDeps } from '../workflow/deps/member-account.js';
import { createNotificationDeps, type NotificationDeps } from '../workflow/deps/notifications.js';
import { createReportingDeps, type ReportingDeps } from '../workflow/deps/reporting.js';
import {
  createHomeSecurityHubDeps,
  createMemberSecurityHubDeps,
  type HomeSecurityHubDeps,
  type MemberSecurityHubDeps,
} from '../workflow/deps/security-hub.js';
import {
  parseTaskInput,
  RemediationRequestSchema,
  type CaughtError,
  type RemediationRequest,
} from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';
import { createExpandStagesHandler, type Expansion } from './expand-stages.js';
import { createReportFailureHandler, type ReportOutput } from './report-failure.js';

/** What the state machine's Retry on Admit retries: throttling, and a paced call refused a place. */
const RETRIED: ReadonlySet<string> = new Set(RETRIED_ERRORS);

/** How long a delivered event id is remembered: EventBridge and SQS redeliver within minutes, not days. */
export const DELIVERY_MARKER_SECONDS = 24 * 60 * 60;

const InputSchema = z.object({
  executionArn: z.string().min(1),
  locksTable: z.string().min(1),
  requests: z.array(RemediationRequestSchema),
  rejected: z.array(z.object({ error: z.string() })),
});

export interface DroppedDelivery {
  readonly eventId: string;
  readonly reason: string;
}

/** A request that stopped before its stages, reported (the same shape the Map's outcomes have). */
export interface StoppedRequest {
  readonly request: RemediationRequest;
  readonly outcome: 'FAILED';
  readonly failure: RequestFailureKind;
  readonly report: ReportOutput;
}

export interface AdmitOutput {
  readonly stages: readonly StageItem[];
  readonly stopped: readonly StoppedRequest[];
  readonly dropped: readonly DroppedDelivery[];
}

export type AdmitDeps = ApiClientsDeps &
  LocksDeps &
  HomeSecurityHubDeps &
  MemberSecurityHubDeps &
  NotificationDeps &
  ReportingDeps &
  Pick<ClockDeps, 'now'>;

function describeError(error: unknown): CaughtError {
  return error instanceof Error
    ? { Error: error.name, Cause: error.message }
    : { Error: 'Error', Cause: String(error) };
}

function identifierOf(
  call: OwnershipCall,
  request: FindingRequest,
): AwsSecurityFindingIdentifier | OcsfFindingIdentifier {
  return call.format === 'ocsf'
    ? ocsfFindingIdentifier(request, request.findingId, request.productArn)
    : findingIdentifier(request, request.findingId, request.productArn);
}

function identifierKey(identifier: unknown): string {
  const asff = identifier as Partial<AwsSecurityFindingIdentifier>;
  const ocsf = identifier as Partial<OcsfFindingIdentifier>;
  return ocsf.FindingInfoUid === undefined
    ? `asff#${asff.Id ?? ''}#${asff.ProductArn ?? ''}`
    : `ocsf#${ocsf.FindingInfoUid}#${ocsf.MetadataProductUid ?? ''}#${ocsf.CloudAccountUid ?? ''}`;
}

export function createAdmitHandler(deps: AdmitDeps) {
  const reportFailure = createReportFailureHandler(deps);
  const expandStages = createExpandStagesHandler(deps);

  /** Whether this execution is the first to see the event (its own earlier attempt counts as itself). */
  const firstDelivery = async (table: string, executionArn: string, eventId: string): Promise<boolean> => {
    const now = Math.floor(deps.now().getTime() / 1000);
    try {
      await deps.dynamo().send(
        new PutCommand({
          TableName: table,
          Item: {
            [LOCKS_TABLE_KEY]: `event#${eventId}`,
            executionArn,
            [LOCKS_TABLE_TTL_ATTRIBUTE]: now + DELIVERY_MARKER_SECONDS,
          },
          // TTL deletes lazily: an expired marker is no longer a reason to drop.
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now OR executionArn = :me',
          ExpressionAttributeNames: { '#pk': LOCKS_TABLE_KEY, '#expiresAt': LOCKS_TABLE_TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': now, ':me': executionArn },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  /** Why Security Hub refused each finding of the call it refused (by identifier key); throttling throws. */
  const own = async (call: OwnershipCall, executionArn: string): Promise<Map<string, CaughtError>> => {
    const client = deps.homeSecurityHub(call.region);
    const identifiers = call.requests.map((request) => identifierOf(call, request));
    try {
      await (call.format === 'ocsf'
        ? takeOwnershipV2(client, identifiers as OcsfFindingIdentifier[], executionArn)
        : takeOwnership(client, identifiers as AwsSecurityFindingIdentifier[], executionArn));
      return new Map();
    } catch (error) {
      if (error instanceof Error && RETRIED.has(error.name)) throw error;
      const refusedIdentifiers =
        error instanceof SecurityHubWriteError && error.unprocessed.length > 0
          ? error.unprocessed
          : identifiers;
      return new Map(
        refusedIdentifiers.map((identifier) => [identifierKey(identifier), describeError(error)]),
      );
    }
  };

  return async (event: unknown): Promise<AdmitOutput> => {
    const input = parseTaskInput('admit', InputSchema, event);
    const { executionArn, locksTable } = input;

    const dropped: DroppedDelivery[] = [];
    const fresh = new Set<string>();
    for (const eventId of eventIds(input.requests)) {
      if (await firstDelivery(locksTable, executionArn, eventId)) {
        fresh.add(eventId);
        continue;
      }
      const reason = `event ${eventId} was delivered before; an earlier execution took it`;
      logger.info('duplicate delivery dropped', { eventId, executionArn });
      deps.metric(DUPLICATE_DELIVERY_METRIC, {});
      dropped.push({ eventId, reason });
    }
    const admitted = input.requests.filter(
      (request) => request.eventId === undefined || fresh.has(request.eventId),
    );

    // Reported at the end, once every step the state machine may retry (throttling, a paced call
    // refused its place) is done: a retried Admit then reports nothing twice.
    const stops: { request: RemediationRequest; failure: RequestFailureKind; error: CaughtError }[] = [];
    const stop = (request: RemediationRequest, failure: RequestFailureKind, error: CaughtError): void => {
      stops.push({ request, failure, error });
    };

    const refused = new Set<RemediationRequest>();
    for (const call of ownershipCalls(admitted)) {
      const unprocessed = await own(call, executionArn);
      for (const request of call.requests) {
        const why = unprocessed.get(identifierKey(identifierOf(call, request)));
        if (why === undefined) continue;
        refused.add(request);
        stop(request, 'OWNERSHIP_NOT_TAKEN', why);
      }
    }
    logger.info('findings taken over', {
      owned: admitted.filter((request) => request.findingId !== undefined).length - refused.size,
      refused: refused.size,
      executionArn,
    });

    const expanded: ExpandedRequest[] = [];
    const listings = new Map<string, Promise<Expansion>>();
    for (const request of admitted.filter((candidate) => !refused.has(candidate))) {
      // One listing per API, however many API-level requests of the batch name it.
      const key =
        request.stageName === null
          ? `${request.account}/${request.region}/${request.apiType}/${request.apiId}`
          : undefined;
      try {
        let listing = key === undefined ? undefined : listings.get(key);
        if (listing === undefined) {
          listing = expandStages({ request });
          if (key !== undefined) listings.set(key, listing);
        }
        const stages: readonly StageRef[] = (await listing).stages;
        expanded.push({ request, stages });
      } catch (error) {
        if (error instanceof Error && RETRIED.has(error.name)) throw error;
        stop(request, 'EXPAND_FAILED', describeError(error));
      }
    }

    if (input.rejected.length > 0) {
      // As the ReportRejected state did: the Rejected metric (alarmed) counts them already, so this goes on.
      await reportFailure({ kind: 'INTAKE_REJECTED', executionArn, rejected: input.rejected });
    }
    const stopped: StoppedRequest[] = [];
    for (const { request, failure, error } of stops) {
      const report = await reportFailure({ kind: failure, executionArn, request, error });
      stopped.push({ request, outcome: 'FAILED', failure, report });
    }
    return { stages: stageItems(expanded, { executionArn, locksTable }), stopped, dropped };
  };
}

const account = createMemberAccountDeps();
const locks = createLocksDeps();
const pacer = createDynamoPacer({ db: locks.dynamo });
export const handler = lambdaHandler(
  createAdmitHandler({
    ...createApiClientsDeps(account, { pacer }),
    ...locks,
    ...createHomeSecurityHubDeps({ pacer }),
    ...createMemberSecurityHubDeps(account, { pacer }),
    ...createNotificationDeps(),
    ...createReportingDeps(),
    ...createClockDeps(),
  }),
);
