/**
 * Undo task (docs/decisions/0030): the workflow's way back, for the Security Hub custom action
 * "Undo API remediation" and the Slack undo request. One function, four phases the state machine
 * names in its Parameters (the findings' note and the notification are the ReportUndo task's,
 * report-undo.ts, so this function carries no Security Hub or SNS client):
 * - DECIDE: the undo's own id (its UNDO ledger entry's) and the lock lease, like the decide task's.
 * - PLAN (only when `undo.mode` is approve): the remediation and what its undo would restore now
 *   (now → restored to), for the approval request; nothing to ask when nothing would be restored.
 * - UNDO: the remediation (the request's, or the stage's newest REMEDIATED entry of the finding's
 *   control), then the CLI's undo (remediators/ledger/undo.ts, the same functions): refused when
 *   undone already, when `undo.mode` is off, or (mode approve) when the approval was rejected,
 *   expired or never asked; else planned from a fresh read, applied in one
 *   UpdateStage (plus UpdateRestApi / UpdateApi / DeleteAccessLogSettings / DisassociateWebACL
 *   where that was the change), read back, and recorded in the ledger (UNDO entry, exemptions);
 *   it returns the note the findings get.
 * - FAILED: what the state machine caught (`error`), recorded as a FAILED UNDO entry when the
 *   remediation can be found; ReportUndo notifies it, and the lock is released after it either way.
 * A retried UNDO finds its own UNDO entry and changes nothing twice.
 */
import * as z from 'zod';
import { formatStageArn } from '../core/arn.js';
import type { StageClients } from '../core/clients.js';
import { readStageSnapshot } from '../core/snapshot.js';
import type { StageRef } from '../core/types.js';
import { createLedgerDeps, type LedgerDeps } from '../ledger/deps.js';
import type { RemediationEntry, UndoEntry } from '../ledger/entry.js';
import { defaultUntil } from '../ledger/exemption.js';
import type { LedgerStore } from '../ledger/store.js';
import {
  alreadyUndone,
  applyAndReadBack,
  earlierUndo,
  newestRemediationOf,
  recordUndoLedger,
  remediationToUndo,
  stageRefOf,
  undoEntryOf,
  UndoRefusedError,
  type UndoApplied,
} from '../ledger/undo.js';
import { applyUndoCalls } from '../ledger/undo-apply.js';
import { bindUndoDeclarations, planUndo, undoSnapshotParts } from '../ledger/undo-plan.js';
import { lambdaHandler } from '../shared/handler.js';
import { ApprovalDecisionSchema } from '../approvals/record.js';
import type { ApprovalDecision } from '../approvals/contract.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
import { createStageClientsDeps, type StageClientsDeps } from '../workflow/deps/core-clients.js';
import { createLocksDeps } from '../workflow/deps/locks.js';
import { createMemberAccountDeps, type ConfigDeps } from '../workflow/deps/member-account.js';
import { approverName, causeMessage } from '../workflow/outcome.js';
import {
  CaughtErrorSchema,
  parseTaskInput,
  RemediationRequestSchema,
  StageWorkItemSchema,
  type Decision,
} from '../workflow/state.js';
import { createDynamoPacer } from '../workflow/pacing.js';

// The item's approval fields (approval, approvalError) are StageWorkItemSchema's.
const UndoItemSchema = StageWorkItemSchema.extend({
  request: RemediationRequestSchema.extend({
    trigger: z.literal('undo'),
    undoSource: z.enum(['securityhub-action', 'slack']).optional(),
    remediationId: z.string().min(1).optional(),
    requestedBy: z.string().min(1).optional(),
  }),
  error: CaughtErrorSchema.optional(),
  // `undo.mode: approve`: the PLAN phase's result and the approval's (RequestUndoApproval,
  // SettleUndoApprovalTimeout), as the fix path carries them.
  undoPlan: z.object({ ask: z.boolean(), reason: z.string() }).optional(),
  approvalSettlement: z
    .object({
      outcome: z.enum(['EXPIRED', 'APPROVED', 'REJECTED']),
      decision: ApprovalDecisionSchema.optional(),
    })
    .optional(),
});
type UndoItem = z.infer<typeof UndoItemSchema>;

const UndoEventSchema = z.object({
  phase: z.enum(['DECIDE', 'PLAN', 'UNDO', 'FAILED']),
  item: UndoItemSchema,
});

