/**
 * Exemptions that last (issue 12): after an undo, a rejected approval or an operator's `exempt`,
 * the stage and control are left alone until `until`, so Security Hub resetting the finding to NEW
 * does not make the service fix it again and undo the undo.
 *
 * Key (docs/decisions/0028): one item per account, stage and control, entryId
 * `exemption:{account}:{stageArn}:{controlId}`. A stage ARN has no account (API Gateway ARNs do not
 * carry one), so the account is part of the key. A new exemption of the same stage and control
 * replaces the earlier one, `unexempt` ends it in place (endedAt), and the decide task finds a
 * stage's exemptions with ONE BatchGetItem of the requested controls' keys (at most 12 of
 * BatchGetItem's 100 keys), never a query or a scan.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LEDGER_TABLE_KEY, LedgerEntrySchema, type ExemptionEntry, type LedgerActor } from './entry.js';

export const EXEMPTION_CAUSES = ['UNDO', 'REJECTED', 'OPERATOR'] as const;
export type ExemptionCause = (typeof EXEMPTION_CAUSES)[number];

export function exemptionEntryId(account: string, stageArn: string, controlId: string): string {
  return `exemption:${account}:${stageArn}:${controlId}`;
}

/** Active: not ended, and `until` (if any) still ahead. ISO-8601 UTC strings compare as times. */
export function isActiveExemption(exemption: ExemptionEntry, now: Date): boolean {
  return (
    exemption.endedAt === undefined && (exemption.until === undefined || exemption.until > now.toISOString())
  );
}

export function actorName(actor: LedgerActor): string {
  return actor.kind === 'cli' ? actor.callerArn : `execution ${actor.executionArn}`;
}

/** What the plan, the record and the operator read, e.g. `exempt until … (undo by arn:…): reason`. */
export function describeExemption(exemption: ExemptionEntry): string {
  const until = exemption.until === undefined ? 'without end' : `until ${exemption.until}`;
  const cause = {
    UNDO: 'after an undo',
    REJECTED: 'after a rejected approval',
    OPERATOR: 'set by an operator',
  }[exemption.cause];
  return `exempt ${until}, ${cause} by ${actorName(exemption.actor)}: ${exemption.reason} (ledger ${exemption.entryId})`;
}

/** `until` when none is given: `defaultDays` after `now`. */
export function defaultUntil(now: Date, defaultDays: number): string {
  return new Date(now.getTime() + defaultDays * 24 * 3600 * 1000).toISOString();
}

export interface ExemptionInput {
  readonly stage: Pick<
    ExemptionEntry,
    'stageArn' | 'account' | 'region' | 'partition' | 'apiType' | 'apiId' | 'stageName'
  >;
  readonly controlId: string;
  readonly reason: string;
  readonly until?: string;
  readonly cause: ExemptionCause;
  readonly actor: LedgerActor;
  readonly now: Date;
}

export function buildExemption(input: ExemptionInput): ExemptionEntry {
  return LedgerEntrySchema.parse({
    kind: 'EXEMPTION',
    entryId: exemptionEntryId(input.stage.account, input.stage.stageArn, input.controlId),
    ...input.stage,
    recordedAt: input.now.toISOString(),
    actor: input.actor,
    controlId: input.controlId,
    reason: input.reason,
    ...(input.until === undefined ? {} : { until: input.until }),
    cause: input.cause,
  }) as ExemptionEntry;
}

/** `unexempt`: the same entry, ended now (kept, so history shows it). */
export function endExemption(exemption: ExemptionEntry, now: Date): ExemptionEntry {
  return { ...exemption, endedAt: now.toISOString() };
}

/** BatchGetItem takes at most 100 keys per call (DynamoDB API reference, BatchGetItem). */
const BATCH_GET_MAX_KEYS = 100;
/** UnprocessedKeys are asked again, with a growing pause, this many times before the read fails. */
const UNPROCESSED_ATTEMPTS = 5;

/**
 * Every item of these keys, read consistently (an exemption written a moment ago counts). BatchGetItem
 * may answer part of the keys and return the rest as UnprocessedKeys ("If DynamoDB returns any
 * unprocessed items, you should retry the batch operation on those items ... use exponential
 * backoff"): those are asked again.
 */
async function batchGetAll(
  dynamo: DynamoDBDocumentClient,
  table: string,
  keys: readonly Record<string, string>[],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_MAX_KEYS) {
    let pending: Record<string, unknown>[] = keys.slice(start, start + BATCH_GET_MAX_KEYS);
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      if (attempt > UNPROCESSED_ATTEMPTS) {
        throw new Error(
          `ledger table ${table}: ${pending.length} exemption keys still unprocessed after ${UNPROCESSED_ATTEMPTS} BatchGetItem calls`,
        );
      }
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const answer = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(answer.Responses?.[table] ?? []));
      pending = answer.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return items;
}

/**
 * The stage's exemption entries for these controls (active or not; the caller decides with
 * {@link isActiveExemption}), read with BatchGetItem of their keys.
 */
export async function readStageExemptions(
  dynamo: DynamoDBDocumentClient,
  table: string,
  account: string,
  stageArn: string,
  controlIds: readonly string[],
): Promise<ExemptionEntry[]> {
  const keys = [...new Set(controlIds)].map((controlId) => ({
    [LEDGER_TABLE_KEY]: exemptionEntryId(account, stageArn, controlId),
  }));
  const items = await batchGetAll(dynamo, table, keys);
  return items.flatMap((item) => {
    const parsed = LedgerEntrySchema.safeParse(item);
    if (!parsed.success) {
      throw new Error(
        `ledger table ${table}: item ${JSON.stringify(item[LEDGER_TABLE_KEY])} does not have a ledger entry's shape: ${parsed.error.message}`,
      );
    }
    return parsed.data.kind === 'EXEMPTION' ? [parsed.data] : [];
  });
}
