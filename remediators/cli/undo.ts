/**
 * `apigw-remediation undo REMEDIATION_ID`: takes a remediation back (issue 12), on the service's own
 * pieces. The REMEDIATION entry is read from the ledger; the stage with the workflow's snapshot
 * reader (core/snapshot.ts) through the same credentials as the workflow (the member role unless
 * the stage is in the caller's account, access.ts); the undo is planned by the controls' own undo
 * declarations (ledger/undo-plan.ts), shown, confirmed, applied in ONE UpdateStage (plus the
 * UpdateRestApi / UpdateApi / DisassociateWebACL / DeleteAccessLogSettings that take back what the fix
 * did there, ledger/undo-apply.ts), read back, and recorded: an UNDO entry, an EXEMPTION per undone
 * control (so the service does not fix it again), and a note with Workflow SUPPRESSED on the findings.
 */
import { randomUUID } from 'node:crypto';
import type { RemediationConfig } from '../../config/schema.js';
import { formatValue } from '../approvals/messages.js';
import { readStageSnapshot } from '../core/snapshot.js';
import type { StageRef, StageSnapshot } from '../core/types.js';
import type {
  ExemptionEntry,
  LedgerEntry,
  RefusedSetting,
  RemediationEntry,
  UndoEntry,
} from '../ledger/entry.js';
import { buildExemption, defaultUntil } from '../ledger/exemption.js';
import { applyUndoCalls, type UndoAction } from '../ledger/undo-apply.js';
import { suppressFindings, type SuppressResult } from '../ledger/undo-findings.js';
import {
  bindUndoDeclarations,
  planUndo,
  undoChangesSomething,
  undoSnapshotParts,
  type UndoDeclarations,
  type UndoPlan,
} from '../ledger/undo-plan.js';
import type { ControlChange } from '../workflow/state.js';
import { resolveAccess } from './access.js';
import { UsageError } from './args.js';
import { AwsAccessError, withContext } from './aws-errors.js';
import { renderTable } from './render.js';
import type { LedgerCommandOptions } from './undo-args.js';
import { ledgerAccess, ledgerCall, type LedgerAccess } from './undo-ledger.js';

type UndoOptions = Extract<LedgerCommandOptions, { command: 'undo' }>;

export const UNDO_EXIT = { undone: 0, partial: 1, error: 2 } as const;

/** A request the ledger cannot serve (no such entry, not a remediation, already undone): exit 2. */
export class UndoRefusedError extends Error {
  override readonly name = 'UndoRefused';
}