/** What the UNDO and FAILED phases return: what ReportUndo notes and notifies (the execution history keeps it). */
export interface UndoResult {
  /** NOTHING_TO_UNDO: no remediation could be found, so no UNDO entry could name one. */
  readonly outcome: UndoEntry['outcome'] | 'NOTHING_TO_UNDO';
  readonly reason: string;
  /** Who asked, as people read it. */
  readonly by: string;
  readonly undoId?: string;
  readonly undoes?: string;
  readonly restored: UndoEntry['restored'];
  readonly refused: UndoEntry['refused'];
  readonly exemptions: readonly string[];
  /** The findings' note (Workflow SUPPRESSED with it), in the remediation's partition and Region. */
  readonly findings?: {
    readonly ids: readonly string[];
    readonly partition: RemediationEntry['partition'];
    readonly region: string;
    readonly note: { readonly text: string } | { readonly skipped: string };
  };
}

export type UndoDeps = ConfigDeps & StageClientsDeps & LedgerDeps & Pick<ClockDeps, 'now' | 'newId'>;

/** Who asked, as people read it: the Slack user, else the custom action. */
function requester(item: UndoItem): string {
  return (
    item.request.requestedBy ??
    `the Security Hub custom action "Undo API remediation" (event ${item.request.eventId ?? 'unknown'})`
  );
}

function requireLedger(deps: LedgerDeps): LedgerStore {
  const store = deps.ledger();
  if (store === undefined) {
    throw new Error('no ledger table configured (LEDGER_TABLE_NAME): an undo reads the remediation there');
  }
  return store;
}

/** The remediation to take back, or why there is none. */
async function findRemediation(
  item: UndoItem,
  store: LedgerStore,
): Promise<{ remediation: RemediationEntry } | { nothing: string }> {
  const stageArn = formatStageArn(item.stage);
  const id = item.request.remediationId;
  if (id !== undefined) {
    try {
      const remediation = remediationToUndo(id, await store.get(id), 'ledger');
      if (remediation.stageArn !== stageArn) {
        return { nothing: `remediation ${id} changed ${remediation.stageArn}, not ${stageArn}` };
      }
      return { remediation };
    } catch (error) {
      if (error instanceof UndoRefusedError) return { nothing: error.message };
      throw error;
    }
  }
  const remediation = newestRemediationOf(await store.listByStage(stageArn), item.request.controls);
  return remediation === undefined
    ? {
        nothing: `no REMEDIATED ledger entry of ${item.request.controls.join(', ')} on ${stageArn}: nothing to undo`,
      }
    : { remediation };
}

const NOTHING_APPLIED: UndoApplied = { calls: [], restored: [], refused: [] };

async function snapshotOf(ref: StageRef, remediation: RemediationEntry, clients: StageClients) {
  const snapshot = await readStageSnapshot(ref, undoSnapshotParts(remediation.controls), clients);
  if (snapshot.status === 'GONE') throw new UndoRefusedError(`stage no longer exists: ${snapshot.reason}`);
  return snapshot;
}

function undoIdOf(item: UndoItem): string {
  if (item.decision === undefined) throw new Error('undo: the item carries no decision (DecideUndo)');
  return item.decision.remediationId;
}

async function undo(deps: UndoDeps, item: UndoItem): Promise<UndoResult> {
  const store = requireLedger(deps);
  const undoId = undoIdOf(item);
  const existing = await store.get(undoId);
  if (existing?.kind === 'UNDO') {
    // A retried task: its undo is recorded already (and ReportUndo notes it again, idempotently).
    return {
      outcome: existing.outcome,
      reason: `recorded already: ${existing.reason}`,
      undoId,
      undoes: existing.undoes,
      restored: existing.restored,
      refused: existing.refused,
      exemptions: [],
      by: requester(item),
    };
  }
  const found = await findRemediation(item, store);
  if ('nothing' in found) {
    return {
      outcome: 'NOTHING_TO_UNDO',
      reason: found.nothing,
      by: requester(item),
      restored: [],
      refused: [],
      exemptions: [],
    };
  }
  const { remediation } = found;
  const config = deps.config();
  const actor = { kind: 'execution' as const, executionArn: item.executionArn };
  const by = requester(item);
  const earlier = earlierUndo(remediation.entryId, await store.listByStage(remediation.stageArn));
  const refusal =
    earlier !== undefined
      ? alreadyUndone(remediation.entryId, earlier)
      : config.undo.mode === 'off'
        ? 'undo.mode is off in the configuration: the service does not undo (the CLI `undo` still can)'
        : config.undo.mode === 'approve'
          ? approvalRefusal(item)
          : undefined;

  const approvedBy = config.undo.mode === 'approve' && refusal === undefined ? undoApprover(item) : undefined;
  let applied = NOTHING_APPLIED;
  let kept: RemediationEntry['prerequisitesCreated'] = [];
  let gone: string | undefined;
  if (refusal === undefined) {
    const ref = stageRefOf(remediation);
    const clients = await deps.coreClients(ref);
    const declarations = bindUndoDeclarations(config);
    try {
      const plan = planUndo(remediation, await snapshotOf(ref, remediation, clients), declarations);
      kept = [...plan.kept];
      applied = await applyAndReadBack(plan, declarations, {
        apply: () => applyUndoCalls(ref, plan.calls, clients),
        reread: () => snapshotOf(ref, remediation, clients),
      });
    } catch (error) {
      if (!(error instanceof UndoRefusedError)) throw error;
      gone = error.message;
    }
  }
  const recordedAt = deps.now();
  const notDone = refusal ?? gone;
  const entry = undoEntryOf({
    remediation,
    entryId: undoId,
    actor,
    recordedAt,
    plan: { kept },
    applied,
    ...(notDone === undefined ? {} : { refusal: notDone }),
    ...(approvedBy === undefined ? {} : { approver: approvedBy }),
  });
  const until = defaultUntil(recordedAt, config.exemptions.defaultDays);
  const findingIds = [
    ...new Set([
      ...remediation.findingIds,
      ...(item.request.findingId === undefined || item.request.findingFormat === 'ocsf'
        ? []
        : [item.request.findingId]),
    ]),
  ];
  const recorded = await recordUndoLedger(
    { put: (undoEntry) => store.put(undoEntry), replace: (exemption) => store.replace(exemption) },
    { remediation, undo: entry, by, until },
  );
  return {
    outcome: entry.outcome,
    reason: entry.reason,
    by,
    undoId,
    undoes: remediation.entryId,
    restored: entry.restored,
    refused: entry.refused,
    exemptions: recorded.exemptions.map(
      (exemption) => `${exemption.controlId} until ${exemption.until ?? 'no end'} (${exemption.entryId})`,
    ),
    findings: {
      ids: findingIds,
      partition: remediation.partition,
      region: remediation.region,
      note: recorded.note,
    },
  };
}

