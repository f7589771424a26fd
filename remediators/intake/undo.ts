/**
 * Undo requests (issue 12, docs/decisions/0030): a remediation taken back through the workflow.
 *
 * - The Security Hub custom action "Undo API remediation": an event like the Remediate action's
 *   (detail-type "Security Hub Findings - Custom Action"), told apart by its `resources`, which hold
 *   the ARN of the action target chosen, `arn:{partition}:securityhub:{region}:{account}:action/custom/{Id}`
 *   (Security Hub user guide, "Creating a custom action"; EventBridge event format for custom actions).
 *   Each finding becomes a request with trigger `undo`; the remediation to take back is found at
 *   run time (the stage's newest REMEDIATED ledger entry of the finding's control).
 * - The Undo button of a Slack message: the approval API, after checking Slack's signature and the
 *   approvers, starts the state machine itself with an event of this module's own source
 *   (`apigw-remediation.undo`), which no EventBridge rule matches (as the CLI's, ./cli.ts); it
 *   names the remediation.
 */
import * as z from 'zod';
import { describeIssues } from '../../config/issues.js';
import { AccountIdSchema } from '../../config/schema.js';
import { InvalidStageArnError, parseStageArn } from '../core/arn.js';
import { ControlIdSchema } from '../core/control-id.js';
import type { Outcome } from './types.js';

/**
 * The Undo action target's Id. CreateActionTarget: "The ID for the custom action target. Can contain
 * up to 20 alphanumeric characters"; Name "Can contain up to 20 characters" (Security Hub API
 * reference, CreateActionTarget). infra/event-patterns.ts creates the target with it.
 */
export const UNDO_ACTION_ID = 'ApigwUndo';

const UNDO_ACTION_TARGET = /^arn:aws(-cn|-us-gov)?:securityhub:[a-z0-9-]+:\d{12}:action\/custom\/(.+)$/;

/** Whether a custom action's event is the Undo action's (its resources name the Undo target). */
export function isUndoAction(resources: readonly string[] | undefined): boolean {
  return resources?.some((arn) => UNDO_ACTION_TARGET.exec(arn)?.[2] === UNDO_ACTION_ID) ?? false;
}

/** A finding's request, read as the Remediate action reads it, turned into an undo request. */
export function asUndoOutcome(outcome: Outcome): Outcome {
  if (outcome.kind !== 'request') return outcome;
  return {
    kind: 'request',
    request: { ...outcome.request, trigger: 'undo', undoSource: 'securityhub-action' },
  };
}

export const UNDO_SOURCE = 'apigw-remediation.undo';
export const SLACK_UNDO_REQUEST = 'Undo Requested in Slack';

export const SlackUndoDetailSchema = z.object({
  /** The REMEDIATION ledger entry to take back (the approval's remediation id). */
  remediationId: z.string().min(1),
  account: AccountIdSchema,
  stageArn: z.string().min(1),
  controls: z.array(ControlIdSchema).min(1),
  /** The Slack user who clicked, as "Name (id)". */
  requestedBy: z.string().min(1),
});
export type SlackUndoDetail = z.infer<typeof SlackUndoDetailSchema>;

export function slackUndoOutcome(envelope: {
  readonly id: string;
  readonly time: string;
  readonly detail: Record<string, unknown>;
}): Outcome {
  const parsed = SlackUndoDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) {
    const problems = describeIssues(SlackUndoDetailSchema, parsed.error.issues, envelope.detail, ['detail']);
    return { kind: 'rejected', error: `Slack undo request ${envelope.id}: ${problems.join('; ')}` };
  }
  const detail = parsed.data;
  try {
    const stage = parseStageArn(detail.stageArn);
    return {
      kind: 'request',
      request: {
        trigger: 'undo',
        undoSource: 'slack',
        remediationId: detail.remediationId,
        account: detail.account,
        region: stage.region,
        partition: stage.partition,
        apiType: stage.apiType,
        apiId: stage.apiId,
        stageName: stage.stageName,
        controls: detail.controls,
        eventId: envelope.id,
        eventTime: envelope.time,
        actor: detail.requestedBy,
        requestedBy: detail.requestedBy,
      },
    };
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: equivalent, parseStageArn throws only InvalidStageArnError
    if (!(error instanceof InvalidStageArnError)) throw error;
    return {
      kind: 'rejected',
      error: `Slack undo request ${envelope.id}: detail.stageArn: ${error.message}`,
    };
  }
}
