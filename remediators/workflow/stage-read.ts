/**
 * Prepare reads its stage once (issue 10: "prepare (decide + lock + read + plan, one read of the
 * stage)"). Its decide step reads the stage and the API for their tags; its snapshot step, a few
 * milliseconds later in the same invocation with no write in between, takes that read and reads
 * only the parts the controls add (core/snapshot.ts `earlier`). Before, each step read them itself:
 * two GetStage and two GetRestApi (or GetApi) per Prepare, about a quarter of a burst's API
 * Gateway calls, paced in the member account's shared schedule (workflow/pacing.ts).
 *
 * A read is kept against the invocation (shared/handler.ts currentInvocation) and taken once, so it
 * never outlives its task: a retried Prepare, Verify, and the recheck after an approval wait are
 * other invocations and read the stage again. Outside an invocation nothing is kept, and each step
 * reads for itself.
 */
import type { SnapshotResult, StageRef, StageSnapshot } from '../core/types.js';
import { currentInvocation } from '../shared/handler.js';
import { stageLockKey } from './stage-identity.js';

const kept = new WeakMap<object, Map<string, StageSnapshot>>();

/** Keeps a read of the stage for the next step of the current invocation that reads it. */
export function keepStageRead(snapshot: SnapshotResult): void {
  const invocation = currentInvocation();
  if (invocation === undefined || snapshot.status !== 'FOUND') return;
  const reads = kept.get(invocation) ?? new Map<string, StageSnapshot>();
  reads.set(stageLockKey(snapshot.ref), snapshot);
  kept.set(invocation, reads);
}

/** The read of this stage kept earlier in the current invocation, taken: a second call gets nothing. */
export function takeStageRead(ref: StageRef): StageSnapshot | undefined {
  const invocation = currentInvocation();
  const reads = invocation === undefined ? undefined : kept.get(invocation);
  const key = stageLockKey(ref);
  const read = reads?.get(key);
  reads?.delete(key);
  return read;
}
