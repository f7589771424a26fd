/**
 * Where intake reads each part of a Security Hub (ASFF) finding (remediators/intake/securityhub.ts):
 * the control id and its fallbacks, the product, the status fields, the stage resource, and the
 * request it builds. One behaviour per test, each starting from the real-shaped APIGateway.1 finding.
 */
import { describe, expect, it } from 'vitest';
import { intake } from '../../../remediators/intake/intake.js';
import {
  DEFAULT_SETTINGS,
  findingsOf,
  objectAt,
  securityHubEvent,
  setStageArn,
  type Json,
  type JsonObject,
} from './events.js';

const run = (event: Json) => intake(event, DEFAULT_SETTINGS);

const FINDING_ID =
  'arn:aws:securityhub:us-east-1:111122223333:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351';
const STAGE_ARN = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';

/** A finding of the old, standard-specific kind: no SecurityControlId, so ProductFields and GeneratorId decide. */
function legacyFinding(productFields: JsonObject, generatorId: string): JsonObject {
  return securityHubEvent((finding) => {
    finding['Compliance'] = { Status: 'FAILED' };
    finding['ProductFields'] = productFields;
    finding['GeneratorId'] = generatorId;
  });
}

describe('the control a Security Hub finding is for', () => {
  it('Compliance.SecurityControlId wins over ProductFields.ControlId and GeneratorId', () => {
    const event = securityHubEvent((finding) => {
      objectAt(finding, 'Compliance')['SecurityControlId'] = 'APIGateway.3';
      finding['ProductFields'] = { ControlId: 'APIGateway.5' };
      finding['GeneratorId'] = 'security-control/APIGateway.9';
    });

    expect(run(event).requests[0]?.controls).toEqual(['APIGateway.3']);
  });

  it('ProductFields.ControlId wins over GeneratorId', () => {
    const event = legacyFinding(
      { ControlId: 'APIGateway.5' },
      'aws-foundational-security-best-practices/v/1.0.0/APIGateway.3',
    );

    expect(run(event).requests[0]?.controls).toEqual(['APIGateway.5']);
  });

  it('an empty ProductFields.ControlId falls back to the last segment of GeneratorId', () => {
    const event = legacyFinding(
      { ControlId: '' },
      'aws-foundational-security-best-practices/v/1.0.0/APIGateway.3',
    );

    expect(run(event).requests[0]?.controls).toEqual(['APIGateway.3']);
  });

  it('a ProductFields.ControlId that is not a string falls back to the last segment of GeneratorId', () => {
    const event = legacyFinding(
      { ControlId: 5 },
      'aws-foundational-security-best-practices/v/1.0.0/APIGateway.3',
    );

    expect(run(event).requests[0]?.controls).toEqual(['APIGateway.3']);
  });

  it('a finding without ProductFields or SecurityControlId takes the control from GeneratorId', () => {
    const event = securityHubEvent((finding) => {
      finding['Compliance'] = { Status: 'FAILED' };
      delete finding['ProductFields'];
      finding['GeneratorId'] = 'aws-foundational-security-best-practices/v/1.0.0/APIGateway.3';
    });

    expect(run(event).requests[0]?.controls).toEqual(['APIGateway.3']);
  });

  it('a GeneratorId without a slash is the control id as a whole', () => {
    const event = legacyFinding({}, 'APIGateway.3');

    expect(run(event).requests[0]?.controls).toEqual(['APIGateway.3']);
  });

  it('a control this service does not handle is ignored, quoting it and listing the handled ones', () => {
    const event = legacyFinding({ ControlId: 'APIGateway.6' }, 'x/APIGateway.6');

    expect(run(event).ignored[0]?.reason).toMatch(
      new RegExp(
        `^finding ${FINDING_ID}: control "APIGateway\\.6" is not one this service handles \\(APIGateway\\.1, `,
      ),
    );
  });
});

