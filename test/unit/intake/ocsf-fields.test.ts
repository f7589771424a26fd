/**
 * Where intake reads each part of an OCSF finding of the new Security Hub (remediators/intake/ocsf.ts):
 * class, product, status fields and their names in messages, the stage resource and its ARN fields,
 * the Region and partition checks, and the request it builds. One behaviour per test, each starting
 * from the real-shaped APIGateway.1 member-account finding (test/fixtures/ocsf).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { intake } from '../../../remediators/intake/intake.js';
import { DEFAULT_SETTINGS, objectAt, type Json, type JsonObject } from './events.js';

const OCSF_DIR = fileURLToPath(new URL('../../fixtures/ocsf/', import.meta.url));
const FINDING_UID =
  'arn:aws:securityhub:us-east-1:111122223333:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351';
const STAGE_ARN = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';
const LABEL = `OCSF finding ${FINDING_UID}`;

const run = (event: Json) => intake(event, DEFAULT_SETTINGS);

/** The APIGateway.1 member finding event with `edit(finding)` applied to its finding. */
function ocsfEvent(edit: (finding: JsonObject) => void = () => undefined): JsonObject {
  const event = JSON.parse(
    readFileSync(`${OCSF_DIR}ocsf-apigateway1-rest-member.json`, 'utf8'),
  ) as JsonObject;
  edit(objectAt(event, 'detail', 'findings', 0));
  return event;
}

const resource = (finding: JsonObject) => objectAt(finding, 'resources', 0);

describe('the class and product of an OCSF finding', () => {
  it('a finding of another class is passed over, naming its class', () => {
    const event = ocsfEvent((finding) => (finding['class_uid'] = 2004));

    expect(run(event).ignored).toEqual([
      {
        reason: `${LABEL}: class_uid 2004 is not a Compliance Finding (2003): only control findings are remediated`,
      },
    ]);
  });

  it('a finding without a finding_info.uid is labelled by its position', () => {
    const event = ocsfEvent((finding) => {
      finding['class_uid'] = 2004;
      objectAt(finding, 'finding_info')['uid'] = '';
    });

    expect(run(event).ignored[0]?.reason).toMatch(/^OCSF finding detail\.findings\[0\]: class_uid 2004/);
  });

  it.each([
    ['without finding_info', (finding: JsonObject) => delete finding['finding_info']],
    [
      'with a finding_info.uid that is not a string',
      (finding: JsonObject) => (objectAt(finding, 'finding_info')['uid'] = 5),
    ],
  ])('a finding %s is labelled by its position', (_label, edit) => {
    const event = ocsfEvent((finding) => {
      finding['class_uid'] = 2004;
      edit(finding);
    });

    expect(run(event).ignored[0]?.reason).toMatch(/^OCSF finding detail\.findings\[0\]: class_uid 2004/);
  });

  it('a finding without class or product names both problems, joined by "; "', () => {
    const event = ocsfEvent((finding) => {
      delete finding['class_uid'];
      delete finding['metadata'];
    });

    expect(run(event).rejected[0]?.error).toMatch(
      /^OCSF finding detail\.findings\[0\]: detail\.findings\[0\]\.class_uid: got nothing; expected number; detail\.findings\[0\]\.metadata: got nothing/,
    );
  });

  it('a compliance finding missing two fields names both, joined by "; "', () => {
    const event = ocsfEvent((finding) => {
      delete finding['status_id'];
      delete finding['activity_id'];
    });

    expect(run(event).rejected[0]?.error).toMatch(
      /: detail\.findings\[0\]\.activity_id: got nothing; expected number; detail\.findings\[0\]\.status_id: got nothing/,
    );
  });

  it.each(['aws-cn', 'aws-us-gov'])(
    "reads Security Hub's controls product in the %s partition",
    (partition) => {
      const region = partition === 'aws-cn' ? 'cn-north-1' : 'us-gov-west-1';
      const event = ocsfEvent((finding) => {
        objectAt(finding, 'metadata', 'product')['uid'] =
          `arn:${partition}:securityhub:${region}::productv2/aws/securityhub`;
        objectAt(finding, 'cloud')['region'] = region;
        resource(finding)['cloud_partition'] = partition;
        resource(finding)['uid_alt'] =
          `arn:${partition}:apigateway:${region}::/restapis/a1b2c3d4e5/stages/prod`;
      });

      expect(run(event).requests[0]).toMatchObject({ partition, region });
    },
  );

  it.each([
    'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    'arn:aws:securityhub:us-east-1::productv2/aws/securityhub-other',
    'arn:aws-iso:securityhub:us-east-1::productv2/aws/securityhub',
  ])('passes over the product %s, quoting it', (uid) => {
    const event = ocsfEvent((finding) => (objectAt(finding, 'metadata', 'product')['uid'] = uid));

    expect(run(event).ignored).toEqual([
      {
        reason: `${LABEL}: metadata.product.uid ${uid} is not AWS Security Hub's controls product (productv2/aws/securityhub)`,
      },
    ]);
  });

  it('a control this service does not handle is ignored, quoting it', () => {
    const event = ocsfEvent((finding) => (objectAt(finding, 'compliance')['control'] = 'APIGateway.6'));

    expect(run(event).ignored[0]?.reason).toMatch(
      new RegExp(
        `^${LABEL.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: control "APIGateway\\.6" is not one this service handles \\(APIGateway\\.1, `,
      ),
    );
  });

  it('a compliance finding missing a field it needs is rejected, naming the field', () => {
    const event = ocsfEvent((finding) => delete finding['status_id']);

    expect(run(event).rejected[0]?.error).toMatch(
      new RegExp(`^OCSF finding arn:\\S+: detail\\.findings\\[0\\]\\.status_id: got nothing`),
    );
  });
});

