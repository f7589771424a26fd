/**
 * Writes a workflow entry once, however often its task runs. The store's put already takes a
 * retried write of the same item as written; a retried Task builds its entry again with its own
 * time (`recordedAt` is when the Record task ran), so an entry that differs from the stored one in
 * its time alone is the same write, and anything else under the id is a real conflict.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LedgerEntry } from './entry.js';
import { LedgerConflictError, type LedgerStore } from './store.js';

export type LedgerWrite =
  | { readonly status: 'written' | 'already-written'; readonly entryId: string }
  /** No ledger table is configured (LEDGER_TABLE_NAME unset). */
  | { readonly status: 'no-ledger' }
  | { readonly status: 'failed'; readonly entryId: string; readonly error: string };

export async function writeOnce(store: LedgerStore | undefined, entry: LedgerEntry): Promise<LedgerWrite> {
  if (store === undefined) return { status: 'no-ledger' };
  const { entryId } = entry;
  try {
    return { status: await store.put(entry), entryId };
  } catch (error) {
    if (error instanceof LedgerConflictError) {
      try {
        const existing = await store.get(entryId);
        if (
          existing !== undefined &&
          isDeepStrictEqual(existing, { ...entry, recordedAt: existing.recordedAt })
        ) {
          return { status: 'already-written', entryId };
        }
      } catch (readError) {
        return { status: 'failed', entryId, error: messageOf(readError) };
      }
    }
    return { status: 'failed', entryId, error: messageOf(error) };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
