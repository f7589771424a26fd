/**
 * Reads the kill switch: one SSM GetParameter (./ssm-parameter.ts), its value kept
 * KILL_SWITCH_CACHE_SECONDS per warm Lambda, so flipping it stops new changes within seconds
 * without a call per stage. (Until 2026-12-02 this was Powertools Parameters' SSMProvider over the
 * SSM client, with the same maxAge; docs/decisions/0033 says why it is not any more.) Only a value
 * read is kept: a failed read is asked again next time, and counts as on until then. A read that
 * was throttled, or refused a place in the paced schedule of the home account's GetParameter
 * quota (docs/decisions/0038), is not a failed read: it is thrown, and the state machine retries
 * the task, which then reads the switch (counting it as on would brake every run of a burst).
 */
import {
  KILL_SWITCH_CACHE_SECONDS,
  KILL_SWITCH_PARAMETER_ENV,
  parseKillSwitch,
  unreadableKillSwitch,
  type KillSwitch,
} from '../kill-switch.js';
import { RETRIED_ERRORS, retriedByStateMachine } from '../coarse.js';
import { homePaceScope, PACED_OPERATIONS, pacedCalls, type Pacer } from '../pacing.js';
import type { EndpointOptions } from './endpoint.js';
import { createSsmParameterReader } from './ssm-parameter.js';

export interface KillSwitchDeps {
  readonly killSwitch: () => Promise<KillSwitch>;
}

export interface KillSwitchOptions extends EndpointOptions {
  /** Default: env KILL_SWITCH_PARAMETER (set by the central stack). */
  readonly parameterName?: string;
  /** Test credentials and Region (moto); the Lambda's own otherwise. */
  readonly clientConfig?: {
    readonly region?: string;
    readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  };
  /** Default Date.now: when a kept value is too old. */
  readonly nowMs?: () => number;
  /** Paces each read in the home account's schedule of the Region (docs/decisions/0038). */
  readonly pacer?: Pacer;
}

export function createKillSwitchDeps(options: KillSwitchOptions = {}): KillSwitchDeps {
  let read: ((name: string) => Promise<string>) | undefined;
  let kept: { readonly name: string; readonly value: string; readonly atMs: number } | undefined;
  const nowMs = options.nowMs ?? Date.now;
  return {
    killSwitch: async () => {
      const parameterName = options.parameterName ?? process.env[KILL_SWITCH_PARAMETER_ENV];
      if (parameterName === undefined || parameterName === '') {
        return unreadableKillSwitch(
          new Error(`env ${KILL_SWITCH_PARAMETER_ENV} names no parameter`),
          '(none)',
        );
      }
      if (kept?.name === parameterName && nowMs() - kept.atMs < KILL_SWITCH_CACHE_SECONDS * 1000) {
        return parseKillSwitch(kept.value, parameterName);
      }
      read ??= createSsmParameterReader({
        ...(options.clientConfig?.region === undefined ? {} : { region: options.clientConfig.region }),
        ...(options.clientConfig?.credentials === undefined
          ? {}
          : { credentials: options.clientConfig.credentials }),
        // Only an explicit endpoint: the reader itself prefers AWS_ENDPOINT_URL_SSM to AWS_ENDPOINT_URL.
        ...(options.endpoint === undefined || options.endpoint === '' ? {} : { endpoint: options.endpoint }),
      });
      try {
        const region = options.clientConfig?.region ?? process.env.AWS_REGION ?? 'default';
        if (options.pacer !== undefined) {
          await pacedCalls(options.pacer, PACED_OPERATIONS.killSwitch, homePaceScope(region))('GetParameter');
        }
        const value = await read(parameterName);
        kept = { name: parameterName, value, atMs: nowMs() };
        return parseKillSwitch(value, parameterName);
      } catch (error) {
        if (retriedByStateMachine(error, RETRIED_ERRORS)) throw error;
        return unreadableKillSwitch(error, parameterName);
      }
    },
  };
}
