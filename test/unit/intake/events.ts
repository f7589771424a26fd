/**
 * The shared fixture events (../shared/fixtures/events beside the clone) and builders for edge cases
 * derived from them, so every edge case starts from a real-shaped event.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IntakeSettings } from '../../../remediators/intake/types.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../../../../shared/fixtures/events/', import.meta.url));

export const DEFAULT_SETTINGS: IntakeSettings = {
  memberRoleName: 'apigw-remediation-member',
  serviceRoleArns: [],
};

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function fixtureFiles(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((name) => name.endsWith('.json') && name !== 'expected.json')
    .sort();
}

/** A fresh deep copy of a fixture event, free to mutate. */
export function fixture(name: string): JsonObject {
  return JSON.parse(readFileSync(`${FIXTURES_DIR}${name}`, 'utf8')) as JsonObject;
}

export function objectAt(value: Json | undefined, ...path: (string | number)[]): JsonObject {
  let current: Json | undefined = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') throw new Error(`no object at ${path.join('.')}`);
    current = Array.isArray(current) ? current[key as number] : current[key as string];
  }
  if (current === null || typeof current !== 'object' || Array.isArray(current)) {
    throw new Error(`no object at ${path.join('.')}`);
  }
  return current;
}

/** The first finding of a Security Hub fixture (mutable, part of `event`). */
export function firstFinding(event: JsonObject): JsonObject {
  return objectAt(event, 'detail', 'findings', 0);
}

export function findingsOf(event: JsonObject): Json[] {
  const findings = objectAt(event, 'detail')['findings'];
  if (!Array.isArray(findings)) throw new Error('detail.findings is not an array');
  return findings;
}

/** A consolidated APIGateway.1 finding event whose finding is replaced by `edit(finding)`'s changes. */
export function securityHubEvent(edit: (finding: JsonObject) => void = () => undefined): JsonObject {
  const event = fixture('securityhub-apigateway1-rest-consolidated.json');
  edit(firstFinding(event));
  return event;
}

/** The `dev-alice` UpdateStage CloudTrail event with `edit(detail)` applied. */
export function cloudTrailEvent(edit: (detail: JsonObject) => void = () => undefined): JsonObject {
  const event = fixture('cloudtrail-updatestage-by-user.json');
  edit(objectAt(event, 'detail'));
  return event;
}

/** Points the first resource of a finding at `arn` (and its ProductFields copy). */
export function setStageArn(finding: JsonObject, arn: string, type = 'AwsApiGatewayStage'): void {
  const resource = objectAt(finding, 'Resources', 0);
  resource['Id'] = arn;
  resource['Type'] = type;
}
