/**
 * One undo (issue 12, docs/decisions/0030): the steps the CLI's `undo` and the workflow's Undo task
 * share, so both take a remediation back the same way. Which remediation, whether it was undone
 * already, the apply and read-back around the planner (undo-plan.ts) and the shell's calls
 * (undo-apply.ts), the outcome, and what is recorded: the UNDO entry, an EXEMPTION per undone
 * control (so the service does not fix it again: the control fails again once undone), and the
 * note with Workflow SUPPRESSED on the findings (undo-findings.ts).
 *
 * The callers differ only in their shell: the CLI asks y/N and words AWS errors for an operator
 * (cli/undo.ts); the workflow takes its credentials from the member role and records a failure as
 * a FAILED UNDO entry (handlers/undo.ts). The I/O comes in as functions, so each wraps it its way.
 */
import { formatValue } from '../approvals/messages.js';
import type { StageRef, StageSnapshot } from '../core/types.js';
import type { ControlChange } from '../workflow/state.js';
import type {
  ExemptionEntry,
  LedgerActor,
  LedgerEntry,
  RefusedSetting,
  RemediationEntry,
  UndoEntry,
} from './entry.js';
import { buildExemption } from './exemption.js';
import type { UndoAction } from './undo-apply.js';
import type { SuppressResult } from './undo-findings.js';
import { undoChangesSomething, type UndoDeclarations, type UndoPlan } from './undo-plan.js';

/** A request the ledger cannot serve (no such entry, not a remediation, already undone). */
export class UndoRefusedError extends Error {
  override readonly name = 'UndoRefused';
}

/** The entry, checked to be a remediation that changed something. */
export function remediationToUndo(
  id: string,
  entry: LedgerEntry | undefined,
  table: string,
): RemediationEntry {
  if (entry === undefined) {
    throw new UndoRefusedError(
      `no ledger entry ${JSON.stringify(id)} in table ${table} (history lists the remediation ids)`,
    );
  }
  if (entry.kind !== 'REMEDIATION') {
    throw new UndoRefusedError(
      `ledger entry ${id} is an ${entry.kind} entry, not a remediation; only a remediation can be undone`,
    );
  }
  if (entry.outcome !== 'REMEDIATED') {
    throw new UndoRefusedError(
      `remediation ${id} ended ${entry.outcome}, so it changed nothing and there is nothing to undo`,
    );
  }
  return entry;
}

/** An earlier undo that took this remediation back (wholly or in part): a second one is refused. */
export function earlierUndo(id: string, stageEntries: readonly LedgerEntry[]): UndoEntry | undefined {
  return stageEntries.find(
    (entry): entry is UndoEntry =>
      entry.kind === 'UNDO' &&
      entry.undoes === id &&
      (entry.outcome === 'UNDONE' || entry.outcome === 'PARTIALLY_UNDONE'),
  );
}

/** Why a second undo of the same remediation is refused. */
export function alreadyUndone(id: string, earlier: UndoEntry): string {
  return `remediation ${id} was undone already (${earlier.outcome}) by undo ${earlier.entryId} at ${earlier.recordedAt}`;
}

/**
 * The remediation a Security Hub custom action undoes, which names a finding and not a remediation:
 * the stage's newest REMEDIATED entry that changed the finding's control (entries oldest first, as
 * the byStage index returns them).
 */
export function newestRemediationOf(
  stageEntries: readonly LedgerEntry[],
  controlIds: readonly string[],
): RemediationEntry | undefined {
  return stageEntries
    .filter(
      (entry): entry is RemediationEntry =>
        entry.kind === 'REMEDIATION' &&
        entry.outcome === 'REMEDIATED' &&
        entry.changes.some((change) => controlIds.includes(change.controlId)),
    )
    .at(-1);
}

/**
 * The restored settings as read back after the calls: a setting that does not hold the value the
 * undo set moves to the refused ones, with what the stage holds.
 */
