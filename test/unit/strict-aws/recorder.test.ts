import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { asRole, asTask, asTestHarness, startRecording, stopRecording } from '../../strict-aws/recorder.js';
import { mockClientUnderStrictModel } from '../../strict-aws/mock-client.js';

const sns = mockClientUnderStrictModel(SNSClient);
afterEach(() => {
  stopRecording();
});

describe('the strict model’s recorder', () => {
  const client = () =>
    new SNSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  const publish = () =>
    client().send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: 'm' }));

  it('records calls inside a production scope with the scope’s identity, Region, input and output', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'id-1' });
    startRecording();
    await asTask('finish', publish);
    await asRole('arn:aws:iam::123456789012:role/apigw-remediation-member', publish);
    const calls = stopRecording();
    expect(
      calls.map(({ service, operation, region, actor, output }) => ({
        service,
        operation,
        region,
        actor,
        output,
      })),
    ).toEqual([
      {
        service: 'SNS',
        operation: 'Publish',
        region: 'eu-west-1',
        actor: { kind: 'task', task: 'finish' },
        output: { MessageId: 'id-1' },
      },
      {
        service: 'SNS',
        operation: 'Publish',
        region: 'eu-west-1',
        actor: { kind: 'role', roleArn: 'arn:aws:iam::123456789012:role/apigw-remediation-member' },
        output: { MessageId: 'id-1' },
      },
    ]);
  });

  it('keeps the REST binding of a REST-protocol operation (its Smithy http trait) with the labels filled in', async () => {
    const gateway = mockClientUnderStrictModel(APIGatewayClient);
    gateway.on(GetStageCommand).resolves({ stageName: 'prod' });
    startRecording();
    await asTask('prepare', () =>
      new APIGatewayClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      }).send(new GetStageCommand({ restApiId: 'abcdefghij', stageName: 'prod v2' })),
    );
    expect(stopRecording().map((call) => call.http)).toEqual([
      { method: 'GET', path: '/restapis/abcdefghij/stages/prod%20v2' },
    ]);
    gateway.restore();
  });

  it('does not record the test’s own calls, outside a scope or in test machinery inside one', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'id-2' });
    startRecording();
    await publish();
    await asTask('finish', () => asTestHarness(publish));
    expect(stopRecording()).toEqual([]);
  });

  it('records a failed call with its error', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError'));
    startRecording();
    await expect(asTask('finish', publish)).rejects.toThrow('AuthorizationError');
    expect(stopRecording().map((call) => call.error)).toEqual(['Error: AuthorizationError']);
  });
});
