/**
 * IAM statements as data (remediators/core/iam.ts): API Gateway resource ARNs, and the merge of the
 * statements of several controls and effects into one per sid.
 */
import { describe, expect, it } from 'vitest';
import { apiGatewayArn, mergeIamStatements, type IamStatement } from '../../../remediators/core/iam.js';

describe('apiGatewayArn', () => {
  it('has no account and any Region, in the given partition', () => {
    expect(apiGatewayArn('aws-cn', '/restapis/*/stages/*')).toBe(
      'arn:aws-cn:apigateway:*::/restapis/*/stages/*',
    );
  });
});

describe('mergeIamStatements', () => {
  const read: IamStatement = { sid: 'Read', actions: ['apigateway:GET'], resources: ['arn:a'] };

  it('keeps statements of different sids apart, in first-seen order', () => {
    const write: IamStatement = { sid: 'Write', actions: ['apigateway:PATCH'], resources: ['arn:b'] };
    expect(mergeIamStatements([write, read])).toStrictEqual([write, read]);
  });

  it('unites the actions and resources of one sid, each once, in first-seen order', () => {
    const more: IamStatement = {
      sid: 'Read',
      actions: ['apigateway:GET', 'apigateway:HEAD'],
      resources: ['arn:c', 'arn:a'],
    };
    const other: IamStatement = { sid: 'Other', actions: ['logs:DescribeLogGroups'], resources: ['*'] };
    expect(mergeIamStatements([read, other, more])).toStrictEqual([
      { sid: 'Read', actions: ['apigateway:GET', 'apigateway:HEAD'], resources: ['arn:a', 'arn:c'] },
      other,
    ]);
  });

  it('merges statements of one sid with the same conditions, keeping the conditions', () => {
    const conditions = { StringEquals: { 'iam:PassedToService': 'apigateway.amazonaws.com' } };
    expect(
      mergeIamStatements([
        { sid: 'Pass', actions: ['iam:PassRole'], resources: ['arn:role/a'], conditions },
        { sid: 'Pass', actions: ['iam:PassRole'], resources: ['arn:role/b'], conditions },
      ]),
    ).toStrictEqual([
      { sid: 'Pass', actions: ['iam:PassRole'], resources: ['arn:role/a', 'arn:role/b'], conditions },
    ]);
  });

  it('refuses one sid with different conditions, naming the sid and both conditions', () => {
    expect(() =>
      mergeIamStatements([
        read,
        { ...read, resources: ['arn:d'], conditions: { StringEquals: { 'aws:ResourceTag/team': 'x' } } },
      ]),
    ).toThrow(
      new Error(
        'IAM statement Read is declared twice with different conditions ' +
          '(undefined and {"StringEquals":{"aws:ResourceTag/team":"x"}}); give one of them its own sid',
      ),
    );
  });
});
