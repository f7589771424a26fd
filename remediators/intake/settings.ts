/**
 * Intake's settings from the configuration and the Lambda environment.
 *
 * `SERVICE_ROLE_ARNS` (set by the CDK app) lists the central roles whose API calls are the service's
 * own, comma-separated. A malformed value is an error, never an empty list: an empty list would let
 * the service's own fixes trigger it again.
 */
import type { RemediationConfig } from '../../config/schema.js';
import type { IntakeSettings } from './types.js';

const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;

export class IntakeSettingsError extends Error {
  override readonly name = 'IntakeSettingsError';
}

export function parseServiceRoleArns(value: string | undefined): string[] {
  const arns = (value ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter((arn) => arn !== '');
  const invalid = arns.filter((arn) => !ROLE_ARN.test(arn));
  if (invalid.length > 0) {
    throw new IntakeSettingsError(
      `SERVICE_ROLE_ARNS: got ${invalid.map((arn) => JSON.stringify(arn)).join(', ')}; expected comma-separated IAM role ARNs such as arn:aws:iam::111122223333:role/apigw-remediation-central`,
    );
  }
  return arns;
}

export function intakeSettings(
  config: RemediationConfig,
  env: Readonly<Record<string, string | undefined>>,
): IntakeSettings {
  return {
    memberRoleName: config.crossAccount.memberRoleName,
    serviceRoleArns: parseServiceRoleArns(env['SERVICE_ROLE_ARNS']),
    securityHubFormats: config.securityHub.formats,
  };
}
