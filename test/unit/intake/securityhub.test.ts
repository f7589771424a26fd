import { describe, expect, it } from 'vitest';
import { intake } from '../../../remediators/intake/intake.js';
import {
  DEFAULT_SETTINGS,
  findingsOf,
  firstFinding,
  fixture,
  objectAt,
  securityHubEvent,
  setStageArn,
  type Json,
  type JsonObject,
} from './events.js';

const run = (event: Json) => intake(event, DEFAULT_SETTINGS);

function withWorkflow(finding: JsonObject, status: string): void {
  finding['Workflow'] = { Status: status };
}

describe('Security Hub "Findings - Imported"', () => {
  it('handles several findings in one event, each ending in exactly one list, in order', () => {
    const event = fixture('securityhub-apigateway1-rest-consolidated.json');
    const passed = firstFinding(fixture('securityhub-apigateway1-passed.json'));
    const legacy = firstFinding(fixture('securityhub-apigateway5-rest-legacy.json'));
    findingsOf(event).push(passed, { Id: 'broken-finding' }, legacy);

    const result = run(event);

    expect(result.requests.map((request) => [request.stageName, request.controls])).toEqual([
      ['prod', ['APIGateway.1']],
      ['staging', ['APIGateway.5']],
    ]);
    expect(result.ignored).toHaveLength(1);
    expect(result.ignored[0]?.reason).toMatch(/Compliance\.Status PASSED/);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.error).toMatch(
      /^finding broken-finding: detail\.findings\[2\]\.ProductArn: got nothing/,
    );
  });

  it('reads the control id from ProductFields.ControlId when Compliance.SecurityControlId is absent (GovCloud, China)', () => {
    const event = fixture('securityhub-apigateway5-rest-legacy.json');
    const finding = firstFinding(event);
    finding['Compliance'] = { Status: 'FAILED' };
    finding['GeneratorId'] = 'not-a-control-path';

    expect(run(event).requests[0]?.controls).toEqual(['APIGateway.5']);
  });

  it('falls back to the last segment of GeneratorId when neither field names the control', () => {
    const event = securityHubEvent((finding) => {
      finding['Compliance'] = { Status: 'FAILED' };
      finding['ProductFields'] = {};
      finding['GeneratorId'] = 'aws-foundational-security-best-practices/v/1.0.0/APIGateway.3';
    });

    expect(run(event).requests[0]?.controls).toEqual(['APIGateway.3']);
  });

  it.each([
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws-cn', 'cn-north-1'],
  ])('parses %s stage ARNs (%s) and takes partition and Region from the ARN', (partition, region) => {
    const event = securityHubEvent((finding) => {
      setStageArn(finding, `arn:${partition}:apigateway:${region}::/restapis/a1b2c3d4e5/stages/prod`);
    });

    expect(run(event).requests[0]).toMatchObject({ partition, region, apiType: 'REST', apiId: 'a1b2c3d4e5' });
  });

  it('reads the V2 default stage from an ARN that URL-encodes it (%24default)', () => {
    const event = fixture('securityhub-apigateway9-v2-consolidated.json');
    setStageArn(
      firstFinding(event),
      'arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/%24default',
      'AwsApiGatewayV2Stage',
    );

    expect(run(event).requests[0]).toMatchObject({ apiType: 'V2', stageName: '$default' });
  });

  it('uses the finding AwsAccountId, not the account of a central Security Hub that forwarded the event', () => {
    const event = securityHubEvent((finding) => {
      finding['AwsAccountId'] = '444455556666';
    });
    event['account'] = '999988887777';

    expect(run(event).requests[0]?.account).toBe('444455556666');
  });

  it.each([
    [
      'Workflow NOTIFIED (already owned by a workflow)',
      (finding: JsonObject) => withWorkflow(finding, 'NOTIFIED'),
    ],
    ['Workflow SUPPRESSED', (finding: JsonObject) => withWorkflow(finding, 'SUPPRESSED')],
    ['RecordState ARCHIVED', (finding: JsonObject) => (finding['RecordState'] = 'ARCHIVED')],
    [
      'Compliance.Status WARNING',
      (finding: JsonObject) =>
        (finding['Compliance'] = { Status: 'WARNING', SecurityControlId: 'APIGateway.1' }),
    ],
  ])('ignores a finding with %s, saying why', (_label, edit) => {
    const result = run(securityHubEvent(edit));

    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toMatch(/only FAILED\+ACTIVE\+NEW findings are remediated$/);
  });

  it('reads the deprecated WorkflowState when Workflow is absent', () => {
    const event = securityHubEvent((finding) => {
      delete finding['Workflow'];
      finding['WorkflowState'] = 'NOTIFIED';
    });

    expect(run(event).ignored[0]?.reason).toMatch(/Workflow NOTIFIED/);
  });

  it.each(['APIGateway.6', 'S3.1'])(
    'ignores a finding for control %s, which the service does not handle',
    (controlId) => {
      const event = securityHubEvent((finding) => {
        objectAt(finding, 'Compliance')['SecurityControlId'] = controlId;
      });

      const result = run(event);
      expect(result.requests).toEqual([]);
      expect(result.ignored[0]?.reason).toContain(`control "${controlId}" is not one this service handles`);
    },
  );

  it('ignores a finding on a resource that is not an API Gateway stage, naming its type', () => {
    const event = securityHubEvent((finding) => {
      setStageArn(finding, 'arn:aws:s3:::orders-bucket', 'AwsS3Bucket');
    });

    expect(run(event).ignored[0]?.reason).toContain(
      'no API Gateway stage among its resources (Resources[].Type: AwsS3Bucket',
    );
  });

  it("ignores findings of other products (e.g. the service's own imported findings), which would loop", () => {
    const event = securityHubEvent((finding) => {
      finding['ProductArn'] = 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default';
    });

    expect(run(event).ignored[0]?.reason).toContain('is not AWS Security Hub');
  });

  it('rejects a malformed stage ARN, quoting it', () => {
    const event = securityHubEvent((finding) => {
      setStageArn(finding, 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5');
    });

    const result = run(event);
    expect(result.requests).toEqual([]);
    expect(result.rejected[0]?.error).toContain(
      'detail.findings[0].Resources[0].Id: Invalid API Gateway stage ARN "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5"',
    );
  });

  it('rejects a finding whose resource type contradicts its ARN', () => {
    const event = securityHubEvent((finding) => {
      setStageArn(
        finding,
        'arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/live',
        'AwsApiGatewayStage',
      );
    });

    expect(run(event).rejected[0]?.error).toContain(
      'Type AwsApiGatewayStage does not match the V2 stage ARN',
    );
  });

  it('rejects a finding naming two stages instead of guessing which one to change', () => {
    const event = securityHubEvent((finding) => {
      const resources = finding['Resources'] as Json[];
      resources.push({
        Type: 'AwsApiGatewayStage',
        Id: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/dev',
      });
    });

    expect(run(event).rejected[0]?.error).toContain('2 API Gateway stage resources; expected exactly one');
  });

  it('rejects a finding with a malformed account id, naming the field, the value and what was expected', () => {
    const event = securityHubEvent((finding) => {
      finding['AwsAccountId'] = '1111';
    });

    expect(run(event).rejected).toEqual([
      {
        error:
          'finding arn:aws:securityhub:us-east-1:111122223333:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351: ' +
          'detail.findings[0].AwsAccountId: got "1111"; an AWS account id of 12 digits',
      },
    ]);
  });

  it.each([
    [[], 'detail.findings: got []; at least one finding'],
    ['a finding', 'detail.findings: got "a finding"; expected array'],
  ])('rejects an event whose detail.findings is %j', (findings, message) => {
    const event = securityHubEvent();
    objectAt(event, 'detail')['findings'] = findings;

    expect(run(event).rejected).toEqual([
      { error: `Security Hub event cbb1e618-4f4e-4ca4-9622-ec1a51ad51e6: ${message}` },
    ]);
  });
});