/** The request-approval payload's subject of an undo (the changes as now → restored to), or why there is nothing to ask. */
export type UndoApprovalPlan =
  | { readonly ask: false; readonly reason: string }
  | {
      readonly ask: true;
      readonly reason: string;
      readonly apiName: string;
      readonly controls: readonly string[];
      readonly changes: readonly { controlId: string; setting: string; before: unknown; after: unknown }[];
      readonly requestedAt: string;
      readonly expiresAt: string;
    };

/**
 * What the undo would restore now, for the approver. Nothing to ask when the undo is refused
 * anyway (nothing to undo, undone already, nothing restorable): the UNDO phase records why.
 * The UNDO phase plans again from a fresh read after the approval and refuses whatever changed.
 */
async function plan(deps: UndoDeps, item: UndoItem): Promise<UndoApprovalPlan> {
  const store = requireLedger(deps);
  const found = await findRemediation(item, store);
  if ('nothing' in found) return { ask: false, reason: found.nothing };
  const { remediation } = found;
  const earlier = earlierUndo(remediation.entryId, await store.listByStage(remediation.stageArn));
  if (earlier !== undefined) return { ask: false, reason: alreadyUndone(remediation.entryId, earlier) };
  const ref = stageRefOf(remediation);
  const clients = await deps.coreClients(ref);
  const config = deps.config();
  let undoPlan;
  let snapshot;
  try {
    snapshot = await snapshotOf(ref, remediation, clients);
    undoPlan = planUndo(remediation, snapshot, bindUndoDeclarations(config));
  } catch (error) {
    if (error instanceof UndoRefusedError) return { ask: false, reason: error.message };
    throw error;
  }
  if (undoPlan.restored.length === 0) {
    return {
      ask: false,
      reason: "nothing to restore: the stage no longer holds any of the remediation's values",
    };
  }
  const now = deps.now();
  return {
    ask: true,
    reason: `undo of ${remediation.entryId} awaits approval`,
    // The API's name where the undo's read includes the API (no extra read for it); else the id is shown.
    apiName: snapshot.api?.name ?? '',
    controls: [...new Set(undoPlan.restored.map((change) => change.controlId))],
    changes: undoPlan.restored.map(({ controlId, setting, before, after }) => ({
      controlId,
      setting,
      before,
      after,
    })),
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + config.approval.timeoutSeconds * 1000).toISOString(),
  };
}

