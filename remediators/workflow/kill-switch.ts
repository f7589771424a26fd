/**
 * The kill switch: one SSM parameter (String, created by the central stack, its name in env
 * KILL_SWITCH_PARAMETER of the decide function) that turns every control into `notify` at once,
 * read at the start of each stage's run (the decide task). Pure here; the read is in
 * ./deps/kill-switch.ts.
 *
 * Values: `off` (the stack's default) lets the configuration decide; `on`, optionally followed by
 * a reason (`on: INC-1234 rollback in progress`), makes every control that would change a stage
 * (auto, approve) notify instead. Controls that are off stay off (nobody asked to look at them).
 * Anything else, or a parameter that cannot be read, counts as on: a brake that cannot be read is
 * treated as pulled, and the record says so (docs/decisions/0012).
 */
import type { ControlDecision } from './state.js';

export const KILL_SWITCH_PARAMETER_ENV = 'KILL_SWITCH_PARAMETER';
/** Seconds a warm decide Lambda keeps the value (Powertools Parameters maxAge): flipping it takes effect within this. */
export const KILL_SWITCH_CACHE_SECONDS = 5;

/** Thrown by the apply task when the switch was turned on after the decide task (e.g. during an approval wait). */
export class KillSwitchOnError extends Error {
  override readonly name = 'KillSwitchOn';
}

export type KillSwitch = { readonly state: 'off' } | { readonly state: 'on'; readonly reason: string };

/** What the record says, e.g. `kill switch on: INC-1234 (SSM parameter /apigw-remediation/kill-switch)`. */
function onBecause(why: string, parameterName: string): KillSwitch {
  return { state: 'on', reason: `kill switch on: ${why} (SSM parameter ${parameterName})` };
}

export function parseKillSwitch(value: string, parameterName: string): KillSwitch {
  const text = value.trim();
  if (/^off$/i.test(text)) return { state: 'off' };
  const on = /^on(?:\s*[:\s-]\s*(.*))?$/is.exec(text);
  if (on !== null) {
    const reason = (on[1] ?? '').trim();
    return onBecause(reason === '' ? 'no reason given' : reason.slice(0, 256), parameterName);
  }
  return onBecause(
    `the value ${JSON.stringify(text.slice(0, 64))} is neither "off" nor "on[: reason]", so it counts as on`,
    parameterName,
  );
}

/** A parameter that cannot be read (deleted, denied, throttled past the SDK's retries) counts as on. */
export function unreadableKillSwitch(error: unknown, parameterName: string): KillSwitch {
  const message = error instanceof Error ? error.message : String(error);
  return onBecause(
    `the parameter could not be read (${message.slice(0, 200)}), so it counts as on`,
    parameterName,
  );
}

/** Every control that would change the stage (auto, approve) becomes notify; off stays off. */
export function brakeControls(
  controls: readonly ControlDecision[],
  killSwitch: Extract<KillSwitch, { state: 'on' }>,
): ControlDecision[] {
  return controls.map((control) =>
    control.mode === 'auto' || control.mode === 'approve'
      ? {
          ...control,
          mode: 'notify',
          source: `${killSwitch.reason}; configured ${control.mode} by ${control.source}`,
        }
      : control,
  );
}
