/**
 * Verification: re-reads the stage and re-evaluates the controls that changed it.
 */
import { logger } from '../shared/powertools.js';
import { formatStageArn } from './arn.js';
import type { CoreCache } from './cache.js';
import type { CoreClients } from './clients.js';
import { snapshotPartsFor } from './parts.js';
import { readStageSnapshot } from './snapshot.js';
import type { Control, ControlId, Evaluation, StageRef } from './types.js';

export const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function stageLabel(ref: StageRef): string {
  return `${ref.apiId}/${ref.stageName}`;
}

export interface VerifyOptions {
  /** Reads in all; WAF association can take seconds to minutes to show. */
  readonly attempts?: number;
  /** Wait before the second read; doubles after each further read. */
  readonly initialDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly cache?: CoreCache;
}

/** What the last read showed: every control passing, some still failing, or the stage gone. */
export type VerifyResult =
  | { readonly status: 'VERIFIED'; readonly evaluations: readonly Evaluation[]; readonly reads: number }
  | {
      readonly status: 'FAILING';
      readonly evaluations: readonly Evaluation[];
      /** Controls still failing after the last read. */
      readonly failing: readonly ControlId[];
      readonly reads: number;
    }
  | { readonly status: 'GONE'; readonly reads: number };

/**
 * Re-reads the stage and re-evaluates the controls. The account settings come from the cache
 * when it has them: ensurePrerequisites read them fresh and recorded what it set.
 * Verified when none of them is NON_COMPLIANT; report-only controls that are expected to stay
 * NON_COMPLIANT should not be passed in.
 */
export async function verifyStage(
  ref: StageRef,
  controls: readonly Control[],
  clients: CoreClients,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? sleepFor;
  let delay = options.initialDelayMs ?? 2_000;
  const ids = controls.map((control) => control.id);
  const parts = snapshotPartsFor(controls);
  let last: VerifyResult = { status: 'FAILING', evaluations: [], failing: ids, reads: 0 };
  for (let read = 1; read <= attempts; read++) {
    if (read > 1) {
      await sleep(delay);
      delay *= 2;
    }
    const snapshot = await readStageSnapshot(ref, parts, clients, { cache: options.cache });
    if (snapshot.status === 'GONE') return { status: 'GONE', reads: read };
    const evaluations = controls.map((control) => control.evaluate(snapshot));
    const failing = evaluations
      .filter((evaluation) => evaluation.status === 'NON_COMPLIANT')
      .map((e) => e.controlId);
    if (failing.length === 0) return { status: 'VERIFIED', evaluations, reads: read };
    last = { status: 'FAILING', evaluations, failing, reads: read };
    logger.info('stage not yet verified; reading again', { stage: formatStageArn(ref), failing, read });
  }
  return last;
}
