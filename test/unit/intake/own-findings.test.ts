/**
 * The service's own findings (imported for CloudTrail drift): a custom action on one is a person
 * asking for a run and becomes a manual request that names the finding in its own product; an
 * Imported event for one is ignored (it would loop); other third-party products stay ignored.
 *
 * The own finding is built by the very code that imports it (remediators/securityhub/findings.ts),
 * so these tests break if the two ever drift apart.
 */
import { BatchUpdateFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatStageArn } from '../../../remediators/core/arn.js';
import type { ControlId, StageRef } from '../../../remediators/core/types.js';
import { createAdmitHandler, type AdmitDeps } from '../../../remediators/handlers/admit.js';
import { intake } from '../../../remediators/intake/intake.js';
import { ownFindingId, ownFindings, ownProductArn } from '../../../remediators/securityhub/findings.js';
import type { OutcomeRecord } from '../../../remediators/workflow/outcome.js';
import { RemediationRequestSchema } from '../../../remediators/workflow/state.js';
import { DEFAULT_SETTINGS, fixture, objectAt, type Json, type JsonObject } from './events.js';

const ACCOUNT = '444455556666';
const STAGE: StageRef = {
  account: ACCOUNT,
  region: 'eu-west-1',
  partition: 'aws',
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
};
const ACTION_ARN = 'arn:aws:securityhub:eu-west-1:111122223333:action/custom/Remediate';

/** The finding the Record task imports for `controlId` drifting on `stage`, still FAILED. */
function ownFinding(stage: StageRef = STAGE, controlId: ControlId = 'APIGateway.3'): JsonObject {
  const record: OutcomeRecord = {
    outcome: 'SKIPPED',
    remediationId: 'r-1',
    executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:remediation:e-1',
    stage,
    trigger: 'cloudtrail',
    changes: [],
    approver: 'nobody (report-only)',
    reason: 'reported only',
    evaluations: [
      { controlId, compliance: 'FAILED', reason: 'not set', before: 'NON_COMPLIANT', handling: 'notify' },
    ],
    serviceVersion: '1.0.0',
    recordedAt: '2026-11-21T10:00:00.000Z',
  };
  const [first] = ownFindings(record, {});
  if (first === undefined) throw new Error('ownFindings built no finding');
  // What Security Hub adds on import and sends in the event.
  return JSON.parse(
    JSON.stringify({ ...first.finding, Workflow: { Status: 'NOTIFIED' }, WorkflowState: 'NEW' }),
  ) as JsonObject;
}

function securityHubEvent(detailType: string, findings: Json[]): JsonObject {
  const event = fixture('securityhub-apigateway1-rest-consolidated.json');
  event['detail-type'] = detailType;
  event['region'] = 'eu-west-1';
  const detail = objectAt(event, 'detail');
  detail['findings'] = findings;
  if (detailType.endsWith('Custom Action')) {
    event['resources'] = [ACTION_ARN];
    detail['actionName'] = 'Remediate API stage';
    detail['actionDescription'] = 'Run apigw-remediation on the selected findings';
  }
  return event;
}

const customAction = (...findings: Json[]) =>
  securityHubEvent('Security Hub Findings - Custom Action', findings);
const imported = (...findings: Json[]) => securityHubEvent('Security Hub Findings - Imported', findings);
const run = (event: Json) => intake(event, DEFAULT_SETTINGS);