describe('the status an OCSF finding must have', () => {
  it('only a failing, open, New finding starts work; anything else is ignored with every status named', () => {
    const event = ocsfEvent((finding) => {
      objectAt(finding, 'compliance')['status_id'] = 1;
      finding['status_id'] = 2;
      finding['activity_id'] = 3;
    });

    expect(run(event).ignored).toEqual([
      {
        reason: `${LABEL}: compliance.status_id 1 (Pass), status_id 2 (In Progress), activity_id 3 (Close): only failing (compliance.status_id 3 Fail), open (activity_id not 3 Close), New (status_id 1) findings are remediated`,
      },
    ]);
  });

  it('names a value OCSF does not define as such', () => {
    const event = ocsfEvent((finding) => (finding['status_id'] = 42));

    expect(run(event).ignored[0]?.reason).toContain(
      'compliance.status_id 3 (Fail), status_id 42 (not an OCSF value), activity_id 2 (Update)',
    );
  });

  it.each([
    ['a passing compliance', (finding: JsonObject) => (objectAt(finding, 'compliance')['status_id'] = 1)],
    ['a closed finding', (finding: JsonObject) => (finding['activity_id'] = 3)],
    ['a finding already in progress', (finding: JsonObject) => (finding['status_id'] = 2)],
  ])('%s alone is enough to be ignored', (_label, edit) => {
    expect(run(ocsfEvent(edit)).requests).toEqual([]);
  });

  it('a newly created (activity 1) failing New finding starts work', () => {
    expect(run(ocsfEvent((finding) => (finding['activity_id'] = 1)))).toMatchObject({
      requests: [expect.objectContaining({ stageName: 'prod' })],
    });
  });
});