describe('Security Hub "Findings - Custom Action" (a person asks for a run)', () => {
  function customAction(edit: (finding: JsonObject) => void = () => undefined): JsonObject {
    const event = securityHubEvent(edit);
    event['detail-type'] = 'Security Hub Findings - Custom Action';
    event['resources'] = ['arn:aws:securityhub:us-east-1:111122223333:action/custom/Remediate'];
    objectAt(event, 'detail')['actionName'] = 'Remediate';
    objectAt(event, 'detail')['actionDescription'] = 'Run apigw-remediation on the selected findings';
    return event;
  }

  it('remediates a FAILED finding whatever its Workflow status, as a manual run', () => {
    const result = run(customAction((finding) => withWorkflow(finding, 'NOTIFIED')));

    expect(result.requests).toEqual([
      expect.objectContaining({
        trigger: 'manual',
        actionName: 'Remediate',
        stageName: 'prod',
        controls: ['APIGateway.1'],
      }),
    ]);
  });

  it('still ignores a PASSED finding: there is nothing to fix', () => {
    const passed = firstFinding(fixture('securityhub-apigateway1-passed.json'));
    const event = customAction();
    objectAt(event, 'detail')['findings'] = [passed];

    const result = run(event);
    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toMatch(
      /Compliance\.Status PASSED.*a custom action remediates only FAILED\+ACTIVE findings/,
    );
  });
});
