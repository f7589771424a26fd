import { describe, expect, it } from 'vitest';
import { baselineControlIds } from '../../../remediators/controls/catalog.js';
import { intake } from '../../../remediators/intake/intake.js';
import type { IntakeSettings } from '../../../remediators/intake/types.js';
import {
  DEFAULT_SETTINGS,
  cloudTrailEvent,
  fixture,
  objectAt,
  type Json,
  type JsonObject,
} from './events.js';

const run = (event: Json, settings: IntakeSettings = DEFAULT_SETTINGS) => intake(event, settings);

/** A v2 (HTTP/WebSocket) call: flat request parameters keyed by apiId. */
function v2Call(eventName: string, requestParameters: JsonObject, responseElements: Json = null): JsonObject {
  return cloudTrailEvent((detail) => {
    detail['eventName'] = eventName;
    detail['requestParameters'] = requestParameters;
    detail['responseElements'] = responseElements;
  });
}

function assumedRole(issuerArn: string): JsonObject {
  return {
    type: 'AssumedRole',
    principalId: 'AROA12U1ASXX3Z28HIQHZ:session',
    arn: 'arn:aws:sts::111122223333:assumed-role/some-role/session',
    sessionContext: { sessionIssuer: { type: 'Role', arn: issuerArn } },
  };
}

