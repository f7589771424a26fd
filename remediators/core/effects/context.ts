/** What the I/O half of an effect (core/effects/apply-*.ts) works with, and what it reports. */
import type { ActionTaken } from '../actions.js';
import type { CoreCache } from '../cache.js';
import type { CoreClients } from '../clients.js';
import type { StageRef } from '../types.js';

export interface EffectContext {
  readonly ref: StageRef;
  readonly clients: CoreClients;
  readonly cache: CoreCache;
}

export interface EffectResult {
  readonly actions: readonly ActionTaken[];
  /** The ARN of what the effect found or created, when a later phase needs it (the web ACL). */
  readonly arn?: string;
}

/** The I/O half of an effect kind (core/effects/apply-*.ts): find, or create when absent. */
export type ApplyEffect<Effect> = (effect: Effect, context: EffectContext) => Promise<EffectResult>;
