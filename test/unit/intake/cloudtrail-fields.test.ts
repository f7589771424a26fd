/**
 * Where intake reads each part of a CloudTrail API call (remediators/intake/cloudtrail.ts): the stage
 * name and its fallbacks, the API id, the account, Region, event id and actor, and what each field
 * may hold. One behaviour per test, each starting from the real-shaped `dev-alice` UpdateStage event.
 */
import { describe, expect, it } from 'vitest';
import { intake } from '../../../remediators/intake/intake.js';
import { DEFAULT_SETTINGS, cloudTrailEvent, objectAt, type Json, type JsonObject } from './events.js';

const run = (event: Json) => intake(event, DEFAULT_SETTINGS);

const STAGE_ARN = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';

/** The `dev-alice` event as `eventName`, with these request parameters and response elements. */
function call(eventName: string, requestParameters: Json, responseElements: Json = null): JsonObject {
  return cloudTrailEvent((detail) => {
    detail['eventName'] = eventName;
    detail['requestParameters'] = requestParameters;
    detail['responseElements'] = responseElements;
  });
}

describe('the stage a CloudTrail call names', () => {
  it('a CloudTrail UpdateStage event without requestParameters.stageName takes the stage from responseElements.stageName', () => {
    const event = call('UpdateStage', { restApiId: 'a1b2c3d4e5' }, { stageName: 'from-response' });

    expect(run(event).requests[0]?.stageName).toBe('from-response');
  });

  it('an empty requestParameters.stageName is passed over for responseElements.stageName', () => {
    const event = call('UpdateStage', { restApiId: 'a1b2c3d4e5', stageName: '' }, { stageName: 'prod' });

    expect(run(event).requests[0]?.stageName).toBe('prod');
  });

  it('requestParameters.stageName wins over a different responseElements.stageName', () => {
    const event = call(
      'UpdateStage',
      { restApiId: 'a1b2c3d4e5', stageName: 'asked' },
      { stageName: 'answered' },
    );

    expect(run(event).requests[0]?.stageName).toBe('asked');
  });

  it('a stage name that is empty everywhere is no stage name: the UpdateStage is rejected', () => {
    const event = call('UpdateStage', { restApiId: 'a1b2c3d4e5', stageName: '' }, { stageName: '' });

    expect(run(event).rejected).toEqual([
      {
        error:
          'CloudTrail UpdateStage 2abdcb20-540e-4a8d-b790-93800548f584: no stage name in requestParameters or responseElements; expected stageName',
      },
    ]);
  });

  it('a stage name that is not a string is no stage name', () => {
    const event = call('UpdateStage', { restApiId: 'a1b2c3d4e5', stageName: 42 }, { stageName: ['prod'] });

    expect(run(event).rejected[0]?.error).toContain('no stage name in requestParameters or responseElements');
  });

  it('a v1 CreateDeployment takes its stage from createDeploymentInput.stageName', () => {
    const event = call('CreateDeployment', {
      restApiId: 'a1b2c3d4e5',
      createDeploymentInput: { stageName: 'canary', description: 'release' },
    });

    expect(run(event).requests[0]).toMatchObject({ apiType: 'REST', stageName: 'canary' });
  });

  it('a v2 CreateDeployment takes its stage from the flat requestParameters.stageName', () => {
    const event = call('CreateDeployment', { apiId: 'z9y8x7w6v5', stageName: 'beta' });

    expect(run(event).requests[0]).toMatchObject({ apiType: 'V2', stageName: 'beta' });
  });

  it('a CreateDeployment never takes a stage from its response: without one in the request it changes no stage', () => {
    const event = call('CreateDeployment', { restApiId: 'a1b2c3d4e5' }, { stageName: 'prod', id: 'k3l9qz' });

    const result = run(event);
    expect(result.requests).toEqual([]);
    expect(result.ignored).toEqual([
      {
        reason:
          'CloudTrail CreateDeployment 2abdcb20-540e-4a8d-b790-93800548f584: a deployment without stageName changes no stage',
      },
    ]);
  });

  it('a wrapped body that is not an object is passed over for the flat stageName', () => {
    const event = call('CreateStage', {
      restApiId: 'a1b2c3d4e5',
      createStageInput: ['canary'],
      stageName: 'flat',
    });

    expect(run(event).requests[0]?.stageName).toBe('flat');
  });

  it('a wrapped body of another operation is not read: UpdateStage ignores createStageInput', () => {
    const event = call(
      'UpdateStage',
      { restApiId: 'a1b2c3d4e5', createStageInput: { stageName: 'wrapped' } },
      null,
    );

    expect(run(event).rejected[0]?.error).toContain('no stage name in requestParameters or responseElements');
  });

  it('a wrapped body of another operation is not read: UpdateStage ignores createDeploymentInput', () => {
    const event = call(
      'UpdateStage',
      { restApiId: 'a1b2c3d4e5', createDeploymentInput: { stageName: 'wrapped' } },
      null,
    );

    expect(run(event).rejected[0]?.error).toContain('no stage name in requestParameters or responseElements');
  });

  it('the rejection of a malformed wrapped stage name names the wrapped field', () => {
    const event = call('CreateStage', { restApiId: 'a1b2c3d4e5', createStageInput: { stageName: 'a b' } });

    expect(run(event).rejected[0]?.error).toContain(
      'requestParameters.createStageInput.stageName: got "a b"; expected a stage name (letters, digits, - and _, or $default)',
    );
  });

  it('the rejection of a malformed response stage name names responseElements.stageName', () => {
    const event = call('UpdateStage', { restApiId: 'a1b2c3d4e5' }, { stageName: 'a/b' });

    expect(run(event).rejected[0]?.error).toContain(
      'responseElements.stageName: got "a/b"; expected a stage name',
    );
  });

  it.each([
    ['a', 'a'],
    ['x'.repeat(128), 'x'.repeat(128)],
    ['with-dash_and_underscore9', 'with-dash_and_underscore9'],
    ['$default', '$default'],
    ['%24default', '$default'],
  ])('accepts the stage name %j as %j', (stageName, expected) => {
    const event = call('UpdateStage', { apiId: 'z9y8x7w6v5', stageName });

    expect(run(event).requests[0]?.stageName).toBe(expected);
  });

  it.each(['x'.repeat(129), 'a.b', 'prod$default', '$default2', ' prod', 'prod '])(
    'rejects the stage name %j',
    (stageName) => {
      const event = call('UpdateStage', { apiId: 'z9y8x7w6v5', stageName });

      const error = run(event).rejected[0]?.error;
      // Long values are shortened in the message, so only its start is compared.
      expect(error).toContain(`requestParameters.stageName: got ${JSON.stringify(stageName).slice(0, 20)}`);
      expect(error).toContain('; expected a stage name (letters, digits, - and _, or $default)');
    },
  );
});

