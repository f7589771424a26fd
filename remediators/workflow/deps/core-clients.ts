/** The core's clients (API Gateway v1/v2, WAF, Logs) in the stage's account and Region. */
import { createCoreClients, type CoreClients } from '../../core/clients.js';
import type { CredentialTarget } from '../../core/credentials.js';
import { endpointConfig, type EndpointOptions } from './endpoint.js';
import type { MemberAccountDeps } from './member-account.js';

export interface CoreClientsDeps {
  readonly coreClients: (target: CredentialTarget) => Promise<CoreClients>;
}

export function createCoreClientsDeps(
  account: Pick<MemberAccountDeps, 'credentials'>,
  options: EndpointOptions = {},
): CoreClientsDeps {
  return {
    coreClients: async (target) => {
      const assumed = await account.credentials(target);
      return createCoreClients({
        region: target.region,
        ...endpointConfig(options),
        ...(assumed === undefined ? {} : { credentials: assumed }),
      });
    },
  };
}
