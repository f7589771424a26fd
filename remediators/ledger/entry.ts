/**
 * The remediation ledger's item shapes (issue 12): the machine-readable history that the CLI's
 * `history` and `undo` read, written by the workflow's Record task and by the CLI. Security Hub
 * stays the auditors' view; the ledger keeps every setting's before and after, so that a change
 * can be taken back exactly. Kept without TTL: history is not pruned.
 *
 * One item per entry, keyed by `entryId`; the `byStage` index (stageArn, recordedAt) serves
 * `history --stage`. Entries are a discriminated union by `kind`:
 * - REMEDIATION: one run of the workflow (or of `fix`) for one stage, whatever its outcome;
 *   `entryId` is the run's remediation id.
 * - UNDO: an undo of a REMEDIATION entry, naming it, with what it restored and what it refused.
 * - EXEMPTION: the stage and control are left alone (after an undo, a rejection or an opt-out).
 */
import * as z from 'zod';
import { OwnerSchema } from '../iac/owner.js';
import {
  ApiTypeSchema,
  ControlChangeSchema,
  ControlIdSchema,
  CreatedPrerequisiteSchema,
  OUTCOMES,
  PartitionSchema,
  type CreatedPrerequisite,
} from '../workflow/state.js';

/** The ledger table's key and its stage index (the central stack creates them with these names). */
export const LEDGER_TABLE_KEY = 'entryId';
export const LEDGER_STAGE_INDEX = 'byStage';
export const LEDGER_STAGE_INDEX_KEY = 'stageArn';
export const LEDGER_STAGE_INDEX_SORT_KEY = 'recordedAt';

/** UTC only (`…Z`): the byStage index sorts and `since` filters compare these as strings. */
const IsoTimestampSchema = z.iso.datetime();

/** Who caused an entry: the workflow (an execution) or an operator at a terminal (the CLI). */
export const LedgerActorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('execution'), executionArn: z.string().min(1) }),
  /** The caller's ARN from STS GetCallerIdentity, and the CLI run's id. */
  z.object({ kind: z.literal('cli'), callerArn: z.string().min(1), runId: z.string().min(1) }),
]);
export type LedgerActor = z.infer<typeof LedgerActorSchema>;

const StageFieldsSchema = z.object({
  stageArn: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
  region: z.string().min(1),
  partition: PartitionSchema,
  apiType: ApiTypeSchema,
  apiId: z.string().min(1),
  stageName: z.string().min(1),
  /** ISO-8601; the byStage index's sort key. */
  recordedAt: IsoTimestampSchema,
  actor: LedgerActorSchema,
});

/**
 * A prerequisite a remediation created (an undo keeps it and lists it): the apply task's own
 * shape (workflow/state.ts), so what the apply result says is what the entry holds.
 */
export { CreatedPrerequisiteSchema, type CreatedPrerequisite };

export const RemediationEntrySchema = StageFieldsSchema.extend({
  kind: z.literal('REMEDIATION'),
  entryId: z.string().min(1),
  outcome: z.enum(OUTCOMES),
  controls: z.array(ControlIdSchema),
  /** Every setting's before and after: applied (REMEDIATED) or that would have been (any other outcome). */
  changes: z.array(ControlChangeSchema),
  prerequisitesCreated: z.array(CreatedPrerequisiteSchema),
  /** "automatic", the approver as "Name (id)", the CLI caller, or why nobody approved. */
  approver: z.string().min(1),
  reason: z.string(),
  /** The findings this run recorded its outcome on. */
  findingIds: z.array(z.string().min(1)),
  trigger: z.string(),
  /**
   * Who deploys the stage (issue 14, iac/owner.ts): the CloudFormation stack and logical id, or
   * Terraform, or unmanaged; absent when the stage was never read (or the run joined another).
   */
  owner: OwnerSchema.optional(),
});
export type RemediationEntry = z.infer<typeof RemediationEntrySchema>;

/** A setting an undo could not restore: someone changed it after the remediation. */
export const RefusedSettingSchema = ControlChangeSchema.extend({
  /** The value the stage held when the undo read it (not the remediation's after value). */
  current: ControlChangeSchema.shape.after,
  /** Why it was not restored: changed since, or no operation takes it back (added for undo, optional). */
  why: z.string().optional(),
});
export type RefusedSetting = z.infer<typeof RefusedSettingSchema>;

export const UndoEntrySchema = StageFieldsSchema.extend({
  kind: z.literal('UNDO'),
  entryId: z.string().min(1),
  /** The REMEDIATION entry this undoes. */
  undoes: z.string().min(1),
  outcome: z.enum(['UNDONE', 'PARTIALLY_UNDONE', 'REFUSED', 'FAILED']),
  /** Settings set back to their before value (before/after as the undo changed them). */
  restored: z.array(ControlChangeSchema),
  refused: z.array(RefusedSettingSchema),
  /** Prerequisites the remediation created, kept. */
  kept: z.array(CreatedPrerequisiteSchema),
  reason: z.string(),
  /** Who approved the undo as "Name (id)", when it waited for an approval (`undo.mode: approve`). */
  approver: z.string().min(1).optional(),
});
export type UndoEntry = z.infer<typeof UndoEntrySchema>;

export const ExemptionEntrySchema = StageFieldsSchema.extend({
  kind: z.literal('EXEMPTION'),
  entryId: z.string().min(1),
  controlId: ControlIdSchema,
  reason: z.string().min(1),
  /** ISO-8601; absent for an exemption without end. */
  until: IsoTimestampSchema.optional(),
  /** What made it: an undo, a rejected approval, or an operator's `exempt`. */
  cause: z.enum(['UNDO', 'REJECTED', 'OPERATOR']),
  /** Set when `unexempt` ended it early (ISO-8601). */
  endedAt: IsoTimestampSchema.optional(),
});
export type ExemptionEntry = z.infer<typeof ExemptionEntrySchema>;

// ---- issue 14 (docs/decisions/0029): the flap guard's deferrals ----------------------------

/**
 * DEFERRAL: the flap guard stopped fixing a stage-control because its infrastructure-as-code owner
 * kept reverting the fix. `entryId` is `{remediationId}/deferral/{controlId}` (one per run and
 * control, so a retried Record task writes the same entry again).
 */
export const DeferralEntrySchema = StageFieldsSchema.extend({
  kind: z.literal('DEFERRAL'),
  entryId: z.string().min(1),
  remediationId: z.string().min(1),
  controlId: ControlIdSchema,
  /** The owner as people read it, e.g. `CloudFormation stack orders (AWS CDK), logical id …`. */
  owner: z.string().min(1),
  /** CloudFormation: the stack named by the stage's tags. */
  stackName: z.string().min(1).optional(),
  /** Owner reverts within the window that led to it. */
  reverts: z.number().int().min(1),
  /** The template change that makes the fix permanent, in the owner's tool. */
  sourceFix: z.string().min(1).optional(),
  reason: z.string(),
});
export type DeferralEntry = z.infer<typeof DeferralEntrySchema>;

export const LedgerEntrySchema = z.discriminatedUnion('kind', [
  RemediationEntrySchema,
  UndoEntrySchema,
  ExemptionEntrySchema,
  DeferralEntrySchema,
]);
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
