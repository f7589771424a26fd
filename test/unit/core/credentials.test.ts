import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
// The STS client fromTemporaryCredentials (@aws-sdk/credential-providers) creates for itself.
import { AssumeRoleCommand, STSClient as NestedSTSClient } from '@aws-sdk/nested-clients/sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema } from '../../../config/schema.js';
import {
  createCredentialResolver,
  CrossAccountCredentialsError,
  HOME_ACCOUNT_ENV,
  REFRESH_BEFORE_EXPIRY_MS,
} from '../../../remediators/core/credentials.js';

const HOME = '999999999999';
const MEMBER = '111122223333';
const crossAccount = ConfigSchema.parse({}).crossAccount;
const sts = new STSClient({ region: 'us-east-1' });
const stsMock = mockClient(sts);
/** Every STS client fromTemporaryCredentials creates (it makes its own, one per provider). */
const assumeRoleMock = mockClient(NestedSTSClient);

let clock: Date;
let issued: number;
beforeEach(() => {
  stsMock.reset();
  assumeRoleMock.reset();
  clock = new Date('2026-11-21T10:00:00Z');
  // The SDK's memo compares expiry with Date.now().
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(clock);
  issued = 0;
  assumeRoleMock.on(AssumeRoleCommand).callsFake(issueCredentials);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

function advanceClockTo(time: Date) {
  clock = time;
  vi.setSystemTime(clock);
}

/** What an SDK client does with the provider before each call: resolve it. */
async function resolve(provider: AwsCredentialIdentityProvider | undefined) {
  return provider === undefined ? undefined : provider();
}

/** What STS answers: fresh credentials valid for an hour from the test clock. */
function issueCredentials() {
  issued += 1;
  return {
    Credentials: {
      AccessKeyId: `ASIA${issued}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(clock.getTime() + 60 * 60_000),
    },
  };
}

/** `homeAccount: null` leaves it unconfigured, so the resolver must ask STS. */
function resolver({ homeAccount = HOME as string | null } = {}) {
  return createCredentialResolver({
    crossAccount,
    sts: () => sts,
    ...(homeAccount === null ? {} : { homeAccount }),
  });
}

const member = { account: MEMBER, partition: 'aws', region: 'us-east-1' } as const;

describe('cross-account credentials', () => {
  it('assumes the configured member role with the fixed session name', async () => {
    const credentials = await resolve(await resolver().credentialsFor(member));

    expect(credentials).toMatchObject({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
    expect(assumeRoleMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/${crossAccount.memberRoleName}`,
      RoleSessionName: crossAccount.sessionName,
    });
  });

  it('uses the partition of the stage in the role ARN', async () => {
    await resolve(
      await resolver().credentialsFor({ account: MEMBER, partition: 'aws-cn', region: 'cn-north-1' }),
    );

    expect(assumeRoleMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws-cn:iam::${MEMBER}:role/${crossAccount.memberRoleName}`,
    });
    // STS in the stage's own partition and Region (aws-cn has no global endpoint).
    expect(await assumeRoleMock.call(0).thisValue.config.region()).toBe('cn-north-1');
  });

  it('assumes once per account and reuses the credentials, also for concurrent stages', async () => {
    const credentials = resolver();

    const [first, second] = await Promise.all([
      resolve(await credentials.credentialsFor(member)),
      resolve(await credentials.credentialsFor(member)),
    ]);
    const third = await resolve(await credentials.credentialsFor({ ...member, region: 'eu-west-1' }));

    expect(assumeRoleMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(first?.accessKeyId).toBe('ASIA1');
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('assumes again when the cached credentials are within 5 minutes of expiry', async () => {
    const credentials = resolver();
    const first = await resolve(await credentials.credentialsFor(member));

    advanceClockTo(new Date(clock.getTime() + 60 * 60_000 - REFRESH_BEFORE_EXPIRY_MS - 1_000));
    expect(await resolve(await credentials.credentialsFor(member))).toBe(first);

    advanceClockTo(new Date(clock.getTime() + 2_000));
    const refreshed = await resolve(await credentials.credentialsFor(member));
    expect(refreshed?.accessKeyId).toBe('ASIA2');
    expect(assumeRoleMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('keeps separate credentials per account', async () => {
    const credentials = resolver();
    const first = await resolve(await credentials.credentialsFor(member));
    const other = await resolve(await credentials.credentialsFor({ ...member, account: '444455556666' }));

    expect(other?.accessKeyId).not.toBe(first?.accessKeyId);
    expect(assumeRoleMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('does not assume anything for the home account', async () => {
    expect(await resolver().credentialsFor({ ...member, account: HOME })).toBeUndefined();
    expect(assumeRoleMock).not.toHaveReceivedCommand(AssumeRoleCommand);
  });

  it('asks STS for the home account once when none is configured', async () => {
    vi.stubEnv(HOME_ACCOUNT_ENV, '');
    stsMock.on(GetCallerIdentityCommand).resolves({ Account: HOME });
    const credentials = resolver({ homeAccount: null });

    expect(await credentials.credentialsFor({ ...member, account: HOME })).toBeUndefined();
    expect(await credentials.credentialsFor({ ...member, account: HOME })).toBeUndefined();
    expect(await credentials.homeAccount()).toBe(HOME);
    expect(stsMock).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
  });

  it('asks STS again for the home account when the first GetCallerIdentity failed', async () => {
    vi.stubEnv(HOME_ACCOUNT_ENV, '');
    stsMock.on(GetCallerIdentityCommand).rejectsOnce(new Error('socket hang up')).resolves({ Account: HOME });
    const credentials = resolver({ homeAccount: null });

    await expect(credentials.homeAccount()).rejects.toThrow('socket hang up');
    expect(await credentials.homeAccount()).toBe(HOME);
  });

  it('names the role and the session when the assume fails, and tries again next time', async () => {
    assumeRoleMock
      .on(AssumeRoleCommand)
      .rejectsOnce(new Error('User is not authorized to perform: sts:AssumeRole'))
      .callsFake(issueCredentials);
    const credentials = resolver();

    const provider = await credentials.credentialsFor(member);
    await expect(resolve(provider)).rejects.toThrow(
      new CrossAccountCredentialsError(
        `could not assume arn:aws:iam::${MEMBER}:role/${crossAccount.memberRoleName} as session ${crossAccount.sessionName}: User is not authorized to perform: sts:AssumeRole`,
      ),
    );
    await expect(resolve(provider)).resolves.toMatchObject({ accessKeyId: 'ASIA1' });
    expect(assumeRoleMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('rejects an account id that is not 12 digits, quoting it', async () => {
    await expect(resolver().credentialsFor({ ...member, account: '12345' })).rejects.toThrow(
      new CrossAccountCredentialsError(
        '"12345" is not a 12-digit AWS account id: cannot choose credentials for it',
      ),
    );
  });

  it('rejects credentials STS returned without a session token', async () => {
    assumeRoleMock.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIA',
        SecretAccessKey: 'secret',
        SessionToken: undefined,
        Expiration: clock,
      },
    });

    await expect(resolve(await resolver().credentialsFor(member))).rejects.toThrow(
      /returned unusable credentials/,
    );
  });
});
