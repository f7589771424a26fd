/**
 * What each control and each effect asks IAM for, pinned as data (issue 16). The member role is
 * derived from these statements (catalog.ts remediationIamStatements, infra/permissions.ts), so a
 * statement dropped or widened here is a role that is denied a call or allowed too much. The
 * scope uses a non-default partition, account and resource names so each one is seen to flow in.
 */
import { describe, expect, it } from 'vitest';
import { apiGateway1ExecutionLogging } from '../../../remediators/controls/apigateway-1-execution-logging.js';
import { apiGateway3XRayTracing } from '../../../remediators/controls/apigateway-3-xray-tracing.js';
import { apiGateway4Waf } from '../../../remediators/controls/apigateway-4-waf.js';
import { apiGateway5CacheEncryption } from '../../../remediators/controls/apigateway-5-cache-encryption.js';
import { apiGateway9V2AccessLogging } from '../../../remediators/controls/apigateway-9-v2-access-logging.js';
import { baselineDefaultEndpoint } from '../../../remediators/controls/baseline-default-endpoint.js';
import { baselineRestAccessLogging } from '../../../remediators/controls/baseline-rest-access-logging.js';
import { baselineStageThrottling } from '../../../remediators/controls/baseline-stage-throttling.js';
import { CATALOG, remediationIamStatements, type Catalog } from '../../../remediators/controls/catalog.js';
import type { CatalogControl, ControlIamScope } from '../../../remediators/controls/define-control.js';
import { effectIamStatements } from '../../../remediators/controls/resources.js';
import type { IamStatement } from '../../../remediators/core/iam.js';
import { baselineWith } from './snapshots.js';

const { resources } = baselineWith({
  resources: {
    accessLogGroups: { namePrefix: '/org/rest', httpNamePrefix: '/aws/vendedlogs/org/http' },
    webAcl: { name: 'org-acl' },
    cloudWatchRole: { name: 'org-cw-role' },
  },
});
const SCOPE: ControlIamScope = { partition: 'aws-cn', account: '444455556666', resources };

const REST_STAGES: IamStatement = {
  sid: 'UpdateStagesAndApis',
  actions: ['apigateway:PATCH'],
  resources: ['arn:aws-cn:apigateway:*::/restapis/??????????/stages/*'],
};
const V2_STAGES: IamStatement = {
  sid: 'UpdateStagesAndApis',
  actions: ['apigateway:PATCH'],
  resources: ['arn:aws-cn:apigateway:*::/apis/??????????/stages/*'],
};
const V2_ACCESS_LOG_DELIVERY: IamStatement = {
  sid: 'V2AccessLogDelivery',
  actions: [
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
  ],
  resources: ['*'],
};

describe("each fixing control's own IAM statements", () => {
  it('APIGateway.1 patches REST and WebSocket stages', () => {
    expect(apiGateway1ExecutionLogging.iam(SCOPE)).toStrictEqual([REST_STAGES, V2_STAGES]);
  });

  it('APIGateway.3 patches REST stages', () => {
    expect(apiGateway3XRayTracing.iam(SCOPE)).toStrictEqual([REST_STAGES]);
  });

  it('APIGateway.4 associates the configured web ACL with REST stages only', () => {
    expect(apiGateway4Waf.iam(SCOPE)).toStrictEqual([
      {
        sid: 'AssociateBaselineWebAcl',
        actions: ['wafv2:AssociateWebACL', 'apigateway:SetWebACL'],
        resources: [
          'arn:aws-cn:wafv2:*:444455556666:regional/webacl/org-acl/*',
          'arn:aws-cn:apigateway:*::/restapis/??????????/stages/*',
        ],
      },
    ]);
  });

  it('APIGateway.5 patches REST stages', () => {
    expect(apiGateway5CacheEncryption.iam(SCOPE)).toStrictEqual([REST_STAGES]);
  });

  it('APIGateway.9 patches V2 stages and may set up CloudWatch Logs log delivery', () => {
    expect(apiGateway9V2AccessLogging.iam(SCOPE)).toStrictEqual([V2_STAGES, V2_ACCESS_LOG_DELIVERY]);
  });

  it('Baseline.RestAccessLogging patches REST stages', () => {
    expect(baselineRestAccessLogging.iam(SCOPE)).toStrictEqual([REST_STAGES]);
  });

  it('Baseline.StageThrottling patches REST and V2 stages', () => {
    expect(baselineStageThrottling.iam(SCOPE)).toStrictEqual([REST_STAGES, V2_STAGES]);
  });

  it('Baseline.DefaultEndpoint patches the API itself and its stages, and deploys V2 APIs', () => {
    expect(baselineDefaultEndpoint.iam(SCOPE)).toStrictEqual([
      {
        sid: 'UpdateStagesAndApis',
        actions: ['apigateway:PATCH'],
        resources: [
          'arn:aws-cn:apigateway:*::/restapis/??????????',
          'arn:aws-cn:apigateway:*::/apis/??????????',
        ],
      },
      REST_STAGES,
      V2_STAGES,
      {
        sid: 'Redeploy',
        actions: ['apigateway:POST'],
        resources: ['arn:aws-cn:apigateway:*::/apis/??????????/deployments'],
      },
    ]);
  });

  it('reporting controls ask for nothing', () => {
    const reporting = CATALOG.filter((control) => control.kind === 'reporting');
    expect(reporting.map((control) => [control.id, control.iam(SCOPE)])).toStrictEqual([
      ['APIGateway.2', []],
      ['APIGateway.8', []],
      ['APIGateway.10', []],
      ['APIGateway.11', []],
    ]);
  });
});