describe('the API a CloudTrail call names', () => {
  it.each(['a', 'A1B2c3', '9'.repeat(64)])('accepts the API id %j', (apiId) => {
    const event = call('UpdateApi', { apiId });

    expect(run(event).requests[0]).toMatchObject({ apiType: 'V2', apiId, stageName: null });
  });

  it.each(['', 'a1b2-c3d4', 'a1b2c3d4e5/', '/a1b2c3d4e5', 'x'.repeat(65), 'a1b2 c3'])(
    'rejects the malformed REST API id %j, naming restApiId',
    (restApiId) => {
      const event = call('UpdateRestApi', { restApiId });

      expect(run(event).rejected).toEqual([
        {
          error: `CloudTrail UpdateRestApi 2abdcb20-540e-4a8d-b790-93800548f584: requestParameters.restApiId: got ${JSON.stringify(restApiId)}; expected an API id (letters and digits)`,
        },
      ]);
    },
  );

  it('rejects a malformed HTTP/WebSocket API id, naming apiId', () => {
    const event = call('UpdateApi', { apiId: 'no-dashes' });

    expect(run(event).rejected[0]?.error).toContain(
      'requestParameters.apiId: got "no-dashes"; expected an API id (letters and digits)',
    );
  });

  it('reads restApiId as a REST API even when an apiId is there too', () => {
    const event = call('UpdateRestApi', { restApiId: 'a1b2c3d4e5', apiId: 'z9y8x7w6v5' });

    expect(run(event).requests[0]).toMatchObject({ apiType: 'REST', apiId: 'a1b2c3d4e5' });
  });

  it('takes a non-string restApiId as absent and reads apiId', () => {
    const event = call('UpdateApi', { restApiId: 7, apiId: 'z9y8x7w6v5' });

    expect(run(event).requests[0]).toMatchObject({ apiType: 'V2', apiId: 'z9y8x7w6v5' });
  });

  it('rejects an API call without requestParameters, saying it has neither id', () => {
    const event = call('UpdateRestApi', null);

    expect(run(event).rejected[0]?.error).toContain(
      'requestParameters: has neither restApiId (REST API) nor apiId (HTTP/WebSocket API); got null',
    );
  });

  it.each(['UpdateRestApi', 'UpdateApi', 'PutRestApi', 'ReimportApi'])(
    'turns %s into a request for every stage of the API',
    (eventName) => {
      const event = call(eventName, { restApiId: 'a1b2c3d4e5', stageName: 'ignored-for-api-calls' });

      expect(run(event).requests[0]).toMatchObject({ apiId: 'a1b2c3d4e5', stageName: null });
    },
  );

  it.each([
    'UpdateStage',
    'CreateStage',
    'CreateDeployment',
    'DeleteAccessLogSettings',
    'DeleteRouteSettings',
  ])('turns %s into a request for the one stage it names', (eventName) => {
    const event = call(eventName, { apiId: 'z9y8x7w6v5', stageName: 'beta' });

    expect(run(event).requests[0]).toMatchObject({ apiId: 'z9y8x7w6v5', stageName: 'beta' });
  });

  it('an ignored call lists every call that can change a stage', () => {
    const event = call('GetStage', { restApiId: 'a1b2c3d4e5', stageName: 'prod' });

    expect(run(event).ignored[0]?.reason).toBe(
      "CloudTrail GetStage 2abdcb20-540e-4a8d-b790-93800548f584: not a call that can change a stage's baseline (UpdateStage, CreateStage, CreateDeployment, DeleteAccessLogSettings, DeleteRouteSettings, UpdateRestApi, UpdateApi, PutRestApi, ReimportApi, UpdateAccount)",
    );
  });
});