/** The decision carried in a rejection's Cause (approvals/contract.ts), when it parses. */
function rejection(cause: string | undefined): ApprovalDecision | undefined {
  try {
    const parsed = ApprovalDecisionSchema.safeParse(JSON.parse(causeMessage(cause)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Who approved an undo that waited (the settlement's decision when a late one won the timeout), as "Name (id)". */
export function undoApprover(item: Pick<UndoItem, 'approval' | 'approvalSettlement'>): string | undefined {
  const decision = item.approvalSettlement?.decision ?? item.approval;
  return decision?.decision === 'APPROVED' ? approverName(decision.approver) : undefined;
}

function decidedBy(decision: ApprovalDecision | undefined): string {
  if (decision === undefined) return 'an unknown approver';
  const comment = decision.comment === undefined ? '' : `: ${decision.comment}`;
  return `${approverName(decision.approver)} at ${decision.decidedAt}${comment}`;
}

/**
 * `undo.mode: approve`: why the undo must not restore anything, or undefined once approved. An
 * expired approval never applies (approval.onTimeout is the fix path's: an undo waits for a person).
 */
export function approvalRefusal(
  item: Pick<UndoItem, 'undoPlan' | 'approval' | 'approvalError' | 'approvalSettlement'>,
): string | undefined {
  const settlement = item.approvalSettlement;
  if (settlement?.outcome === 'APPROVED' || item.approval?.decision === 'APPROVED') return undefined;
  if (settlement?.outcome === 'REJECTED')
    return `the undo's approval was rejected by ${decidedBy(settlement.decision)}`;
  if (item.approvalError?.Error === 'ApprovalRejected') {
    return `the undo's approval was rejected by ${decidedBy(rejection(item.approvalError.Cause))}`;
  }
  if (item.approvalError?.Error === 'States.Timeout') {
    return "the undo's approval expired: nobody decided within approval.timeoutSeconds, nothing restored";
  }
  return `undo.mode is approve and no approval was asked: ${item.undoPlan?.reason ?? 'the undo was not planned'}`;
}

/** The caught error as a FAILED UNDO entry (when the remediation is known), for ReportUndo to notify. */
async function failed(deps: UndoDeps, item: UndoItem): Promise<UndoResult> {
  const why =
    item.error === undefined
      ? 'the undo failed'
      : `${item.error.Error}: ${causeMessage(item.error.Cause)}`.slice(0, 1000);
  const store = deps.ledger();
  let found: Awaited<ReturnType<typeof findRemediation>> | undefined;
  try {
    found = store === undefined ? undefined : await findRemediation(item, store);
  } catch {
    found = undefined;
  }
  if (store === undefined || found === undefined || 'nothing' in found) {
    return { outcome: 'FAILED', reason: why, by: requester(item), restored: [], refused: [], exemptions: [] };
  }
  const entryId = item.decision?.remediationId ?? `undo-${deps.newId()}`;
  // The Undo task recorded its entry before it failed (a timeout, say): that record stands.
  const recorded = await store.get(entryId).catch(() => undefined);
  if (recorded?.kind === 'UNDO') {
    return {
      outcome: recorded.outcome,
      reason: `${recorded.reason} (then: ${why})`,
      by: requester(item),
      undoId: entryId,
      undoes: recorded.undoes,
      restored: recorded.restored,
      refused: recorded.refused,
      exemptions: [],
    };
  }
  const entry = undoEntryOf({
    remediation: found.remediation,
    entryId,
    actor: { kind: 'execution', executionArn: item.executionArn },
    recordedAt: deps.now(),
    plan: { kept: [] },
    applied: { ...NOTHING_APPLIED, failure: why },
  });
  await store.put(entry);
  return {
    outcome: 'FAILED',
    reason: why,
    by: requester(item),
    undoId: entry.entryId,
    undoes: entry.undoes,
    restored: [],
    refused: [],
    exemptions: [],
  };
}

function decide(deps: UndoDeps, item: UndoItem): Decision & { undoMode: string } {
  const config = deps.config();
  return {
    remediationId: `undo-${deps.newId()}`,
    route: 'PROCEED',
    // An undo covers no control in the lock: no finding joins it (acquire-lock.ts).
    controls: [],
    approvalTimeoutSeconds: config.approval.timeoutSeconds,
    onApprovalTimeout: config.approval.onTimeout,
    reason: `undo asked by ${requester(item)} (undo.mode ${config.undo.mode})`,
    // The state machine's UndoNeedsApproval reads it: only mode approve plans and asks.
    undoMode: config.undo.mode,
  };
}

export function createUndoHandler(deps: UndoDeps) {
  return async (event: unknown): Promise<Decision | UndoApprovalPlan | UndoResult> => {
    const { phase, item } = parseTaskInput('undo', UndoEventSchema, event);
    switch (phase) {
      case 'DECIDE':
        return decide(deps, item);
      case 'PLAN':
        return plan(deps, item);
      case 'UNDO':
        return undo(deps, item);
      case 'FAILED':
        return failed(deps, item);
    }
  };
}

const account = createMemberAccountDeps();
const locks = createLocksDeps();
export const handler = lambdaHandler(
  createUndoHandler({
    ...account,
    ...createStageClientsDeps(account, { pacer: createDynamoPacer({ db: locks.dynamo }) }),
    ...createLedgerDeps(locks),
    ...createClockDeps(),
  }),
);
