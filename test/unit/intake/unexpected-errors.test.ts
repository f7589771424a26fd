/**
 * Intake never throws (remediators/intake/intake.ts): an unexpected exception while reading one item
 * becomes that item's rejection, naming the item and the error, and the other items go on. A field
 * whose getter throws stands in for a bug in a reader (events from JSON have no getters).
 */
import { describe, expect, it } from 'vitest';
import { intake } from '../../../remediators/intake/intake.js';
import {
  DEFAULT_SETTINGS,
  cloudTrailEvent,
  findingsOf,
  firstFinding,
  objectAt,
  securityHubEvent,
  type JsonObject,
} from './events.js';

/** `object` with `key` replaced by a getter that throws `thrown`. */
function throwingAt(object: JsonObject, key: string, thrown: unknown): void {
  Object.defineProperty(object, key, {
    enumerable: true,
    get() {
      throw thrown;
    },
  });
}

describe('an unexpected error while reading one item', () => {
  it('rejects the CloudTrail event it happened on, naming the event and the error', () => {
    const event = cloudTrailEvent((detail) =>
      throwingAt(objectAt(detail, 'userIdentity'), 'arn', new Error('broke')),
    );

    expect(intake(event, DEFAULT_SETTINGS).rejected).toEqual([
      {
        error:
          'CloudTrail event 11cc6ebf-f933-4c4d-8a01-d103d9e46641: unexpected error while reading it: broke',
      },
    ]);
  });

  it('rejects only the finding it happened on; the others go on', () => {
    const event = securityHubEvent();
    const broken = structuredClone(firstFinding(event));
    throwingAt(broken, 'Id', new TypeError('finding broke'));
    findingsOf(event).push(broken);

    const result = intake(event, DEFAULT_SETTINGS);
    expect(result.requests).toHaveLength(1);
    expect(result.rejected).toEqual([
      {
        error:
          'finding detail.findings[1] of event cbb1e618-4f4e-4ca4-9622-ec1a51ad51e6: unexpected error while reading it: finding broke',
      },
    ]);
  });

  it('rejects an OCSF finding it happened on, describing a thrown value that is not an Error', () => {
    const event = securityHubEvent((finding) => throwingAt(finding, 'class_uid', 'not even an Error'));
    event['detail-type'] = 'Findings Imported V2';

    expect(intake(event, DEFAULT_SETTINGS).rejected).toEqual([
      {
        error:
          'finding detail.findings[0] of event cbb1e618-4f4e-4ca4-9622-ec1a51ad51e6: unexpected error while reading it: "not even an Error"',
      },
    ]);
  });
});