describe('who, where and when a CloudTrail call says', () => {
  it('a request carries the call: trigger, event id, time, name and the API type’s baseline', () => {
    const request = run(cloudTrailEvent()).requests[0];

    expect(request).toEqual({
      trigger: 'cloudtrail',
      account: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      apiType: 'REST',
      apiId: 'a1b2c3d4e5',
      stageName: 'prod',
      controls: expect.arrayContaining(['APIGateway.1']) as unknown,
      eventId: '2abdcb20-540e-4a8d-b790-93800548f584',
      eventTime: '2026-03-14T09:12:03Z',
      eventName: 'UpdateStage',
      actor: 'arn:aws:iam::111122223333:user/dev-alice',
      caller: {
        sourceIPAddress: '203.0.113.42',
        userAgent: expect.stringMatching(/^aws-cli\/2\.24\.6 /) as unknown,
      },
    });
  });

  it("a deployment by CloudFormation is the owner's drift, not the service's own call: kept, with invokedBy (docs/decisions/0005, 0029)", () => {
    const role = 'cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1';
    const event = cloudTrailEvent((detail) => {
      detail['userIdentity'] = {
        type: 'AssumedRole',
        arn: `arn:aws:sts::111122223333:assumed-role/${role}/AWSCloudFormation`,
        sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::111122223333:role/${role}` } },
        invokedBy: 'cloudformation.amazonaws.com',
      };
      detail['sourceIPAddress'] = 'cloudformation.amazonaws.com';
      detail['userAgent'] = 'cloudformation.amazonaws.com';
    });

    const result = run(event);
    expect(result.ignored).toEqual([]);
    expect(result.requests[0]?.caller).toEqual({
      invokedBy: 'cloudformation.amazonaws.com',
      sourceIPAddress: 'cloudformation.amazonaws.com',
      userAgent: 'cloudformation.amazonaws.com',
    });
  });

  it('a call without invokedBy, sourceIPAddress and userAgent carries no caller', () => {
    const event = cloudTrailEvent((detail) => {
      delete detail['sourceIPAddress'];
      delete detail['userAgent'];
    });

    const request = run(event).requests[0];
    expect(request?.stageName).toBe('prod');
    expect(request).not.toHaveProperty('caller');
  });

  it('an empty caller field is left out, and a caller of only empty fields is none', () => {
    const partly = cloudTrailEvent((detail) => {
      objectAt(detail, 'userIdentity')['invokedBy'] = '';
      detail['sourceIPAddress'] = '';
    });
    expect(run(partly).requests[0]?.caller).toStrictEqual({
      userAgent: expect.stringMatching(/^aws-cli\/2\.24\.6 /) as unknown,
    });

    const empty = cloudTrailEvent((detail) => {
      objectAt(detail, 'userIdentity')['invokedBy'] = '';
      detail['sourceIPAddress'] = '';
      detail['userAgent'] = '';
    });
    expect(run(empty).requests[0]).not.toHaveProperty('caller');
  });

  it('without detail.eventID the request is traced by the EventBridge event id', () => {
    const event = cloudTrailEvent((detail) => {
      delete detail['eventID'];
    });

    expect(run(event).requests[0]?.eventId).toBe('11cc6ebf-f933-4c4d-8a01-d103d9e46641');
  });

  it('without awsRegion and recipientAccountId the Region and account are the envelope’s', () => {
    const event = cloudTrailEvent((detail) => {
      delete detail['awsRegion'];
      delete detail['recipientAccountId'];
    });
    event['region'] = 'cn-north-1';
    event['account'] = '444455556666';

    expect(run(event).requests[0]).toMatchObject({
      region: 'cn-north-1',
      partition: 'aws-cn',
      account: '444455556666',
    });
  });

  it('the actor is the caller’s ARN, else its principal id, else its identity type, else unknown', () => {
    const actorOf = (userIdentity: JsonObject) =>
      run(cloudTrailEvent((detail) => (detail['userIdentity'] = userIdentity))).requests[0]?.actor;

    expect(
      actorOf({ type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/bob' }),
    ).toBe('arn:aws:iam::111122223333:user/bob');
    expect(actorOf({ type: 'AWSService', principalId: 'AIDAEXAMPLE' })).toBe('AIDAEXAMPLE');
    expect(actorOf({ type: 'AWSService' })).toBe('AWSService');
    expect(actorOf({})).toBe('unknown');
  });

  it('a session issuer that is not a role is never the service’s own, even with the member role’s name', () => {
    const event = cloudTrailEvent((detail) => {
      detail['userIdentity'] = {
        type: 'FederatedUser',
        arn: 'arn:aws:sts::111122223333:federated-user/apigw-remediation-member',
        sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:user/apigw-remediation-member' } },
      };
    });

    expect(run(event).requests).toHaveLength(1);
  });

  it('a session without an issuer ARN is a person’s call', () => {
    const event = cloudTrailEvent((detail) => {
      detail['userIdentity'] = { type: 'AssumedRole', sessionContext: { sessionIssuer: {} } };
    });

    expect(run(event).requests).toHaveLength(1);
  });

  it('the own-role reason names the issuer it recognised', () => {
    const issuer = 'arn:aws:iam::111122223333:role/apigw-remediation-member';
    const event = cloudTrailEvent((detail) => {
      detail['userIdentity'] = { type: 'AssumedRole', sessionContext: { sessionIssuer: { arn: issuer } } };
    });

    expect(run(event).ignored).toEqual([
      {
        reason: `CloudTrail UpdateStage 2abdcb20-540e-4a8d-b790-93800548f584: made by the service's own role (sessionIssuer.arn = ${issuer})`,
      },
    ]);
  });

  it('a call without eventSource is read as an API Gateway call', () => {
    const event = cloudTrailEvent((detail) => {
      delete detail['eventSource'];
    });

    expect(run(event).requests).toHaveLength(1);
  });
});