describe("custom action on a finding of the service's own", () => {
  it('becomes a manual request for its control and stage, carrying its Id and own ProductArn', () => {
    const finding = ownFinding();
    const result = run(customAction(finding));

    expect(result.ignored).toEqual([]);
    expect(result.rejected).toEqual([]);
    expect(result.requests).toEqual([
      {
        trigger: 'manual',
        account: ACCOUNT,
        region: 'eu-west-1',
        partition: 'aws',
        apiType: 'REST',
        apiId: 'a1b2c3d4e5',
        stageName: 'prod',
        controls: ['APIGateway.3'],
        findingId: ownFindingId(STAGE, 'APIGateway.3'),
        productArn: `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`,
        eventId: 'cbb1e618-4f4e-4ca4-9622-ec1a51ad51e6',
        eventTime: expect.any(String) as unknown as string,
        actionName: 'Remediate API stage',
      },
    ]);
    expect(RemediationRequestSchema.safeParse(result.requests[0]).success).toBe(true);
  });

  it('works for V2 stages, $default included, and in other partitions', () => {
    const v2: StageRef = { ...STAGE, apiType: 'V2', apiId: 'z9y8x7w6v5', stageName: '$default' };
    const gov: StageRef = { ...STAGE, partition: 'aws-us-gov', region: 'us-gov-west-1' };
    const result = run(customAction(ownFinding(v2, 'APIGateway.9'), ownFinding(gov, 'APIGateway.1')));

    expect(result.requests.map((request) => [request.apiType, request.stageName, request.controls])).toEqual([
      ['V2', '$default', ['APIGateway.9']],
      ['REST', 'prod', ['APIGateway.1']],
    ]);
    expect(result.requests[1]?.productArn).toBe(ownProductArn('aws-us-gov', 'us-gov-west-1', ACCOUNT));
  });

  it('reads the control from GeneratorId when ProductFields does not name it', () => {
    const finding = ownFinding();
    delete objectAt(finding, 'ProductFields')['apigw-remediation/ControlId'];

    expect(run(customAction(finding)).requests[0]?.controls).toEqual(['APIGateway.3']);
  });

  it('still needs FAILED + ACTIVE: a passing or archived own finding is ignored, saying why', () => {
    const passed = ownFinding();
    passed['Compliance'] = { Status: 'PASSED' };
    const archived = ownFinding();
    archived['RecordState'] = 'ARCHIVED';

    const result = run(customAction(passed, archived));
    expect(result.requests).toEqual([]);
    expect(result.ignored.map((item) => item.reason)).toEqual([
      expect.stringMatching(
        /Compliance\.Status PASSED.*a custom action remediates only FAILED\+ACTIVE findings$/,
      ),
      expect.stringMatching(/RecordState ARCHIVED.*a custom action remediates only FAILED\+ACTIVE findings$/),
    ]);
  });

  it('ignores the own "stages could not be listed" finding: it names no control the service handles', () => {
    const finding = ownFinding();
    finding['GeneratorId'] = 'apigw-remediation/stages-unlisted';
    delete objectAt(finding, 'ProductFields')['apigw-remediation/ControlId'];

    expect(run(customAction(finding)).ignored[0]?.reason).toContain(
      'control "stages-unlisted" is not one this service handles',
    );
  });

  it("ignores a default-product finding of another account than the product's", () => {
    const finding = ownFinding();
    finding['AwsAccountId'] = '777788889999';

    const result = run(customAction(finding));
    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toContain(
      "is not the default product of the finding's account 777788889999: not a finding of apigw-remediation's own",
    );
  });

  it('rejects an own finding whose Id, control fields or Region do not match what the service writes', () => {
    const otherId = ownFinding();
    otherId['Id'] = 'apigw-remediation/APIGateway.3/arn:aws:apigateway:eu-west-1::/restapis/zzzz/stages/prod';
    const contradicting = ownFinding();
    objectAt(contradicting, 'ProductFields')['apigw-remediation/ControlId'] = 'APIGateway.1';
    const otherRegion = ownFinding();
    otherRegion['ProductArn'] = ownProductArn('aws', 'us-east-1', ACCOUNT);

    const result = run(customAction(otherId, contradicting, otherRegion));
    expect(result.requests).toEqual([]);
    expect(result.rejected.map((item) => item.error)).toEqual([
      expect.stringContaining(
        `must have Id ${ownFindingId(STAGE, 'APIGateway.3')} (its control and detail.findings[0].Resources[0].Id)`,
      ),
      expect.stringContaining(
        `ProductFields['apigw-remediation/ControlId'] "APIGateway.1" contradicts GeneratorId apigw-remediation/APIGateway.3`,
      ),
      expect.stringContaining(
        `is not in the partition and Region of its stage ${formatStageArn(STAGE)} (aws, eu-west-1)`,
      ),
    ]);
  });

  it('takes ownership of the own finding in its own product (the workflow uses the request as is)', async () => {
    const [request] = run(customAction(ownFinding())).requests;
    const securityHub = mockClient(SecurityHubClient);
    securityHub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const regions: string[] = [];
    // Only what admit uses for a request that names its stage: Security Hub and the delivery marker.
    const admit = createAdmitHandler({
      homeSecurityHub: (region: string) => {
        regions.push(region);
        return new SecurityHubClient({ region });
      },
      dynamo: () => ({ send: async () => ({}) }),
      now: () => new Date(),
    } as unknown as AdmitDeps);
    try {
      const output = await admit({
        executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:r:e',
        locksTable: 'locks',
        requests: [request],
        rejected: [],
      });

      expect(output.stages.map((item) => item.request)).toEqual([request]);
      expect(regions).toEqual(['eu-west-1']);
      expect(
        securityHub.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0].input.FindingIdentifiers,
      ).toEqual([
        {
          Id: ownFindingId(STAGE, 'APIGateway.3'),
          ProductArn: ownProductArn('aws', 'eu-west-1', ACCOUNT),
        },
      ]);
    } finally {
      securityHub.restore();
    }
  });
});

describe("Imported events for findings of the service's own", () => {
  it('are ignored with the loop reason, whatever their status', () => {
    const workflowNew = ownFinding();
    workflowNew['Workflow'] = { Status: 'NEW' };
    const result = run(imported(ownFinding(), workflowNew));

    expect(result.requests).toEqual([]);
    expect(result.ignored).toHaveLength(2);
    for (const item of result.ignored) {
      expect(item.reason).toContain(
        "it is a finding of apigw-remediation's own, which an Imported event never remediates (that would loop)",
      );
    }
  });
});

