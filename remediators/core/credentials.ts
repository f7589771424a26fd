/**
 * Credentials for the account that owns a stage.
 *
 * The remediators run in the home (security tooling) account. For a stage in another account
 * they assume `arn:{partition}:iam::{account}:role/{crossAccount.memberRoleName}` with the fixed
 * session name `crossAccount.sessionName`, so CloudTrail shows the service's own calls as
 * `assumed-role/{memberRoleName}/{sessionName}` and the intake can ignore them (no loops).
 * For the home account itself they use their own credentials: nothing to assume.
 *
 * The AssumeRole itself is the SDK's `fromTemporaryCredentials` (@aws-sdk/credential-providers),
 * one provider per partition + account, memoized with the SDK's own `memoizeIdentityProvider`
 * (@smithy/core): concurrent stages of one account share one AssumeRole, and the credentials are
 * reused until 5 minutes before they expire (`EXPIRATION_MS`, the window every SDK client uses),
 * so a warm Lambda remediating many stages of one account assumes once per hour or so. What stays
 * here: the role ARN per partition, the home-account shortcut, and errors that name the role.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import {
  doesIdentityRequireRefresh,
  EXPIRATION_MS,
  isIdentityExpired,
  memoizeIdentityProvider,
} from '@smithy/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import * as z from 'zod';
import { partitionOfRegion } from './arn.js';
import { createCoreClients, createRetryStrategy, type ClientOptions, type CoreClients } from './clients.js';
import type { Partition, StageRef } from './types.js';

/** Env var the deployment sets to the home account id; without it STS GetCallerIdentity is asked once (with an `sts` client: the CLI). */
export const HOME_ACCOUNT_ENV = 'HOME_ACCOUNT_ID';

/** Refresh this long before expiry, so a credential never expires in the middle of a remediation. */
export const REFRESH_BEFORE_EXPIRY_MS = EXPIRATION_MS;

const ACCOUNT_ID = /^\d{12}$/;

export class CrossAccountCredentialsError extends Error {
  override readonly name = 'CrossAccountCredentialsError';
}

export function memberRoleArn(partition: Partition, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/**
 * What a usable AssumeRole answer carries. `fromTemporaryCredentials` checks only the key pair;
 * without a session token the calls fail to sign as the role, and without an expiry the memo
 * would keep the credentials forever.
 */
const AssumedCredentialsSchema = z.object({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1),
  expiration: z.date(),
});

export interface CredentialTarget {
  readonly account: string;
  readonly partition: Partition;
  readonly region: string;
}

export interface CredentialResolver {
  /**
   * The member role's credentials for the target's account, as a provider the SDK clients call
   * (and refresh) themselves. Undefined means "the Lambda's own credentials" (the home account).
   */
  credentialsFor(target: CredentialTarget): Promise<AwsCredentialIdentityProvider | undefined>;
  homeAccount(): Promise<string>;
}

export type StsLocation = Pick<CredentialTarget, 'partition' | 'region'>;

/** The role the member stack creates in every account and the fixed session name (config `crossAccount`). */
export interface CrossAccountSettings {
  readonly memberRoleName: string;
  readonly sessionName: string;
}

export interface CredentialResolverOptions {
  readonly crossAccount: CrossAccountSettings;
  /**
   * STS client with the caller's own credentials, for GetCallerIdentity when the home account is
   * not configured (the CLI). The Lambda functions pass none: the central stack sets
   * HOME_ACCOUNT_ID on every function that reaches member accounts, so their bundles leave the STS
   * client out (its GetCallerIdentity command aside); without either, the resolver says so.
   */
  readonly sts?: (location: StsLocation) => STSClient;
  /** Overrides env AWS_ENDPOINT_URL for the AssumeRole calls (moto in tests). */
  readonly endpoint?: string;
  /** The credentials that assume the member role; default the Lambda's own (the default chain). */
  readonly sourceCredentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Defaults to env HOME_ACCOUNT_ID, else STS GetCallerIdentity (asked once, through `sts`). */
  readonly homeAccount?: string;
}

/** Where the Lambda itself runs (its Region is in AWS_REGION; its partition follows from the Region). */
function lambdaLocation(): StsLocation {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return { region, partition: partitionOfRegion(region) };
}

