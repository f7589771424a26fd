/**
 * Credentials for the account that owns a stage.
 *
 * The remediators run in the home (security tooling) account. For a stage in another account
 * they assume `arn:{partition}:iam::{account}:role/{crossAccount.memberRoleName}` with the fixed
 * session name `crossAccount.sessionName`, so CloudTrail shows the service's own calls as
 * `assumed-role/{memberRoleName}/{sessionName}` and the intake can ignore them (no loops).
 * For the home account itself they use their own credentials: nothing to assume.
 *
 * Assumed credentials are cached per partition + account and reused until 5 minutes before
 * they expire, so a warm Lambda remediating many stages of one account assumes once.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import * as z from 'zod';
import type { RemediationConfig } from '../../config/schema.js';
import { partitionOfRegion } from './arn.js';
import { createCoreClients, type ClientOptions, type CoreClients } from './clients.js';
import type { Partition, StageRef } from './types.js';

/** Env var the deployment sets to the home account id; without it STS GetCallerIdentity is asked once. */
export const HOME_ACCOUNT_ENV = 'HOME_ACCOUNT_ID';

/** Refresh this long before expiry, so a credential never expires in the middle of a remediation. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

const ACCOUNT_ID = /^\d{12}$/;

export class CrossAccountCredentialsError extends Error {
  override readonly name = 'CrossAccountCredentialsError';
}

export function memberRoleArn(partition: Partition, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

const AssumedCredentialsSchema = z.object({
  AccessKeyId: z.string().min(1),
  SecretAccessKey: z.string().min(1),
  SessionToken: z.string().min(1),
  Expiration: z.date(),
});

export interface CredentialTarget {
  readonly account: string;
  readonly partition: Partition;
  readonly region: string;
}

export interface CredentialResolver {
  /** Undefined means "the Lambda's own credentials" (the stage is in the home account). */
  credentialsFor(target: CredentialTarget): Promise<AwsCredentialIdentity | undefined>;
  homeAccount(): Promise<string>;
}

export type StsLocation = Pick<CredentialTarget, 'partition' | 'region'>;

export interface CredentialResolverOptions {
  readonly crossAccount: RemediationConfig['crossAccount'];
  /** STS client with the Lambda's own credentials, in the stage's partition and Region. */
  readonly sts: (location: StsLocation) => STSClient;
  /** Defaults to env HOME_ACCOUNT_ID, else STS GetCallerIdentity (asked once). */
  readonly homeAccount?: string;
  readonly now?: () => Date;
}

/** Where the Lambda itself runs (its Region is in AWS_REGION; its partition follows from the Region). */
function lambdaLocation(): StsLocation {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return { region, partition: partitionOfRegion(region) };
}

export function createCredentialResolver(options: CredentialResolverOptions): CredentialResolver {
  const now = options.now ?? (() => new Date());
  const cache = new Map<string, Promise<AwsCredentialIdentity & { expiration: Date }>>();
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
    const identity = await options.sts(location).send(new GetCallerIdentityCommand({}));
    if (identity.Account === undefined) {
      throw new CrossAccountCredentialsError('STS GetCallerIdentity returned no Account');
    }
    return identity.Account;
  }

  async function assume(target: CredentialTarget) {
    const roleArn = memberRoleArn(target.partition, target.account, options.crossAccount.memberRoleName);
    let response;
    try {
      response = await options
        .sts(target)
        .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: options.crossAccount.sessionName }));
    } catch (error) {
      throw new CrossAccountCredentialsError(
        `could not assume ${roleArn} as session ${options.crossAccount.sessionName}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const parsed = AssumedCredentialsSchema.safeParse(response.Credentials);
    if (!parsed.success) {
      throw new CrossAccountCredentialsError(
        `STS AssumeRole of ${roleArn} returned unusable credentials (expected AccessKeyId, SecretAccessKey, ` +
          `SessionToken and Expiration): ${parsed.error.message}`,
      );
    }
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = parsed.data;
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      sessionToken: SessionToken,
      expiration: Expiration,
    };
  }

  async function credentialsFor(target: CredentialTarget): Promise<AwsCredentialIdentity | undefined> {
    if (!ACCOUNT_ID.test(target.account)) {
      throw new CrossAccountCredentialsError(
        `${JSON.stringify(target.account)} is not a 12-digit AWS account id: cannot choose credentials for it`,
      );
    }
    if (target.account === (await homeAccount(target))) return undefined;

    const key = `${target.partition}:${target.account}`;
    const cached = cache.get(key);
    if (cached !== undefined) {
      const credentials = await cached.catch(() => undefined);
      if (
        credentials !== undefined &&
        credentials.expiration.getTime() - now().getTime() > REFRESH_BEFORE_EXPIRY_MS
      ) {
        return credentials;
      }
    }
    // Store the promise, not the result: concurrent stages of one account share one AssumeRole.
    const pending = assume(target);
    cache.set(key, pending);
    try {
      return await pending;
    } catch (error) {
      cache.delete(key);
      throw error;
    }
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
