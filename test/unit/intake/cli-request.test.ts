/** The CLI's request (intake/cli.ts) through intake, and the confirmation as the approval (workflow/cli-approval.ts). */
import { describe, expect, it } from 'vitest';
import { CONTROL_IDS } from '../../../remediators/controls/catalog.js';
import { intake } from '../../../remediators/intake/intake.js';
import { cliApproverOf, confirmedAtCli } from '../../../remediators/workflow/cli-approval.js';
import type { Decision, RemediationRequest } from '../../../remediators/workflow/state.js';

const SETTINGS = { memberRoleName: 'apigw-remediation-member', serviceRoleArns: [] };
const CALLER = 'arn:aws:iam::111122223333:user/alice';

function event(detail: Record<string, unknown>) {
  return {
    id: 'cli-20261201T1000-1',
    'detail-type': 'Remediation Requested by CLI',
    source: 'apigw-remediation.cli',
    account: '111122223333',
    time: '2026-12-01T10:00:00Z',
    region: 'eu-west-1',
    detail,
  };
}

describe('a CLI request through intake', () => {
  it('becomes one request for the stage, with the caller and the confirmation', () => {
    const result = intake(
      event({
        account: '111122223333',
        stageArn: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod',
        controls: ['APIGateway.3'],
        requestedBy: CALLER,
        confirmedApproval: true,
      }),
      SETTINGS,
    );
    expect(result.rejected).toEqual([]);
    expect(result.requests).toEqual([
      {
        trigger: 'cli',
        account: '111122223333',
        region: 'eu-west-1',
        partition: 'aws',
        apiType: 'REST',
        apiId: 'a1b2c3d4e5',
        stageName: 'prod',
        controls: ['APIGateway.3'],
        eventId: 'cli-20261201T1000-1',
        eventTime: '2026-12-01T10:00:00Z',
        actor: CALLER,
        requestedBy: CALLER,
        confirmedApproval: true,
      },
    ]);
  });

  it('asks for every control when none is named; refuses a bad ARN and a missing caller, naming them', () => {
    const all = intake(
      event({
        account: '111122223333',
        stageArn: 'arn:aws:apigateway:eu-west-1::/apis/h1t2t3p4/stages/live',
        requestedBy: CALLER,
      }),
      SETTINGS,
    );
    expect(all.requests[0]).toMatchObject({ apiType: 'V2', controls: [...CONTROL_IDS] });
    expect(all.requests[0]).not.toHaveProperty('confirmedApproval');
    const bad = intake(event({ account: '111122223333', stageArn: 'arn:aws:s3:::bucket' }), SETTINGS);
    expect(bad.requests).toEqual([]);
    expect(bad.rejected[0]?.error).toMatch(/^CLI request cli-20261201T1000-1: detail\.requestedBy/);
    const arn = intake(
      event({ account: '111122223333', stageArn: 'arn:aws:s3:::bucket', requestedBy: CALLER }),
      SETTINGS,
    );
    expect(arn.rejected[0]?.error).toMatch(/^CLI request cli-20261201T1000-1: detail\.stageArn: /);
  });
  it('names every problem of a bad request, separated by "; "', () => {
    const result = intake(
      event({ account: '1234', stageArn: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod' }),
      SETTINGS,
    );
    expect(result.requests).toEqual([]);
    expect(result.rejected.map((rejected) => rejected.error)).toStrictEqual([
      'CLI request cli-20261201T1000-1: detail.account: got "1234"; an AWS account id of 12 digits; ' +
        'detail.requestedBy: got nothing; expected string',
    ]);
  });
  it('is rejected, naming the request and the error, when reading it throws unexpectedly', () => {
    // Below the detail's own keys: the envelope's check copies those, so a getter there would break it first.
    const controls: string[] = [];
    Object.defineProperty(controls, 0, {
      enumerable: true,
      get() {
        throw new Error('controls broke');
      },
    });
    const result = intake(
      event({
        account: '111122223333',
        stageArn: 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod',
        controls,
        requestedBy: CALLER,
      }),
      SETTINGS,
    );

    expect(result.rejected).toStrictEqual([
      { error: 'CLI request cli-20261201T1000-1: unexpected error while reading it: controls broke' },
    ]);
  });
});

describe('the confirmation as the approval', () => {
  const request = (extra: Record<string, unknown>): RemediationRequest => ({
    trigger: 'cli',
    account: '111122223333',
    region: 'eu-west-1',
    partition: 'aws',
    apiType: 'REST',
    apiId: 'a1b2c3d4e5',
    stageName: 'prod',
    controls: ['APIGateway.4'],
    requestedBy: CALLER,
    ...extra,
  });
  const approve = { controlId: 'APIGateway.4', mode: 'approve', source: 'default', dryRun: false } as const;

  it('turns approve into auto, saying who approved, only for a confirmed CLI request', () => {
    const confirmed = confirmedAtCli(request({ confirmedApproval: true }), approve);
    expect(confirmed).toEqual({
      ...approve,
      mode: 'auto',
      source: `default; approved at the CLI by ${CALLER}`,
    });
    expect(confirmedAtCli(request({}), approve)).toEqual(approve);
    expect(confirmedAtCli(request({ confirmedApproval: true, trigger: 'securityhub' }), approve)).toEqual(
      approve,
    );
    expect(
      confirmedAtCli(request({ confirmedApproval: true }), { ...approve, mode: 'notify' }),
    ).toMatchObject({
      mode: 'notify',
    });
    const decision: Decision = {
      remediationId: 'r',
      route: 'PROCEED',
      controls: [confirmed],
      approvalTimeoutSeconds: 60,
      onApprovalTimeout: 'skip',
      reason: '',
    };
    expect(cliApproverOf({ request: request({ confirmedApproval: true }), decision })).toBe(CALLER);
    expect(
      cliApproverOf({
        request: request({ confirmedApproval: true }),
        decision: { ...decision, controls: [{ ...approve, mode: 'auto' }] },
      }),
    ).toBeUndefined();
  });
});
