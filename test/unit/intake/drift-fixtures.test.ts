/**
 * Intake over the drift fixtures the shared set lacks (test/fixtures/events, issue 8 defect 4):
 * v2 DeleteAccessLogSettings / DeleteRouteSettings, whole-API imports (PutRestApi, ReimportApi),
 * WAF DisassociateWebACL and UpdateAccount, with the service's own calls among them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { baselineControlIds } from '../../../remediators/controls/catalog.js';
import type { ApiType } from '../../../remediators/core/types.js';
import { intake } from '../../../remediators/intake/intake.js';
import { RemediationRequestSchema } from '../../../remediators/workflow/state.js';
import { DEFAULT_SETTINGS, objectAt, type JsonObject } from './events.js';

const DRIFT_FIXTURES = fileURLToPath(new URL('../../fixtures/events/', import.meta.url));

interface ExpectedCase {
  readonly file: string;
  readonly requests: readonly {
    readonly apiType: ApiType;
    readonly apiId: string;
    readonly stageName: string | null;
    readonly controls: '*';
  }[];
  readonly ignored: readonly unknown[];
  readonly rejected: readonly unknown[];
}

const expected = JSON.parse(readFileSync(`${DRIFT_FIXTURES}expected.json`, 'utf8')) as {
  readonly cases: readonly ExpectedCase[];
};

function driftFixture(name: string): JsonObject {
  return JSON.parse(readFileSync(`${DRIFT_FIXTURES}${name}`, 'utf8')) as JsonObject;
}

/** The facts each ignored reason / rejected error must convey. */
const GIST: Readonly<Record<string, readonly RegExp[]>> = {
  'cloudtrail-updateaccount-by-remediator.json': [/service's own role/, /apigw-remediation-member/],
  'cloudtrail-wafv2-disassociatewebacl-by-remediator.json': [/service's own role/],
  'cloudtrail-wafv2-disassociatewebacl-alb-by-user.json': [
    /elasticloadbalancing/,
    /not an API Gateway stage/,
  ],
  'cloudtrail-updateaccount-set-role-by-user.json': [/role\/platform-apigw-logs/, /owner's choice/],
  'cloudtrail-updateaccount-remove-role-by-user.json': [
    /CloudWatch role of 111122223333\/us-east-1 was removed by arn:aws:iam::111122223333:user\/dev-alice/,
    /execution logs/,
    /No run was started/,
    /update-account --patch-operations op=replace,path=\/cloudwatchRoleArn/,
  ],
};

/** The caller fields intake keeps (docs/decisions/0029): the ones the fixture has. */
function callerOf(detail: JsonObject): { caller?: Record<string, unknown> } {
  const caller = {
    ...(objectAt(detail, 'userIdentity')['invokedBy'] === undefined
      ? {}
      : { invokedBy: objectAt(detail, 'userIdentity')['invokedBy'] }),
    ...(detail['sourceIPAddress'] === undefined ? {} : { sourceIPAddress: detail['sourceIPAddress'] }),
    ...(detail['userAgent'] === undefined ? {} : { userAgent: detail['userAgent'] }),
  };
  return Object.keys(caller).length === 0 ? {} : { caller };
}

describe('intake over the drift fixtures (test/fixtures/events/expected.json)', () => {
  it('covers every fixture file with an expectation', () => {
    const files = readdirSync(DRIFT_FIXTURES)
      .filter((name) => name.endsWith('.json') && name !== 'expected.json')
      .sort();
    expect(expected.cases.map((testCase) => testCase.file).sort()).toEqual(files);
  });

  it.each(expected.cases.map((testCase) => [testCase.file, testCase] as const))('%s', (file, testCase) => {
    const event = driftFixture(file);
    const result = intake(event, DEFAULT_SETTINGS);
    const detail = objectAt(event, 'detail');
    expect(result.requests).toEqual(
      testCase.requests.map((request) => ({
        trigger: 'cloudtrail',
        account: '111122223333',
        region: 'us-east-1',
        partition: 'aws',
        apiType: request.apiType,
        apiId: request.apiId,
        stageName: request.stageName,
        controls: [...baselineControlIds(request.apiType)],
        eventId: detail['eventID'],
        eventTime: detail['eventTime'],
        eventName: detail['eventName'],
        actor: objectAt(detail, 'userIdentity')['arn'],
        ...callerOf(detail),
      })),
    );
    for (const request of result.requests) {
      expect(RemediationRequestSchema.safeParse(request).success).toBe(true);
    }
    expect(result.ignored).toHaveLength(testCase.ignored.length);
    expect(result.rejected).toHaveLength(testCase.rejected.length);
    const said = [...result.ignored.map((item) => item.reason), ...result.rejected.map((item) => item.error)];
    for (const gist of GIST[file] ?? []) expect(said.join('\n')).toMatch(gist);
  });
});

describe('drift intake edge cases', () => {
  const waf = () => driftFixture('cloudtrail-wafv2-disassociatewebacl-stage-by-user.json');

  it('rejects a DisassociateWebACL without resourceArn, saying which field', () => {
    const event = waf();
    objectAt(event, 'detail')['requestParameters'] = {};
    expect(intake(event, DEFAULT_SETTINGS).rejected[0]?.error).toMatch(/requestParameters\.resourceArn/);
  });

  it('rejects a DisassociateWebACL whose API Gateway ARN is not a stage ARN', () => {
    const event = waf();
    objectAt(event, 'detail', 'requestParameters')['resourceArn'] =
      'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5';
    expect(intake(event, DEFAULT_SETTINGS).rejected[0]?.error).toMatch(/resourceArn/);
  });

  it('ignores a WAF call other than DisassociateWebACL', () => {
    const event = waf();
    objectAt(event, 'detail')['eventName'] = 'AssociateWebACL';
    expect(intake(event, DEFAULT_SETTINGS).ignored[0]?.reason).toMatch(/only WAF call .* DisassociateWebACL/);
  });

  it('ignores a failed DisassociateWebACL (errorCode): nothing changed', () => {
    const event = waf();
    Object.assign(objectAt(event, 'detail'), { errorCode: 'WAFNonexistentItemException' });
    expect(intake(event, DEFAULT_SETTINGS).ignored[0]?.reason).toMatch(/the call failed/);
  });

  it('ignores a DisassociateWebACL by a central task role (home account)', () => {
    const event = waf();
    const role = 'arn:aws:iam::111122223333:role/apigw-remediation-apply-us-east-1';
    objectAt(event, 'detail')['userIdentity'] = {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/apigw-remediation-apply-us-east-1/session',
      sessionContext: { sessionIssuer: { type: 'Role', arn: role } },
    };
    expect(intake(event, { ...DEFAULT_SETTINGS, serviceRoleArns: [role] }).ignored[0]?.reason).toMatch(
      /service's own role/,
    );
  });

  it('reads an UpdateAccount without response elements as a removed role (it cannot tell, so it says so)', () => {
    const event = driftFixture('cloudtrail-updateaccount-set-role-by-user.json');
    objectAt(event, 'detail')['responseElements'] = null;
    expect(intake(event, DEFAULT_SETTINGS).rejected[0]?.error).toMatch(/CloudWatch role .* was removed/);
  });

  it('rejects a CloudTrail event of another service, naming the sources it handles', () => {
    const event = waf();
    event['source'] = 'aws.s3';
    expect(intake(event, DEFAULT_SETTINGS).rejected[0]?.error).toMatch(/aws\.apigateway or aws\.wafv2/);
  });
});
