import { describe, expect, it } from 'vitest';
import { deniedActionOf, describeAwsError } from '../../../remediators/cli/aws-errors.js';

function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const context = {
  operation: 'APIGateway.GetRestApis',
  iamAction: 'apigateway:GET',
  resource: 'arn:aws:apigateway:eu-west-1::/restapis',
  account: '111122223333',
  region: 'eu-west-1',
};

describe('describeAwsError', () => {
  it('leads with the action and resource an AccessDenied message names', () => {
    const message =
      'User: arn:aws:sts::111122223333:assumed-role/auditor/cli is not authorized to perform: apigateway:GET ' +
      'on resource: arn:aws:apigateway:eu-west-1::/restapis/a1b2c3/stages with an explicit deny in an identity-based policy';
    expect(deniedActionOf(message)).toEqual({
      action: 'apigateway:GET',
      resource: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3/stages',
    });
    expect(describeAwsError(awsError('AccessDeniedException', message), context)).toBe(
      'access denied: apigateway:GET on arn:aws:apigateway:eu-west-1::/restapis/a1b2c3/stages, needed by ' +
        `APIGateway.GetRestApis (account 111122223333, eu-west-1): AccessDeniedException: ${message}`,
    );
  });

  it('names the action the call needs when the denial does not say', () => {
    expect(describeAwsError(awsError('AccessDeniedException', 'Forbidden'), context)).toBe(
      'access denied: apigateway:GET on arn:aws:apigateway:eu-west-1::/restapis, needed by ' +
        'APIGateway.GetRestApis (account 111122223333, eu-west-1): AccessDeniedException: Forbidden',
    );
  });

  it('reports any other failure with the call and where it was made', () => {
    expect(describeAwsError(awsError('TooManyRequestsException', 'Rate exceeded'), context)).toBe(
      'APIGateway.GetRestApis (account 111122223333, eu-west-1) failed: TooManyRequestsException: Rate exceeded',
    );
  });
});
