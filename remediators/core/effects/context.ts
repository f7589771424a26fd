/** What the I/O half of an effect (core/effects/apply-*.ts) works with, and what it reports. */
import type { ActionTaken } from '../actions.js';
import type { CoreCache } from '../cache.js';
import type { ApiClients, CoreClients } from '../clients.js';
import type { StageRef } from '../types.js';

/** `Clients`: the client set the effect kind calls (core/clients.ts); the dispatcher holds them all. */
export interface EffectContext<Clients extends ApiClients = CoreClients> {
  readonly ref: StageRef;
  readonly clients: Clients;
  readonly cache: CoreCache;
}

export interface EffectResult {
  readonly actions: readonly ActionTaken[];
  /** The ARN of what the effect found or created, when a later phase needs it (the web ACL). */
  readonly arn?: string;
}

/** The I/O half of an effect kind (core/effects/apply-*.ts): find, or create when absent. */
export type ApplyEffect<Effect, Clients extends ApiClients = CoreClients> = (
  effect: Effect,
  context: EffectContext<Clients>,
) => Promise<EffectResult>;