export interface UndoTerminal {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Asks y/N on a terminal; undefined when nobody can answer (no TTY). */
  readonly confirm?: (question: string) => Promise<boolean>;
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

function stageFields(entry: RemediationEntry) {
  const { stageArn, account, region, partition, apiType, apiId, stageName } = entry;
  return { stageArn, account, region, partition, apiType, apiId, stageName };
}

interface UndoReport {
  readonly entry: UndoEntry;
  readonly calls: readonly UndoAction[];
  readonly exemptions: readonly ExemptionEntry[];
  readonly securityHub: SuppressResult;
}

function renderPlan(plan: UndoPlan, entry: RemediationEntry): string {
  const lines = [`Undo of remediation ${entry.entryId} on ${entry.stageArn} (account ${entry.account}):`];
  if (plan.restored.length > 0) {
    lines.push(
      ...renderTable([
        ['CONTROL', 'SETTING', 'NOW', '→', 'RESTORED TO'],
        ...plan.restored.map((change) => [
          change.controlId,
          change.setting,
          formatValue(change.before),
          '→',
          formatValue(change.after),
        ]),
      ]).map((line) => `  ${line}`),
    );
  } else {
    lines.push('  Nothing can be restored.');
  }
  for (const setting of plan.refused) {
    lines.push(`  Refused: ${setting.controlId} ${setting.setting}: ${setting.why ?? ''}`);
  }
  for (const prerequisite of plan.kept) {
    lines.push(
      `  Kept: ${prerequisite.kind} ${prerequisite.id} (created by the remediation; other stages may use it)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function renderResult(report: UndoReport): string {
  const { entry } = report;
  const lines = [`${entry.outcome}: undo ${entry.entryId} of remediation ${entry.undoes}.`];
  for (const call of report.calls) lines.push(`  ${call.action} ${call.resource}: ${call.detail}`);
  for (const setting of entry.refused) {
    lines.push(
      `  Refused: ${setting.controlId} ${setting.setting} (holds ${formatValue(setting.current)}): ${setting.why ?? ''}`,
    );
  }
  for (const exemption of report.exemptions) {
    lines.push(
      `  Exempt: ${exemption.controlId} until ${exemption.until ?? 'no end'} (${exemption.entryId})`,
    );
  }
  lines.push(
    report.securityHub.status === 'updated'
      ? `  Security Hub: ${report.securityHub.updated} finding(s) noted and SUPPRESSED`
      : `  Security Hub: skipped: ${report.securityHub.reason}`,
  );
  return `${lines.join('\n')}\n`;
}

export function undoJson(report: UndoReport): string {
  const { entry } = report;
  return `${JSON.stringify(
    {
      undo: {
        entryId: entry.entryId,
        undoes: entry.undoes,
        stageArn: entry.stageArn,
        outcome: entry.outcome,
        restored: entry.restored,
        refused: entry.refused,
        kept: entry.kept,
        calls: report.calls,
        exemptions: report.exemptions.map(({ entryId, controlId, until }) => ({ entryId, controlId, until })),
        securityHub: report.securityHub,
      },
    },
    null,
    2,
  )}\n`;
}

async function stageSnapshot(
  ref: StageRef,
  entry: RemediationEntry,
  clients: Parameters<typeof readStageSnapshot>[2],
) {
  const snapshot = await withContext(
    {
      operation: `reading stage ${entry.stageArn}`,
      iamAction: 'apigateway:GET',
      resource: entry.stageArn,
      account: ref.account,
      region: ref.region,
    },
    () => readStageSnapshot(ref, undoSnapshotParts(entry.controls), clients),
  );
  if (snapshot.status === 'GONE') {
    throw new UndoRefusedError(
      `stage ${entry.stageArn} no longer exists (${snapshot.reason}): nothing to undo`,
    );
  }
  return snapshot;
}

export async function runUndo(
  options: UndoOptions,
  config: RemediationConfig,
  terminal: UndoTerminal,
  now: () => Date = () => new Date(),
): Promise<number> {
  const ledger: LedgerAccess = await ledgerAccess(options.access, options);
  const id = options.remediationId;
  const entry = remediationToUndo(
    id,
    await withContext(ledgerCall(ledger, 'GetItem', 'dynamodb:GetItem'), () => ledger.store.get(id)),
    ledger.table,
  );
  const requested = options.access.accounts[0];
  if (requested !== undefined && requested !== entry.account) {
    throw new UsageError(
      `remediation ${id} changed a stage of account ${entry.account}, not --account ${requested}`,
      'undo',
    );
  }
  const earlier = earlierUndo(
    id,
    await withContext(ledgerCall(ledger, 'Query', 'dynamodb:Query'), () =>
      ledger.store.listByStage(entry.stageArn),
    ),
  );
  if (earlier !== undefined) {
    throw new UndoRefusedError(
      `remediation ${id} was undone already (${earlier.outcome}) by undo ${earlier.entryId} at ${earlier.recordedAt}`,
    );
  }
  const access = await resolveAccess(
    { ...options.access, regions: [entry.region], accounts: [entry.account] },
    config,
  );
  const target = access.targets[0];
  if (target === undefined)
    throw new AwsAccessError(`no credentials for account ${entry.account} in ${entry.region}`);
  const ref: StageRef = {
    partition: entry.partition,
    region: entry.region,
    account: entry.account,
    apiType: entry.apiType,
    apiId: entry.apiId,
    stageName: entry.stageName,
  };
  const declarations = bindUndoDeclarations(config);
  const plan = planUndo(entry, await stageSnapshot(ref, entry, target.clients), declarations);
  if (options.output === 'table') terminal.stdout.write(renderPlan(plan, entry));

  const changes = undoChangesSomething(plan.calls);
  if (changes && !options.yes) {
    if (terminal.confirm === undefined) {
      throw new UndoRefusedError(
        'not confirmed: no terminal to ask y/N on, and no --yes; nothing was changed',
      );
    }
    if (
      !(await terminal.confirm(`Restore ${plan.restored.length} setting(s) of ${entry.stageArn}? [y/N] `))
    ) {
      throw new UndoRefusedError('not confirmed: nothing was changed');
    }
  }

  const runId = randomUUID();
  const actor = { kind: 'cli' as const, callerArn: access.caller.arn || access.caller.account, runId };
  let calls: UndoAction[] = [];
  let restored: ControlChange[] = [];
  let refused: RefusedSetting[] = [...plan.refused];
  let failure: string | undefined;
  if (changes) {
    try {
      calls = await withContext(
        { operation: `undoing on stage ${entry.stageArn}`, account: ref.account, region: ref.region },
        () => applyUndoCalls(ref, plan.calls, target.clients),
      );
      ({ restored, refused } = readBack(plan, await stageSnapshot(ref, entry, target.clients), declarations));
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
  }
  const recordedAt = now();
  const outcome = failure === undefined ? undoOutcome(restored, refused) : 'FAILED';
  const undoEntry: UndoEntry = {
    kind: 'UNDO',
    entryId: `undo-${runId}`,
    ...stageFields(entry),
    recordedAt: recordedAt.toISOString(),
    actor,
    undoes: id,
    outcome,
    restored,
    refused,
    kept: [...plan.kept],
    reason:
      failure ??
      (restored.length === 0
        ? 'nothing restored: every setting was refused'
        : `restored ${restored.length} setting(s) with ${calls.map((call) => call.action).join(', ')}`),
  };
  await withContext(ledgerCall(ledger, 'PutItem', 'dynamodb:PutItem'), () => ledger.store.put(undoEntry));
  if (failure !== undefined) {
    throw new AwsAccessError(
      `undo ${undoEntry.entryId} of remediation ${id} FAILED (recorded in the ledger): ${failure}`,
    );
  }

  const undoneControls = entry.controls.filter((controlId) =>
    restored.some((change) => change.controlId === controlId),
  );
  const until = options.until ?? defaultUntil(recordedAt, config.exemptions.defaultDays);
  const exemptions = undoneControls.map((controlId) =>
    buildExemption({
      stage: stageFields(entry),
      controlId,
      reason: `undone by ${actor.callerArn} (undo ${undoEntry.entryId} of remediation ${id})`,
      until,
      cause: 'UNDO',
      actor,
      now: recordedAt,
    }),
  );
  for (const exemption of exemptions) {
    // A newer exemption of the same stage and control replaces the earlier one (exemption.ts).
    await withContext(ledgerCall(ledger, 'PutItem', 'dynamodb:PutItem'), () =>
      ledger.store.replace(exemption),
    );
  }
  const securityHub =
    restored.length === 0
      ? ({ status: 'skipped', reason: 'nothing was restored' } as const)
      : await suppressFindings(ledger.securityHub(entry.region), {
          findingIds: entry.findingIds,
          partition: entry.partition,
          region: entry.region,
          note:
            `UNDONE by ${actor.callerArn} (undo ${undoEntry.entryId} of remediation ${id}): ` +
            `${restored.map((change) => `${change.controlId} ${change.setting} ${formatValue(change.before)} → ${formatValue(change.after)}`).join('; ')}. ` +
            `Exempt until ${until}.`,
        });
  const report: UndoReport = { entry: undoEntry, calls, exemptions, securityHub };
  terminal.stdout.write(options.output === 'json' ? undoJson(report) : renderResult(report));
  return outcome === 'UNDONE' ? UNDO_EXIT.undone : UNDO_EXIT.partial;
}
