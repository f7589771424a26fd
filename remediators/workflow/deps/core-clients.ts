/**
 * The core's clients in the stage's account and Region, and the core's cache, kept for the life of
 * the warm Lambda: the Region's CloudWatch role setting and the baseline web ACL are then read once
 * per account and Region, not once per stage.
 *
 * One factory per client set (core/clients.ts): a task takes the smallest set its core calls
 * need, so its bundle carries no SDK client it never calls (API Gateway only for the tasks that
 * read, list or deploy stages; plus WAF to associate the baseline web ACL, in update-stage; plus
 * CloudWatch Logs for apply's prerequisites).
 */
import { createCoreCache, type CoreCache } from '../../core/cache.js';
import {
  createApiClients,
  createCoreClients,
  createStageClients,
  type ApiClients,
  type ClientOptions,
  type CoreClients,
  type StageClients,
} from '../../core/clients.js';
import type { CredentialTarget } from '../../core/credentials.js';
import { memberPaceScope, PACED_OPERATIONS, pacedCalls, type Pacer } from '../pacing.js';
import { endpointConfig, type EndpointOptions } from './endpoint.js';
import type { MemberAccountDeps } from './member-account.js';

export interface ClientsOptions extends EndpointOptions {
  /** Paces every API Gateway call in the target account's schedule (docs/decisions/0038). */
  readonly pacer?: Pacer;
}

export interface ClientsDeps<Clients extends ApiClients> {
  readonly coreClients: (target: CredentialTarget) => Promise<Clients>;
  readonly coreCache: CoreCache;
}

/** Every client the core has (API Gateway v1/v2, WAF, Logs). */
export type CoreClientsDeps = ClientsDeps<CoreClients>;
/** API Gateway v1/v2 and WAF. */
export type StageClientsDeps = ClientsDeps<StageClients>;
/** API Gateway v1/v2 only. */
export type ApiClientsDeps = ClientsDeps<ApiClients>;

type AccountCredentials = Pick<MemberAccountDeps, 'credentials'>;

function clientsDeps<Clients extends ApiClients>(
  account: AccountCredentials,
  options: ClientsOptions,
  create: (options: ClientOptions) => Clients,
): ClientsDeps<Clients> {
  return {
    coreCache: createCoreCache(),
    coreClients: async (target) => {
      const assumed = await account.credentials(target);
      return create({
        region: target.region,
        ...endpointConfig(options),
        ...(assumed === undefined ? {} : { credentials: assumed }),
        ...(options.pacer === undefined
          ? {}
          : {
              beforeApiGatewayCall: pacedCalls(
                options.pacer,
                PACED_OPERATIONS.apiGateway,
                memberPaceScope(target),
              ),
            }),
      });
    },
  };
}

export function createCoreClientsDeps(
  account: AccountCredentials,
  options: ClientsOptions = {},
): CoreClientsDeps {
  return clientsDeps(account, options, createCoreClients);
}

export function createStageClientsDeps(
  account: AccountCredentials,
  options: ClientsOptions = {},
): StageClientsDeps {
  return clientsDeps(account, options, createStageClients);
}

export function createApiClientsDeps(
  account: AccountCredentials,
  options: ClientsOptions = {},
): ApiClientsDeps {
  return clientsDeps(account, options, createApiClients);
}
