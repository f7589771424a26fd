/**
 * The flap guard (pure, docs/decisions/0029): a central fix of a stage that a pipeline owns lasts
 * until the pipeline's next deployment puts its value back, and the drift rule would then fix it
 * again, for ever. So the guard counts, per stage and control, the times the OWNER reverted a fix
 * the service made (a drift call by CloudFormation on a stage whose stack tags name the stack, or
 * by Terraform: owner.ts `callerIsOwner`) within `iac.flapWindowHours`. At `iac.maxReverts` the
 * control's policy decides: `notify-only` defers the control to its owner (DEFERRED_TO_OWNER: not
 * changed again until a read finds it compliant — the owner's deployment fixed it at the source —
 * or an operator clears it), `fix-and-notify` fixes again and says who keeps reverting it, `fight`
 * (or `iac.fight`) fixes without counting.
 *
 * The snapshot task decides with the state read under the stage lock; the Record task writes the
 * resulting state (with the fix it made, when REMEDIATED), so a revert is only ever counted against
 * a fix that really happened, and a retried task writes the same state again.
 */
import * as z from 'zod';
import { ControlIdSchema } from '../core/control-id.js';
import { callerIsOwner, describeOwner, type CallerInfo, type Owner } from './owner.js';

const IsoSchema = z.iso.datetime();

export const FlapRecordSchema = z.object({
  /** The service's fixes of this stage-control still inside the window. */
  fixes: z.array(z.object({ remediationId: z.string().min(1), at: IsoSchema })),
  /** The owner's reverts of those fixes inside the window, one per CloudTrail event. */
  reverts: z.array(z.object({ eventId: z.string().min(1), at: IsoSchema })),
  /** Set while the control is deferred to its owner. */
  deferred: z
    .object({ since: IsoSchema, remediationId: z.string().min(1), reverts: z.number().int() })
    .optional(),
});
export type FlapRecord = z.infer<typeof FlapRecordSchema>;

export const GUARD_ACTIONS = ['fix', 'defer', 'clear'] as const;

export const GuardDecisionSchema = z.object({
  controlId: ControlIdSchema,
  /** fix: the control is changed as planned; defer: it is not (DEFERRED_TO_OWNER); clear: a compliant read ends a deferral. */
  action: z.enum(GUARD_ACTIONS),
  /** Owner reverts counted within the window, this run's included. */
  reverts: z.number().int().min(0),
  /** True when this run starts the deferral (the ledger gets a DEFERRAL entry). */
  newlyDeferred: z.boolean(),
  /** The state the Record task writes; null: nothing to write. */
  record: FlapRecordSchema.nullable(),
  /** One sentence for the record and the approver. */
  reason: z.string(),
});
export type GuardDecision = z.infer<typeof GuardDecisionSchema>;

export type IacPolicyName = 'fix-and-notify' | 'notify-only' | 'fight';

export interface GuardSettings {
  readonly flapWindowHours: number;
  readonly maxReverts: number;
  readonly fight: boolean;
  readonly defaultPolicy: IacPolicyName;
  readonly policies: Readonly<Record<string, IacPolicyName>>;
}

export interface GuardControl {
  readonly controlId: string;
  /** The read found it compliant. */
  readonly compliant: boolean;
  /** The plan changes it (a fixing mode, not dry run). */
  readonly wouldApply: boolean;
  readonly record: FlapRecord | undefined;
}

export interface GuardInput {
  readonly owner: Owner;
  readonly caller: CallerInfo | undefined;
  /** The CloudTrail event id of the drift call (counted once however often a task retries). */
  readonly eventId: string | undefined;
  readonly remediationId: string;
  readonly now: Date;
  readonly settings: GuardSettings;
  readonly controls: readonly GuardControl[];
}

export function policyOf(settings: GuardSettings, controlId: string): IacPolicyName {
  return settings.fight ? 'fight' : (settings.policies[controlId] ?? settings.defaultPolicy);
}

function withinWindow(at: string, now: Date, windowMs: number): boolean {
  const time = Date.parse(at);
  return time <= now.getTime() && now.getTime() - time <= windowMs;
}

