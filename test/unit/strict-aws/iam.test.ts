import { describe, expect, it } from 'vitest';
import {
  evaluateAuthorizations,
  requiredAuthorizations,
  type Identity,
  type TrustPolicyLookup,
} from '../../strict-aws/iam.js';
import type { PolicyDocument } from '../../strict-aws/templates.js';
import { ACCOUNT, recordedCall } from './calls.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/apigw-remediation-update-stage-us-east-1`;
const STAGE = 'arn:aws:apigateway:us-east-1::/restapis/abcdefghij/stages/prod';
const WEB_ACL = `arn:aws:wafv2:us-east-1:${ACCOUNT}:regional/webacl/apigw-remediation-baseline/0f08`;

function identity(...statements: Record<string, unknown>[]): Identity {
  return {
    principalArn: ROLE,
    account: ACCOUNT,
    organizationId: 'o-exampleorg01',
    identityPolicies: [{ name: 'policy', policy: { Version: '2012-10-17', Statement: statements } }],
  };
}

const noTrust: TrustPolicyLookup = () => undefined;

async function iamFindings(
  call: ReturnType<typeof recordedCall>,
  who: Identity,
  trust: TrustPolicyLookup = noTrust,
): Promise<string[]> {
  const { authorizations, gaps } = await requiredAuthorizations(call, who);
  const denied = await evaluateAuthorizations(authorizations, who, trust);
  return [...gaps, ...denied].map((finding) => `[${finding.rule}] ${finding.why}`);
}

const allow = (
  action: string | string[],
  resource: string | string[],
  condition?: Record<string, unknown>,
) => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...(condition === undefined ? {} : { Condition: condition }),
});

