import { describe, expect, it } from 'vitest';
import type { ControlPlan, Evaluation, PlannedChange } from '../../../remediators/core/types.js';
import { recheckApprovedPlan, recheckControls } from '../../../remediators/workflow/recheck.js';
import type { ControlChange, PlanSummary } from '../../../remediators/workflow/state.js';

const RATE: ControlChange = {
  controlId: 'Baseline.StageThrottling',
  setting: 'methodSettings[*/*].throttlingRateLimit',
  before: 10000,
  after: 1000,
};
const BURST: ControlChange = {
  controlId: 'Baseline.StageThrottling',
  setting: 'methodSettings[*/*].throttlingBurstLimit',
  before: 5000,
  after: 2000,
};
const LOGGING: ControlChange = {
  controlId: 'APIGateway.1',
  setting: 'methodSettings[*/*].loggingLevel',
  before: 'OFF',
  after: 'ERROR',
};

const failing = (controlId: Evaluation['controlId']): Evaluation => ({
  controlId,
  status: 'NON_COMPLIANT',
  reason: `${controlId} fails`,
});
const passing = (controlId: Evaluation['controlId']): Evaluation => ({
  controlId,
  status: 'COMPLIANT',
  reason: `${controlId} passes`,
});

function planned({ controlId: _controlId, ...change }: ControlChange): PlannedChange {
  return {
    change,
    operation: { kind: 'restStagePatch', op: 'replace', path: `/${change.setting}`, value: '1' },
  };
}

function controlPlan(
  controlId: ControlPlan['controlId'],
  changes: ControlChange[],
  redeploy = false,
): ControlPlan {
  return { controlId, changes: changes.map(planned), prerequisites: [], redeploy };
}

const approved: PlanSummary = {
  status: 'FOUND',
  apiName: 'orders',
  evaluations: [failing('APIGateway.1'), failing('Baseline.StageThrottling'), failing('APIGateway.3')],
  toApply: [LOGGING, RATE, BURST],
  notApplied: [
    { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true, why: 'notify' },
  ],
  applyControls: ['APIGateway.1', 'Baseline.StageThrottling'],
  next: 'APPROVE',
  reason: 'approval required for APIGateway.1, Baseline.StageThrottling',
  approvalWindow: { requestedAt: '2026-11-21T10:00:00.000Z', expiresAt: '2026-11-22T10:00:00.000Z' },
};

const recheck = (plans: ControlPlan[], evaluations: Evaluation[], unattended = false) =>
  recheckApprovedPlan({
    approved,
    fresh: { plans, evaluations },
    unattended,
    allowUnattendedDeployments: false,
  });

