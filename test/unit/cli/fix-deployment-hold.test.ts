/**
 * `fix` holds back a control whose fix needs a deployment the workflow would not make for a CLI
 * run (allowUnattendedDeployments false: a confirmed control counts as mode auto for that rule,
 * docs/decisions/0027, 0034), instead of sending it and leaving it failing without a word.
 */
import { describe, expect, it } from 'vitest';
import { controlsToFix } from '../../../remediators/cli/fix-request.js';
import type { StagePlanDetail } from '../../../remediators/cli/report.js';

const STAGE_ARN = 'arn:aws:apigateway:us-east-1::/apis/a1b2c3d4/stages/live';
const detail: StagePlanDetail = {
  stage: {
    account: '123456789012',
    region: 'us-east-1',
    partition: 'aws',
    apiType: 'HTTP',
    apiId: 'a1b2c3d4',
    apiName: 'pets-http-api',
    stageName: 'live',
    stageArn: STAGE_ARN,
  },
  plan: {
    stageArn: STAGE_ARN,
    changes: [
      { controlId: 'APIGateway.9', setting: 'accessLogSettings.format', before: null, after: '{}' },
      {
        controlId: 'Baseline.DefaultEndpoint',
        setting: 'disableExecuteApiEndpoint',
        before: false,
        after: true,
      },
      {
        controlId: 'Baseline.DefaultEndpoint',
        setting: 'deployment',
        before: null,
        after: "publishes the API's current definition",
      },
    ],
    prerequisites: [],
    deployment: true,
    owner: { kind: 'unmanaged', description: 'no infrastructure as code found', sourceFixes: [] },
  },
  notPlanned: [],
  dryRun: false,
  plannedModes: { 'APIGateway.9': 'auto', 'Baseline.DefaultEndpoint': 'approve' },
};

describe('fix: controls whose fix needs a deployment', () => {
  it('are held back, confirmed or not, while unattended deployments are not allowed', () => {
    expect(controlsToFix(detail, true)).toMatchObject({
      controls: ['APIGateway.9'],
      unconfirmed: [],
      heldForDeployment: ['Baseline.DefaultEndpoint'],
    });
    expect(controlsToFix(detail, true, { allowUnattendedDeployments: false })).toMatchObject({
      heldForDeployment: ['Baseline.DefaultEndpoint'],
    });
    // Not confirmed: it is left out as unconfirmed, not counted twice.
    const unconfirmed = controlsToFix(detail, false);
    expect(unconfirmed).toMatchObject({
      controls: ['APIGateway.9'],
      unconfirmed: ['Baseline.DefaultEndpoint'],
    });
    expect(unconfirmed.heldForDeployment).toBeUndefined();
  });

  it('are sent when configuration allows unattended deployments', () => {
    const plan = controlsToFix(detail, true, { allowUnattendedDeployments: true });
    expect(plan.controls).toEqual(['APIGateway.9', 'Baseline.DefaultEndpoint']);
    expect(plan.heldForDeployment).toBeUndefined();
  });
});