describe('the product a Security Hub finding comes from', () => {
  it.each(['aws-cn', 'aws-us-gov'])(
    "reads AWS Security Hub's controls product in the %s partition",
    (partition) => {
      const region = partition === 'aws-cn' ? 'cn-north-1' : 'us-gov-west-1';
      const event = securityHubEvent((finding) => {
        finding['ProductArn'] = `arn:${partition}:securityhub:${region}::product/aws/securityhub`;
        setStageArn(finding, `arn:${partition}:apigateway:${region}::/restapis/a1b2c3d4e5/stages/prod`);
      });

      expect(run(event).requests[0]).toMatchObject({ partition, region });
    },
  );

  it.each([
    ['another partition', 'arn:aws-iso:securityhub:us-east-1::product/aws/securityhub'],
    ['a longer product name', 'arn:aws:securityhub:us-east-1::product/aws/securityhub-extra'],
    ['a prefix before it', 'x-arn:aws:securityhub:us-east-1::product/aws/securityhub'],
    ['an account in the ARN', 'arn:aws:securityhub:us-east-1:111122223333:product/aws/securityhub'],
  ])('ignores a product ARN with %s', (_label, productArn) => {
    const event = securityHubEvent((finding) => {
      finding['ProductArn'] = productArn;
    });

    expect(run(event).ignored).toEqual([
      {
        reason: `finding ${FINDING_ID}: ProductArn ${productArn} is not AWS Security Hub's controls product (product/aws/securityhub)`,
      },
    ]);
  });
});

describe('the status a Security Hub finding must have', () => {
  it('an Imported finding without Compliance or Workflow says (none) for each', () => {
    const event = securityHubEvent((finding) => {
      delete finding['Compliance'];
      finding['GeneratorId'] = 'security-control/APIGateway.1';
      delete finding['Workflow'];
      delete finding['WorkflowState'];
    });

    expect(run(event).ignored).toEqual([
      {
        reason: `finding ${FINDING_ID}: Compliance.Status (none), RecordState ACTIVE, Workflow (none): only FAILED+ACTIVE+NEW findings are remediated`,
      },
    ]);
  });

  it('Workflow.Status wins over the deprecated WorkflowState', () => {
    const event = securityHubEvent((finding) => {
      finding['Workflow'] = { Status: 'NOTIFIED' };
      finding['WorkflowState'] = 'NEW';
    });

    expect(run(event).ignored[0]?.reason).toContain('Workflow NOTIFIED: only FAILED+ACTIVE+NEW');
  });

  it('an archived finding is ignored even when FAILED and NEW', () => {
    const event = securityHubEvent((finding) => {
      finding['RecordState'] = 'ARCHIVED';
    });

    expect(run(event).ignored[0]?.reason).toContain('RecordState ARCHIVED');
  });

  it('a custom action on an archived finding is ignored, saying what a custom action remediates', () => {
    const event = securityHubEvent((finding) => {
      finding['RecordState'] = 'ARCHIVED';
    });
    event['detail-type'] = 'Security Hub Findings - Custom Action';
    objectAt(event, 'detail')['actionName'] = 'Remediate API stage';

    expect(run(event).ignored).toEqual([
      {
        reason: `finding ${FINDING_ID}: Compliance.Status FAILED, RecordState ARCHIVED, Workflow NEW: a custom action remediates only FAILED+ACTIVE findings`,
      },
    ]);
  });
});

