import { describe, expect, it } from 'vitest';
import { formatStageArn, InvalidStageArnError, parseStageArn } from '../../../remediators/core/arn.js';

describe('parseStageArn', () => {
  it.each([
    [
      'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod',
      { partition: 'aws', region: 'us-east-1', apiType: 'REST', apiId: 'a1b2c3d4e5', stageName: 'prod' },
    ],
    [
      'arn:aws:apigateway:eu-west-3::/apis/z9y8x7w6v5/stages/live',
      { partition: 'aws', region: 'eu-west-3', apiType: 'V2', apiId: 'z9y8x7w6v5', stageName: 'live' },
    ],
    [
      'arn:aws-cn:apigateway:cn-north-1::/restapis/a1b2c3d4e5/stages/staging_v2',
      {
        partition: 'aws-cn',
        region: 'cn-north-1',
        apiType: 'REST',
        apiId: 'a1b2c3d4e5',
        stageName: 'staging_v2',
      },
    ],
    [
      'arn:aws-us-gov:apigateway:us-gov-west-1::/apis/z9y8x7w6v5/stages/blue-green',
      {
        partition: 'aws-us-gov',
        region: 'us-gov-west-1',
        apiType: 'V2',
        apiId: 'z9y8x7w6v5',
        stageName: 'blue-green',
      },
    ],
  ])('parses %s', (arn, expected) => {
    expect(parseStageArn(arn)).toEqual(expected);
  });

  it('accepts the V2 $default stage, plain or URL-encoded, and formats it plain', () => {
    const plain = parseStageArn('arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/$default');
    const encoded = parseStageArn('arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/%24default');
    expect(encoded).toEqual(plain);
    expect(plain.stageName).toBe('$default');
    expect(formatStageArn(encoded)).toBe('arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/$default');
  });

  it('round-trips through formatStageArn', () => {
    const arn = 'arn:aws-cn:apigateway:cn-northwest-1::/restapis/a1b2c3d4e5/stages/prod';
    expect(formatStageArn(parseStageArn(arn))).toBe(arn);
  });

  it.each([
    ['', 'it does not have the shape of a stage ARN'],
    ['arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5', 'it does not have the shape of a stage ARN'],
    ['arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod/extra', 'it does not have the shape'],
    ['arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets', 'it does not have the shape'],
    ['arn:aws:apigateway:us-east-1::/domainnames/api.example.com', 'it does not have the shape'],
    ['arn:azure:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod', 'unknown partition "azure"'],
    ['arn:aws:apigateway:useast1::/restapis/a1b2c3d4e5/stages/prod', '"useast1" is not a Region'],
    [
      'arn:aws:apigateway:cn-north-1::/restapis/a1b2c3d4e5/stages/prod',
      'Region cn-north-1 belongs to partition aws-cn, not aws',
    ],
    [
      'arn:aws-cn:apigateway:us-gov-west-1::/restapis/a1b2c3d4e5/stages/prod',
      'Region us-gov-west-1 belongs to partition aws-us-gov, not aws-cn',
    ],
    ['arn:aws:apigateway:us-east-1:123456789012:/restapis/a1b2c3d4e5/stages/prod', 'empty account field'],
    ['arn:aws:apigateway:us-east-1::/restapis/a1-b2/stages/prod', '"a1-b2" is not an API id'],
    ['arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/', '"" is not a stage name'],
    ['arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/$default', '"$default" is not a stage name'],
    ['arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/pr%od', 'is not valid URL encoding'],
    ['arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/a%20b', '"a b" is not a stage name'],
  ])('rejects %j: %s', (arn, problem) => {
    let thrown: unknown;
    try {
      parseStageArn(arn);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidStageArnError);
    const message = (thrown as Error).message;
    expect(message).toContain(JSON.stringify(arn));
    expect(message).toContain(problem);
    expect(message).toContain('Expected arn:{aws|aws-cn|aws-us-gov}:apigateway:{region}::/restapis/');
  });
});
