import { describe, expect, it } from 'vitest';
import { orderingFindings } from '../../strict-aws/ordering.js';
import { ACCOUNT, recordedCall } from './calls.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/apigw-remediation-apigateway-cloudwatch`;
const WEB_ACL = `arn:aws:wafv2:us-east-1:${ACCOUNT}:regional/webacl/apigw-remediation-baseline/0f08`;
const STAGE = 'arn:aws:apigateway:us-east-1::/restapis/abcdefghij/stages/prod';

const getAccount = (cloudwatchRoleArn?: string) =>
  recordedCall(
    'APIGateway',
    'GetAccount',
    {},
    { output: cloudwatchRoleArn === undefined ? {} : { cloudwatchRoleArn } },
  );
const setRole = () =>
  recordedCall('APIGateway', 'UpdateAccount', {
    patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: ROLE }],
  });
const enableLogging = () =>
  recordedCall('APIGateway', 'UpdateStage', {
    restApiId: 'abcdefghij',
    stageName: 'prod',
    patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'INFO' }],
  });
const rules = (calls: ReturnType<typeof recordedCall>[]) =>
  orderingFindings(calls).map((finding) => [finding.rule, finding.call.operation]);

describe('ordering rule: the Region’s CloudWatch role exists before execution logging is enabled', () => {
  it('fails an UpdateStage that enables execution logging after GetAccount said there is no role', () => {
    expect(rules([getAccount(), enableLogging()])).toEqual([
      ['ordering:cloudwatch-role-before-execution-logging', 'UpdateStage'],
    ]);
  });

  it('passes once UpdateAccount set the role, or when GetAccount already had one', () => {
    expect(rules([getAccount(), setRole(), enableLogging()])).toEqual([]);
    expect(rules([getAccount(ROLE), enableLogging()])).toEqual([]);
  });

  it('does not count a failed UpdateAccount', () => {
    const failed = { ...setRole(), error: 'TooManyRequestsException: Rate exceeded' };
    expect(rules([getAccount(), failed, enableLogging()])).toHaveLength(1);
  });
});

describe('ordering rule: a web ACL exists before it is associated', () => {
  const associate = () =>
    recordedCall('WAFV2', 'AssociateWebACL', { WebACLArn: WEB_ACL, ResourceArn: STAGE });

  it('fails an association of a web ACL nothing created or listed before', () => {
    const associated = associate();
    const created = recordedCall(
      'WAFV2',
      'CreateWebACL',
      { Name: 'apigw-remediation-baseline' },
      { output: { Summary: { ARN: WEB_ACL } } },
    );
    expect(rules([associated, created])).toEqual([
      ['ordering:web-acl-before-association', 'AssociateWebACL'],
    ]);
  });

  it('passes after CreateWebACL or ListWebACLs returned it', () => {
    const created = recordedCall(
      'WAFV2',
      'CreateWebACL',
      { Name: 'apigw-remediation-baseline' },
      { output: { Summary: { ARN: WEB_ACL } } },
    );
    expect(rules([created, associate()])).toEqual([]);
    const listed = recordedCall(
      'WAFV2',
      'ListWebACLs',
      { Scope: 'REGIONAL' },
      { output: { WebACLs: [{ ARN: WEB_ACL }] } },
    );
    expect(rules([listed, associate()])).toEqual([]);
  });
});