describe('recheckApprovedPlan (after the approval wait)', () => {
  it('applies an unchanged plan as approved', () => {
    const summary = recheck(
      [controlPlan('APIGateway.1', [LOGGING]), controlPlan('Baseline.StageThrottling', [RATE, BURST])],
      [failing('APIGateway.1'), failing('Baseline.StageThrottling')],
    );
    expect(summary).toMatchObject({
      next: 'APPLY',
      applyControls: ['APIGateway.1', 'Baseline.StageThrottling'],
      toApply: [LOGGING, RATE, BURST],
      recheck: 'the stage is as it was when approved',
    });
    // What was not approved stays as it was (the notify control), nothing added.
    expect(summary.notApplied).toEqual(approved.notApplied);
  });

  it('applies the rest of a plan that shrank, and drops a control that no longer needs a change', () => {
    const summary = recheck(
      [controlPlan('APIGateway.1', []), controlPlan('Baseline.StageThrottling', [BURST])],
      [passing('APIGateway.1'), failing('Baseline.StageThrottling')],
    );
    expect(summary.next).toBe('APPLY');
    expect(summary.applyControls).toEqual(['Baseline.StageThrottling']);
    expect(summary.toApply).toEqual([BURST]);
    expect(summary.recheck).toBe(
      'APIGateway.1: no longer needs a change; ' +
        'Baseline.StageThrottling: part of the approved change is no longer needed; the rest is applied',
    );
    // The fresh evaluations replace the approved ones; the others stay.
    expect(summary.evaluations).toEqual([
      passing('APIGateway.1'),
      failing('Baseline.StageThrottling'),
      failing('APIGateway.3'),
    ]);
  });

  it.each([
    [
      'a different before value',
      { ...RATE, before: 5000 },
      'methodSettings[*/*].throttlingRateLimit was 10000 when approved and is now 5000',
    ],
    [
      'a different after value',
      { ...RATE, after: 500 },
      'methodSettings[*/*].throttlingRateLimit would now become 500, approved was 1000',
    ],
    [
      'a change the approver did not see',
      { ...RATE, setting: 'methodSettings[~1pets/GET].throttlingRateLimit', before: -1 },
      'methodSettings[~1pets/GET].throttlingRateLimit needs a change nobody approved (-1 → 1000)',
    ],
  ])('does not apply a control with %s, and says what differs', (_case, different, difference) => {
    const summary = recheck(
      [controlPlan('APIGateway.1', [LOGGING]), controlPlan('Baseline.StageThrottling', [different, BURST])],
      [failing('APIGateway.1'), failing('Baseline.StageThrottling')],
    );
    expect(summary.applyControls).toEqual(['APIGateway.1']);
    expect(summary.toApply).toEqual([LOGGING]);
    // The whole control is held back, its unchanged burst change too: one fix, one decision.
    expect(summary.notApplied).toEqual([
      ...approved.notApplied,
      { ...different, why: 'stage-changed' },
      { ...BURST, why: 'stage-changed' },
    ]);
    expect(summary.recheck).toBe(
      `Baseline.StageThrottling not applied, the stage changed while waiting for approval: ${difference}`,
    );
  });

  it('applies nothing, SKIPPED, when every approved control changed', () => {
    const summary = recheck(
      [controlPlan('APIGateway.1', []), controlPlan('Baseline.StageThrottling', [{ ...RATE, before: 5000 }])],
      [passing('APIGateway.1'), failing('Baseline.StageThrottling')],
    );
    expect(summary.next).toBe('SKIPPED');
    expect(summary.applyControls).toEqual([]);
    expect(summary.reason).toMatch(/^nothing applied after the approval wait: /);
  });

  it('is ALREADY_COMPLIANT when everything was done meanwhile and nothing else fails', () => {
    const summary = recheckApprovedPlan({
      approved: { ...approved, evaluations: approved.evaluations.slice(0, 2), notApplied: [] },
      fresh: {
        plans: [controlPlan('APIGateway.1', []), controlPlan('Baseline.StageThrottling', [])],
        evaluations: [passing('APIGateway.1'), passing('Baseline.StageThrottling')],
      },
      unattended: false,
      allowUnattendedDeployments: false,
    });
    expect(summary.next).toBe('ALREADY_COMPLIANT');
    expect(summary.toApply).toEqual([]);
  });

  it('holds back a deployment nobody approved after an approval timeout, unless unattended deployments are allowed', () => {
    const deployment: ControlChange = {
      controlId: 'Baseline.DefaultEndpoint',
      setting: 'deployment',
      before: 'dep1',
      after: "publishes the API's current definition",
    };
    const input = {
      approved: { ...approved, toApply: [deployment], applyControls: ['Baseline.DefaultEndpoint' as const] },
      fresh: {
        plans: [controlPlan('Baseline.DefaultEndpoint', [deployment], true)],
        evaluations: [failing('Baseline.DefaultEndpoint')],
      },
      unattended: true,
    };
    expect(recheckControls({ ...input, allowUnattendedDeployments: false })).toEqual([
      { controlId: 'Baseline.DefaultEndpoint', kind: 'unattended-deployment' },
    ]);
    expect(recheckApprovedPlan({ ...input, allowUnattendedDeployments: false }).next).toBe('SKIPPED');
    expect(recheckApprovedPlan({ ...input, allowUnattendedDeployments: true }).next).toBe('APPLY');
    expect(recheckApprovedPlan({ ...input, unattended: false, allowUnattendedDeployments: false }).next).toBe(
      'APPLY',
    );
  });
});
