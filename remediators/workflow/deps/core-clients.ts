/**
 * The core's clients (API Gateway v1/v2, WAF, Logs) in the stage's account and Region, and the
 * core's cache, kept for the life of the warm Lambda: the Region's CloudWatch role setting and the
 * baseline web ACL are then read once per account and Region, not once per stage.
 */
import { createCoreCache, type CoreCache } from '../../core/cache.js';
import { createCoreClients, type CoreClients } from '../../core/clients.js';
import type { CredentialTarget } from '../../core/credentials.js';
import { endpointConfig, type EndpointOptions } from './endpoint.js';
import type { MemberAccountDeps } from './member-account.js';

export interface CoreClientsDeps {
  readonly coreClients: (target: CredentialTarget) => Promise<CoreClients>;
  readonly coreCache: CoreCache;
}

export function createCoreClientsDeps(
  account: Pick<MemberAccountDeps, 'credentials'>,
  options: EndpointOptions = {},
): CoreClientsDeps {
  return {
    coreCache: createCoreCache(),
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
