/**
 * Security Hub: in the home (administrator) account, where the findings are updated, and in the
 * stage's own account, where the service's own findings are imported (BatchImportFindings only
 * accepts findings of the calling account).
 */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { CredentialTarget } from '../../core/credentials.js';
import { beforeCallPlugin } from '../../core/clients.js';
import { homePaceScope, memberPaceScope, PACED_OPERATIONS, pacedCalls, type Pacer } from '../pacing.js';
import { endpointConfig, type EndpointOptions } from './endpoint.js';
import type { MemberAccountDeps } from './member-account.js';

export interface SecurityHubOptions extends EndpointOptions {
  /**
   * Paces the finding updates in the home account's schedule of the Region, and GetFindings and
   * BatchImportFindings in the member account's (docs/decisions/0038).
   */
  readonly pacer?: Pacer;
}

export interface HomeSecurityHubDeps {
  /** Security Hub in the home account, in the stage's Region. */
  readonly homeSecurityHub: (region: string) => SecurityHubClient;
}

export interface MemberSecurityHubDeps {
  /** Security Hub in the stage's own account and Region. */
  readonly memberSecurityHub: (target: CredentialTarget) => Promise<SecurityHubClient>;
}

export function createHomeSecurityHubDeps(options: SecurityHubOptions = {}): HomeSecurityHubDeps {
  const clients = new Map<string, SecurityHubClient>();
  return {
    homeSecurityHub: (region) => {
      let client = clients.get(region);
      if (client === undefined) {
        client = new SecurityHubClient({ region, ...endpointConfig(options) });
        if (options.pacer !== undefined) {
          client.middlewareStack.use(
            beforeCallPlugin(
              pacedCalls(options.pacer, PACED_OPERATIONS.homeSecurityHub, homePaceScope(region)),
            ),
          );
        }
        clients.set(region, client);
      }
      return client;
    },
  };
}

export function createMemberSecurityHubDeps(
  account: Pick<MemberAccountDeps, 'credentials'>,
  options: SecurityHubOptions = {},
): MemberSecurityHubDeps {
  return {
    memberSecurityHub: async (target) => {
      const assumed = await account.credentials(target);
      const client = new SecurityHubClient({
        region: target.region,
        ...endpointConfig(options),
        ...(assumed === undefined ? {} : { credentials: assumed }),
      });
      if (options.pacer !== undefined) {
        client.middlewareStack.use(
          beforeCallPlugin(
            pacedCalls(options.pacer, PACED_OPERATIONS.memberSecurityHub, memberPaceScope(target)),
          ),
        );
      }
      return client;
    },
  };
}
