/**
 * What every effect module provides. An effect is a resource a change depends on, as plain data
 * carrying its own inputs (the plan travels between state machine tasks as JSON): created once
 * and only when absent, and never changed once it exists.
 */
import type { IamScope, IamStatement } from '../iam.js';

/** Two controls asking for one effect with different inputs: the catalog contradicts itself. */
export class EffectConflictError extends Error {
  override readonly name = 'EffectConflictError';
}

/**
 * The pure half of an effect kind: what the plan and the IAM derivation need. The controls and the
 * configuration import only this half, so no Lambda bundles an SDK client it does not call.
 */
export interface EffectModule<Effect extends { readonly kind: string }, IamInput> {
  readonly kind: Effect['kind'];
  /** Effects with one key are one resource: {@link merge} makes one of them. */
  key(effect: Effect): string;
  /** Two controls asking for the same resource; fails with {@link EffectConflictError} when they disagree. */
  merge(first: Effect, second: Effect): Effect;
  /** What the apply half calls, for any resource the input allows (e.g. every log group under a prefix). */
  iam(scope: IamScope, input: IamInput): IamStatement[];
}

/** The merge of effects that must be identical: the same resource asked for twice. */
export function sameEffect<Effect extends { readonly kind: string }>(first: Effect, second: Effect): Effect {
  if (JSON.stringify(first) !== JSON.stringify(second)) {
    throw new EffectConflictError(
      `two controls ask for the same ${first.kind} with different inputs (${JSON.stringify(first)} and ` +
        `${JSON.stringify(second)}); expected one definition of the resource`,
    );
  }
  return first;
}
