/**
 * Reads the kill switch with Powertools Parameters (SSMProvider: GetParameter, cached
 * KILL_SWITCH_CACHE_SECONDS per warm Lambda), so flipping it stops new changes within seconds
 * without a call per stage.
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  KILL_SWITCH_CACHE_SECONDS,
  KILL_SWITCH_PARAMETER_ENV,
  parseKillSwitch,
  unreadableKillSwitch,
  type KillSwitch,
} from '../kill-switch.js';
import { endpointConfig, type EndpointOptions } from './endpoint.js';

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
}

export function createKillSwitchDeps(options: KillSwitchOptions = {}): KillSwitchDeps {
  let provider: SSMProvider | undefined;
  return {
    killSwitch: async () => {
      const parameterName = options.parameterName ?? process.env[KILL_SWITCH_PARAMETER_ENV];
      if (parameterName === undefined || parameterName === '') {
        return unreadableKillSwitch(
          new Error(`env ${KILL_SWITCH_PARAMETER_ENV} names no parameter`),
          '(none)',
        );
      }
      provider ??= new SSMProvider({
        awsSdkV3Client: new SSMClient({ ...options.clientConfig, ...endpointConfig(options) }),
      });
      try {
        const value = await provider.get(parameterName, { maxAge: KILL_SWITCH_CACHE_SECONDS });
        return typeof value === 'string'
          ? parseKillSwitch(value, parameterName)
          : unreadableKillSwitch(new Error('no value'), parameterName);
      } catch (error) {
        return unreadableKillSwitch(error, parameterName);
      }
    },
  };
}
