/**
 * The data the remediation state machine carries from Task to Task, validated with zod at
 * every handler's edge (a Lambda's input is external input even when Step Functions sends it).
 *
 * One stage is one iteration of the inner Map: {@link StageWorkItem}. Each Task adds its
 * result under its own key (ResultPath), so the final state holds the whole story that the
 * record and notify tasks turn into an {@link Outcome}.
 */
import * as z from 'zod';
import { CONTROL_MODES } from '../controls/define-control.js';
import { ApprovalDecisionSchema } from '../approvals/record.js';
import { ControlIdSchema } from '../core/control-id.js';
import { PARTITIONS } from '../core/types.js';
import { CallerSchema, IacSummarySchema } from '../iac/schema.js';

export { ControlIdSchema };
export const PartitionSchema = z.enum(PARTITIONS);
export const ApiTypeSchema = z.enum(['REST', 'V2']);

/** One remediation request as intake emits it (remediators/intake/types.ts); other fields pass through. */
export const RemediationRequestSchema = z.looseObject({
  trigger: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
  region: z.string().min(1),
  partition: PartitionSchema,
  apiType: ApiTypeSchema,
  apiId: z.string().min(1),
  /** null: every stage of the API. */
  stageName: z.string().min(1).nullable(),
  controls: z.array(ControlIdSchema).min(1),
  findingId: z.string().min(1).optional(),
  productArn: z.string().min(1).optional(),
  /**
   * The controls of the finding this request names, when `controls` is a union of several
   * findings' (a batch's or a round's requests grouped into one, workflow/admit.ts): the finding is
   * recorded with its own controls' share of the outcome (workflow/outcome.ts findingRecord).
   * Absent: `controls` are the finding's own.
   */
  findingControls: z.array(ControlIdSchema).min(1).optional(),
  /** `ocsf`: a finding of the new Security Hub, written back with BatchUpdateFindingsV2 (absent: ASFF). */
  findingFormat: z.literal('ocsf').optional(),
  metadataUid: z.string().min(1).optional(),
  /** The EventBridge event id or CloudTrail eventID (intake sets it): the flap guard counts a revert once per event. */
  eventId: z.string().min(1).optional(),
  /** CloudTrail: who made the drift call (invokedBy, sourceIPAddress, userAgent), for the owner and the flap guard. */
  caller: CallerSchema.optional(),
});
export type RemediationRequest = z.infer<typeof RemediationRequestSchema>;

export const StageRefSchema = z.object({
  account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
  region: z.string().min(1),
  partition: PartitionSchema,
  apiType: ApiTypeSchema,
  apiId: z.string().min(1),
  stageName: z.string().min(1),
});

export const ControlDecisionSchema = z.object({
  controlId: ControlIdSchema,
  mode: z.enum(CONTROL_MODES),
  /** Where the mode came from (default, account override, tag ...), for the audit note. */
  source: z.string(),
  dryRun: z.boolean(),
  /** Set when an exemption of the ledger leaves the control alone (mode notify): who, why, until when. */
  exemption: z.string().optional(),
});
export type ControlDecision = z.infer<typeof ControlDecisionSchema>;

/** Output of the decide task. */
export const DecisionSchema = z.object({
  remediationId: z.string().min(1),
  /** SKIP: every control is off; GONE: the stage vanished; PROCEED: lock, read and plan. */
  route: z.enum(['PROCEED', 'SKIP', 'GONE']),
  controls: z.array(ControlDecisionSchema),
  approvalTimeoutSeconds: z.number().int().positive(),
  onApprovalTimeout: z.enum(['skip', 'apply']),
  reason: z.string(),
  /** Set when a brake turned the controls into notify (the kill switch): what the record says first. */
  brake: z.string().optional(),
});
export type Decision = z.infer<typeof DecisionSchema>;

/** The run this one joined instead of taking the lock (workflow/join.ts): it records for both. */
export const JoinedRunSchema = z.object({
  remediationId: z.string().min(1),
  executionArn: z.string().min(1),
});
export type JoinedRun = z.infer<typeof JoinedRunSchema>;

export const LockSchema = z.object({
  key: z.string().min(1),
  owner: z.string().min(1),
  expiresAt: z.number().int(),
  /** Set when this run joined the holder's run: it never held the lock and releases nothing. */
  joined: JoinedRunSchema.optional(),
  /** With `joined`: the request was queued for the holder's next round (docs/decisions/0037). */
  queued: z.literal(true).optional(),
});
export type Lock = z.infer<typeof LockSchema>;

const SettingValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ControlChangeSchema = z.object({
  controlId: ControlIdSchema,
  setting: z.string(),
  before: SettingValueSchema,
  after: SettingValueSchema,
});
export type ControlChange = z.infer<typeof ControlChangeSchema>;

export const EvaluationSchema = z.object({
  controlId: ControlIdSchema,
  status: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']),
  reason: z.string(),
});

export const NOT_APPLIED_REASONS = [
  'dry-run',
  'notify',
  'report-only',
  'unattended-deployment',
  'stage-changed',
  'exempt',
  'deferred-to-owner',
] as const;
export type NotAppliedReason = (typeof NOT_APPLIED_REASONS)[number];

/** Output of the snapshot task when the stage was read: what is wrong and what the workflow will do about it. */
export const FoundPlanSummarySchema = z.object({
  status: z.literal('FOUND'),
  apiName: z.string(),
  evaluations: z.array(EvaluationSchema),
  /** Changes the workflow will make (controls in auto or approve mode, not dry-run). */
  toApply: z.array(ControlChangeSchema),
  /**
   * Changes left undone: dry-run, notify mode or report-only controls; a control in mode auto
   * whose fix needs a deployment nobody approved (`unattended-deployment`); a change that was not
   * what the approver saw because the stage changed during the approval wait (`stage-changed`); a
   * control exempt on the stage (`exempt`, ledger/exemption-decide.ts).
   */
  notApplied: z.array(ControlChangeSchema.extend({ why: z.enum(NOT_APPLIED_REASONS) })),
  /** Controls whose fix the workflow applies (after an approval wait, re-planned from a fresh read by the recheck task). */
  applyControls: z.array(ControlIdSchema),
  /** Next step; DRY_RUN and SKIPPED: something fails but configuration says not to change it. */
  /** DEFERRED: every control to change is deferred to the stage's owner (the flap guard, docs/decisions/0029). */
  next: z.enum(['ALREADY_COMPLIANT', 'DRY_RUN', 'SKIPPED', 'APPLY', 'APPROVE', 'DEFERRED']),
  reason: z.string(),
  /** When next is APPROVE: the approval request's times (ISO-8601). */
  approvalWindow: z.object({ requestedAt: z.string(), expiresAt: z.string() }).optional(),
  /** Set by the recheck task after the approval wait: how the stage compared with what was approved. */
  recheck: z.string().optional(),
  /** The stage's infrastructure-as-code owner and the template change per failing control (docs/decisions/0029). */
  iac: IacSummarySchema.optional(),
});
export type FoundPlanSummary = z.infer<typeof FoundPlanSummarySchema>;

/**
 * The stage or its API vanished before it could be planned (snapshot) or re-read (recheck):
 * nothing was evaluated or planned, so there is nothing else to carry. The state machine's
 * Choice states read `next` on every branch.
 */
export const GonePlanSummarySchema = z.object({
  status: z.literal('GONE'),
  next: z.literal('GONE'),
  /** The API's name when it was read before it vanished (the recheck task's approved plan). */
  apiName: z.string().min(1).optional(),
  reason: z.string(),
});
export type GonePlanSummary = z.infer<typeof GonePlanSummarySchema>;

/** Output of the snapshot and recheck tasks, by what the workflow does next. */
export const PlanSummarySchema = z.discriminatedUnion('next', [
  FoundPlanSummarySchema,
  GonePlanSummarySchema,
]);
export type PlanSummary = z.infer<typeof PlanSummarySchema>;

/** The plan summary when the stage was read; undefined when there is none or the stage is gone. */
export function foundPlanOf(plan: PlanSummary | undefined): FoundPlanSummary | undefined {
  return plan === undefined || plan.next === 'GONE' ? undefined : plan;
}

/** A caught Step Functions error: `{Error, Cause}`. */
export const CaughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });
export type CaughtError = z.infer<typeof CaughtErrorSchema>;

/** A prerequisite the apply task created (the ledger lists it; an undo keeps it). */
export const CreatedPrerequisiteSchema = z.object({
  /** The effect kind: accessLogGroup, accountCloudWatchRole or webAcl (core/effects/). */
  kind: z.string().min(1),
  /** What identifies it: the log group's name, the role ARN set on the account, the web ACL's ARN. */
  id: z.string().min(1),
});
export type CreatedPrerequisite = z.infer<typeof CreatedPrerequisiteSchema>;