export function createCredentialResolver(options: CredentialResolverOptions): CredentialResolver {
  /** One memoized provider per partition + account. */
  const providers = new Map<string, AwsCredentialIdentityProvider>();
  let homeAccountId: Promise<string> | undefined;

  function homeAccount(location: StsLocation = lambdaLocation()): Promise<string> {
    // Kept only once it succeeded: a failed GetCallerIdentity is asked again next time.
    homeAccountId ??= resolveHomeAccount(location).catch((error: unknown) => {
      homeAccountId = undefined;
      throw error;
    });
    return homeAccountId;
  }

  async function resolveHomeAccount(location: StsLocation): Promise<string> {
    const configured = options.homeAccount ?? process.env[HOME_ACCOUNT_ENV];
    if (configured !== undefined && configured !== '') {
      if (!ACCOUNT_ID.test(configured)) {
        throw new CrossAccountCredentialsError(
          `home account ${JSON.stringify(configured)} (${HOME_ACCOUNT_ENV}) is not a 12-digit AWS account id`,
        );
      }
      return configured;
    }
    if (options.sts === undefined) {
      throw new CrossAccountCredentialsError(
        `env ${HOME_ACCOUNT_ENV} is not set and no STS client was given to ask GetCallerIdentity: cannot tell the home account`,
      );
    }
    const identity = await options.sts(location).send(new GetCallerIdentityCommand({}));
    if (identity.Account === undefined) {
      throw new CrossAccountCredentialsError('STS GetCallerIdentity returned no Account');
    }
    return identity.Account;
  }

  function memberRoleProvider(target: CredentialTarget): AwsCredentialIdentityProvider {
    const { memberRoleName, sessionName } = options.crossAccount;
    const roleArn = memberRoleArn(target.partition, target.account, memberRoleName);
    const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
    // STS in the stage's Region: a regional endpoint in the stage's partition (aws-cn and
    // aws-us-gov have no global one), with the same retry strategy as the core's clients.
    const assumeRole = fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: sessionName },
      ...(options.sourceCredentials === undefined ? {} : { masterCredentials: options.sourceCredentials }),
      clientConfig: {
        region: target.region,
        ...(endpoint === undefined || endpoint === '' ? {} : { endpoint }),
        retryStrategy: createRetryStrategy(),
      },
    });
    const checked: AwsCredentialIdentityProvider = async (properties) => {
      let identity: AwsCredentialIdentity;
      try {
        identity = await assumeRole(properties);
      } catch (error) {
        throw new CrossAccountCredentialsError(
          `could not assume ${roleArn} as session ${sessionName}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const parsed = AssumedCredentialsSchema.safeParse(identity);
      if (!parsed.success) {
        throw new CrossAccountCredentialsError(
          `STS AssumeRole of ${roleArn} returned unusable credentials (expected AccessKeyId, SecretAccessKey, ` +
            `SessionToken and Expiration): ${parsed.error.message}`,
        );
      }
      return parsed.data;
    };
    // A failed assume is not memoized: the next call asks STS again. (The memo is undefined only
    // for an undefined provider.)
    return memoizeIdentityProvider(checked, isIdentityExpired, doesIdentityRequireRefresh) ?? checked;
  }

  async function credentialsFor(
    target: CredentialTarget,
  ): Promise<AwsCredentialIdentityProvider | undefined> {
    if (!ACCOUNT_ID.test(target.account)) {
      throw new CrossAccountCredentialsError(
        `${JSON.stringify(target.account)} is not a 12-digit AWS account id: cannot choose credentials for it`,
      );
    }
    if (target.account === (await homeAccount(target))) return undefined;
    const key = `${target.partition}:${target.account}`;
    let provider = providers.get(key);
    if (provider === undefined) {
      provider = memberRoleProvider(target);
      providers.set(key, provider);
    }
    return provider;
  }

  return { credentialsFor, homeAccount: () => homeAccount() };
}

/** The core's clients for a stage's account and Region: assumed-role credentials unless it is the home account. */
export async function clientsForStage(
  ref: StageRef,
  resolver: CredentialResolver,
  options: Omit<ClientOptions, 'region' | 'credentials'> = {},
): Promise<CoreClients> {
  const credentials = await resolver.credentialsFor(ref);
  return createCoreClients({
    ...options,
    region: ref.region,
    ...(credentials === undefined ? {} : { credentials }),
  });
}
