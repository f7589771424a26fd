/**
 * The Lambda functions resolve credentials without an STS client (workflow/deps/member-account.ts):
 * the home account is HOME_ACCOUNT_ID, which the central stack sets on every function that reaches
 * member accounts. Without it, and without an STS client to ask, the resolver says which variable
 * is missing instead of assuming anything.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createCredentialResolver,
  CrossAccountCredentialsError,
  HOME_ACCOUNT_ENV,
} from '../../../remediators/core/credentials.js';

const crossAccount = { memberRoleName: 'apigw-remediation-member', sessionName: 'apigw-remediation' };
const member = { account: '222233334444', partition: 'aws', region: 'us-east-1' } as const;

describe('the home account without an STS client', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is HOME_ACCOUNT_ID: a stage there uses the function’s own credentials', async () => {
    vi.stubEnv(HOME_ACCOUNT_ENV, '222233334444');
    const resolver = createCredentialResolver({ crossAccount });

    expect(await resolver.credentialsFor(member)).toBeUndefined();
    expect(await resolver.homeAccount()).toBe('222233334444');
  });

  it('names the missing variable when HOME_ACCOUNT_ID is not set', async () => {
    vi.stubEnv(HOME_ACCOUNT_ENV, '');
    const resolver = createCredentialResolver({ crossAccount });

    const error = await resolver.credentialsFor(member).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CrossAccountCredentialsError);
    expect((error as Error).message).toBe(
      `env ${HOME_ACCOUNT_ENV} is not set and no STS client was given to ask GetCallerIdentity: cannot tell the home account`,
    );
  });
});
