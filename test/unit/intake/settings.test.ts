/** Intake's settings from the environment (remediators/intake/settings.ts): SERVICE_ROLE_ARNS. */
import { describe, expect, it } from 'vitest';
import { IntakeSettingsError, parseServiceRoleArns } from '../../../remediators/intake/settings.js';

describe('SERVICE_ROLE_ARNS', () => {
  it('is a comma-separated list of role ARNs, spaces and empty entries dropped', () => {
    expect(
      parseServiceRoleArns(
        ' arn:aws:iam::111122223333:role/central-a ,,arn:aws-us-gov:iam::111122223333:role/path/central-b',
      ),
    ).toEqual([
      'arn:aws:iam::111122223333:role/central-a',
      'arn:aws-us-gov:iam::111122223333:role/path/central-b',
    ]);
  });

  it('unset or empty is no role', () => {
    expect(parseServiceRoleArns(undefined)).toEqual([]);
    expect(parseServiceRoleArns('')).toEqual([]);
  });

  it('with entries that are not role ARNs is an IntakeSettingsError quoting each of them', () => {
    const parse = () =>
      parseServiceRoleArns('arn:aws:iam::111122223333:user/bob,arn:aws:iam::111122223333:role/ok,central');

    expect(parse).toThrow(IntakeSettingsError);
    expect(parse).toThrow(
      'SERVICE_ROLE_ARNS: got "arn:aws:iam::111122223333:user/bob", "central"; expected comma-separated IAM role ARNs such as arn:aws:iam::111122223333:role/apigw-remediation-central',
    );
    try {
      parse();
    } catch (error) {
      expect((error as Error).name).toBe('IntakeSettingsError');
    }
  });
});