describe("each effect's IAM statements, from the configured resource names", () => {
  it('accessLogGroup creates, tags and finds log groups under both configured prefixes', () => {
    expect(effectIamStatements('accessLogGroup', SCOPE, resources)).toStrictEqual([
      {
        sid: 'AccessLogGroups',
        actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource', 'logs:TagLogGroup'],
        resources: [
          'arn:aws-cn:logs:*:444455556666:log-group:/org/rest/*',
          'arn:aws-cn:logs:*:444455556666:log-group:/aws/vendedlogs/org/http/*',
        ],
      },
      { sid: 'FindAccessLogGroups', actions: ['logs:DescribeLogGroups'], resources: ['*'] },
    ]);
  });

  it('accountCloudWatchRole sets the account setting and passes only the configured role to API Gateway', () => {
    expect(effectIamStatements('accountCloudWatchRole', SCOPE, resources)).toStrictEqual([
      {
        sid: 'UpdateStagesAndApis',
        actions: ['apigateway:PATCH'],
        resources: ['arn:aws-cn:apigateway:*::/account'],
      },
      {
        sid: 'PassApiGatewayCloudWatchRole',
        actions: ['iam:PassRole'],
        resources: ['arn:aws-cn:iam::444455556666:role/org-cw-role'],
        conditions: { StringEquals: { 'iam:PassedToService': 'apigateway.amazonaws.com' } },
      },
    ]);
  });

  it('webAcl creates, tags and finds only the configured web ACL', () => {
    expect(effectIamStatements('webAcl', SCOPE, resources)).toStrictEqual([
      {
        sid: 'CreateBaselineWebAcl',
        actions: ['wafv2:CreateWebACL'],
        resources: [
          'arn:aws-cn:wafv2:*:444455556666:regional/webacl/org-acl/*',
          'arn:aws-cn:wafv2:*:444455556666:regional/managedruleset/*',
          'arn:aws-cn:wafv2:*:444455556666:regional/rulegroup/*/*',
          'arn:aws-cn:wafv2:*:444455556666:regional/ipset/*/*',
          'arn:aws-cn:wafv2:*:444455556666:regional/regexpatternset/*/*',
        ],
      },
      {
        sid: 'TagBaselineWebAcl',
        actions: ['wafv2:TagResource'],
        resources: ['arn:aws-cn:wafv2:*:444455556666:regional/webacl/org-acl/*'],
      },
      { sid: 'FindBaselineWebAcl', actions: ['wafv2:ListWebACLs'], resources: ['*'] },
    ]);
  });
});

describe('the remediation statements of a catalog', () => {
  it('are the production controls’ statements, then their effects’, merged by sid', () => {
    expect(remediationIamStatements(SCOPE)).toStrictEqual([
      {
        sid: 'UpdateStagesAndApis',
        actions: ['apigateway:PATCH'],
        resources: [
          'arn:aws-cn:apigateway:*::/restapis/??????????/stages/*',
          'arn:aws-cn:apigateway:*::/apis/??????????/stages/*',
          'arn:aws-cn:apigateway:*::/restapis/??????????',
          'arn:aws-cn:apigateway:*::/apis/??????????',
          'arn:aws-cn:apigateway:*::/account',
        ],
      },
      ...apiGateway4Waf.iam(SCOPE),
      V2_ACCESS_LOG_DELIVERY,
      {
        sid: 'Redeploy',
        actions: ['apigateway:POST'],
        resources: ['arn:aws-cn:apigateway:*::/apis/??????????/deployments'],
      },
      ...effectIamStatements('accessLogGroup', SCOPE, resources),
      // The role effect's account PATCH merged into UpdateStagesAndApis above; its PassRole follows.
      ...effectIamStatements('accountCloudWatchRole', SCOPE, resources).slice(1),
      ...effectIamStatements('webAcl', SCOPE, resources),
    ]);
  });

  it("include an effect's statements when any fixing control declares it, not only when all do", () => {
    expect(
      remediationIamStatements(SCOPE, [apiGateway3XRayTracing, apiGateway4Waf]).map(
        (statement) => statement.sid,
      ),
    ).toStrictEqual([
      'UpdateStagesAndApis',
      'AssociateBaselineWebAcl',
      'CreateBaselineWebAcl',
      'TagBaselineWebAcl',
      'FindBaselineWebAcl',
    ]);
  });

  it('leave out a reporting control, whatever statements and effects it carries', () => {
    const reportingWithIam: CatalogControl = {
      ...apiGateway4Waf,
      id: 'Fixture.Reporting',
      kind: 'reporting',
    };
    const catalog: Catalog = [apiGateway3XRayTracing, reportingWithIam];
    expect(remediationIamStatements(SCOPE, catalog)).toStrictEqual([REST_STAGES]);
  });
});
