/**
 * What each effect's apply half may call (remediators/core/effects/*.ts), as IAM statements: the
 * whole statements compared, since each action, resource and condition is a grant.
 */
import { describe, expect, it } from 'vitest';
import { accessLogGroup } from '../../../remediators/core/effects/access-log-group.js';
import { accountCloudWatchRole } from '../../../remediators/core/effects/account-cloudwatch-role.js';
import {
  wafReferencedResourceArns,
  webAcl,
  webAclArnPattern,
} from '../../../remediators/core/effects/web-acl.js';

const scope = { partition: 'aws-us-gov', account: '111122223333' };

describe('the access log group effect', () => {
  it('may create, tag and set the retention of log groups under each prefix, and find any log group', () => {
    expect(
      accessLogGroup.iam(scope, { namePrefixes: ['/aws/apigateway/access', '/aws/vendedlogs/apigw'] }),
    ).toStrictEqual([
      {
        sid: 'AccessLogGroups',
        actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource', 'logs:TagLogGroup'],
        resources: [
          'arn:aws-us-gov:logs:*:111122223333:log-group:/aws/apigateway/access/*',
          'arn:aws-us-gov:logs:*:111122223333:log-group:/aws/vendedlogs/apigw/*',
        ],
      },
      { sid: 'FindAccessLogGroups', actions: ['logs:DescribeLogGroups'], resources: ['*'] },
    ]);
  });

  it('is one resource per log group name', () => {
    const group = { kind: 'accessLogGroup', name: '/a/b', retentionDays: 30, tags: {} } as const;
    expect(accessLogGroup.key(group)).toBe('/a/b');
  });
});

describe("the account's CloudWatch role effect", () => {
  it('may PATCH the account settings and pass only the named role, only to API Gateway', () => {
    expect(accountCloudWatchRole.iam(scope, { roleName: 'apigw-cloudwatch' })).toStrictEqual([
      {
        sid: 'UpdateStagesAndApis',
        actions: ['apigateway:PATCH'],
        resources: ['arn:aws-us-gov:apigateway:*::/account'],
      },
      {
        sid: 'PassApiGatewayCloudWatchRole',
        actions: ['iam:PassRole'],
        resources: ['arn:aws-us-gov:iam::111122223333:role/apigw-cloudwatch'],
        conditions: { StringEquals: { 'iam:PassedToService': 'apigateway.amazonaws.com' } },
      },
    ]);
  });

  it('is one resource per account and Region, whatever the role name', () => {
    expect(accountCloudWatchRole.key({ kind: 'accountCloudWatchRole', roleName: 'a' })).toBe('account');
    expect(accountCloudWatchRole.key({ kind: 'accountCloudWatchRole', roleName: 'b' })).toBe('account');
  });
});

describe('the web ACL effect', () => {
  it("is scoped to the web ACL's name in the account's regional scope", () => {
    expect(webAclArnPattern(scope, 'baseline')).toBe(
      'arn:aws-us-gov:wafv2:*:111122223333:regional/webacl/baseline/*',
    );
  });

  it("lets a web ACL reference managed rule sets, rule groups, IP sets and regex pattern sets of the account's regional scope", () => {
    expect(wafReferencedResourceArns('aws-cn', '444455556666')).toStrictEqual([
      'arn:aws-cn:wafv2:*:444455556666:regional/managedruleset/*',
      'arn:aws-cn:wafv2:*:444455556666:regional/rulegroup/*/*',
      'arn:aws-cn:wafv2:*:444455556666:regional/ipset/*/*',
      'arn:aws-cn:wafv2:*:444455556666:regional/regexpatternset/*/*',
    ]);
  });

  it('may create and tag the named web ACL and list web ACLs', () => {
    const arn = 'arn:aws-us-gov:wafv2:*:111122223333:regional/webacl/baseline/*';
    expect(webAcl.iam(scope, { name: 'baseline' })).toStrictEqual([
      {
        sid: 'CreateBaselineWebAcl',
        actions: ['wafv2:CreateWebACL'],
        resources: [
          arn,
          'arn:aws-us-gov:wafv2:*:111122223333:regional/managedruleset/*',
          'arn:aws-us-gov:wafv2:*:111122223333:regional/rulegroup/*/*',
          'arn:aws-us-gov:wafv2:*:111122223333:regional/ipset/*/*',
          'arn:aws-us-gov:wafv2:*:111122223333:regional/regexpatternset/*/*',
        ],
      },
      { sid: 'TagBaselineWebAcl', actions: ['wafv2:TagResource'], resources: [arn] },
      { sid: 'FindBaselineWebAcl', actions: ['wafv2:ListWebACLs'], resources: ['*'] },
    ]);
  });
});