describe('the stage a Security Hub finding names', () => {
  it('takes the stage among other resources, naming its position when its ARN is malformed', () => {
    const event = securityHubEvent((finding) => {
      finding['Resources'] = [
        { Type: 'AwsAccount', Id: 'AWS::::Account:111122223333' },
        { Type: 'AwsApiGatewayStage', Id: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/a b' },
      ];
    });

    expect(run(event).rejected[0]?.error).toMatch(
      new RegExp(
        `^finding ${FINDING_ID}: detail\\.findings\\[0\\]\\.Resources\\[1\\]\\.Id: Invalid API Gateway stage ARN`,
      ),
    );
  });

  it('takes the one stage among other resources', () => {
    const event = securityHubEvent((finding) => {
      finding['Resources'] = [
        { Type: 'AwsAccount', Id: 'AWS::::Account:111122223333' },
        { Type: 'AwsApiGatewayV2Stage', Id: 'arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/beta' },
      ];
    });

    expect(run(event).requests[0]).toMatchObject({ apiType: 'V2', apiId: 'z9y8x7w6v5', stageName: 'beta' });
  });

  it('rejects two stage resources, counting them', () => {
    const event = securityHubEvent((finding) => {
      finding['Resources'] = [
        { Type: 'AwsApiGatewayStage', Id: STAGE_ARN },
        { Type: 'AwsAccount', Id: 'AWS::::Account:111122223333' },
        { Type: 'AwsApiGatewayStage', Id: STAGE_ARN.replace('prod', 'beta') },
      ];
    });

    expect(run(event).rejected).toEqual([
      {
        error: `finding ${FINDING_ID}: 2 API Gateway stage resources; expected exactly one (a control finding names one resource)`,
      },
    ]);
  });

  it('ignores a finding without a stage resource, listing the resource types', () => {
    const event = securityHubEvent((finding) => {
      finding['Resources'] = [
        { Type: 'AwsAccount', Id: 'AWS::::Account:111122223333' },
        { Type: 'AwsApiGatewayRestApi', Id: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5' },
      ];
    });

    expect(run(event).ignored).toEqual([
      {
        reason: `finding ${FINDING_ID}: no API Gateway stage among its resources (Resources[].Type: AwsAccount, AwsApiGatewayRestApi; expected AwsApiGatewayStage or AwsApiGatewayV2Stage)`,
      },
    ]);
  });

  it('rejects a V2 stage ARN declared as a REST stage, naming both', () => {
    const v2Arn = 'arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/beta';
    const event = securityHubEvent((finding) => setStageArn(finding, v2Arn, 'AwsApiGatewayStage'));

    expect(run(event).rejected).toEqual([
      {
        error: `finding ${FINDING_ID}: detail.findings[0].Resources[0].Type AwsApiGatewayStage does not match the V2 stage ARN ${v2Arn}`,
      },
    ]);
  });
});

describe('the request a Security Hub finding becomes', () => {
  it('an Imported finding becomes a securityhub request naming the finding, its product and the event, without an action name', () => {
    const event = securityHubEvent();
    const [request] = run(event).requests;

    expect(request).toStrictEqual({
      trigger: 'securityhub',
      account: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      apiType: 'REST',
      apiId: 'a1b2c3d4e5',
      stageName: 'prod',
      controls: ['APIGateway.1'],
      findingId: FINDING_ID,
      productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
      eventId: 'cbb1e618-4f4e-4ca4-9622-ec1a51ad51e6',
      eventTime: '2026-03-14T09:27:41Z',
    });
  });

  it('a custom action becomes a manual request carrying the action name', () => {
    const event = securityHubEvent();
    event['detail-type'] = 'Security Hub Findings - Custom Action';
    objectAt(event, 'detail')['actionName'] = 'Remediate API stage';

    expect(run(event).requests[0]).toMatchObject({ trigger: 'manual', actionName: 'Remediate API stage' });
  });

  it('a malformed finding with a string Id is labelled by its Id, else by its position', () => {
    const event = securityHubEvent();
    findingsOf(event).push({ Id: 'broken' }, { Id: 7 });

    const errors = run(event).rejected.map((item) => item.error);
    expect(errors[0]).toMatch(/^finding broken: detail\.findings\[1\]\./);
    expect(errors[1]).toMatch(/^finding detail\.findings\[2\]: detail\.findings\[2\]\./);
  });
});