describe('the stage an OCSF finding names', () => {
  it('takes the stage among other resources and names its position in errors', () => {
    const event = ocsfEvent((finding) => {
      const stage = resource(finding);
      stage['uid_alt'] = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/a b';
      finding['resources'] = [{ type: 'AWS::ApiGateway::RestApi', uid: 'a1b2c3d4e5' }, stage];
    });

    expect(run(event).rejected[0]?.error).toMatch(
      /: detail\.findings\[0\]\.resources\[1\]\.uid_alt: Invalid API Gateway stage ARN/,
    );
  });

  it('names uid in the error when the malformed ARN came from uid', () => {
    const event = ocsfEvent((finding) => {
      delete resource(finding)['uid_alt'];
      resource(finding)['uid'] = 'arn:aws:apigateway:us-east-1::/restapis/a-b/stages/prod';
    });

    expect(run(event).rejected[0]?.error).toMatch(
      /: detail\.findings\[0\]\.resources\[0\]\.uid: Invalid API Gateway stage ARN/,
    );
  });

  it('reads uid_alt when it is an ARN, even when uid is one too', () => {
    const event = ocsfEvent((finding) => {
      resource(finding)['uid'] = 'arn:aws:apigateway:us-east-1::/restapis/zzzz000000/stages/other';
    });

    expect(run(event).requests[0]).toMatchObject({ apiId: 'a1b2c3d4e5', stageName: 'prod' });
  });

  it('ignores a finding without a stage resource, listing the resource types', () => {
    const event = ocsfEvent((finding) => {
      finding['resources'] = [
        { type: 'AWS::ApiGateway::RestApi', uid: 'a1b2c3d4e5' },
        { type: 'AWS::S3::Bucket', uid: 'logs' },
      ];
    });

    expect(run(event).ignored).toEqual([
      {
        reason: `${LABEL}: no API Gateway stage among its resources (resources[].type: AWS::ApiGateway::RestApi, AWS::S3::Bucket; expected AWS::ApiGateway::Stage or AWS::ApiGatewayV2::Stage).`,
      },
    ]);
  });

  it('says so when a report-only control’s finding names no stage (it is reported on every run anyway)', () => {
    const event = ocsfEvent((finding) => {
      objectAt(finding, 'compliance')['control'] = 'APIGateway.11';
      finding['resources'] = [{ type: 'AWS::ApiGateway::DomainName', uid: 'api.example.com' }];
    });

    expect(run(event).ignored[0]?.reason).toContain(
      "expected AWS::ApiGateway::Stage or AWS::ApiGatewayV2::Stage). APIGateway.11 is report-only here: it is checked and reported on every run of the API's stages.",
    );
  });

  it('rejects two stage resources, counting them', () => {
    const event = ocsfEvent((finding) => {
      const stage = resource(finding);
      finding['resources'] = [stage, { type: 'AWS::S3::Bucket', uid: 'b' }, stage];
    });

    expect(run(event).rejected).toEqual([
      {
        error: `${LABEL}: 2 API Gateway stage resources; expected exactly one (a control finding names one resource)`,
      },
    ]);
  });

  it('rejects a V2 stage ARN declared as a REST stage, naming both', () => {
    const v2Arn = 'arn:aws:apigateway:us-east-1::/apis/z9y8x7w6v5/stages/beta';
    const event = ocsfEvent((finding) => (resource(finding)['uid_alt'] = v2Arn));

    expect(run(event).rejected).toEqual([
      {
        error: `${LABEL}: detail.findings[0].resources[0].type AWS::ApiGateway::Stage does not match the V2 stage ARN ${v2Arn}`,
      },
    ]);
  });

  it('rejects a finding whose cloud.region is not its stage’s Region', () => {
    const event = ocsfEvent((finding) => (objectAt(finding, 'cloud')['region'] = 'us-west-2'));

    expect(run(event).rejected).toEqual([
      {
        error: `${LABEL}: detail.findings[0].cloud.region us-west-2 is not the Region of its stage ${STAGE_ARN} (us-east-1)`,
      },
    ]);
  });

  it('accepts a stage resource without cloud_partition', () => {
    const event = ocsfEvent((finding) => delete resource(finding)['cloud_partition']);

    expect(run(event).requests).toHaveLength(1);
  });
});

describe('the request an OCSF finding becomes', () => {
  it('names the finding, its product and metadata uid, the event, and the OCSF format', () => {
    expect(run(ocsfEvent()).requests).toStrictEqual([
      {
        trigger: 'securityhub',
        account: '111122223333',
        region: 'us-east-1',
        partition: 'aws',
        apiType: 'REST',
        apiId: 'a1b2c3d4e5',
        stageName: 'prod',
        controls: ['APIGateway.1'],
        findingId: FINDING_UID,
        productArn: 'arn:aws:securityhub:us-east-1::productv2/aws/securityhub',
        eventId: '7b6f6a4e-0c3a-4c7e-9a55-1f0f2b3c4d01',
        eventTime: '2025-12-01T12:00:05Z',
        findingFormat: 'ocsf',
        metadataUid: '4f0b4c1e1b1e5d2a9a4c3e8f7d6b5a49c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3',
      },
    ]);
  });
});