export function readBack(
  plan: UndoPlan,
  after: StageSnapshot,
  declarations: UndoDeclarations,
): { restored: ControlChange[]; refused: RefusedSetting[] } {
  const restored: ControlChange[] = [];
  const refused: RefusedSetting[] = [...plan.refused];
  for (const change of plan.restored) {
    const current = declarations.get(change.controlId)?.(change.setting, after)?.current ?? null;
    if (current === change.after) {
      restored.push(change);
    } else {
      refused.push({
        ...change,
        current,
        why: `read back after the undo: the stage holds ${formatValue(current)}, the undo set ${formatValue(change.after)}`,
      });
    }
  }
  return { restored, refused };
}

export function undoOutcome(restored: readonly unknown[], refused: readonly unknown[]): UndoEntry['outcome'] {
  if (restored.length === 0) return 'REFUSED';
  return refused.length === 0 ? 'UNDONE' : 'PARTIALLY_UNDONE';
}

export function stageFields(entry: RemediationEntry) {
  const { stageArn, account, region, partition, apiType, apiId, stageName } = entry;
  return { stageArn, account, region, partition, apiType, apiId, stageName };
}

export function stageRefOf(entry: RemediationEntry): StageRef {
  return {
    partition: entry.partition,
    region: entry.region,
    account: entry.account,
    apiType: entry.apiType,
    apiId: entry.apiId,
    stageName: entry.stageName,
  };
}

/** What the calls did: the writes made, what was restored and refused after reading back, or the failure. */
export interface UndoApplied {
  readonly calls: readonly UndoAction[];
  readonly restored: readonly ControlChange[];
  readonly refused: readonly RefusedSetting[];
  /** The error's message when a call or the read-back failed (the UNDO entry is then FAILED). */
  readonly failure?: string;
}

/**
 * Applies the plan and reads the stage back. Nothing to change: no call at all. A failing call or
 * read is the undo's failure, returned (never thrown), so the caller records it.
 */