describe('UpdateAccount', () => {
  const updateAccount = (responseElements: Json) =>
    call(
      'UpdateAccount',
      { patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn' }] },
      responseElements,
    );

  it('that leaves a CloudWatch role set is the owner’s choice: ignored, naming account, Region and role', () => {
    const role = 'arn:aws:iam::111122223333:role/their-own-logs-role';

    expect(run(updateAccount({ cloudwatchRoleArn: role })).ignored).toEqual([
      {
        reason: `CloudTrail UpdateAccount 2abdcb20-540e-4a8d-b790-93800548f584: the API Gateway account settings of 111122223333/us-east-1 now name CloudWatch role ${role}; an owner's choice, read again by the next run`,
      },
    ]);
  });

  it('that leaves an empty CloudWatch role is a removed role: rejected, naming who removed it', () => {
    const result = run(updateAccount({ cloudwatchRoleArn: '' }));

    expect(result.rejected[0]?.error).toMatch(
      /^CloudTrail UpdateAccount 2abdcb20-540e-4a8d-b790-93800548f584: the API Gateway CloudWatch role of 111122223333\/us-east-1 was removed by arn:aws:iam::111122223333:user\/dev-alice: execution logs/,
    );
  });

  it('by a caller without an ARN names its principal id, else unknown', () => {
    const removedBy = (userIdentity: JsonObject) =>
      run(
        cloudTrailEvent((detail) => {
          detail['eventName'] = 'UpdateAccount';
          detail['responseElements'] = {};
          detail['userIdentity'] = userIdentity;
        }),
      ).rejected[0]?.error;

    expect(removedBy({ type: 'AssumedRole', principalId: 'AROAEXAMPLE:bob' })).toContain(
      'was removed by AROAEXAMPLE:bob:',
    );
    expect(removedBy({ type: 'AssumedRole' })).toContain('was removed by unknown:');
  });

  it('takes the account and Region from the call, else from the envelope', () => {
    const event = updateAccount({});
    const detail = objectAt(event, 'detail');
    detail['recipientAccountId'] = '444455556666';
    detail['awsRegion'] = 'eu-west-1';
    expect(run(event).rejected[0]?.error).toContain('CloudWatch role of 444455556666/eu-west-1 was removed');

    delete detail['recipientAccountId'];
    delete detail['awsRegion'];
    event['account'] = '777788889999';
    event['region'] = 'ap-south-1';
    expect(run(event).rejected[0]?.error).toContain('CloudWatch role of 777788889999/ap-south-1 was removed');
  });
});

describe('CloudTrail calls intake reads no further', () => {
  it('a detail with two problems names both, joined by "; "', () => {
    const event = cloudTrailEvent((detail) => {
      delete detail['eventName'];
      delete detail['eventTime'];
    });

    expect(run(event).rejected).toEqual([
      {
        error:
          'CloudTrail event 11cc6ebf-f933-4c4d-8a01-d103d9e46641: detail.eventName: got nothing; expected string; detail.eventTime: got nothing; expected string',
      },
    ]);
  });

  it('a call with sessionContext but no sessionIssuer (an IAM user in the console) is a person’s call', () => {
    const event = cloudTrailEvent((detail) => {
      objectAt(detail, 'userIdentity')['sessionContext'] = {
        attributes: { creationDate: '2026-03-14T09:00:00Z', mfaAuthenticated: 'true' },
      };
    });

    expect(run(event).requests[0]?.actor).toBe('arn:aws:iam::111122223333:user/dev-alice');
  });

  it('a request parameter literally named "undefined" is never read as a wrapped body', () => {
    const event = call('UpdateStage', { restApiId: 'a1b2c3d4e5', undefined: { stageName: 'wrapped' } }, null);

    expect(run(event).rejected[0]?.error).toContain('no stage name in requestParameters or responseElements');
  });

  it('a call from another event source is rejected, naming the sources handled', () => {
    const event = cloudTrailEvent((detail) => (detail['eventSource'] = 's3.amazonaws.com'));

    expect(run(event).rejected).toEqual([
      {
        error:
          'CloudTrail UpdateStage 2abdcb20-540e-4a8d-b790-93800548f584: eventSource "s3.amazonaws.com" is not handled; expected apigateway.amazonaws.com or wafv2.amazonaws.com',
      },
    ]);
  });

  it('an UpdateAccount that removed the role says what stops, that no run started, and how to set it again', () => {
    const event = call('UpdateAccount', { patchOperations: [] }, { throttleSettings: {} });

    expect(run(event).rejected[0]?.error).toBe(
      'CloudTrail UpdateAccount 2abdcb20-540e-4a8d-b790-93800548f584: the API Gateway CloudWatch role of 111122223333/us-east-1 was removed by arn:aws:iam::111122223333:user/dev-alice: ' +
        'execution logs (REST, WebSocket) and WebSocket access logs of every stage in the Region stop. ' +
        'No run was started (the setting is one per Region, not per stage): set it again ' +
        '(aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role ARN>), ' +
        'or the next execution-logging fix of a stage there restores the baseline role',
    );
  });
});

describe('WAF DisassociateWebACL', () => {
  /** The `dev-alice` event as a WAF DisassociateWebACL with these request parameters. */
  const disassociate = (requestParameters: Json) =>
    cloudTrailEvent((detail) => {
      detail['eventSource'] = 'wafv2.amazonaws.com';
      detail['eventName'] = 'DisassociateWebACL';
      detail['requestParameters'] = requestParameters;
      detail['responseElements'] = null;
    });

  it('takes the stage from requestParameters.resourceArn', () => {
    expect(run(disassociate({ resourceArn: STAGE_ARN })).requests[0]).toMatchObject({
      apiType: 'REST',
      apiId: 'a1b2c3d4e5',
      stageName: 'prod',
      eventName: 'DisassociateWebACL',
    });
  });

  it('without requestParameters is rejected, saying the resource ARN is missing', () => {
    expect(run(disassociate(null)).rejected).toEqual([
      {
        error:
          'CloudTrail DisassociateWebACL 2abdcb20-540e-4a8d-b790-93800548f584: requestParameters.resourceArn: got nothing; expected the ARN of the resource the web ACL was taken off',
      },
    ]);
  });

  it('a resource ARN that is not a string is rejected, quoting it', () => {
    expect(run(disassociate({ resourceArn: 5 })).rejected[0]?.error).toContain(
      'requestParameters.resourceArn: got 5; expected the ARN of the resource the web ACL was taken off',
    );
  });

  it('a resource ARN that only contains an API Gateway ARN after another prefix is not an API Gateway stage', () => {
    const resourceArn = `urn:${STAGE_ARN}`;

    expect(run(disassociate({ resourceArn })).ignored).toEqual([
      {
        reason: `CloudTrail DisassociateWebACL 2abdcb20-540e-4a8d-b790-93800548f584: the web ACL was taken off ${resourceArn}, not an API Gateway stage`,
      },
    ]);
  });

  it('an API Gateway ARN that is not a stage ARN is rejected with the ARN parser’s reason', () => {
    const resourceArn = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5';

    expect(run(disassociate({ resourceArn })).rejected[0]?.error).toMatch(
      /^CloudTrail DisassociateWebACL 2abdcb20-540e-4a8d-b790-93800548f584: requestParameters\.resourceArn: Invalid API Gateway stage ARN "arn:aws:apigateway:us-east-1::\/restapis\/a1b2c3d4e5": it does not have the shape of a stage ARN/,
    );
  });
});
