/**
 * Which accounts and Regions the CLI reads, with which credentials: the SDK's own defaults, as AWS
 * users expect, through the same client factory and the same member-role resolver as the Lambdas.
 *
 * - Credentials: the SDK default provider chain; `--profile NAME` reads that profile with the SDK's
 *   `fromIni` (it wins over AWS_ACCESS_KEY_ID, as in the AWS CLI), and AWS_PROFILE is set to it so
 *   the Region and endpoint settings of the profile apply too.
 * - Region: each `--region`, else the SDK default Region (AWS_REGION, then the profile's `region`),
 *   read from an SDK client's own resolved configuration.
 * - Endpoint: none is set here; the SDK resolves AWS_ENDPOINT_URL, the service-specific
 *   AWS_ENDPOINT_URL_<SERVICE> (API_GATEWAY, APIGATEWAYV2, STS, …) and the profile's `endpoint_url`
 *   itself, with the service-specific setting winning (AWS SDKs and Tools Reference Guide,
 *   "Service-specific endpoints": https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
 *   The core's factory would otherwise copy AWS_ENDPOINT_URL into every client, which would hide
 *   a service-specific variable; an empty endpoint option tells it to leave the choice to the SDK.
 * - Accounts: the caller's own (STS GetCallerIdentity), or each `--account` through the member role
 *   (`--role-name`, default the configuration's `crossAccount.memberRoleName`, with its session
 *   name), assumed exactly as the workflow assumes it (core/credentials.ts).
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { RemediationConfig } from '../../config/schema.js';
import { partitionOfRegion } from '../core/arn.js';
import { createCoreClients, createStsClient, type CoreClients } from '../core/clients.js';
import { createCredentialResolver } from '../core/credentials.js';
import type { Partition } from '../core/types.js';
import type { AccessOptions } from './args.js';
import { AwsAccessError, withContext } from './aws-errors.js';

/** Lets the SDK resolve the endpoint from its own settings (see the module comment). */
const SDK_RESOLVES_ENDPOINT = '';

/** One account in one Region, with the core's clients for it. */
export interface Target {
  readonly account: string;
  readonly region: string;
  readonly partition: Partition;
  readonly clients: CoreClients;
}

export interface Caller {
  readonly account: string;
  readonly arn: string;
}

export interface Access {
  readonly caller: Caller;
  readonly targets: readonly Target[];
}

/** The SDK default Region, as an SDK client resolves it (env AWS_REGION, then the profile's region). */
async function defaultRegion(): Promise<string> {
  try {
    const region = await new STSClient({}).config.region();
    if (region !== undefined && region !== '') return region;
  } catch {
    // No Region anywhere: said below.
  }
  throw new AwsAccessError(
    'no AWS Region: pass --region R, set AWS_REGION, or set `region` in the profile (~/.aws/config)',
  );
}

async function callerIdentity(
  region: string,
  credentials: AwsCredentialIdentityProvider | undefined,
): Promise<Caller> {
  const sts = createStsClient({
    region,
    endpoint: SDK_RESOLVES_ENDPOINT,
    ...(credentials === undefined ? {} : { credentials }),
  });
  const identity = await withContext(
    { operation: 'STS.GetCallerIdentity', iamAction: 'sts:GetCallerIdentity', resource: '*', region },
    () => sts.send(new GetCallerIdentityCommand({})),
  );
  if (identity.Account === undefined) {
    throw new AwsAccessError(`STS GetCallerIdentity in ${region} returned no Account`);
  }
  return { account: identity.Account, arn: identity.Arn ?? '' };
}

/** The accounts × Regions to read; fails with an {@link AwsAccessError} naming what could not be reached. */
export async function resolveAccess(options: AccessOptions, config: RemediationConfig): Promise<Access> {
  if (options.profile !== undefined) process.env.AWS_PROFILE = options.profile;
  const source = options.profile === undefined ? undefined : fromIni({ profile: options.profile });
  const regions = options.regions.length > 0 ? options.regions : [await defaultRegion()];
  const firstRegion = regions[0] ?? '';
  const caller = await callerIdentity(firstRegion, source);
  const accounts = options.accounts.length > 0 ? options.accounts : [caller.account];
  const resolver = createCredentialResolver({
    crossAccount: {
      memberRoleName: options.roleName ?? config.crossAccount.memberRoleName,
      sessionName: config.crossAccount.sessionName,
    },
    sts: ({ region }) =>
      createStsClient({
        region,
        endpoint: SDK_RESOLVES_ENDPOINT,
        ...(source === undefined ? {} : { credentials: source }),
      }),
    endpoint: SDK_RESOLVES_ENDPOINT,
    ...(source === undefined ? {} : { sourceCredentials: source }),
    homeAccount: caller.account,
  });
  const targets: Target[] = [];
  for (const account of accounts) {
    for (const region of regions) {
      const partition = partitionOfRegion(region);
      const assumed = await resolver.credentialsFor({ account, partition, region });
      const credentials = assumed ?? source;
      targets.push({
        account,
        region,
        partition,
        clients: createCoreClients({
          region,
          endpoint: SDK_RESOLVES_ENDPOINT,
          ...(credentials === undefined ? {} : { credentials }),
        }),
      });
    }
  }
  return { caller, targets };
}