export async function applyAndReadBack(
  plan: UndoPlan,
  declarations: UndoDeclarations,
  io: {
    readonly apply: () => Promise<UndoAction[]>;
    readonly reread: () => Promise<StageSnapshot>;
  },
): Promise<UndoApplied> {
  if (!undoChangesSomething(plan.calls)) return { calls: [], restored: [], refused: [...plan.refused] };
  let calls: UndoAction[] = [];
  try {
    calls = await io.apply();
    return { calls, ...readBack(plan, await io.reread(), declarations) };
  } catch (error) {
    return {
      calls,
      restored: [],
      refused: [...plan.refused],
      failure: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The UNDO entry of an undo that ran (its calls made or nothing to change). */
export function undoEntryOf(input: {
  readonly remediation: RemediationEntry;
  readonly entryId: string;
  readonly actor: LedgerActor;
  readonly recordedAt: Date;
  readonly plan: Pick<UndoPlan, 'kept'>;
  readonly applied: UndoApplied;
  /** Set when the undo was refused before anything was read or changed (already undone, turned off). */
  readonly refusal?: string;
  /** Who approved it, when it waited for an approval (`undo.mode: approve`). */
  readonly approver?: string;
}): UndoEntry {
  const { remediation, applied } = input;
  const { restored, refused, failure } = applied;
  return {
    kind: 'UNDO',
    entryId: input.entryId,
    ...stageFields(remediation),
    recordedAt: input.recordedAt.toISOString(),
    actor: input.actor,
    undoes: remediation.entryId,
    outcome:
      input.refusal !== undefined
        ? 'REFUSED'
        : failure === undefined
          ? undoOutcome(restored, refused)
          : 'FAILED',
    restored: [...restored],
    refused: [...refused],
    kept: [...input.plan.kept],
    reason:
      input.refusal ??
      failure ??
      (restored.length === 0
        ? 'nothing restored: every setting was refused'
        : `restored ${restored.length} setting(s) with ${applied.calls.map((call) => call.action).join(', ')}`),
    ...(input.approver === undefined ? {} : { approver: input.approver }),
  };
}

/** The exemption of every control the undo restored a setting of, so the service leaves it alone. */
export function undoExemptions(input: {
  readonly remediation: RemediationEntry;
  readonly undo: UndoEntry;
  /** Who undid it, as people read it (the CLI caller, the Slack user, the custom action). */
  readonly by: string;
  readonly until: string;
}): ExemptionEntry[] {
  const { remediation, undo } = input;
  return remediation.controls
    .filter((controlId) => undo.restored.some((change) => change.controlId === controlId))
    .map((controlId) =>
      buildExemption({
        stage: stageFields(remediation),
        controlId,
        reason: `undone by ${input.by} (undo ${undo.entryId} of remediation ${remediation.entryId})`,
        until: input.until,
        cause: 'UNDO',
        actor: undo.actor,
        now: new Date(undo.recordedAt),
      }),
    );
}

/** The note the findings get (Security Hub keeps at most 512 characters; undo-findings.ts truncates). */
export function undoNote(undo: UndoEntry, by: string, until: string): string {
  return (
    `UNDONE by ${by} (undo ${undo.entryId} of remediation ${undo.undoes}): ` +
    `${undo.restored.map((change) => `${change.controlId} ${change.setting} ${formatValue(change.before)} → ${formatValue(change.after)}`).join('; ')}. ` +
    `Exempt until ${until}.`
  );
}

/** The ledger writes of an undo, each wrapped by its caller. */
export interface UndoLedgerIo {
  readonly put: (entry: UndoEntry) => Promise<unknown>;
  /** A newer exemption of the same stage and control replaces the earlier one (exemption.ts). */
  readonly replace: (exemption: ExemptionEntry) => Promise<unknown>;
}

/** The ledger and Security Hub writes of an undo, each wrapped by its caller. */
export interface UndoRecordIo extends UndoLedgerIo {
  readonly suppress: (note: string) => Promise<SuppressResult>;
}

export interface UndoLedgerRecorded {
  readonly exemptions: readonly ExemptionEntry[];
  /** The note for the findings (with Workflow SUPPRESSED); undefined: nothing to note, and why. */
  readonly note: { readonly text: string } | { readonly skipped: string };
}

export interface UndoRecorded {
  readonly exemptions: readonly ExemptionEntry[];
  readonly securityHub: SuppressResult;
}

/**
 * Records an undo in the ledger: the UNDO entry first (whatever the outcome), then, for what was
 * restored, the exemptions; returns the findings' note to write. A FAILED undo records its entry
 * only (nothing is known to be restored).
 */
export async function recordUndoLedger(
  io: UndoLedgerIo,
  input: {
    readonly remediation: RemediationEntry;
    readonly undo: UndoEntry;
    readonly by: string;
    readonly until: string;
  },
): Promise<UndoLedgerRecorded> {
  await io.put(input.undo);
  if (input.undo.outcome === 'FAILED') return { exemptions: [], note: { skipped: 'the undo failed' } };
  const exemptions = undoExemptions(input);
  for (const exemption of exemptions) await io.replace(exemption);
  return {
    exemptions,
    note:
      input.undo.restored.length === 0
        ? { skipped: 'nothing was restored' }
        : { text: undoNote(input.undo, input.by, input.until) },
  };
}

/** {@link recordUndoLedger}, then the note with Workflow SUPPRESSED on the findings. */
export async function recordUndo(
  io: UndoRecordIo,
  input: {
    readonly remediation: RemediationEntry;
    readonly undo: UndoEntry;
    readonly by: string;
    readonly until: string;
  },
): Promise<UndoRecorded> {
  const { exemptions, note } = await recordUndoLedger(io, input);
  const securityHub =
    'text' in note ? await io.suppress(note.text) : ({ status: 'skipped', reason: note.skipped } as const);
  return { exemptions, securityHub };
}
