/**
 * Report-failure task: what stopped before the per-stage path is never only in the logs.
 *
 * - INTAKE_REJECTED (event items intake could not read): a notification with the errors (the
 *   intake task already counted them in the `Rejected` metric, which an alarm watches).
 * - OWNERSHIP_NOT_TAKEN (Security Hub refused the Workflow NOTIFIED update, so it cannot hold the
 *   record either): the `RecordFailures` metric (alarmed), `Remediations` FAILED, a notification.
 * - EXPAND_FAILED (the API's stages could not be listed): FAILED recorded in Security Hub (on the
 *   finding, or a finding of the service's own on the API), `Remediations` FAILED, a notification;
 *   when Security Hub refuses that record too, `RecordFailures`.
 * - ADMIT_FAILED (the admit task failed past its retries, docs/decisions/0036): FAILED recorded on
 *   the finding of each request that has one (Admit may have taken ownership, whose note says the
 *   service is working on it: the record says it is not), per request `Remediations` FAILED, per
 *   request not recorded (a drift request has no finding; Security Hub refused) `RecordFailures`
 *   (alarmed), and one notification listing every request of the batch and what was recorded.
 *
 * INTAKE_REJECTED, OWNERSHIP_NOT_TAKEN and EXPAND_FAILED are also reported from inside the admit
 * task, which calls this handler in-process.
 *
 * The channels are independent: one failing does not stop the others, and the task returns what
 * got through. It throws only on malformed input (the state machine then fails the execution,
 * which the WorkflowFailed alarm reports).
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { formatApiArn } from '../core/arn.js';
import { stagesUnlistedFindingId } from '../securityhub/findings.js';
import { recordRequestFailure } from '../securityhub/records.js';
import { recordRequestFailureV2 } from '../securityhub/records-v2.js';
import { logger } from '../shared/powertools.js';
import { RECORD_FAILURES_METRIC, REMEDIATIONS_METRIC } from '../workflow/metrics.js';
import {
  buildAdmitFailedNotification,
  buildIntakeRejectedNotification,
  buildRequestFailureNotification,
  type Notification,
  type SecurityHubRecordState,
} from '../workflow/notification.js';
import {
  toRequestFailureRecord,
  type RequestFailureKind,
  type RequestFailureRecord,
} from '../workflow/request-failure.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
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
  CaughtErrorSchema,
  parseTaskInput,
  RemediationRequestSchema,
  type RemediationRequest,
} from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';
import { createLocksDeps } from '../workflow/deps/locks.js';
import { createDynamoPacer } from '../workflow/pacing.js';
import { RETRIED_ERRORS, retriedByStateMachine } from '../workflow/coarse.js';

const RequestFailureInput = {
  executionArn: z.string().min(1),
  request: RemediationRequestSchema,
  error: CaughtErrorSchema,
};

const InputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('INTAKE_REJECTED'),
    executionArn: z.string().min(1),
    rejected: z.array(z.object({ error: z.string() })).min(1),
  }),
  z.object({ kind: z.literal('OWNERSHIP_NOT_TAKEN'), ...RequestFailureInput }),
  z.object({ kind: z.literal('EXPAND_FAILED'), ...RequestFailureInput }),
  z.object({
    kind: z.literal('ADMIT_FAILED'),
    executionArn: z.string().min(1),
    requests: z.array(RemediationRequestSchema),
    error: CaughtErrorSchema,
  }),
]);

export interface ReportOutput {
  readonly kind: RequestFailureKind | 'INTAKE_REJECTED' | 'ADMIT_FAILED';
  /** Whether Security Hub holds the record (not attempted: intake rejections, refused ownership). */
  readonly recorded: boolean;
  readonly published: boolean;
  readonly problems: readonly string[];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function createReportFailureHandler(
  deps: HomeSecurityHubDeps &
    MemberSecurityHubDeps &
    NotificationDeps &
    ReportingDeps &
    Pick<ClockDeps, 'now'>,
) {
  const publish = async (notification: Notification, problems: string[]): Promise<boolean> => {
    try {
      await deps.sns().send(
        new PublishCommand({
          TopicArn: deps.notifyTopicArn(),
          Subject: notification.subject,
          Message: notification.message,
        }),
      );
      return true;
    } catch (error) {
      problems.push(`notification not published: ${messageOf(error)}`);
      return false;
    }
  };

  /** The record on the request's finding (ASFF or OCSF), or on a finding of the service's own. */
  const recordOnFinding = (request: RemediationRequest, record: RequestFailureRecord) =>
    request.findingFormat === 'ocsf'
      ? recordRequestFailureV2(deps.homeSecurityHub(request.region), record)
      : recordRequestFailure(
          { home: deps.homeSecurityHub(request.region), member: () => deps.memberSecurityHub(request) },
          record,
        );

  return async (event: unknown): Promise<ReportOutput> => {
    const input = parseTaskInput('report-failure', InputSchema, event);
    const problems: string[] = [];
    if (input.kind === 'INTAKE_REJECTED') {
      const published = await publish(
        buildIntakeRejectedNotification(input.rejected, input.executionArn),
        problems,
      );
      if (!published) logger.error('intake rejections not notified', { problems, rejected: input.rejected });
      return { kind: input.kind, recorded: false, published, problems };
    }
    if (input.kind === 'ADMIT_FAILED') {
      let recorded = 0;
      for (const request of input.requests.filter((candidate) => candidate.findingId !== undefined)) {
        const record = toRequestFailureRecord(
          'ADMIT_FAILED',
          request,
          input.error,
          input.executionArn,
          deps.serviceVersion,
          deps.now(),
        );
        try {
          await recordOnFinding(request, record);
          recorded += 1;
        } catch (error) {
          if (retriedByStateMachine(error, RETRIED_ERRORS)) throw error;
          problems.push(`not recorded in Security Hub on ${request.findingId ?? ''}: ${messageOf(error)}`);
        }
      }
      deps.metric(REMEDIATIONS_METRIC, { Outcome: 'FAILED' }, input.requests.length);
      if (recorded < input.requests.length) {
        deps.metric(RECORD_FAILURES_METRIC, {}, input.requests.length - recorded);
      }
      const published = await publish(
        buildAdmitFailedNotification(input.requests, input.error, input.executionArn, {
          recorded,
          problems: [...problems],
        }),
        problems,
      );
      logger.error('batch not admitted', {
        requests: input.requests,
        error: input.error,
        recorded,
        problems,
      });
      return { kind: input.kind, recorded: recorded === input.requests.length, published, problems };
    }

    const record = toRequestFailureRecord(
      input.kind,
      input.request,
      input.error,
      input.executionArn,
      deps.serviceVersion,
      deps.now(),
    );
    let securityHub: SecurityHubRecordState;
    if (input.kind === 'OWNERSHIP_NOT_TAKEN') {
      securityHub = { recorded: false, why: 'Security Hub refused the ownership update itself' };
    } else {
      try {
        await recordOnFinding(input.request, record);
        securityHub = {
          recorded: true,
          where:
            input.request.findingId ?? `${stagesUnlistedFindingId(record)} (${formatApiArn(input.request)})`,
        };
      } catch (error) {
        // Throttled, or refused a place in the paced schedule: the state machine's Retry records it later.
        if (retriedByStateMachine(error, RETRIED_ERRORS)) throw error;
        securityHub = { recorded: false, why: messageOf(error) };
        problems.push(`not recorded in Security Hub: ${messageOf(error)}`);
      }
    }
    deps.metric(REMEDIATIONS_METRIC, { Outcome: 'FAILED' });
    if (!securityHub.recorded) deps.metric(RECORD_FAILURES_METRIC, {});
    const published = await publish(buildRequestFailureNotification(record, securityHub), problems);
    logger.error('request stopped before its stages were worked on', { record, securityHub, problems });
    return { kind: input.kind, recorded: securityHub.recorded, published, problems };
  };
}

const pacer = createDynamoPacer({ db: createLocksDeps().dynamo });
export const handler = lambdaHandler(
  createReportFailureHandler({
    ...createHomeSecurityHubDeps({ pacer }),
    ...createMemberSecurityHubDeps(createMemberAccountDeps(), { pacer }),
    ...createNotificationDeps(),
    ...createReportingDeps(),
    ...createClockDeps(),
  }),
);
