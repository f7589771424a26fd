/**
 * The ledger table's reads and writes (entry.ts has the shapes). Every item read back is parsed
 * with {@link LedgerEntrySchema}: an item that does not fit is named, never passed on half-read.
 *
 * Writes are idempotent, because every writer may be retried (a Step Functions Task retry, a CLI
 * run started again): `put` writes only when no item has the id yet. An item that exists already
 * with the same content is the retry's own earlier write and counts as written; one with other
 * content is a conflict and is refused with {@link LedgerConflictError}. `replace` overwrites on
 * purpose (an exemption extended or ended).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  paginateQuery,
  paginateScan,
  PutCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { isDeepStrictEqual } from 'node:util';
import {
  LEDGER_STAGE_INDEX,
  LEDGER_STAGE_INDEX_KEY,
  LEDGER_STAGE_INDEX_SORT_KEY,
  LEDGER_TABLE_KEY,
  LedgerEntrySchema,
  type LedgerEntry,
} from './entry.js';

export class MalformedLedgerItemError extends Error {
  override readonly name = 'MalformedLedgerItem';
  constructor(table: string, entryId: unknown, problems: string) {
    super(
      `ledger table ${table}: item ${JSON.stringify(entryId)} does not have a ledger entry's shape: ${problems}`,
    );
  }
}

export class LedgerConflictError extends Error {
  override readonly name = 'LedgerConflict';
  constructor(table: string, entryId: string) {
    super(`ledger table ${table}: entry ${entryId} exists already with other content; it is not overwritten`);
  }
}

function parseItem(table: string, item: Record<string, unknown>): LedgerEntry {
  const parsed = LedgerEntrySchema.safeParse(item);
  if (!parsed.success) {
    throw new MalformedLedgerItemError(table, item[LEDGER_TABLE_KEY], parsed.error.message);
  }
  return parsed.data;
}

export interface LedgerStore {
  /** Writes a new entry; a retry of the same write is a no-op; other content under its id is refused. */
  put(entry: LedgerEntry): Promise<'written' | 'already-written'>;
  /** Overwrites (or creates) an entry on purpose. */
  replace(entry: LedgerEntry): Promise<void>;
  get(entryId: string): Promise<LedgerEntry | undefined>;
  /** A stage's entries recorded at or after `since` (ISO-8601), oldest first, through the byStage index. */
  listByStage(stageArn: string, since?: string): Promise<LedgerEntry[]>;
  /** Every entry recorded at or after `since`, oldest first (a Scan: for the CLI, not for the workflow). */
  list(since?: string): Promise<LedgerEntry[]>;
}

function byRecordedAt(a: LedgerEntry, b: LedgerEntry): number {
  return a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0;
}

export function ledgerStore(dynamo: DynamoDBDocumentClient, table: string): LedgerStore {
  const get = async (entryId: string): Promise<LedgerEntry | undefined> => {
    // Consistent: an undo must see the entry its remediation has just written.
    const { Item } = await dynamo.send(
      new GetCommand({ TableName: table, Key: { [LEDGER_TABLE_KEY]: entryId }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : parseItem(table, Item);
  };
  return {
    get,
    async put(entry) {
      const item = LedgerEntrySchema.parse(entry);
      try {
        await dynamo.send(
          new PutCommand({
            TableName: table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(#id)',
            ExpressionAttributeNames: { '#id': LEDGER_TABLE_KEY },
          }),
        );
        return 'written';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const existing = await get(item.entryId);
        if (existing !== undefined && isDeepStrictEqual(existing, item)) return 'already-written';
        throw new LedgerConflictError(table, item.entryId);
      }
    },
    async replace(entry) {
      await dynamo.send(new PutCommand({ TableName: table, Item: LedgerEntrySchema.parse(entry) }));
    },
    async listByStage(stageArn, since) {
      const entries: LedgerEntry[] = [];
      const pages = paginateQuery(
        { client: dynamo },
        {
          TableName: table,
          IndexName: LEDGER_STAGE_INDEX,
          KeyConditionExpression:
            since === undefined ? '#stage = :stage' : '#stage = :stage AND #at >= :since',
          ExpressionAttributeNames: {
            '#stage': LEDGER_STAGE_INDEX_KEY,
            ...(since === undefined ? {} : { '#at': LEDGER_STAGE_INDEX_SORT_KEY }),
          },
          ExpressionAttributeValues: {
            ':stage': stageArn,
            ...(since === undefined ? {} : { ':since': since }),
          },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) entries.push(parseItem(table, item));
      }
      return entries.sort(byRecordedAt);
    },
    async list(since) {
      const entries: LedgerEntry[] = [];
      const pages = paginateScan(
        { client: dynamo },
        {
          TableName: table,
          ...(since === undefined
            ? {}
            : {
                FilterExpression: '#at >= :since',
                ExpressionAttributeNames: { '#at': LEDGER_STAGE_INDEX_SORT_KEY },
                ExpressionAttributeValues: { ':since': since },
              }),
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) entries.push(parseItem(table, item));
      }
      return entries.sort(byRecordedAt);
    },
  };
}