describe('CloudTrail API Gateway calls', () => {
  it('reads a v2 UpdateStage on the $default stage, logged URL-encoded as %24default', () => {
    const event = v2Call(
      'UpdateStage',
      { apiId: 'z9y8x7w6v5', stageName: '%24default', accessLogSettings: { format: '$context.requestId' } },
      { stageName: '$default' },
    );

    expect(run(event).requests).toEqual([
      expect.objectContaining({
        trigger: 'cloudtrail',
        apiType: 'V2',
        apiId: 'z9y8x7w6v5',
        stageName: '$default',
        controls: [...baselineControlIds('V2')],
      }),
    ]);
  });

  it('reads a v1 CreateStage from its wrapped body (createStageInput.stageName)', () => {
    const event = cloudTrailEvent((detail) => {
      detail['eventName'] = 'CreateStage';
      detail['requestParameters'] = {
        restApiId: 'a1b2c3d4e5',
        createStageInput: { stageName: 'canary', deploymentId: 'k3l9qz' },
        template: false,
      };
    });

    expect(run(event).requests[0]).toMatchObject({
      apiType: 'REST',
      apiId: 'a1b2c3d4e5',
      stageName: 'canary',
    });
  });

  it('reads a v2 CreateStage from its flat body', () => {
    const event = v2Call('CreateStage', { apiId: 'z9y8x7w6v5', stageName: 'beta', autoDeploy: true });

    expect(run(event).requests[0]).toMatchObject({ apiType: 'V2', stageName: 'beta' });
  });

  it('turns a v2 UpdateApi into a request for every stage of the API (stageName null)', () => {
    const event = v2Call('UpdateApi', { apiId: 'z9y8x7w6v5', disableExecuteApiEndpoint: false });

    expect(run(event).requests[0]).toMatchObject({ apiType: 'V2', apiId: 'z9y8x7w6v5', stageName: null });
  });

  it('ignores a CreateDeployment that deploys to no stage', () => {
    const event = fixture('cloudtrail-createdeployment-by-user.json');
    objectAt(event, 'detail', 'requestParameters')['createDeploymentInput'] = { description: 'no stage' };

    expect(run(event).ignored[0]?.reason).toContain('a deployment without stageName changes no stage');
  });

  it('ignores a failed call, naming the error code', () => {
    const event = cloudTrailEvent((detail) => {
      detail['errorCode'] = 'BadRequestException';
      detail['errorMessage'] = 'Invalid method setting path';
      detail['responseElements'] = null;
    });

    const result = run(event);
    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toContain('the call failed (errorCode BadRequestException)');
  });

  it('treats errorCode null as a call that succeeded', () => {
    const event = cloudTrailEvent((detail) => {
      detail['errorCode'] = null;
    });

    expect(run(event).requests).toHaveLength(1);
  });

  it('recognises the member role behind an IAM path (sessionIssuer.arn keeps the path)', () => {
    const event = cloudTrailEvent((detail) => {
      detail['userIdentity'] = assumedRole(
        'arn:aws:iam::111122223333:role/security/apigw-remediation-member',
      );
    });

    expect(run(event).ignored[0]?.reason).toContain(
      "made by the service's own role (sessionIssuer.arn = arn:aws:iam::111122223333:role/security/apigw-remediation-member)",
    );
  });

  it('recognises the configured member role name, not a hard-coded one', () => {
    const event = fixture('cloudtrail-updatestage-by-remediator.json');

    const result = run(event, { memberRoleName: 'renamed-member-role', serviceRoleArns: [] });
    expect(result.requests).toHaveLength(1);
  });

  it('recognises a central service role listed in SERVICE_ROLE_ARNS', () => {
    const central = 'arn:aws:iam::999988887777:role/apigw-remediation-central-Remediator';
    const event = cloudTrailEvent((detail) => {
      detail['userIdentity'] = assumedRole(central);
    });

    expect(run(event).requests).toHaveLength(1);
    const result = run(event, { ...DEFAULT_SETTINGS, serviceRoleArns: [central] });
    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toContain(central);
  });

  it('treats a role that merely ends like the member role as a person (whole-name match)', () => {
    const event = cloudTrailEvent((detail) => {
      detail['userIdentity'] = assumedRole('arn:aws:iam::111122223333:role/not-apigw-remediation-member');
    });

    expect(run(event).requests).toHaveLength(1);
  });

  it('keeps an IAM user call, which has no sessionContext, as drift', () => {
    const event = cloudTrailEvent();
    expect(objectAt(event, 'detail', 'userIdentity')['sessionContext']).toBeUndefined();

    expect(run(event).requests[0]?.actor).toBe('arn:aws:iam::111122223333:user/dev-alice');
  });

  it.each(['GetStage', 'DeleteStage', 'CreateRestApi'])(
    'ignores %s, which cannot take a stage out of the baseline',
    (name) => {
      const event = cloudTrailEvent((detail) => {
        detail['eventName'] = name;
      });

      expect(run(event).ignored[0]?.reason).toContain('not a call that can change a stage');
    },
  );

  it.each([
    ['us-gov-west-1', 'aws-us-gov'],
    ['cn-northwest-1', 'aws-cn'],
  ])('derives the partition from the Region %s', (region, partition) => {
    const event = cloudTrailEvent((detail) => {
      detail['awsRegion'] = region;
    });

    expect(run(event).requests[0]).toMatchObject({ region, partition });
  });

  it('takes the account from recipientAccountId (the account that owns the API)', () => {
    const event = cloudTrailEvent((detail) => {
      detail['recipientAccountId'] = '444455556666';
    });

    expect(run(event).requests[0]?.account).toBe('444455556666');
  });

  it('rejects a call naming neither restApiId nor apiId', () => {
    const event = cloudTrailEvent((detail) => {
      detail['requestParameters'] = { stageName: 'prod' };
    });

    expect(run(event).rejected[0]?.error).toContain(
      'requestParameters: has neither restApiId (REST API) nor apiId (HTTP/WebSocket API); got {"stageName":"prod"}',
    );
  });

  it.each([
    ['prod/../admin', 'expected a stage name (letters, digits, - and _, or $default)'],
    ['%E0%A4%A', 'expected a stage name (invalid URL encoding)'],
  ])('rejects the stage name %j', (stageName, message) => {
    const event = cloudTrailEvent((detail) => {
      objectAt(detail, 'requestParameters')['stageName'] = stageName;
    });

    expect(run(event).rejected[0]?.error).toContain(
      `requestParameters.stageName: got ${JSON.stringify(stageName)}; ${message}`,
    );
  });

  it('rejects an UpdateStage that names no stage', () => {
    const event = cloudTrailEvent((detail) => {
      delete objectAt(detail, 'requestParameters')['stageName'];
      detail['responseElements'] = null;
    });

    expect(run(event).rejected[0]?.error).toContain('no stage name in requestParameters or responseElements');
  });

  it('rejects a call without userIdentity, naming the field', () => {
    const event = cloudTrailEvent((detail) => {
      delete detail['userIdentity'];
    });

    expect(run(event).rejected).toEqual([
      {
        error:
          'CloudTrail event 11cc6ebf-f933-4c4d-8a01-d103d9e46641: detail.userIdentity: got nothing; expected object',
      },
    ]);
  });
});

describe('events intake does not handle', () => {
  it('rejects an unknown detail-type, listing the handled ones', () => {
    const event = cloudTrailEvent();
    event['detail-type'] = 'EC2 Instance State-change Notification';

    expect(run(event).rejected[0]?.error).toMatch(
      /detail-type "EC2 Instance State-change Notification" from source "aws.apigateway" is not handled; expected "Security Hub Findings - Imported" from aws.securityhub/,
    );
  });

  it('rejects a known detail-type from the wrong source', () => {
    const event = cloudTrailEvent();
    event['source'] = 'aws.s3';

    expect(run(event).rejected[0]?.error).toContain('from source "aws.s3" is not handled');
  });

  it.each([null, 42, 'text', []])('rejects %j as not an EventBridge event', (event) => {
    expect(run(event).rejected[0]?.error).toMatch(
      /^not an EventBridge event: \(top level\): got .*; expected object$/,
    );
  });
});
