/**
 * `apigw-remediation history`: the ledger, oldest first (docs/cli.md): per entry when, the stage,
 * the control, each setting before → after, who approved (automatic, the Slack approver, the CLI
 * caller's ARN), the outcome and the execution or CLI run. UNDO and EXEMPTION entries are shown
 * beside the remediations. JSON prints the entries exactly as the ledger holds them
 * (remediators/ledger/entry.ts), so a script reads the same shape undo does.
 */
import { describeOwner } from '../iac/owner.js';
import type { LedgerActor, LedgerEntry } from '../ledger/entry.js';
import type { LedgerStore } from '../ledger/store.js';

export interface HistoryQuery {
  readonly stageArn?: string;
  /** ISO-8601, UTC (`…Z`): entries recorded at or after it. */
  readonly since?: string;
}

export async function readHistory(store: LedgerStore, query: HistoryQuery): Promise<LedgerEntry[]> {
  return query.stageArn === undefined
    ? store.list(query.since)
    : store.listByStage(query.stageArn, query.since);
}

export function historyJson(entries: readonly LedgerEntry[]): string {
  return `${JSON.stringify({ entries }, null, 2)}\n`;
}

function show(value: string | number | boolean | null): string {
  return value === null ? '(unset)' : String(value);
}

function run(actor: LedgerActor): string {
  return actor.kind === 'execution' ? actor.executionArn : `CLI run ${actor.runId} by ${actor.callerArn}`;
}

function lines(entry: LedgerEntry): string[] {
  const head = `${entry.recordedAt}  ${entry.kind}  ${entry.stageArn}`;
  switch (entry.kind) {
    case 'REMEDIATION':
      return [
        `${head}  ${entry.outcome}  remediation ${entry.entryId}`,
        `  approver: ${entry.approver}`,
        ...(entry.owner === undefined || entry.owner.kind === 'unmanaged'
          ? []
          : [`  owner: ${describeOwner(entry.owner)}`]),
        ...(entry.changes.length === 0
          ? [`  controls: ${entry.controls.join(', ')} (no change)`]
          : entry.changes.map(
              (change) =>
                `  ${change.controlId} ${change.setting}: ${show(change.before)} → ${show(change.after)}`,
            )),
        ...entry.prerequisitesCreated.map((created) => `  created ${created.kind}: ${created.id}`),
        ...(entry.reason === '' ? [] : [`  reason: ${entry.reason}`]),
        `  run: ${run(entry.actor)}`,
      ];
    case 'UNDO':
      return [
        `${head}  ${entry.outcome}  undo ${entry.entryId} of remediation ${entry.undoes}`,
        ...(entry.approver === undefined ? [] : [`  approver: ${entry.approver}`]),
        ...entry.restored.map(
          (change) =>
            `  ${change.controlId} ${change.setting}: ${show(change.before)} → ${show(change.after)} (restored)`,
        ),
        ...entry.refused.map(
          (change) =>
            `  ${change.controlId} ${change.setting}: refused, the stage holds ${show(change.current)}, not ${show(change.after)}`,
        ),
        ...entry.kept.map((kept) => `  kept ${kept.kind}: ${kept.id}`),
        ...(entry.reason === '' ? [] : [`  reason: ${entry.reason}`]),
        `  run: ${run(entry.actor)}`,
      ];
    case 'EXEMPTION':
      return [
        `${head}  EXEMPT ${entry.controlId} (${entry.cause})  exemption ${entry.entryId}`,
        `  until: ${entry.until ?? 'no end'}${entry.endedAt === undefined ? '' : `, ended ${entry.endedAt}`}`,
        `  reason: ${entry.reason}`,
        `  run: ${run(entry.actor)}`,
      ];
    case 'DEFERRAL':
      return [
        `${head}  DEFERRED_TO_OWNER ${entry.controlId} after ${entry.reverts} revert(s)  deferral ${entry.entryId}`,
        `  owner: ${entry.owner}`,
        ...(entry.sourceFix === undefined ? [] : [`  fix at the source: ${entry.sourceFix}`]),
        ...(entry.reason === '' ? [] : [`  reason: ${entry.reason}`]),
        `  run: ${run(entry.actor)}`,
      ];
  }
}

export function renderHistoryTable(entries: readonly LedgerEntry[]): string {
  if (entries.length === 0) return 'No ledger entries.\n';
  return `${entries.flatMap(lines).join('\n')}\n${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}\n`;
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `--since` as the ledger's UTC form, or undefined when it is no ISO-8601 date or time. */
export function sinceTimestamp(value: string): string | undefined {
  if (!ISO.test(value)) return undefined;
  const time = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(time)) return undefined;
  const utc = new Date(time).toISOString();
  // Date.parse rolls 2026-02-30 over into March: a day the calendar lacks is refused.
  if ((value.length === 10 || value.endsWith('Z')) && utc.slice(0, 10) !== value.slice(0, 10))
    return undefined;
  return utc;
}
