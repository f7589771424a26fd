/**
 * Pure: turns the state an execution accumulated for one stage into the {@link OutcomeRecord}
 * that Security Hub and the notification report. The state machine's Pass states say which
 * path was taken (`terminal.outcome`); this module says what that means for a human.
 */
import type { ControlId, StageRef } from '../core/types.js';
import { ApprovalDecisionSchema } from '../approvals/record.js';
import {
  foundPlanOf,
  type ControlChange,
  type NotAppliedReason,
  type OutcomeStatus,
  type StageWorkItem,
} from './state.js';
import { UNATTENDED_DEPLOYMENT_REASON } from './plan-summary.js';
import { cliApproverOf } from './cli-approval.js';
import { remediationIdOf } from './stage-identity.js';
import type { IacSummary } from '../iac/schema.js';

/** What the plan did with a control that failed when the stage was read. */
export type ControlHandling = 'applied' | NotAppliedReason;

export interface OutcomeEvaluation {
  readonly controlId: ControlId;
  /** After the workflow: PASSED when compliant or fixed, FAILED when still failing, NOT_AVAILABLE when never read. */
  readonly compliance: 'PASSED' | 'FAILED' | 'NOT_AVAILABLE';
  readonly reason: string;
  /** How the control stood when the stage was read, before any change; absent when it was never read. */
  readonly before?: 'COMPLIANT' | 'NON_COMPLIANT';
  /** For a control that failed when read: its fix was applied (or submitted), or why not. */
  readonly handling?: ControlHandling;
}

export interface OutcomeRecord {
  readonly outcome: OutcomeStatus;
  readonly remediationId: string;
  readonly executionArn: string;
  readonly stage: StageRef;
  readonly trigger: string;
  readonly findingId?: string;
  /** ProductArn of that finding when intake knew it (else AWS's Security Hub product in the Region). */
  readonly findingProductArn?: string;
  /** Changes made (REMEDIATED) or that would have been made (every other outcome). */
  readonly changes: readonly ControlChange[];
  /** "automatic", the approver as "Name (id)", or why nobody approved. */
  readonly approver: string;
  /** Why the workflow ended this way, in one or two sentences. */
  readonly reason: string;
  /** The brake that kept the stage from being changed (kill switch, blast-radius cap), when one did. */
  readonly brake?: string;
  /** Per exempt control, the exemption that left it alone (who, why, until when; ledger/exemption.ts). */
  readonly exemptions?: Readonly<Record<string, string>>;
  /** Per checked control, the compliance after the workflow (NOT_APPLICABLE controls omitted). */
  readonly evaluations: readonly OutcomeEvaluation[];
  /** The stage's infrastructure-as-code owner and the template changes, when the stage was read (docs/decisions/0029). */
  readonly iac?: IacSummary;
  readonly serviceVersion: string;
  /** ISO-8601 */
  readonly recordedAt: string;
}

/**
 * Step Functions wraps a Lambda error's Cause as JSON `{errorType, errorMessage, trace}`;
 * the local runner passes the message itself. Either way, return the message.
 */
export function causeMessage(cause: string | undefined): string {
  if (cause === undefined || cause === '') return 'no cause given';
  try {
    const parsed: unknown = JSON.parse(cause);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, `in` on a primitive or null throws, which the catch below turns into the same answer
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      return String(parsed.errorMessage);
    }
  } catch {
    // a plain-text cause
  }
  return cause;
}

/** An approver as the ledger and the notes name one: "Name (id)", or the id alone when that is all there is. */
export function approverName(approver: { id: string; name: string }): string {
  return approver.name === '' || approver.name === approver.id
    ? approver.id
    : `${approver.name} (${approver.id})`;
}

