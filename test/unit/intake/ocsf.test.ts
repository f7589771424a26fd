/**
 * Intake of the new Security Hub's OCSF findings ("Findings Imported V2"): every fixture in
 * test/fixtures/ocsf against its expected.json, the ASFF twin, formats configuration, and edge
 * cases built from the real-shaped fixtures.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.js';
import { intake } from '../../../remediators/intake/intake.js';
import { intakeSettings } from '../../../remediators/intake/settings.js';
import type { IntakeSettings } from '../../../remediators/intake/types.js';
import { RemediationRequestSchema } from '../../../remediators/workflow/state.js';
import { DEFAULT_SETTINGS, fixture, objectAt, type Json, type JsonObject } from './events.js';

const OCSF_DIR = fileURLToPath(new URL('../../fixtures/ocsf/', import.meta.url));

interface Gist {
  readonly gist: readonly string[];
}

interface ExpectedCase {
  readonly file: string;
  readonly requests: readonly Record<string, unknown>[];
  readonly ignored: readonly Gist[];
  readonly rejected: readonly Gist[];
}

const expected = JSON.parse(readFileSync(`${OCSF_DIR}expected.json`, 'utf8')) as {
  readonly cases: readonly ExpectedCase[];
};

function ocsfFiles(): string[] {
  return readdirSync(OCSF_DIR)
    .filter((name) => name.endsWith('.json') && name !== 'expected.json')
    .sort();
}

function ocsf(name: string): JsonObject {
  return JSON.parse(readFileSync(`${OCSF_DIR}${name}`, 'utf8')) as JsonObject;
}

function findingOf(event: JsonObject, index = 0): JsonObject {
  return objectAt(event, 'detail', 'findings', index);
}

function withoutTrace(request: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(request).filter(([key]) => key !== 'eventId' && key !== 'eventTime'),
  );
}

describe('intake over every OCSF fixture (test/fixtures/ocsf/expected.json)', () => {
  it('covers every fixture file with an expectation', () => {
    expect(expected.cases.map((testCase) => testCase.file).sort()).toEqual(ocsfFiles());
  });

  it.each(expected.cases.map((testCase) => [testCase.file, testCase] as const))('%s', (file, testCase) => {
    const event = ocsf(file);
    const result = intake(event, DEFAULT_SETTINGS);

    expect(result.requests.map(withoutTrace)).toEqual(testCase.requests);
    for (const request of result.requests) {
      expect(request.eventId).toBe(event['id']);
      expect(request.eventTime).toBe(event['time']);
      expect(RemediationRequestSchema.safeParse(request).success).toBe(true);
    }
    expect(result.ignored).toHaveLength(testCase.ignored.length);
    testCase.ignored.forEach(({ gist }, position) => {
      for (const pattern of gist) expect(result.ignored[position]?.reason).toMatch(new RegExp(pattern));
    });
    expect(result.rejected).toHaveLength(testCase.rejected.length);
    testCase.rejected.forEach(({ gist }, position) => {
      for (const pattern of gist) expect(result.rejected[position]?.error).toMatch(new RegExp(pattern));
    });
    // Every finding ends in exactly one list.
    const findings = (event['detail'] as { findings: Json[] }).findings.length;
    expect(result.requests.length + result.ignored.length + result.rejected.length).toBe(
      Math.max(findings, 1),
    );
  });
});

describe('OCSF and ASFF twins', () => {
  it('gives the OCSF finding the request of its ASFF twin (same control, account, Region, stage, finding id)', () => {
    const [asff] = intake(
      fixture('securityhub-apigateway1-rest-consolidated.json'),
      DEFAULT_SETTINGS,
    ).requests;
    const [fromOcsf] = intake(ocsf('ocsf-apigateway1-rest-member.json'), DEFAULT_SETTINGS).requests;
    const twin = (request: object | undefined) => {
      const { trigger, account, region, partition, apiType, apiId, stageName, controls, findingId } =
        request as Record<string, unknown>;
      return { trigger, account, region, partition, apiType, apiId, stageName, controls, findingId };
    };
    expect(twin(fromOcsf)).toEqual(twin(asff));
    expect(fromOcsf?.findingFormat).toBe('ocsf');
    expect(asff?.findingFormat).toBeUndefined();
  });

  it('takes the account and Region from cloud.*, never from the envelope (the administrator account)', () => {
    const event = ocsf('ocsf-apigateway1-rest-member.json');
    expect(event['account']).toBe('999988887777');
    event['region'] = 'ap-southeast-2';
    const [request] = intake(event, DEFAULT_SETTINGS).requests;
    expect(request?.account).toBe('111122223333');
    expect(request?.region).toBe('us-east-1');
  });
});

describe('securityHub.formats', () => {
  const only = (formats: IntakeSettings['securityHubFormats']): IntakeSettings => ({
    ...DEFAULT_SETTINGS,
    securityHubFormats: formats,
  });

  it('comes from the configuration (default both)', () => {
    expect(intakeSettings(parseConfig({}, 'c.json'), {}).securityHubFormats).toEqual(['asff', 'ocsf']);
    const asffOnly = parseConfig({ securityHub: { formats: ['asff'] } }, 'c.json');
    expect(intakeSettings(asffOnly, {}).securityHubFormats).toEqual(['asff']);
  });

  it('ignores every OCSF finding, with the reason, when only ASFF is enabled', () => {
    const result = intake(ocsf('ocsf-mixed-controls.json'), only(['asff']));
    expect(result.requests).toEqual([]);
    expect(result.rejected).toEqual([]);
    expect(result.ignored).toHaveLength(4);
    expect(result.ignored[0]?.reason).toMatch(/OCSF findings \("Findings Imported V2"\) are not enabled/);
    expect(result.ignored[0]?.reason).toMatch(/securityHub\.formats: asff/);
  });

  it('ignores ASFF findings when only OCSF is enabled, and still reads OCSF ones', () => {
    const asff = intake(fixture('securityhub-apigateway1-rest-consolidated.json'), only(['ocsf']));
    expect(asff.requests).toEqual([]);
    expect(asff.ignored[0]?.reason).toMatch(
      /ASFF findings \("Security Hub Findings - Imported"\) are not enabled/,
    );
    expect(intake(ocsf('ocsf-apigateway1-rest-member.json'), only(['ocsf'])).requests).toHaveLength(1);
  });
});

describe('OCSF edge cases', () => {
  it('reads the stage ARN from uid when uid_alt is absent or not an ARN', () => {
    const event = ocsf('ocsf-apigateway1-rest-member.json');
    const resource = objectAt(findingOf(event), 'resources', 0);
    resource['uid'] = resource['uid_alt'] as string;
    resource['uid_alt'] = 'prod';
    const [request] = intake(event, DEFAULT_SETTINGS).requests;
    expect(request?.stageName).toBe('prod');
    expect(request?.apiId).toBe('a1b2c3d4e5');
  });

  it('rejects a stage resource with neither an ARN in uid_alt nor a uid, naming the field', () => {
    const event = ocsf('ocsf-apigateway1-rest-member.json');
    const resource = objectAt(findingOf(event), 'resources', 0);
    delete resource['uid'];
    resource['uid_alt'] = 'prod';
    const result = intake(event, DEFAULT_SETTINGS);
    expect(result.rejected[0]?.error).toMatch(/detail\.findings\[0\]\.resources\[0\]\.uid: missing/);
  });

  it('ignores findings of another product (the service never starts from a product but Security Hub controls)', () => {
    const event = ocsf('ocsf-apigateway1-rest-member.json');
    objectAt(findingOf(event), 'metadata', 'product')['uid'] =
      'arn:aws:securityhub:us-east-1::productv2/111122223333/default';
    const result = intake(event, DEFAULT_SETTINGS);
    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toMatch(
      /metadata\.product\.uid .* is not AWS Security Hub's controls product/,
    );
  });

  it('rejects a finding whose resource partition contradicts its stage ARN', () => {
    const event = ocsf('ocsf-apigateway1-rest-member.json');
    objectAt(findingOf(event), 'resources', 0)['cloud_partition'] = 'aws-cn';
    expect(intake(event, DEFAULT_SETTINGS).rejected[0]?.error).toMatch(
      /resources\[0\]\.cloud_partition aws-cn is not the partition of its stage/,
    );
  });

  it('rejects a finding whose product is in another partition than its stage (the write-back names that product)', () => {
    const event = ocsf('ocsf-apigateway1-rest-member.json');
    objectAt(findingOf(event), 'metadata', 'product')['uid'] =
      'arn:aws-us-gov:securityhub:us-gov-west-1::productv2/aws/securityhub';
    const result = intake(event, DEFAULT_SETTINGS);
    expect(result.requests).toEqual([]);
    expect(result.rejected[0]?.error).toMatch(
      /detail\.findings\[0\]\.metadata\.product\.uid arn:aws-us-gov:\S+ is not in the partition of its stage arn:aws:apigateway:\S+ \(aws\)/,
    );
  });

  it('rejects a finding naming two stages', () => {
    const event = ocsf('ocsf-apigateway1-rest-member.json');
    const finding = findingOf(event);
    const resources = finding['resources'] as Json[];
    resources.push(resources[0] as Json);
    expect(intake(event, DEFAULT_SETTINGS).rejected[0]?.error).toMatch(/2 API Gateway stage resources/);
  });

  it('rejects a finding without class_uid, naming the field, and a non-object finding', () => {
    const event = ocsf('ocsf-apigateway1-rest-member.json');
    delete findingOf(event)['class_uid'];
    (event['detail'] as { findings: Json[] }).findings.push('not a finding');
    const result = intake(event, DEFAULT_SETTINGS);
    expect(result.rejected).toHaveLength(2);
    expect(result.rejected[0]?.error).toMatch(/detail\.findings\[0\]\.class_uid/);
    expect(result.rejected[1]?.error).toMatch(/detail\.findings\[1\]/);
  });

  it('rejects a Findings Imported V2 event from another source', () => {
    const event = ocsf('ocsf-apigateway1-rest-member.json');
    event['source'] = 'custom.securityhub';
    expect(intake(event, DEFAULT_SETTINGS).rejected[0]?.error).toMatch(
      /"Findings Imported V2" from aws\.securityhub/,
    );
  });
});
