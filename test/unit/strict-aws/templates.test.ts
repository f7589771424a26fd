import { describe, expect, it } from 'vitest';
import {
  resolveIntrinsics,
  resolveRole,
  roleLogicalId,
  type CfnTemplate,
} from '../../strict-aws/templates.js';

const TEMPLATE: CfnTemplate = {
  Parameters: { OrganizationId: { Type: 'String' } },
  Resources: {
    LocksTable0C14848D: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Topic1234: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'outcomes' } },
    ApplyRoleC5F5D580: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'apigw-remediation-apply-us-east-1',
        AssumeRolePolicyDocument: {
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
        Policies: [
          {
            PolicyName: 'inline',
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'wafv2:ListWebACLs',
                  Resource: '*',
                  Condition: { StringEquals: { 'aws:ResourceOrgID': { Ref: 'OrganizationId' } } },
                },
              ],
            },
          },
        ],
      },
    },
    ApplyRoleDefaultPolicy05E71AF6: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'ApplyRoleC5F5D580' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'dynamodb:PutItem',
              Resource: [{ 'Fn::GetAtt': ['LocksTable0C14848D', 'Arn'] }, { Ref: 'AWS::NoValue' }],
            },
            { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'Topic1234' } },
            {
              Effect: 'Allow',
              Action: 'logs:CreateLogGroup',
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':logs:*:',
                    { Ref: 'AWS::AccountId' },
                    ':log-group:/x/*',
                  ],
                ],
              },
            },
            {
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:q' },
            },
          ],
        },
      },
    },
  },
};

const CONTEXT = {
  partition: 'aws',
  account: '123456789012',
  region: 'us-east-1',
  parameters: { OrganizationId: 'o-exampleorg01' },
  physicalNames: { LocksTable: 'apigw-remediation-locks' },
};

describe('synthesized roles resolved for the test account and Region', () => {
  it('resolves Ref, Fn::GetAtt, Fn::Join and Fn::Sub, with the tests’ names for unnamed resources', () => {
    const role = resolveRole(TEMPLATE, roleLogicalId(TEMPLATE, 'ApplyRole'), CONTEXT);
    expect(role.arn).toBe('arn:aws:iam::123456789012:role/apigw-remediation-apply-us-east-1');
    expect(role.identityPolicies.map((policy) => policy.policy.Statement)).toEqual([
      [
        {
          Effect: 'Allow',
          Action: 'wafv2:ListWebACLs',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-exampleorg01' } },
        },
      ],
      [
        {
          Effect: 'Allow',
          Action: 'dynamodb:PutItem',
          Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/apigw-remediation-locks'],
        },
        { Effect: 'Allow', Action: 'sns:Publish', Resource: 'arn:aws:sns:us-east-1:123456789012:outcomes' },
        {
          Effect: 'Allow',
          Action: 'logs:CreateLogGroup',
          Resource: 'arn:aws:logs:*:123456789012:log-group:/x/*',
        },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:123456789012:q' },
      ],
    ]);
    expect(role.trustPolicy.Statement).toHaveLength(1);
  });

  it('fails on a parameter the tests give no value and a role that is not there', () => {
    expect(() =>
      resolveIntrinsics({ Ref: 'OrganizationId' }, TEMPLATE, { ...CONTEXT, parameters: {} }),
    ).toThrow('no test value for the template parameter OrganizationId');
    expect(() => roleLogicalId(TEMPLATE, 'MemberRole')).toThrow('found 0');
  });
});