/** Output of the apply task. */
export const ApplyResultSchema = z.object({
  redeploy: z.boolean(),
  applied: z.array(ControlChangeSchema),
  /** The baseline web ACL apply found or created, when the plan associates it: update-stage uses it as is. */
  webAclArn: z.string().min(1).optional(),
  /** What this apply created (not what it found): absent from an apply of an older version. */
  prerequisitesCreated: z.array(CreatedPrerequisiteSchema).optional(),
});

export const VerificationSchema = z.object({
  status: z.enum(['VERIFIED', 'GONE']),
  evaluations: z.array(EvaluationSchema),
});
export type Verification = z.infer<typeof VerificationSchema>;

export const OUTCOMES = [
  'REMEDIATED',
  'ALREADY_COMPLIANT',
  'DRY_RUN',
  'SKIPPED',
  'REJECTED',
  'EXPIRED',
  'RESOURCE_GONE',
  'FAILED',
  'JOINED',
  'DEFERRED_TO_OWNER',
] as const;
export type OutcomeStatus = (typeof OUTCOMES)[number];

/** Set by the state machine's Pass states right before recording: which path the execution took. */
export const TerminalSchema = z.object({
  outcome: z.enum(OUTCOMES),
});

/** A finding added to the holder's lock item: everything the holder needs to record on it. */
export const JoinedFindingSchema = z.object({
  findingId: z.string().min(1),
  productArn: z.string().min(1).optional(),
  findingFormat: z.literal('ocsf').optional(),
  metadataUid: z.string().min(1).optional(),
  /**
   * The controls of the finding's own request: it is recorded with their share of the outcome
   * (workflow/outcome.ts findingRecord). Absent (a state written before they were kept): the
   * run's whole record.
   */
  controls: z.array(ControlIdSchema).min(1).optional(),
  /** The joiner's own run, for the audit trail (its record says JOINED). */
  executionArn: z.string().min(1),
  remediationId: z.string().min(1),
});
export type JoinedFinding = z.infer<typeof JoinedFindingSchema>;

/** One iteration of the per-stage Map, growing as Tasks add their results. */
export const StageWorkItemSchema = z.object({
  executionArn: z.string().min(1),
  locksTable: z.string().min(1),
  request: RemediationRequestSchema,
  stage: StageRefSchema,
  /**
   * The other findings for this stage the run records its outcome on: those Admit coalesced into
   * it (docs/decisions/0036), or the ones a holder's round took in (0037, 0039). Absent: none.
   */
  coalesced: z.array(JoinedFindingSchema).optional(),
  decision: DecisionSchema.optional(),
  lock: LockSchema.optional(),
  plan: PlanSummarySchema.optional(),
  approval: ApprovalDecisionSchema.optional(),
  approvalError: CaughtErrorSchema.optional(),
  applied: ApplyResultSchema.optional(),
  verification: VerificationSchema.optional(),
  error: CaughtErrorSchema.optional(),
  terminal: TerminalSchema.optional(),
  /** The holder's round for requests queued on its lock (docs/decisions/0037); absent: the first. */
  round: z.number().int().min(2).optional(),
  /** Set by Finish's Catch when the unlock opened another round (PendingRequests): Prepare starts it. */
  nextRound: CaughtErrorSchema.optional(),
  /** The outcomes of the holder's earlier rounds, for the iteration's result. */
  earlierRounds: z
    .array(
      z.object({
        round: z.number().int().min(1),
        outcome: z.enum(OUTCOMES),
        /** Finish failed in that round (the ReleaseLock fallback opened this one): its outcome is not recorded. */
        notRecorded: z.literal(true).optional(),
      }),
    )
    .optional(),
  /** Finish's own failure, when the ReleaseLock fallback ran (its Catch's ResultPath). */
  finishError: CaughtErrorSchema.optional(),
});
export type StageWorkItem = z.infer<typeof StageWorkItemSchema>;

/** Parses a Task's input, naming the task and quoting zod's issues when it does not fit. */
export function parseTaskInput<T>(task: string, schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidTaskInputError(task, z.prettifyError(parsed.error), input);
  }
  return parsed.data;
}

export class InvalidTaskInputError extends Error {
  override readonly name = 'InvalidTaskInput';
  constructor(task: string, problems: string, input: unknown) {
    super(
      `${task}: the task input does not have the expected shape:\n${problems}\n` +
        `input: ${JSON.stringify(input)?.slice(0, 1000)}`,
    );
  }
}