describe('IAM rule: the call is allowed by the policy of the role that makes it', () => {
  const baselineAcl = {
    Name: 'apigw-remediation-baseline',
    Scope: 'REGIONAL',
    Rules: [
      {
        Name: 'common',
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
      },
    ],
  };
  const createAcl = recordedCall('WAFV2', 'CreateWebACL', baselineAcl, {
    output: { Summary: { ARN: WEB_ACL } },
  });

  it('fails CreateWebACL of a web ACL with a managed rule group when only the web ACL is granted (APIGateway.4 AccessDenied)', async () => {
    const webAclOnly = identity(
      allow('wafv2:CreateWebACL', `arn:aws:wafv2:*:${ACCOUNT}:regional/webacl/apigw-remediation-baseline/*`),
    );
    expect(await iamFindings(createAcl, webAclOnly)).toEqual([
      expect.stringMatching(
        /^\[iam\] wafv2:CreateWebACL on arn:aws:wafv2:us-east-1:123456789012:regional\/managedruleset\/AWSManagedRulesCommonRuleSet\/AWS is ImplicitlyDenied/,
      ),
    ]);
    const withRuleSets = identity(
      allow('wafv2:CreateWebACL', [
        `arn:aws:wafv2:*:${ACCOUNT}:regional/webacl/apigw-remediation-baseline/*`,
        `arn:aws:wafv2:*:${ACCOUNT}:regional/managedruleset/*`,
      ]),
    );
    expect(await iamFindings(createAcl, withRuleSets)).toEqual([]);
  });

  it('maps API Gateway calls to the HTTP verb on the resource path and checks it', async () => {
    const update = recordedCall(
      'APIGateway',
      'UpdateStage',
      { restApiId: 'abcdefghij', stageName: 'prod' },
      {
        http: { method: 'PATCH', path: '/restapis/abcdefghij/stages/prod' },
      },
    );
    expect(
      await iamFindings(update, identity(allow('apigateway:GET', 'arn:aws:apigateway:*::/restapis/*'))),
    ).toEqual([`[iam] apigateway:PATCH on ${STAGE} is ImplicitlyDenied for ${ROLE}`]);
    expect(
      await iamFindings(
        update,
        identity(allow('apigateway:PATCH', 'arn:aws:apigateway:*::/restapis/??????????/stages/*')),
      ),
    ).toEqual([]);
  });

  it('checks V2 paths against the SAR formats although iam-data attaches no V2 resource type to the verbs', async () => {
    const getStage = recordedCall(
      'ApiGatewayV2',
      'GetStage',
      { ApiId: 'abcdefgh', StageName: 'live' },
      {
        http: { method: 'GET', path: '/v2/apis/abcdefgh/stages/live' },
      },
    );
    // moto's 8-character V2 id is checked in AWS's 10-character shape.
    expect(
      await iamFindings(
        getStage,
        identity(allow('apigateway:GET', 'arn:aws:apigateway:*::/apis/??????????/stages/*')),
      ),
    ).toEqual([]);
    expect(
      await iamFindings(getStage, identity(allow('apigateway:GET', 'arn:aws:apigateway:*::/restapis/*'))),
    ).toEqual([
      `[iam] apigateway:GET on arn:aws:apigateway:us-east-1::/apis/abcdefgh00/stages/live is ImplicitlyDenied for ${ROLE}`,
    ]);
  });

  it('requires apigateway:SetWebACL on the stage for AssociateWebACL', async () => {
    const associate = recordedCall('WAFV2', 'AssociateWebACL', { WebACLArn: WEB_ACL, ResourceArn: STAGE });
    const wafOnly = identity(allow('wafv2:AssociateWebACL', [WEB_ACL, STAGE]));
    expect(await iamFindings(associate, wafOnly)).toEqual([
      `[iam] apigateway:SetWebACL on ${STAGE} is ImplicitlyDenied for ${ROLE}`,
    ]);
    expect(
      await iamFindings(
        associate,
        identity(allow(['wafv2:AssociateWebACL', 'apigateway:SetWebACL'], [WEB_ACL, STAGE])),
      ),
    ).toEqual([]);
  });

  it('requires the log-delivery actions for V2 access logging', async () => {
    const update = recordedCall(
      'ApiGatewayV2',
      'UpdateStage',
      {
        ApiId: 'abcdefghij',
        StageName: 'live',
        AccessLogSettings: {
          DestinationArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/x`,
          Format: '$context.requestId',
        },
      },
      { http: { method: 'PATCH', path: '/v2/apis/abcdefghij/stages/live' } },
    );
    const patchOnly = identity(allow('apigateway:PATCH', 'arn:aws:apigateway:*::/apis/*'));
    const found = await iamFindings(update, patchOnly);
    expect(found).toHaveLength(7);
    expect(found[0]).toBe(`[iam] logs:CreateLogDelivery on * is ImplicitlyDenied for ${ROLE}`);
  });

  it('requires logs:TagResource on the log group when CreateLogGroup sets tags', async () => {
    const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/apigateway/access-logs/abcdefghij/prod`;
    const create = recordedCall('CloudWatchLogs', 'CreateLogGroup', {
      logGroupName: '/aws/apigateway/access-logs/abcdefghij/prod',
      tags: { 'managed-by': 'apigw-remediation' },
    });
    const createOnly = allow(
      'logs:CreateLogGroup',
      `arn:aws:logs:*:${ACCOUNT}:log-group:/aws/apigateway/access-logs/*`,
    );
    expect(await iamFindings(create, identity(createOnly))).toEqual([
      `[iam] logs:TagResource on ${group} is ImplicitlyDenied for ${ROLE}`,
    ]);
    const tag = allow(
      'logs:TagResource',
      `arn:aws:logs:*:${ACCOUNT}:log-group:/aws/apigateway/access-logs/*`,
    );
    expect(await iamFindings(create, identity(createOnly, tag))).toEqual([]);
  });

  it('requires iam:PassRole to apigateway.amazonaws.com when UpdateAccount sets the CloudWatch role', async () => {
    const cloudWatchRole = `arn:aws:iam::${ACCOUNT}:role/apigw-remediation-apigateway-cloudwatch`;
    const update = recordedCall(
      'APIGateway',
      'UpdateAccount',
      {
        patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: cloudWatchRole }],
      },
      { http: { method: 'PATCH', path: '/account' } },
    );
    const patch = allow('apigateway:PATCH', 'arn:aws:apigateway:*::/account');
    const passToLambda = allow('iam:PassRole', cloudWatchRole, {
      StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    });
    expect(await iamFindings(update, identity(patch, passToLambda))).toEqual([
      `[iam] iam:PassRole on ${cloudWatchRole} is ImplicitlyDenied for ${ROLE}`,
    ]);
    const passToApiGateway = allow('iam:PassRole', cloudWatchRole, {
      StringEquals: { 'iam:PassedToService': 'apigateway.amazonaws.com' },
    });
    expect(await iamFindings(update, identity(patch, passToApiGateway))).toEqual([]);
  });
});

describe('IAM rule: sts:AssumeRole is allowed by the caller and trusted by the role', () => {
  const MEMBER = 'arn:aws:iam::111111111111:role/apigw-remediation-member';
  const assume = recordedCall('STS', 'AssumeRole', { RoleArn: MEMBER, RoleSessionName: 'apigw-remediation' });
  const caller = identity(
    allow('sts:AssumeRole', 'arn:aws:iam::*:role/apigw-remediation-member', {
      StringEquals: { 'aws:ResourceOrgID': 'o-exampleorg01' },
    }),
  );
  const trust = (pattern: string): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnLike: { 'aws:PrincipalArn': pattern },
          StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorg01' },
        },
      },
    ],
  });

  it('passes when the trust policy names the caller’s role pattern', async () => {
    expect(
      await iamFindings(assume, caller, () =>
        trust(`arn:aws:iam::${ACCOUNT}:role/apigw-remediation-update-stage-*`),
      ),
    ).toEqual([]);
  });

  it('fails when the trust policy does not trust the caller, or the role is not one of the templates', async () => {
    expect(
      await iamFindings(assume, caller, () =>
        trust(`arn:aws:iam::${ACCOUNT}:role/apigw-remediation-snapshot-*`),
      ),
    ).toEqual([
      expect.stringContaining(
        `sts:AssumeRole on ${MEMBER} is ImplicitlyDenied for ${ROLE} (identity policy and the role’s trust policy)`,
      ),
    ]);
    expect(await iamFindings(assume, caller)).toEqual([
      `[iam] sts:AssumeRole on ${MEMBER}, a role the synthesized templates do not define`,
    ]);
  });
});

describe('IAM model: a call it cannot judge fails instead of passing unchecked', () => {
  it('names the missing service prefix or ARN builder', async () => {
    expect(await iamFindings(recordedCall('Route53', 'ListHostedZones', {}), identity())).toEqual([
      '[iam-model] no IAM service prefix for the SDK client Route53: add it to IAM_PREFIX',
    ]);
    expect(await iamFindings(recordedCall('SQS', 'SendMessage', { QueueUrl: 'q' }), identity())).toEqual([
      expect.stringContaining(
        '[iam-model] sqs:SendMessage is authorized on queue but no ARN is built for it',
      ),
    ]);
    expect(await iamFindings(recordedCall('SecurityHub', 'DoSomethingNew', {}), identity())).toEqual([
      '[iam-model] securityhub:DoSomethingNew is not an action in the SAR data',
    ]);
  });
});
