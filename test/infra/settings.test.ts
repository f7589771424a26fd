/**
 * The pure pieces of the CDK app: context parsing, log retention, the approval API's throttle
 * and web ACL rules, the role names, and the cdk-nag finding ids computed from statements.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../config/schema.js';
import { TASKS } from '../../state-machines/tasks.js';
import { approvalApiThrottling, baselineWebAclRules } from '../../infra/approval-api.js';
import { parseAccount, parseRegions } from '../../infra/app.js';
import { logRetention } from '../../infra/log-retention.js';
import { NAG_ACCOUNT, NAG_PARTITION, wildcardFindings } from '../../infra/nag.js';
import { centralTaskRoleName, taskShortName } from '../../infra/names.js';
import { remediationWriteStatements } from '../../infra/permissions.js';

const defaults = ConfigSchema.parse({});

describe('parseRegions', () => {
  it('reads one Region or a comma-separated list', () => {
    expect(parseRegions('eu-west-1')).toEqual(['eu-west-1']);
    expect(parseRegions('eu-west-1, us-gov-west-1,cn-north-1')).toEqual([
      'eu-west-1',
      'us-gov-west-1',
      'cn-north-1',
    ]);
  });

  it('rejects a missing, malformed or repeated Region, quoting it', () => {
    expect(() => parseRegions(undefined)).toThrow(
      'context "regions" is undefined; expected a comma-separated list',
    );
    expect(() => parseRegions('eu-west-1,EU')).toThrow(
      'context "regions" has "EU"; expected AWS Region names',
    );
    expect(() => parseRegions('eu-west-1,eu-west-1')).toThrow('lists a Region twice: "eu-west-1,eu-west-1"');
  });
});

describe('parseAccount', () => {
  it('accepts a 12-digit account or nothing', () => {
    expect(parseAccount('111122223333')).toBe('111122223333');
    expect(parseAccount(undefined)).toBeUndefined();
    expect(parseAccount('')).toBeUndefined();
  });

  it('rejects anything else, quoting it', () => {
    expect(() => parseAccount('1111-2222-3333')).toThrow(
      'account "1111-2222-3333" is not a 12-digit AWS account id',
    );
  });
});

describe('logRetention', () => {
  it('maps the configured days onto the CDK enum', () => {
    expect(logRetention(365)).toBe(RetentionDays.ONE_YEAR);
    expect(logRetention(7)).toBe(RetentionDays.ONE_WEEK);
  });

  it('rejects a day count CloudWatch Logs does not accept, listing the accepted ones', () => {
    expect(() => logRetention(100)).toThrow(/log retention 100 days .* expected one of 1, 3, 5, 7, 14/);
    expect(() => logRetention(RetentionDays.INFINITE)).toThrow(/log retention 9999 days/);
  });
});

describe('approval API settings', () => {
  it('throttles low, never above the baseline the service enforces', () => {
    expect(approvalApiThrottling(defaults.baseline)).toEqual({ rateLimit: 10, burstLimit: 20 });
    const strict = ConfigSchema.parse({ baseline: { throttling: { rateLimit: 2, burstLimit: 4 } } });
    expect(approvalApiThrottling(strict.baseline)).toEqual({ rateLimit: 2, burstLimit: 4 });
  });

  it('builds the baseline web ACL rules: each managed group in order, then the per-IP rate rule', () => {
    const rules = baselineWebAclRules({
      name: 'acl',
      managedRuleGroups: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesSQLiRuleSet'],
      rateLimitPer5Minutes: 500,
    });
    expect(rules.map((rule) => [rule.name, rule.priority])).toEqual([
      ['AWSManagedRulesCommonRuleSet', 0],
      ['AWSManagedRulesSQLiRuleSet', 1],
      ['RatePerClientIp', 2],
    ]);
    expect(rules[1]).toMatchObject({
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesSQLiRuleSet' } },
    });
    expect(rules[2]).toMatchObject({
      action: { block: {} },
      statement: { rateBasedStatement: { limit: 500, aggregateKeyType: 'IP' } },
    });
  });
});

describe('names', () => {
  it('derives a task’s short name and its per-Region role name from the entry file', () => {
    const task = { entry: 'remediators/handlers/update-stage.ts' };
    expect(taskShortName(task)).toBe('update-stage');
    expect(centralTaskRoleName(task, 'eu-central-2')).toBe('apigw-remediation-update-stage-eu-central-2');
  });

  it('keeps every task role name within IAM’s 64 characters in the longest Region names', () => {
    for (const task of TASKS) {
      expect(centralTaskRoleName(task, 'ap-southeast-7').length).toBeLessThanOrEqual(64);
    }
    expect(() =>
      centralTaskRoleName({ entry: `remediators/handlers/${'x'.repeat(40)}.ts` }, 'us-east-1'),
    ).toThrow(/IAM allows at most 64/);
  });
});

describe('wildcardFindings', () => {
  it('names one cdk-nag finding per wildcard action or resource, as cdk-nag writes it', () => {
    const findings = wildcardFindings([
      new PolicyStatement({
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['arn:aws:kms:x:1:key/k'],
      }),
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket'],
      }),
    ]);
    expect(findings).toEqual([
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]',
    ]);
  });

  it('covers the remediation statements built with cdk-nag’s placeholders', () => {
    const findings = wildcardFindings(
      remediationWriteStatements({
        partition: NAG_PARTITION,
        account: NAG_ACCOUNT,
        baseline: defaults.baseline,
      }),
    );
    expect(findings).toContain(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:*::/restapis/??????????]',
    );
    expect(findings).toContain(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:*:<AWS::AccountId>:log-group:/aws/apigateway/access-logs/*]',
    );
    expect(findings).not.toContain(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/apigw-remediation-apigateway-cloudwatch]',
    );
  });
});