describe('findings of third-party products', () => {
  const thirdParty: readonly [string, (finding: JsonObject) => void][] = [
    [
      'a partner product',
      (finding) => (finding['ProductArn'] = 'arn:aws:securityhub:eu-west-1::product/prowler/prowler'),
    ],
    [
      "another tool importing into the account's default product",
      (finding) => (finding['GeneratorId'] = 'custom-scanner/APIGateway.3'),
    ],
  ];

  it.each(thirdParty)('%s: ignored via the custom action, saying why', (_label, edit) => {
    const finding = ownFinding();
    edit(finding);

    const result = run(customAction(finding));
    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toContain(
      "nor a finding of apigw-remediation's own (product/{account}/default, GeneratorId apigw-remediation/…): findings of other products are not remediated",
    );
  });

  it.each(thirdParty)('%s: ignored via Imported', (_label, edit) => {
    const finding = ownFinding();
    edit(finding);

    expect(run(imported(finding)).ignored[0]?.reason).toContain("is not AWS Security Hub's controls product");
  });
});

describe('products and triggers (fast-check)', () => {
  const products = fc.constantFrom(
    'aws-securityhub',
    'own',
    'own-product-other-account',
    'partner',
    'garbage',
  );

  function productArn(kind: string, partition: string, region: string): string {
    switch (kind) {
      case 'aws-securityhub':
        return `arn:${partition}:securityhub:${region}::product/aws/securityhub`;
      case 'own':
        return ownProductArn(partition as StageRef['partition'], region, ACCOUNT);
      case 'own-product-other-account':
        return `arn:${partition}:securityhub:${region}:777788889999:product/777788889999/default`;
      case 'partner':
        return `arn:${partition}:securityhub:${region}::product/prowler/prowler`;
      default:
        return 'not-an-arn';
    }
  }

  it('only a custom action on an own finding, or an AWS finding, yields a request; never an own one from Imported', () => {
    fc.assert(
      fc.property(
        products,
        fc.constantFrom('Security Hub Findings - Imported', 'Security Hub Findings - Custom Action'),
        fc.constantFrom<[StageRef['partition'], string]>(
          ['aws', 'eu-west-1'],
          ['aws-cn', 'cn-north-1'],
          ['aws-us-gov', 'us-gov-east-1'],
        ),
        fc.constantFrom<ControlId>('APIGateway.1', 'APIGateway.3', 'APIGateway.9'),
        fc.constantFrom('NEW', 'NOTIFIED'),
        (product, detailType, [partition, region], controlId, workflow) => {
          const stage: StageRef = { ...STAGE, partition, region };
          const finding = ownFinding(stage, controlId);
          finding['ProductArn'] = productArn(product, partition, region);
          finding['Workflow'] = { Status: workflow };
          const result = run(securityHubEvent(detailType, [finding]));

          expect(result.rejected).toEqual([]);
          const manual = detailType.endsWith('Custom Action');
          const expected =
            (product === 'own' && manual) ||
            (product === 'aws-securityhub' && (manual || workflow === 'NEW'));
          expect(result.requests).toHaveLength(expected ? 1 : 0);
          expect(result.ignored).toHaveLength(expected ? 0 : 1);
          if (expected) expect(result.requests[0]?.productArn).toBe(finding['ProductArn']);
          if (product === 'own' && !manual) expect(result.ignored[0]?.reason).toContain('would loop');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("what makes a finding the service's own", () => {
  it('a default product whose ARN account differs from its product owner is not the own product', () => {
    const finding = ownFinding();
    finding['ProductArn'] = `arn:aws:securityhub:eu-west-1:777788889999:product/${ACCOUNT}/default`;

    const result = run(customAction(finding));
    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toContain(
      `ProductArn arn:aws:securityhub:eu-west-1:777788889999:product/${ACCOUNT}/default is not the default product of the finding's account ${ACCOUNT}`,
    );
  });

  it('an own finding whose product is in another partition than its stage is rejected, even in the same Region name', () => {
    const finding = ownFinding();
    finding['ProductArn'] = `arn:aws-cn:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`;

    expect(run(customAction(finding)).rejected[0]?.error).toContain(
      `is not in the partition and Region of its stage ${formatStageArn(STAGE)} (aws, eu-west-1)`,
    );
  });

  it('an own finding naming its control in ProductFields the same as its GeneratorId is read as that control', () => {
    const finding = ownFinding(STAGE, 'APIGateway.1');
    expect(objectAt(finding, 'ProductFields')['apigw-remediation/ControlId']).toBe('APIGateway.1');

    expect(run(customAction(finding)).requests[0]?.controls).toEqual(['APIGateway.1']);
  });

  it('an own finding without ProductFields takes its control from GeneratorId', () => {
    const finding = ownFinding();
    delete finding['ProductFields'];

    expect(run(customAction(finding)).requests[0]?.controls).toEqual(['APIGateway.3']);
  });

  it('a default-product finding whose GeneratorId lacks the service prefix is another tool’s', () => {
    const finding = ownFinding();
    finding['GeneratorId'] = 'APIGateway.3';

    expect(run(customAction(finding)).ignored[0]?.reason).toContain(
      "nor a finding of apigw-remediation's own (product/{account}/default, GeneratorId apigw-remediation/…)",
    );
  });
});
