/**
 * Verification: re-reads the stage and re-evaluates the controls that changed it.
 */
import type { CoreCache } from './cache.js';
import type { ApiClients } from './clients.js';
import { snapshotPartsFor } from './parts.js';
import { readStageSnapshot } from './snapshot.js';
import type { Control, Evaluation, StageRef } from './types.js';

export const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function stageLabel(ref: StageRef): string {
  return `${ref.apiId}/${ref.stageName}`;
}

export interface VerifyOptions {
  readonly cache?: CoreCache;
}

/** What the read showed: every control passing, some still failing, or the stage gone. */
export type VerifyResult =
  | { readonly status: 'VERIFIED'; readonly evaluations: readonly Evaluation[] }
  | { readonly status: 'FAILING'; readonly evaluations: readonly Evaluation[] }
  | { readonly status: 'GONE' };

/**
 * Re-reads the stage once and re-evaluates the controls. The account settings come from the cache
 * when it has them: ensurePrerequisites read them fresh and recorded what it set.
 * Verified when none of them is NON_COMPLIANT; report-only controls that are expected to stay
 * NON_COMPLIANT should not be passed in. Reading again is the state machine's: the Verify task
 * throws while controls still fail and its Retry waits with backoff (handlers/verify.ts), since a
 * WAF association can take minutes to show and a Lambda should not sleep through them.
 */
export async function verifyStage(
  ref: StageRef,
  controls: readonly Control[],
  clients: ApiClients,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const snapshot = await readStageSnapshot(ref, snapshotPartsFor(controls), clients, {
    cache: options.cache,
  });
  if (snapshot.status === 'GONE') return { status: 'GONE' };
  const evaluations = controls.map((control) => control.evaluate(snapshot));
  const passing = evaluations.every((evaluation) => evaluation.status !== 'NON_COMPLIANT');
  return { status: passing ? 'VERIFIED' : 'FAILING', evaluations };
}
