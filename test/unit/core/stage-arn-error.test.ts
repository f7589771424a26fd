/**
 * The error a malformed stage ARN raises (remediators/core/arn.ts): its name, which the intake and
 * the task handlers report, and its whole message, which names the input and both accepted shapes.
 */
import { describe, expect, it } from 'vitest';
import { InvalidStageArnError, parseStageArn } from '../../../remediators/core/arn.js';

function thrownBy(arn: string): unknown {
  try {
    parseStageArn(arn);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('InvalidStageArnError', () => {
  it('is named InvalidStageArnError and keeps the input', () => {
    const error = thrownBy('arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5');
    expect(error).toBeInstanceOf(InvalidStageArnError);
    expect((error as InvalidStageArnError).name).toBe('InvalidStageArnError');
    expect((error as InvalidStageArnError).input).toBe('arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5');
  });

  it('says what is wrong and spells out the REST and the HTTP/WebSocket stage ARN shapes', () => {
    const error = thrownBy('arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/a%20b');
    expect((error as Error).message).toBe(
      'Invalid API Gateway stage ARN "arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/a%20b": ' +
        '"a b" is not a stage name (letters, digits, - and _, or $default for HTTP/WebSocket APIs). Expected ' +
        'arn:{aws|aws-cn|aws-us-gov}:apigateway:{region}::/restapis/{apiId}/stages/{stageName} (REST) or ' +
        'arn:{aws|aws-cn|aws-us-gov}:apigateway:{region}::/apis/{apiId}/stages/{stageName} (HTTP/WebSocket)',
    );
  });
});
