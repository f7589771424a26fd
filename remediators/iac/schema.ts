/**
 * The shapes the plan carries about a stage's infrastructure-as-code owner (docs/decisions/0029).
 * Zod only, no control code: the workflow state imports it, and the tasks that never evaluate a
 * control must stay lean (docs/decisions/0018).
 */
import * as z from 'zod';
import { ControlIdSchema } from '../core/control-id.js';
import { GuardDecisionSchema } from './flap-guard.js';
import { OwnerSchema } from './owner.js';

export const SOURCE_FIX_TOOLS = ['cloudformation', 'cdk', 'terraform'] as const;
export type SourceFixTool = (typeof SOURCE_FIX_TOOLS)[number];

export const SourceFixLineSchema = z.object({
  controlId: ControlIdSchema,
  tool: z.enum(SOURCE_FIX_TOOLS),
  change: z.string().min(1),
});
export type SourceFixLine = z.infer<typeof SourceFixLineSchema>;

export const IacSummarySchema = z.object({
  owner: OwnerSchema,
  /** {@link describeOwner}: one line for people. */
  ownerText: z.string().min(1),
  /** For each failing fixing control, the change to make in the owner's template; empty when unmanaged. */
  sourceFixes: z.array(SourceFixLineSchema),
  /** CloudFormation only: the in-place fix makes the stack drift, and what makes it stick. */
  drift: z.string().min(1).optional(),
  /** The flap guard's decisions (flap-guard.ts), written by the Record task. */
  guard: z.array(GuardDecisionSchema).optional(),
  /** The owner's own SNS topic (`iac.ownerChannels`), told of a deferral by the notify task. */
  ownerTopicArn: z.string().min(1).optional(),
  /** `iac.flapWindowHours` when the plan was made: the TTL of what the Record task writes. */
  flapWindowHours: z.number().int().min(1).optional(),
});
export type IacSummary = z.infer<typeof IacSummarySchema>;

/** `APIGateway.3: AWS::ApiGateway::Stage TracingEnabled: true`, as the note, the approver and the CLI print it. */
export function describeSourceFix(line: SourceFixLine): string {
  return `${line.controlId}: ${line.change}`;
}

/** Who made the CloudTrail call that started a run (intake, remediators/intake/cloudtrail.ts). */
export const CallerSchema = z.object({
  /** `userIdentity.invokedBy`: the AWS service that made the call, e.g. cloudformation.amazonaws.com. */
  invokedBy: z.string().min(1).optional(),
  sourceIPAddress: z.string().min(1).optional(),
  userAgent: z.string().min(1).optional(),
});
