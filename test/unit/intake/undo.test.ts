/** Undo requests (remediators/intake/undo.ts, docs/decisions/0030): the Undo custom action and the Slack undo request. */
import { describe, expect, it } from 'vitest';
import { intake } from '../../../remediators/intake/intake.js';
import { isUndoAction } from '../../../remediators/intake/undo.js';
import {
  DEFAULT_SETTINGS,
  firstFinding,
  fixture,
  objectAt,
  securityHubEvent,
  type Json,
  type JsonObject,
} from './events.js';

const run = (event: Json) => intake(event, DEFAULT_SETTINGS);
const UNDO_TARGET = 'arn:aws:securityhub:us-east-1:111122223333:action/custom/ApigwUndo';
const REMEDIATE_TARGET = 'arn:aws:securityhub:us-east-1:111122223333:action/custom/ApigwRemediate';

function customAction(target: string, edit: (finding: JsonObject) => void = () => undefined): JsonObject {
  const event = securityHubEvent(edit);
  event['detail-type'] = 'Security Hub Findings - Custom Action';
  event['resources'] = [target];
  objectAt(event, 'detail')['actionName'] = 'Undo API remediation';
  return event;
}

const slackUndo = (detail: Record<string, unknown>): JsonObject => ({
  version: '0',
  id: 'slack-undo-rem-1',
  'detail-type': 'Undo Requested in Slack',
  source: 'apigw-remediation.undo',
  account: '111122223333',
  time: '2026-12-02T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: detail as Json,
});

describe('the Security Hub custom action "Undo API remediation"', () => {
  it('is told from Remediate by the action target in the event resources', () => {
    expect(isUndoAction([UNDO_TARGET])).toBe(true);
    expect(
      isUndoAction(['arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:action/custom/ApigwUndo']),
    ).toBe(true);
    expect(isUndoAction([REMEDIATE_TARGET])).toBe(false);
    expect(isUndoAction(['arn:aws:securityhub:us-east-1:111122223333:action/custom/ApigwUndoLater'])).toBe(
      false,
    );
    expect(isUndoAction([])).toBe(false);
    expect(isUndoAction(undefined)).toBe(false);
  });

  it('turns each finding into an undo request of its stage and control, naming no remediation', () => {
    const result = run(customAction(UNDO_TARGET));

    expect(result.requests).toEqual([
      expect.objectContaining({
        trigger: 'undo',
        undoSource: 'securityhub-action',
        stageName: 'prod',
        controls: ['APIGateway.1'],
        actionName: 'Undo API remediation',
      }),
    ]);
    expect(result.requests[0]).not.toHaveProperty('remediationId');
  });

  it('takes a PASSED, RESOLVED finding (the fix made it so), which Remediate ignores', () => {
    const passed = firstFinding(fixture('securityhub-apigateway1-passed.json'));
    const undo = customAction(UNDO_TARGET);
    objectAt(undo, 'detail')['findings'] = [{ ...passed, Workflow: { Status: 'RESOLVED' } }];
    const remediate = customAction(REMEDIATE_TARGET);
    objectAt(remediate, 'detail')['findings'] = [passed];

    expect(run(undo).requests.map((request) => request.trigger)).toEqual(['undo']);
    expect(run(remediate).requests).toEqual([]);
  });

  it('still ignores findings of other products', () => {
    const result = run(
      customAction(UNDO_TARGET, (finding) => {
        finding['ProductArn'] = 'arn:aws:securityhub:us-east-1::product/other/scanner';
      }),
    );

    expect(result.requests).toEqual([]);
    expect(result.ignored[0]?.reason).toMatch(/is not AWS Security Hub's controls product/);
  });
});

describe('the Slack undo request', () => {
  const detail = {
    remediationId: 'rem-1',
    account: '111122223333',
    stageArn: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod',
    controls: ['APIGateway.1'],
    requestedBy: 'Dana Approver (U024BE7LH)',
  };

  it('names the remediation, the stage and who clicked', () => {
    expect(run(slackUndo(detail)).requests).toEqual([
      {
        trigger: 'undo',
        undoSource: 'slack',
        remediationId: 'rem-1',
        account: '111122223333',
        region: 'us-east-1',
        partition: 'aws',
        apiType: 'REST',
        apiId: 'a1b2c3d4e5',
        stageName: 'prod',
        controls: ['APIGateway.1'],
        eventId: 'slack-undo-rem-1',
        eventTime: '2026-12-02T10:00:00Z',
        actor: 'Dana Approver (U024BE7LH)',
        requestedBy: 'Dana Approver (U024BE7LH)',
      },
    ]);
  });

  it('rejects a request without a remediation or with a bad stage ARN, saying which field', () => {
    const noId: Record<string, unknown> = { ...detail };
    delete noId['remediationId'];
    expect(run(slackUndo(noId)).rejected[0]?.error).toMatch(
      /^Slack undo request slack-undo-rem-1: detail\.remediationId/,
    );
    expect(run(slackUndo({ ...detail, stageArn: 'not-an-arn' })).rejected[0]?.error).toMatch(
      /^Slack undo request slack-undo-rem-1: detail\.stageArn: /,
    );
  });

  it('lists every problem of a malformed request, each naming its field, separated by "; "', () => {
    const noId: Record<string, unknown> = { ...detail };
    delete noId['remediationId'];
    expect(run(slackUndo({ ...noId, controls: [] })).rejected).toEqual([
      {
        error:
          'Slack undo request slack-undo-rem-1: detail.remediationId: got nothing; expected string; ' +
          'detail.controls: got []; Too small: expected array to have >=1 items',
      },
    ]);
  });

  it('rejects the request, naming it and the error, when reading it throws unexpectedly', () => {
    // A getter that throws stands in for a bug in the reader (events from JSON have no getters); it
    // sits below the detail's own keys, which the envelope's check copies (a getter there breaks it first).
    const controls: string[] = [];
    Object.defineProperty(controls, 0, {
      enumerable: true,
      get() {
        throw new Error('broke');
      },
    });
    expect(run(slackUndo({ ...detail, controls })).rejected).toEqual([
      { error: 'Slack undo request slack-undo-rem-1: unexpected error while reading it: broke' },
    ]);
  });

  it('is accepted only from its own source', () => {
    const event = { ...slackUndo(detail), source: 'aws.securityhub' };
    expect(run(event).rejected[0]?.error).toMatch(/is not handled/);
  });
});
