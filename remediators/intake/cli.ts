/**
 * A remediation the operator asked for at the terminal (`apigw-remediation fix`, docs/cli.md): the
 * CLI starts the execution itself (StartExecution, or the in-process runner), with an event of its
 * own that Normalize reads like any other. Its source, `apigw-remediation.cli`, is matched by no
 * EventBridge rule of the stack (those match aws.securityhub, aws.apigateway and aws.wafv2 only:
 * infra/event-patterns.ts), and EventBridge rejects PutEvents with an `aws.` source from anyone but
 * AWS services, so nothing but a StartExecution can bring this request in.
 *
 * `confirmedApproval` is the operator's answer to the CLI's confirmation (`--yes`, or y at the
 * prompt): the workflow counts it as the approval of the `approve` controls, approver = the caller
 * (`requestedBy`, STS GetCallerIdentity). That is no new trust: whoever may call
 * states:StartExecution on the workflow can already start any remediation (docs/decisions/0027).
 */
import * as z from 'zod';
import { describeIssues } from '../../config/issues.js';
import { AccountIdSchema } from '../../config/schema.js';
import { InvalidStageArnError, parseStageArn } from '../core/arn.js';
import { ControlIdSchema } from '../core/control-id.js';
import type { ControlId } from '../core/types.js';
import type { Outcome } from './types.js';

export const CLI_SOURCE = 'apigw-remediation.cli';
export const CLI_REQUEST = 'Remediation Requested by CLI';

export const CliRequestDetailSchema = z.object({
  /** The stage's account (a stage ARN has none). */
  account: AccountIdSchema,
  stageArn: z.string().min(1),
  /** The controls to check; absent: every control the catalog has (modes decide what changes). */
  controls: z.array(ControlIdSchema).min(1).optional(),
  /** The caller's ARN (STS GetCallerIdentity). */
  requestedBy: z.string().min(1),
  /** The operator confirmed the changes: it counts as the approval of controls in mode approve. */
  confirmedApproval: z.boolean().optional(),
});
export type CliRequestDetail = z.infer<typeof CliRequestDetailSchema>;

export interface CliEnvelope {
  readonly id: string;
  readonly time: string;
  readonly detail: Record<string, unknown>;
}

export function cliRequestOutcome(envelope: CliEnvelope, allControls: readonly ControlId[]): Outcome {
  const parsed = CliRequestDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) {
    const problems = describeIssues(CliRequestDetailSchema, parsed.error.issues, envelope.detail, ['detail']);
    return { kind: 'rejected', error: `CLI request ${envelope.id}: ${problems.join('; ')}` };
  }
  const detail = parsed.data;
  try {
    const stage = parseStageArn(detail.stageArn);
    return {
      kind: 'request',
      request: {
        trigger: 'cli',
        account: detail.account,
        region: stage.region,
        partition: stage.partition,
        apiType: stage.apiType,
        apiId: stage.apiId,
        stageName: stage.stageName,
        controls: detail.controls ?? [...allControls],
        eventId: envelope.id,
        eventTime: envelope.time,
        actor: detail.requestedBy,
        requestedBy: detail.requestedBy,
        ...(detail.confirmedApproval === true ? { confirmedApproval: true } : {}),
      },
    };
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: equivalent, parseStageArn throws only InvalidStageArnError
    if (!(error instanceof InvalidStageArnError)) throw error;
    return { kind: 'rejected', error: `CLI request ${envelope.id}: detail.stageArn: ${error.message}` };
  }
}
