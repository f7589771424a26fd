/** The approval Lambdas' environment (remediators/approvals/environment.ts): what is required and what an error says. */
import { describe, expect, it } from 'vitest';
import {
  ApprovalApiEnvironmentSchema,
  RequestApprovalEnvironmentSchema,
  readEnvironment,
} from '../../../remediators/approvals/environment.js';

const API_ENV = {
  APPROVALS_TABLE_NAME: 'approvals',
  SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:slack-AbCdEf',
};

describe('the approval Lambdas’ environment', () => {
  it('is read as it is when valid', () => {
    expect(readEnvironment(ApprovalApiEnvironmentSchema, { ...API_ENV, OTHER: 'x' }, 'approval-api')).toEqual(
      API_ENV,
    );
  });

  it('an invalid one is an error naming the handler, each variable, its value or (unset), and what was expected', () => {
    expect(() =>
      readEnvironment(
        ApprovalApiEnvironmentSchema,
        { APPROVALS_TABLE_NAME: '', SLACK_API_BASE_URL: 'nope' },
        'approval-api',
      ),
    ).toThrow(
      'approval-api environment is invalid: ' +
        'APPROVALS_TABLE_NAME="": expected the DynamoDB approvals table name; ' +
        'SLACK_SECRET_ARN=(unset): expected the ARN or name of the Slack secret; ' +
        'SLACK_API_BASE_URL="nope": expected an http(s) URL such as https://slack.com/api',
    );
  });

  it('the request-approval Lambda needs the approval API URL, and a channel id only in Slack’s shape', () => {
    expect(() =>
      readEnvironment(
        RequestApprovalEnvironmentSchema,
        { ...API_ENV, SLACK_CHANNEL_ID: '#general' },
        'request-approval',
      ),
    ).toThrow(
      'request-approval environment is invalid: ' +
        'SLACK_CHANNEL_ID="#general": expected a Slack channel id such as C0123456789; ' +
        'APPROVAL_BASE_URL=(unset): expected the approval API URL such as https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    );
    const env = {
      ...API_ENV,
      SLACK_CHANNEL_ID: 'C0123456789',
      APPROVAL_BASE_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    };
    expect(readEnvironment(RequestApprovalEnvironmentSchema, env, 'request-approval')).toEqual(env);
  });

  it('an unset table name says what the variable is for', () => {
    expect(() =>
      readEnvironment(ApprovalApiEnvironmentSchema, { SLACK_SECRET_ARN: 'slack' }, 'approval-api'),
    ).toThrow('APPROVALS_TABLE_NAME=(unset): expected the DynamoDB approvals table name');
  });
});
