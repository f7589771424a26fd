/**
 * `exempt`, `unexempt` and `exemptions` (issue 12): an operator's exemptions of a stage and control,
 * kept in the ledger under the key the decide task reads (ledger/exemption.ts, docs/decisions/0028).
 * The account of the stage is `--account`, else the caller's own (a stage ARN names no account).
 */
import type { RemediationConfig } from '../../config/schema.js';
import { parseStageArn } from '../core/arn.js';
import type { ExemptionEntry } from '../ledger/entry.js';
import {
  actorName,
  buildExemption,
  defaultUntil,
  endExemption,
  exemptionEntryId,
  isActiveExemption,
} from '../ledger/exemption.js';
import { randomUUID } from 'node:crypto';
import { resolveAccess } from './access.js';
import { withContext } from './aws-errors.js';
import { renderTable } from './render.js';
import type { LedgerCommandOptions } from './undo-args.js';
import { UndoRefusedError } from './undo.js';
import { ledgerAccess, ledgerCall } from './undo-ledger.js';

type Options<C extends LedgerCommandOptions['command']> = Extract<LedgerCommandOptions, { command: C }>;

interface Output {
  readonly stdout: { write(text: string): unknown };
}

/** An exemption as `exemptions --output json` prints it. */
export function exemptionJson(exemption: ExemptionEntry, now: Date) {
  return {
    entryId: exemption.entryId,
    stageArn: exemption.stageArn,
    account: exemption.account,
    controlId: exemption.controlId,
    cause: exemption.cause,
    reason: exemption.reason,
    by: actorName(exemption.actor),
    recordedAt: exemption.recordedAt,
    until: exemption.until ?? null,
    endedAt: exemption.endedAt ?? null,
    active: isActiveExemption(exemption, now),
  };
}

function status(exemption: ExemptionEntry, now: Date): string {
  if (exemption.endedAt !== undefined) return `ended ${exemption.endedAt}`;
  return isActiveExemption(exemption, now) ? 'active' : `expired ${exemption.until ?? ''}`;
}

export function renderExemptions(exemptions: readonly ExemptionEntry[], now: Date): string {
  if (exemptions.length === 0) return 'No exemption.\n';
  const rows = [
    ['STAGE', 'ACCOUNT', 'CONTROL', 'STATUS', 'UNTIL', 'CAUSE', 'BY', 'REASON'],
    ...exemptions.map((exemption) => [
      exemption.stageArn,
      exemption.account,
      exemption.controlId,
      status(exemption, now),
      exemption.until ?? '(no end)',
      exemption.cause,
      actorName(exemption.actor),
      exemption.reason,
    ]),
  ];
  return `${renderTable(rows).join('\n')}\n`;
}

async function callerAndStage(options: Options<'exempt' | 'unexempt'>, config: RemediationConfig) {
  const locator = parseStageArn(options.stageArn);
  // The caller's identity only: no member role is assumed to write the central ledger.
  const access = await resolveAccess({ ...options.access, regions: [locator.region], accounts: [] }, config);
  const account = options.access.accounts[0] ?? access.caller.account;
  return {
    caller: access.caller,
    stage: { stageArn: options.stageArn, account, ...locator },
  };
}

export async function runExempt(
  options: Options<'exempt'>,
  config: RemediationConfig,
  out: Output,
  now: () => Date = () => new Date(),
): Promise<number> {
  const ledger = await ledgerAccess(options.access, options);
  const { caller, stage } = await callerAndStage(options, config);
  const at = now();
  const exemption = buildExemption({
    stage,
    controlId: options.controlId,
    reason: options.reason,
    until: options.until ?? defaultUntil(at, config.exemptions.defaultDays),
    cause: 'OPERATOR',
    actor: { kind: 'cli', callerArn: caller.arn || caller.account, runId: randomUUID() },
    now: at,
  });
  // A new exemption of the same stage and control replaces the earlier one on purpose.
  await withContext(ledgerCall(ledger, 'PutItem', 'dynamodb:PutItem'), () => ledger.store.replace(exemption));
  out.stdout.write(
    options.output === 'json'
      ? `${JSON.stringify({ exemption: exemptionJson(exemption, at) }, null, 2)}\n`
      : `Exempt: ${exemption.controlId} on ${exemption.stageArn} (account ${exemption.account}) until ${exemption.until ?? '(no end)'} (${exemption.entryId})\n`,
  );
  return 0;
}

export async function runUnexempt(
  options: Options<'unexempt'>,
  config: RemediationConfig,
  out: Output,
  now: () => Date = () => new Date(),
): Promise<number> {
  const ledger = await ledgerAccess(options.access, options);
  const { stage } = await callerAndStage(options, config);
  const id = exemptionEntryId(stage.account, stage.stageArn, options.controlId);
  const existing = await withContext(ledgerCall(ledger, 'GetItem', 'dynamodb:GetItem'), () =>
    ledger.store.get(id),
  );
  if (existing?.kind !== 'EXEMPTION') {
    throw new UndoRefusedError(
      `no exemption of ${options.controlId} on ${stage.stageArn} in account ${stage.account} (${id})`,
    );
  }
  if (existing.endedAt !== undefined) {
    throw new UndoRefusedError(`the exemption ${id} ended already at ${existing.endedAt}`);
  }
  const at = now();
  const ended = endExemption(existing, at);
  await withContext(ledgerCall(ledger, 'PutItem', 'dynamodb:PutItem'), () => ledger.store.replace(ended));
  out.stdout.write(
    options.output === 'json'
      ? `${JSON.stringify({ exemption: exemptionJson(ended, at) }, null, 2)}\n`
      : `Ended: the exemption of ${ended.controlId} on ${ended.stageArn} (${ended.entryId}); the service fixes it again\n`,
  );
  return 0;
}

export async function runExemptions(
  options: Options<'exemptions'>,
  out: Output,
  now: () => Date = () => new Date(),
): Promise<number> {
  const ledger = await ledgerAccess(options.access, options);
  const { stageArn } = options;
  const entries = await withContext(
    stageArn === undefined
      ? ledgerCall(ledger, 'Scan', 'dynamodb:Scan')
      : ledgerCall(ledger, 'Query', 'dynamodb:Query'),
    () => (stageArn === undefined ? ledger.store.list() : ledger.store.listByStage(stageArn)),
  );
  const exemptions = entries.filter((entry): entry is ExemptionEntry => entry.kind === 'EXEMPTION');
  const at = now();
  out.stdout.write(
    options.output === 'json'
      ? `${JSON.stringify({ exemptions: exemptions.map((exemption) => exemptionJson(exemption, at)) }, null, 2)}\n`
      : renderExemptions(exemptions, at),
  );
  return 0;
}
