/**
 * The `iac` section of the configuration (docs/configuration.md "iac", decision 0029): the flap
 * guard's per-control policies are keyed by FIXING control ids only (a reporting control changes
 * nothing an owner could revert), and an owner channel is an SNS topic ARN. The schema is built in
 * each test (configSchemaOf), so what it derives from the catalog is computed while the test runs.
 */
import { describe, expect, it } from 'vitest';
import { configSchemaOf } from '../../../config/schema.js';
import { CATALOG } from '../../../remediators/controls/catalog.js';

const FIXING_IDS =
  'APIGateway.1, APIGateway.3, APIGateway.4, APIGateway.5, APIGateway.9, Baseline.RestAccessLogging, ' +
  'Baseline.StageThrottling, Baseline.DefaultEndpoint';

function iacIssues(iac: unknown): { path: readonly PropertyKey[]; message: string }[] {
  const result = configSchemaOf(CATALOG).safeParse({ iac });
  return (result.error?.issues ?? []).map(({ path, message }) => ({ path, message }));
}

describe('iac.policies', () => {
  it('accepts a policy for each fixing control', () => {
    const policies = { 'APIGateway.1': 'fight', 'Baseline.DefaultEndpoint': 'fix-and-notify' } as const;
    const parsed = configSchemaOf(CATALOG).parse({ iac: { policies } });
    expect(parsed.iac.policies).toStrictEqual(policies);
  });

  it('refuses a reporting control (APIGateway.2, .8) as a key and names the fixing ids', () => {
    for (const reporting of ['APIGateway.2', 'APIGateway.8']) {
      expect(iacIssues({ policies: { [reporting]: 'notify-only' } })).toStrictEqual([
        {
          path: ['iac', 'policies'],
          message: `iac.policies: keys must be fixing control ids (${FIXING_IDS})`,
        },
      ]);
    }
  });

  it('refuses the policies when one key of several is not a fixing control', () => {
    expect(iacIssues({ policies: { 'APIGateway.1': 'fight', 'APIGateway.99': 'fight' } })).toStrictEqual([
      { path: ['iac', 'policies'], message: `iac.policies: keys must be fixing control ids (${FIXING_IDS})` },
    ]);
  });
});

describe('iac.ownerChannels', () => {
  it('accepts an SNS topic ARN in each partition', () => {
    for (const partition of ['aws', 'aws-cn', 'aws-us-gov']) {
      const topicArn = `arn:${partition}:sns:eu-west-1:123456789012:team-alerts`;
      expect(iacIssues({ ownerChannels: [{ tagKey: 'team', topicArn }] })).toStrictEqual([]);
    }
  });

  it('refuses another ARN with the message "an SNS topic ARN"', () => {
    const topicArn = 'arn:aws:sqs:eu-west-1:123456789012:team-alerts';
    expect(iacIssues({ ownerChannels: [{ tagKey: 'team', topicArn }] })).toStrictEqual([
      { path: ['iac', 'ownerChannels', 0, 'topicArn'], message: 'an SNS topic ARN' },
    ]);
  });
});