function decide(input: GuardInput, control: GuardControl): GuardDecision | undefined {
  const { owner, now, settings } = input;
  const policy = policyOf(settings, control.controlId);
  if (policy === 'fight') return undefined;
  const { record } = control;
  const base = { controlId: control.controlId, newlyDeferred: false };
  if (control.compliant) {
    if (record?.deferred === undefined) return undefined;
    // The owner fixed it at the source: a later revert starts a new count against a new fix.
    return {
      ...base,
      action: 'clear',
      reverts: 0,
      record: { fixes: [], reverts: [] },
      reason: `${control.controlId} passes again, so its deferral to ${describeOwner(owner)} (since ${record.deferred.since}) ends`,
    };
  }
  if (!control.wouldApply) return undefined;
  if (record?.deferred !== undefined) {
    return {
      ...base,
      action: 'defer',
      reverts: record.deferred.reverts,
      record: null,
      reason:
        `${control.controlId} is deferred to ${describeOwner(owner)} since ${record.deferred.since} ` +
        '(its deployments reverted the fix); not changed until a read finds it compliant or an operator clears it (clear-deferral)',
    };
  }
  const windowMs = settings.flapWindowHours * 3_600_000;
  const fixes = (record?.fixes ?? []).filter((fix) => withinWindow(fix.at, now, windowMs));
  const earlier = (record?.reverts ?? []).filter((revert) => withinWindow(revert.at, now, windowMs));
  const reverted = input.eventId !== undefined && fixes.length > 0 && callerIsOwner(owner, input.caller);
  if (!reverted || input.eventId === undefined) return undefined;
  const eventId = input.eventId;
  const reverts = earlier.some((revert) => revert.eventId === eventId)
    ? earlier
    : [...earlier, { eventId, at: now.toISOString() }];
  const count = reverts.length;
  const counted = `${control.controlId} was reverted by ${describeOwner(owner)} ${count} time(s) within ${settings.flapWindowHours} h (iac.maxReverts ${settings.maxReverts})`;
  if (count >= settings.maxReverts && policy === 'notify-only') {
    return {
      ...base,
      action: 'defer',
      reverts: count,
      newlyDeferred: true,
      record: {
        fixes,
        reverts,
        deferred: { since: now.toISOString(), remediationId: input.remediationId, reverts: count },
      },
      reason: `${counted}: deferred to its owner (policy notify-only); not changed until the owner's next deployment brings it into compliance or an operator clears it (clear-deferral)`,
    };
  }
  return {
    ...base,
    action: 'fix',
    reverts: count,
    record: { fixes, reverts },
    reason:
      count >= settings.maxReverts
        ? `${counted}: fixed again (policy fix-and-notify); make the template change so it stops`
        : `${counted}: fixed again`,
  };
}

/** The guard's decision for each control it has something to say about. Pure. */
export function guardDecisions(input: GuardInput): GuardDecision[] {
  if (input.owner.kind === 'unmanaged') return [];
  return input.controls.flatMap((control) => {
    const decision = decide(input, control);
    return decision === undefined ? [] : [decision];
  });
}

/**
 * What the Record task writes for one stage-control: the decision's state, plus the fix this run
 * made when it REMEDIATED the control (once per remediation id, so a retry adds nothing).
 */
export function recordAfterRun(
  decision: GuardDecision | undefined,
  existing: FlapRecord | undefined,
  fixed: { readonly remediationId: string; readonly at: string } | undefined,
): FlapRecord | undefined {
  const base = decision?.record ?? existing;
  if (fixed === undefined) return decision?.record ?? undefined;
  const start = base ?? { fixes: [], reverts: [] };
  if (start.fixes.some((fix) => fix.remediationId === fixed.remediationId)) return start;
  return { ...start, fixes: [...start.fixes, fixed] };
}

/**
 * DynamoDB TTL (epoch seconds) of a stage-control's state: the window after its latest event, so
 * counts age out; none while deferred (a deferral ends by a compliant read or an operator, not by time).
 */
export function expiresAtOf(record: FlapRecord, flapWindowHours: number, now: Date): number | undefined {
  if (record.deferred !== undefined) return undefined;
  const times = [...record.fixes, ...record.reverts].map((entry) => Date.parse(entry.at));
  const latest = Math.max(now.getTime(), ...times);
  return Math.ceil((latest + flapWindowHours * 3_600_000) / 1000);
}
