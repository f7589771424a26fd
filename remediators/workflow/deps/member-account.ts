/**
 * Reaching a stage's account: the configuration (it names the member role) and the credentials
 * for the account (a provider of assumed-role credentials, or the Lambda's own in the home account; see
 * core/credentials.ts). The clients built on them are in ./core-clients.ts and ./security-hub.ts,
 * so a function carries only the SDK clients it uses.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { deployedConfig } from '../../../config/deployed.js';
import type { RemediationConfig } from '../../../config/schema.js';
import {
  createCredentialResolver,
  type CredentialResolver,
  type CredentialTarget,
} from '../../core/credentials.js';
import { endpointConfig, type EndpointOptions } from './endpoint.js';

export interface ConfigDeps {
  readonly config: () => RemediationConfig;
}

export interface MemberAccountDeps extends ConfigDeps {
  /** Undefined means the Lambda's own credentials (the stage is in the home account). */
  readonly credentials: (target: CredentialTarget) => Promise<AwsCredentialIdentityProvider | undefined>;
}

export interface MemberAccountOptions extends EndpointOptions {
  readonly config?: RemediationConfig;
  /**
   * The home account; default env HOME_ACCOUNT_ID, which the central stack sets on every function
   * that reaches member accounts. No STS GetCallerIdentity fallback here: it would bundle the STS
   * client into every such function for a call Lambda never makes (core/credentials.ts).
   */
  readonly homeAccount?: string;
}

export function createMemberAccountDeps(options: MemberAccountOptions = {}): MemberAccountDeps {
  const config = () => options.config ?? deployedConfig();
  let resolver: CredentialResolver | undefined;
  return {
    config,
    credentials: (target) => {
      resolver ??= createCredentialResolver({
        crossAccount: config().crossAccount,
        ...endpointConfig(options),
        ...(options.homeAccount === undefined ? {} : { homeAccount: options.homeAccount }),
      });
      return resolver.credentialsFor(target);
    },
  };
}
