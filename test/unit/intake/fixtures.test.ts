import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baselineControlIds } from '../../../remediators/controls/catalog.js';
import type { ApiType } from '../../../remediators/core/types.js';
import { intake } from '../../../remediators/intake/intake.js';
import { RemediationRequestSchema } from '../../../remediators/workflow/state.js';
import { DEFAULT_SETTINGS, FIXTURES_DIR, fixture, fixtureFiles } from './events.js';

interface ExpectedRequest {
  readonly trigger: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly apiType: ApiType;
  readonly apiId: string;
  readonly stageName: string | null;
  readonly controls: readonly string[] | '*';
  readonly findingId?: string;
}

interface ExpectedCase {
  readonly file: string;
  readonly requests: readonly ExpectedRequest[];
  readonly ignored: readonly { readonly reason: string }[];
  readonly rejected: readonly { readonly error: string }[];
}

const expected = JSON.parse(readFileSync(`${FIXTURES_DIR}expected.json`, 'utf8')) as {
  readonly cases: readonly ExpectedCase[];
};

/** The facts each expected reason conveys ("the gist, not exact wording", says expected.json). */
const REASON_GIST: Readonly<Record<string, readonly RegExp[]>> = {
  'securityhub-apigateway1-passed.json': [
    /Compliance\.Status PASSED/,
    /Workflow RESOLVED/,
    /FAILED\+ACTIVE\+NEW/,
  ],
  'cloudtrail-updatestage-by-remediator.json': [
    /service's own role/,
    /sessionIssuer\.arn = arn:aws:iam::111122223333:role\/apigw-remediation-member/,
  ],
};

const CONTRACT_KEYS = [
  'trigger',
  'account',
  'region',
  'partition',
  'apiType',
  'apiId',
  'stageName',
  'controls',
  'findingId',
] as const;

function contractPart(request: object): Record<string, unknown> {
  const entries = Object.entries(request).filter(([key]) =>
    (CONTRACT_KEYS as readonly string[]).includes(key),
  );
  return Object.fromEntries(entries);
}

describe('intake over every shared fixture (expected.json)', () => {
  it('covers every fixture file with an expectation', () => {
    expect(expected.cases.map((testCase) => testCase.file).sort()).toEqual(fixtureFiles());
  });

  it.each(expected.cases.map((testCase) => [testCase.file, testCase] as const))('%s', (file, testCase) => {
    const result = intake(fixture(file), DEFAULT_SETTINGS);

    const wanted = testCase.requests.map((request) => ({
      ...request,
      controls: request.controls === '*' ? [...baselineControlIds(request.apiType)] : request.controls,
    }));
    expect(result.requests.map(contractPart)).toEqual(wanted);
    expect(result.ignored).toHaveLength(testCase.ignored.length);
    expect(result.rejected).toHaveLength(testCase.rejected.length);
    for (const gist of REASON_GIST[file] ?? []) {
      expect(result.ignored[0]?.reason).toMatch(gist);
    }
  });

  it('emits requests the workflow accepts (its RemediationRequestSchema) with the trace fields it needs', () => {
    for (const file of fixtureFiles()) {
      for (const request of intake(fixture(file), DEFAULT_SETTINGS).requests) {
        expect(RemediationRequestSchema.safeParse(request).success, file).toBe(true);
        expect(request.eventId, file).not.toBe('');
        expect(request.eventTime, file).toMatch(/^2026-03-14T/);
        if (request.trigger === 'securityhub') {
          expect(request.productArn, file).toBe('arn:aws:securityhub:us-east-1::product/aws/securityhub');
        } else {
          expect(request.actor, file).toMatch(/^arn:aws:iam::111122223333:user\/dev-(alice|bob)$/);
        }
      }
    }
  });

  it('gives a CloudTrail drift request the whole baseline of the API type, including every control that applies to REST', () => {
    const [request] = intake(fixture('cloudtrail-updatestage-by-user.json'), DEFAULT_SETTINGS).requests;
    expect(request?.controls).toContain('APIGateway.1');
    expect(request?.controls).toEqual(baselineControlIds('REST'));
    expect(request?.eventName).toBe('UpdateStage');
  });
});
