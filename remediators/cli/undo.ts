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
import type { StageRef } from '../core/types.js';
import type { ExemptionEntry, RemediationEntry, UndoEntry } from '../ledger/entry.js';
import { defaultUntil } from '../ledger/exemption.js';
import { applyUndoCalls, type UndoAction } from '../ledger/undo-apply.js';
import { suppressFindings, type SuppressResult } from '../ledger/undo-findings.js';
import {
  bindUndoDeclarations,
  planUndo,
  undoChangesSomething,
  undoSnapshotParts,
  type UndoPlan,
} from '../ledger/undo-plan.js';
import {
  alreadyUndone,
  applyAndReadBack,
  earlierUndo,
  readBack,
  recordUndo,
  remediationToUndo,
  stageRefOf,
  undoEntryOf,
  undoOutcome,
  UndoRefusedError,
} from '../ledger/undo.js';
import { resolveAccess } from './access.js';
import { UsageError } from './args.js';
import { AwsAccessError, withContext } from './aws-errors.js';
import { renderTable } from './render.js';
import type { LedgerCommandOptions } from './undo-args.js';
import { ledgerAccess, ledgerCall, type LedgerAccess } from './undo-ledger.js';

type UndoOptions = Extract<LedgerCommandOptions, { command: 'undo' }>;

export const UNDO_EXIT = { undone: 0, partial: 1, error: 2 } as const;

export { earlierUndo, readBack, remediationToUndo, undoOutcome, UndoRefusedError };

export interface UndoTerminal {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Asks y/N on a terminal; undefined when nobody can answer (no TTY). */
  readonly confirm?: (question: string) => Promise<boolean>;
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
  if (earlier !== undefined) throw new UndoRefusedError(alreadyUndone(id, earlier));
  const access = await resolveAccess(
    { ...options.access, regions: [entry.region], accounts: [entry.account] },
    config,
  );
  const target = access.targets[0];
  if (target === undefined)
    throw new AwsAccessError(`no credentials for account ${entry.account} in ${entry.region}`);
  const ref: StageRef = stageRefOf(entry);
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
  const applied = await applyAndReadBack(plan, declarations, {
    apply: () =>
      withContext(
        { operation: `undoing on stage ${entry.stageArn}`, account: ref.account, region: ref.region },
        () => applyUndoCalls(ref, plan.calls, target.clients),
      ),
    reread: () => stageSnapshot(ref, entry, target.clients),
  });
  const recordedAt = now();
  const undoEntry = undoEntryOf({
    remediation: entry,
    entryId: `undo-${runId}`,
    actor,
    recordedAt,
    plan,
    applied,
  });
  const until = options.until ?? defaultUntil(recordedAt, config.exemptions.defaultDays);
  const { exemptions, securityHub } = await recordUndo(
    {
      put: (undo) =>
        withContext(ledgerCall(ledger, 'PutItem', 'dynamodb:PutItem'), () => ledger.store.put(undo)),
      replace: (exemption) =>
        withContext(ledgerCall(ledger, 'PutItem', 'dynamodb:PutItem'), () => ledger.store.replace(exemption)),
      suppress: (note) =>
        suppressFindings(ledger.securityHub(entry.region), {
          findingIds: entry.findingIds,
          partition: entry.partition,
          region: entry.region,
          note,
        }),
    },
    { remediation: entry, undo: undoEntry, by: actor.callerArn, until },
  );
  if (applied.failure !== undefined) {
    throw new AwsAccessError(
      `undo ${undoEntry.entryId} of remediation ${id} FAILED (recorded in the ledger): ${applied.failure}`,
    );
  }
  const { outcome } = undoEntry;
  const calls = applied.calls;
  const report: UndoReport = { entry: undoEntry, calls, exemptions, securityHub };
  terminal.stdout.write(options.output === 'json' ? undoJson(report) : renderResult(report));
  return outcome === 'UNDONE' ? UNDO_EXIT.undone : UNDO_EXIT.partial;
}
