/** The clock and the ids of the workflow's handlers (tests fix the clock). */
import { randomUUID } from 'node:crypto';

export interface ClockDeps {
  readonly now: () => Date;
  readonly newId: () => string;
}

export function createClockDeps(options: { readonly now?: () => Date } = {}): ClockDeps {
  return { now: options.now ?? (() => new Date()), newId: randomUUID };
}