// Stryker disable BlockStatement: equivalent for the catch below, whose empty form also returns undefined
/** The approver of a rejection travels in the error's Cause (see approvals/contract.ts). */
function rejectionDecision(item: StageWorkItem) {
  const message = causeMessage(item.approvalError?.Cause);
  try {
    const parsed = ApprovalDecisionSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
// Stryker restore BlockStatement

function approverOf(item: StageWorkItem, outcome: OutcomeStatus): string {
  // The joined run asks for (and records) the approval; this run decided nothing.
  if (outcome === 'JOINED') return 'nobody (joined)';
  if (outcome === 'DEFERRED_TO_OWNER') return 'nobody (deferred to owner)';
  if (item.approval !== undefined) return approverName(item.approval.approver);
  const cliApprover = cliApproverOf(item);
  if (cliApprover !== undefined) return cliApprover;
  if (outcome === 'REJECTED') {
    const decision = rejectionDecision(item);
    return decision === undefined ? 'unknown approver' : approverName(decision.approver);
  }
  if (item.approvalError?.Error === 'States.Timeout') {
    return outcome === 'EXPIRED'
      ? 'nobody (approval timed out)'
      : 'nobody (approval timed out; applied by policy)';
  }
  if (item.plan?.next === 'APPROVE') return 'nobody (no approval given)';
  return 'automatic';
}

/**
 * Errors with which the apply task refuses to change a stage on purpose (a brake: the kill switch
 * flipped during an approval wait, or the blast-radius cap); the state machine records SKIPPED.
 */
export const BRAKE_ERRORS = ['KillSwitchOn', 'BlastRadiusCapReached'] as const;

function brakeError(item: StageWorkItem): string | undefined {
  const error = item.error;
  return error !== undefined && (BRAKE_ERRORS as readonly string[]).includes(error.Error)
    ? causeMessage(error.Cause)
    : undefined;
}

function brakeOf(item: StageWorkItem, outcome: OutcomeStatus): { readonly brake?: string } {
  if (outcome !== 'SKIPPED') return {};
  const brake = brakeError(item) ?? item.decision?.brake;
  return brake === undefined ? {} : { brake };
}

function reasonOf(item: StageWorkItem, outcome: OutcomeStatus): string {
  const timeout = item.decision?.approvalTimeoutSeconds;
  switch (outcome) {
    case 'REMEDIATED': {
      const plan = foundPlanOf(item.plan);
      const fixed =
        // A decision that won over the timeout (SettleApprovalTimeout) is an approval, not the policy.
        item.approvalError?.Error === 'States.Timeout' && item.approval === undefined
          ? `fixed ${plan?.applyControls.join(', ') ?? ''} after the approval timed out (approval.onTimeout apply)`
          : `fixed ${plan?.applyControls.join(', ') ?? ''}`;
      // The flap guard's count when the owner reverted this fix before (docs/decisions/0029).
      // Stryker disable next-line ArrayDeclaration: equivalent, an entry in the fallback list is a string, which has no action, so the filter keeps nothing either way
      const reverted = (plan?.iac?.guard ?? []).filter((decision) => decision.action === 'fix');
      const withGuard =
        reverted.length === 0 ? fixed : `${fixed}; ${reverted.map((decision) => decision.reason).join('; ')}`;
      return plan?.recheck === undefined
        ? withGuard
        : `${withGuard}; re-read after the approval wait: ${plan.recheck}`;
    }
    case 'ALREADY_COMPLIANT':
    case 'DRY_RUN':
      return item.plan?.reason ?? outcome;
    case 'SKIPPED': {
      const braked = brakeError(item);
      if (braked !== undefined) return braked;
      const reason = item.plan?.reason ?? item.decision?.reason ?? 'not changed by configuration';
      const brake = item.decision?.brake;
      return brake === undefined ? reason : `${brake}. ${reason}`;
    }
    case 'REJECTED': {
      const comment = rejectionDecision(item)?.comment;
      return comment === undefined || comment === ''
        ? 'the approver rejected the change'
        : `rejected: ${comment}`;
    }
    case 'EXPIRED':
      return `nobody decided within ${timeout ?? '?'} s (approval.onTimeout skip): nothing changed`;
    case 'RESOURCE_GONE':
      return item.error !== undefined
        ? `the stage disappeared during the remediation: ${causeMessage(item.error.Cause)}`
        : 'the API or stage no longer exists';
    case 'FAILED':
      return item.error === undefined
        ? 'failed without an error'
        : `${item.error.Error}: ${causeMessage(item.error.Cause)}`;
    case 'DEFERRED_TO_OWNER':
      return item.plan?.reason ?? 'deferred to the stage owner';
    case 'JOINED': {
      const joined = item.lock?.joined;
      if (joined === undefined) {
        return 'joined a remediation of this stage in progress, which records its outcome here too';
      }
      // Queued (docs/decisions/0037): the holder runs another round for it after its own.
      return item.lock?.queued === true
        ? `queued for the next round of remediation ${joined.remediationId} (execution ${joined.executionArn}), ` +
            'which plans it after its own and records its outcome here'
        : `joined remediation ${joined.remediationId} (execution ${joined.executionArn}), ` +
            'which records its outcome here too';
    }
  }
}

function changesOf(item: StageWorkItem, outcome: OutcomeStatus): readonly ControlChange[] {
  // A joined run neither read nor planned the stage: the run it joined records what changes.
  if (outcome === 'JOINED') return [];
  if (outcome === 'REMEDIATED') return item.applied?.applied ?? foundPlanOf(item.plan)?.toApply ?? [];
  if (outcome === 'SKIPPED' && brakeError(item) !== undefined) {
    // Stopped by a brake at the apply step: what would have changed is the whole plan.
    return [
      ...(foundPlanOf(item.plan)?.toApply ?? []),
      ...(foundPlanOf(item.plan)?.notApplied.map(({ why: _why, ...change }) => change) ?? []),
    ];
  }
  if (outcome === 'DRY_RUN' || outcome === 'SKIPPED' || outcome === 'DEFERRED_TO_OWNER') {
    return foundPlanOf(item.plan)?.notApplied.map(({ why: _why, ...change }) => change) ?? [];
  }
  return foundPlanOf(item.plan)?.toApply ?? [];
}

function evaluationsOf(item: StageWorkItem): readonly OutcomeEvaluation[] {
  if (item.plan === undefined || item.plan.status === 'GONE') {
    // The workflow ended before reading the stage: every requested control, status unknown.
    return item.request.controls.map((controlId) => ({
      controlId,
      compliance: 'NOT_AVAILABLE' as const,
      reason: 'not checked: the workflow ended before reading the stage',
    }));
  }
  // The verification re-read the changed controls; the others stand as planned.
  const { plan } = item;
  const verified = new Map(
    item.verification?.evaluations.map((evaluation) => [evaluation.controlId, evaluation]),
  );
  const handlingOf = (controlId: ControlId): ControlHandling =>
    plan.applyControls.includes(controlId)
      ? 'applied'
      : (plan.notApplied.find((change) => change.controlId === controlId)?.why ?? 'report-only');
  return plan.evaluations
    .filter((evaluation) => evaluation.status !== 'NOT_APPLICABLE')
    .map((read) => {
      const evaluation = verified.get(read.controlId) ?? read;
      const failedWhenRead = read.status === 'NON_COMPLIANT';
      return {
        controlId: evaluation.controlId,
        compliance: evaluation.status === 'COMPLIANT' ? ('PASSED' as const) : ('FAILED' as const),
        reason: evaluation.reason,
        before: failedWhenRead ? ('NON_COMPLIANT' as const) : ('COMPLIANT' as const),
        ...(failedWhenRead ? { handling: handlingOf(read.controlId) } : {}),
      };
    });
}

/**
 * The controls worth a finding of the service's own after CloudTrail drift: those that failed
 * when the stage was read (the drift, and what was done about it), or every requested control
 * when the stage was never read (the outcome, FAILED say, must still be seen). Controls that
 * already passed are left out: a finding per passing control would only be noise.
 */
export function driftEvaluations(record: OutcomeRecord): readonly OutcomeEvaluation[] {
  return record.evaluations.filter((evaluation) => evaluation.before !== 'COMPLIANT');
}

const LEFT_UNDONE: Readonly<
  Record<Exclude<ControlHandling, 'applied'>, { outcome: OutcomeStatus; why: string }>
> = {
  'report-only': { outcome: 'SKIPPED', why: 'reported only (no safe automatic fix)' },
  notify: { outcome: 'SKIPPED', why: 'reported only (mode notify)' },
  'dry-run': { outcome: 'DRY_RUN', why: 'not changed (dry run)' },
  'unattended-deployment': { outcome: 'SKIPPED', why: `reported only: ${UNATTENDED_DEPLOYMENT_REASON}` },
  exempt: { outcome: 'SKIPPED', why: 'not changed (exempt)' },
  'deferred-to-owner': {
    outcome: 'DEFERRED_TO_OWNER',
    why: "not changed: deferred to the stage's owner, whose deployments keep reverting the fix (make the template change, or clear-deferral)",
  },
  'stage-changed': {
    outcome: 'SKIPPED',
    why: 'not changed: the stage changed while waiting for approval, so the approved change is not what would be applied now',
  },
};

/**
 * The record a finding gets, from the record of the run that handled its stage. A run plans the
 * union of its findings' controls (a batch's findings coalesced by Admit, a holder's round, a
 * joiner), and one outcome for the stage would be untrue of some of them: the stage REMEDIATED,
 * yet the finding of a control in mode notify was not fixed and must not be resolved. So a finding
 * of one control whose share ({@link controlRecord}) ends otherwise than the stage gets that share;
 * a finding whose control shares the stage's outcome gets the stage's record (every change of the
 * run, true of its stage), so such findings still go in one BatchUpdateFindings call. A finding of
 * several controls, or of controls the record never evaluated (the run stopped before it read the
 * stage), gets the stage's record.
 */
export function findingRecord(record: OutcomeRecord, controls: readonly string[] | undefined): OutcomeRecord {
  if (controls === undefined || controls.length !== 1) return record;
  const evaluation = record.evaluations.find((candidate) => candidate.controlId === controls[0]);
  if (evaluation === undefined) return record;
  const share = controlRecord(record, evaluation);
  return share.outcome === record.outcome ? record : share;
}

/**
 * One control's share of a stage's record: its own outcome, reason and changes, for the finding of
 * that control and the per-control metric. A control left undone (report-only, notify, dry-run)
 * says what fails and that it is only reported, whatever happened to the stage's other controls;
 * a control that passed when read is ALREADY_COMPLIANT; an applied control, or one never read,
 * shares the stage's outcome.
 */
export function controlRecord(record: OutcomeRecord, evaluation: OutcomeEvaluation): OutcomeRecord {
  const { controlId } = evaluation;
  const own = {
    ...record,
    changes: record.changes.filter((change) => change.controlId === controlId),
    evaluations: [evaluation],
    ...(record.iac === undefined
      ? {}
      : {
          iac: {
            ...record.iac,
            sourceFixes: record.iac.sourceFixes.filter((fix) => fix.controlId === controlId),
          },
        }),
  };
  if (evaluation.before === undefined) return own;
  if (evaluation.before === 'COMPLIANT') {
    return { ...own, outcome: 'ALREADY_COMPLIANT', reason: `${controlId} passes: ${evaluation.reason}` };
  }
  const handling = evaluation.handling ?? 'report-only';
  if (handling === 'applied') {
    return record.outcome === 'REMEDIATED'
      ? { ...own, reason: `fixed ${controlId}: ${evaluation.reason}` }
      : own;
  }
  const undone = LEFT_UNDONE[handling];
  // Notify because the kill switch said so, not because of its configured mode: say which.
  const exemption = handling === 'exempt' ? record.exemptions?.[controlId] : undefined;
  const why =
    exemption !== undefined
      ? `not changed (${exemption})`
      : handling === 'notify' && record.brake !== undefined
        ? `not changed (${record.brake})`
        : undone.why;
  return {
    ...own,
    outcome: undone.outcome,
    // An approver did decide on a change the stage then outgrew: keep who that was.
    approver: handling === 'stage-changed' ? record.approver : `nobody (${handling})`,
    reason: `${controlId} fails, ${why}: ${evaluation.reason}`,
  };
}

function exemptionsOf(item: StageWorkItem): { readonly exemptions?: Record<string, string> } {
  // Stryker disable next-line ArrayDeclaration: equivalent, an entry in the fallback list is a string, which has no exemption, so flatMap yields nothing either way
  const exempt = (item.decision?.controls ?? []).flatMap((control) =>
    control.exemption === undefined ? [] : [[control.controlId, control.exemption] as const],
  );
  return exempt.length === 0 ? {} : { exemptions: Object.fromEntries(exempt) };
}

/** A joined run read nothing: the run it joined records the owner. */
function iacOf(item: StageWorkItem, outcome: OutcomeStatus): { readonly iac?: IacSummary } {
  const iac = outcome === 'JOINED' ? undefined : foundPlanOf(item.plan)?.iac;
  return iac === undefined ? {} : { iac };
}

export function toOutcomeRecord(
  item: StageWorkItem,
  outcome: OutcomeStatus,
  serviceVersion: string,
  now: Date,
): OutcomeRecord {
  return {
    outcome,
    // Without a decision (a run that joined or queued before deciding, docs/decisions/0043, or one
    // that stopped earlier) the id is the one its lock owner and a decision would carry.
    remediationId:
      item.decision?.remediationId ?? remediationIdOf(item.executionArn, item.stage, item.request),
    executionArn: item.executionArn,
    stage: item.stage,
    trigger: item.request.trigger,
    ...(item.request.findingId === undefined ? {} : { findingId: item.request.findingId }),
    ...(item.request.productArn === undefined ? {} : { findingProductArn: item.request.productArn }),
    changes: changesOf(item, outcome),
    approver: approverOf(item, outcome),
    reason: reasonOf(item, outcome),
    ...brakeOf(item, outcome),
    ...exemptionsOf(item),
    evaluations: evaluationsOf(item),
    ...iacOf(item, outcome),
    serviceVersion,
    recordedAt: now.toISOString(),
  };
}

/** `before → after` of one change, as both the note and the notification print it. */
export function describeChange(change: ControlChange): string {
  const show = (value: ControlChange['before']) => (value === null ? '(unset)' : String(value));
  return `${change.controlId} ${change.setting}: ${show(change.before)} → ${show(change.after)}`;
}
