/**
 * What intake says about an event it cannot read as a whole (remediators/intake/intake.ts): every
 * problem of the envelope or of the findings list, joined, and the complete list of what it handles.
 */
import { describe, expect, it } from 'vitest';
import { intake } from '../../../remediators/intake/intake.js';
import { DEFAULT_SETTINGS, cloudTrailEvent, securityHubEvent, type Json } from './events.js';

const run = (event: Json) => intake(event, DEFAULT_SETTINGS);

describe('an event intake cannot read as a whole', () => {
  it('an envelope with two problems names both, joined by "; "', () => {
    const event = cloudTrailEvent();
    delete event['id'];
    event['account'] = 'not-an-account';

    expect(run(event).rejected[0]?.error).toMatch(
      /^not an EventBridge event: id: got nothing; .*; account: got "not-an-account"/,
    );
  });

  it('an unhandled detail-type lists every detail-type handled with its sources', () => {
    const event = cloudTrailEvent();
    event['detail-type'] = 'Something Else';

    expect(run(event).rejected[0]?.error).toBe(
      'event 11cc6ebf-f933-4c4d-8a01-d103d9e46641: detail-type "Something Else" from source "aws.apigateway" is not handled; expected ' +
        '"Security Hub Findings - Imported" from aws.securityhub, "Security Hub Findings - Custom Action" from aws.securityhub, ' +
        '"AWS API Call via CloudTrail" from aws.apigateway or aws.wafv2, "Findings Imported V2" from aws.securityhub, ' +
        '"Remediation Requested by CLI" from apigw-remediation.cli, "Undo Requested in Slack" from apigw-remediation.undo',
    );
  });

  it('a Security Hub event with an empty findings list and a non-string action name names both problems', () => {
    const event = securityHubEvent();
    event['detail'] = { findings: [], actionName: 5 };

    expect(run(event).rejected).toEqual([
      {
        error: expect.stringMatching(
          /^Security Hub event cbb1e618-4f4e-4ca4-9622-ec1a51ad51e6: detail\.findings: .*at least one finding.*; detail\.actionName: got 5/,
        ) as unknown,
      },
    ]);
  });

  it('a Findings Imported V2 event with an empty findings list and a non-string action name names both problems', () => {
    const event = securityHubEvent();
    event['detail-type'] = 'Findings Imported V2';
    event['detail'] = { findings: [], actionName: 5 };

    expect(run(event).rejected[0]?.error).toMatch(
      /^Security Hub event cbb1e618-4f4e-4ca4-9622-ec1a51ad51e6: detail\.findings: .*; detail\.actionName: got 5/,
    );
  });

  it('an ASFF finding with two problems names both, joined by "; "', () => {
    const event = securityHubEvent((finding) => {
      delete finding['ProductArn'];
      delete finding['GeneratorId'];
    });

    expect(run(event).rejected[0]?.error).toMatch(
      /: detail\.findings\[0\]\.ProductArn: got nothing; .*; detail\.findings\[0\]\.GeneratorId: got nothing/,
    );
  });

  it('a finding that is null is rejected by its position', () => {
    const event = securityHubEvent();
    (event['detail'] as { findings: Json[] }).findings.push(null);

    expect(run(event).rejected[0]?.error).toMatch(
      /^finding detail\.findings\[1\]: detail\.findings\[1\]: got null/,
    );
  });

  it('an event whose reading throws is one rejected item, not an exception', () => {
    const event = Object.defineProperty({}, 'id', {
      enumerable: true,
      get() {
        throw new Error('unreadable');
      },
    });

    expect(intake(event, DEFAULT_SETTINGS)).toEqual({
      requests: [],
      ignored: [],
      rejected: [{ error: 'event: unexpected error while reading it: unreadable' }],
    });
  });
});
