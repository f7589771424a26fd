import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ControlPlan, Evaluation } from '../../../remediators/core/types.js';
import { goneSummary, summarizePlan } from '../../../remediators/workflow/plan-summary.js';
import { PlanSummarySchema, type ControlDecision } from '../../../remediators/workflow/state.js';

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
const decision = (
  controlId: ControlDecision['controlId'],
  mode: ControlDecision['mode'],
  dryRun = false,
): ControlDecision => ({ controlId, mode, source: 'test', dryRun });
const plan = (controlId: ControlPlan['controlId'], setting: string): ControlPlan => ({
  controlId,
  changes: [
    {
      change: { setting, before: false, after: true },
      operation: { kind: 'restStagePatch', op: 'replace', path: `/${setting}`, value: 'true' },
    },
  ],
  prerequisites: [],
  redeploy: false,
});
const noChanges = (controlId: ControlPlan['controlId']): ControlPlan => ({
  controlId,
  changes: [],
  prerequisites: [],
  redeploy: false,
});

describe('summarizePlan', () => {
  it('is ALREADY_COMPLIANT when every active control passes', () => {
    const summary = summarizePlan({
      apiName: 'orders',
      decisions: [decision('APIGateway.3', 'auto')],
      evaluations: [passing('APIGateway.3')],
      plans: [noChanges('APIGateway.3')],
    });
    expect(summary.next).toBe('ALREADY_COMPLIANT');
    expect(summary.toApply).toEqual([]);
  });

  it('ignores controls in mode off, even when they fail', () => {
    const summary = summarizePlan({
      apiName: 'orders',
      decisions: [decision('APIGateway.3', 'off'), decision('APIGateway.1', 'auto')],
      evaluations: [failing('APIGateway.3'), passing('APIGateway.1')],
      plans: [plan('APIGateway.3', 'tracingEnabled'), noChanges('APIGateway.1')],
    });
    expect(summary.next).toBe('ALREADY_COMPLIANT');
    expect(summary.evaluations.map((evaluation) => evaluation.controlId)).toEqual(['APIGateway.1']);
  });

  it('applies auto controls without approval', () => {
    const summary = summarizePlan({
      apiName: 'orders',
      decisions: [decision('APIGateway.3', 'auto')],
      evaluations: [failing('APIGateway.3')],
      plans: [plan('APIGateway.3', 'tracingEnabled')],
    });
    expect(summary.next).toBe('APPLY');
    expect(summary.applyControls).toEqual(['APIGateway.3']);
    expect(summary.toApply).toEqual([
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
    ]);
  });

  describe('a fix that needs a deployment (V2 without autoDeploy)', () => {
    const deploying: ControlPlan = {
      controlId: 'Baseline.DefaultEndpoint',
      changes: [
        {
          change: { setting: 'disableExecuteApiEndpoint', before: false, after: true },
          operation: { kind: 'v2ApiUpdate', field: 'DisableExecuteApiEndpoint', value: true },
        },
        {
          change: { setting: 'deployment', before: 'dep1', after: "publishes the API's current definition" },
          operation: { kind: 'createDeployment' },
        },
      ],
      prerequisites: [],
      redeploy: true,
    };
    const input = (mode: ControlDecision['mode'], allowUnattendedDeployments?: boolean) => ({
      apiName: 'orders',
      decisions: [decision('APIGateway.3', 'auto'), decision('Baseline.DefaultEndpoint', mode)],
      evaluations: [failing('APIGateway.3'), failing('Baseline.DefaultEndpoint')],
      plans: [plan('APIGateway.3', 'tracingEnabled'), deploying],
      ...(allowUnattendedDeployments === undefined ? {} : { allowUnattendedDeployments }),
    });

    it.each([undefined, false])(
      'is notified, not applied, in mode auto unless unattended deployments are allowed (%s)',
      (allowed) => {
        const summary = summarizePlan(input('auto', allowed));
        expect(summary.next).toBe('APPLY');
        expect(summary.applyControls).toEqual(['APIGateway.3']);
        expect(summary.notApplied).toEqual([
          {
            controlId: 'Baseline.DefaultEndpoint',
            setting: 'disableExecuteApiEndpoint',
            before: false,
            after: true,
            why: 'unattended-deployment',
          },
          {
            controlId: 'Baseline.DefaultEndpoint',
            setting: 'deployment',
            before: 'dep1',
            after: "publishes the API's current definition",
            why: 'unattended-deployment',
          },
        ]);
      },
    );

    it('says why when nothing else is applied', () => {
      const summary = summarizePlan({
        ...input('auto'),
        decisions: [decision('Baseline.DefaultEndpoint', 'auto')],
        evaluations: [failing('Baseline.DefaultEndpoint')],
        plans: [deploying],
      });
      expect(summary.next).toBe('SKIPPED');
      expect(summary.reason).toContain(
        "Baseline.DefaultEndpoint: its fix needs a deployment, which publishes the API's current definition",
      );
      expect(summary.reason).toContain('allowUnattendedDeployments is true');
    });

    it('is applied in mode auto when the configuration allows unattended deployments', () => {
      const summary = summarizePlan(input('auto', true));
      expect(summary.next).toBe('APPLY');
      expect(summary.applyControls).toEqual(['APIGateway.3', 'Baseline.DefaultEndpoint']);
      expect(summary.toApply.map((change) => change.setting)).toContain('deployment');
    });

    it('goes with the change set to the approver when another control asks for approval anyway', () => {
      const summary = summarizePlan({
        ...input('auto'),
        decisions: [decision('APIGateway.3', 'approve'), decision('Baseline.DefaultEndpoint', 'auto')],
      });
      expect(summary.next).toBe('APPROVE');
      expect(summary.applyControls).toEqual(['APIGateway.3', 'Baseline.DefaultEndpoint']);
      expect(summary.notApplied).toEqual([]);
      expect(summary.toApply.map((change) => change.setting)).toContain('deployment');
    });

    it('goes to the approver in mode approve, the deployment listed as a change', () => {
      const summary = summarizePlan(input('approve'));
      expect(summary.next).toBe('APPROVE');
      expect(summary.toApply).toContainEqual({
        controlId: 'Baseline.DefaultEndpoint',
        setting: 'deployment',
        before: 'dep1',
        after: "publishes the API's current definition",
      });
    });
  });

  it('asks for approval of the whole change set when one applied control is in approve mode', () => {
    const summary = summarizePlan({
      apiName: 'orders',
      decisions: [decision('APIGateway.3', 'auto'), decision('APIGateway.4', 'approve')],
      evaluations: [failing('APIGateway.3'), failing('APIGateway.4')],
      plans: [plan('APIGateway.3', 'tracingEnabled'), plan('APIGateway.4', 'webAclArn')],
    });
    expect(summary.next).toBe('APPROVE');
    expect(summary.applyControls).toEqual(['APIGateway.3', 'APIGateway.4']);
  });

  it('is DRY_RUN with the changes it would make when the failing controls are in dry-run', () => {
    const summary = summarizePlan({
      apiName: 'orders',
      decisions: [decision('APIGateway.3', 'auto', true)],
      evaluations: [failing('APIGateway.3')],
      plans: [plan('APIGateway.3', 'tracingEnabled')],
    });
    expect(summary.next).toBe('DRY_RUN');
    expect(summary.toApply).toEqual([]);
    expect(summary.notApplied).toEqual([
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true, why: 'dry-run' },
    ]);
  });

  it('is SKIPPED for notify mode and for failing controls that have no safe fix', () => {
    const summary = summarizePlan({
      apiName: 'orders',
      decisions: [decision('APIGateway.3', 'notify'), decision('APIGateway.8', 'notify')],
      evaluations: [failing('APIGateway.3'), failing('APIGateway.8')],
      plans: [plan('APIGateway.3', 'tracingEnabled'), noChanges('APIGateway.8')],
    });
    expect(summary.next).toBe('SKIPPED');
    expect(summary.reason).toContain('APIGateway.3 tracingEnabled (notify)');
    expect(summary.reason).toContain('APIGateway.8: APIGateway.8 fails');
  });
});

describe('summarizePlan invariants', () => {
  const ids = ['APIGateway.1', 'APIGateway.3', 'APIGateway.5', 'Baseline.StageThrottling'] as const;
  const controlArbitrary = fc.record({
    controlId: fc.constantFrom(...ids),
    mode: fc.constantFrom('auto', 'approve', 'notify', 'off'),
    dryRun: fc.boolean(),
    status: fc.constantFrom('COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'),
    fixable: fc.boolean(),
  });

  it('puts every change of a failing, active control in exactly one of toApply and notApplied', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(controlArbitrary, { selector: (control) => control.controlId }),
        (controls) => {
          const summary = summarizePlan({
            apiName: 'orders',
            decisions: controls.map((control) => decision(control.controlId, control.mode, control.dryRun)),
            evaluations: controls.map((control) => ({
              controlId: control.controlId,
              status: control.status,
              reason: 'r',
            })),
            plans: controls.map((control) =>
              control.fixable && control.status === 'NON_COMPLIANT'
                ? plan(control.controlId, `setting-${control.controlId}`)
                : noChanges(control.controlId),
            ),
          });
          for (const control of controls) {
            const expected =
              control.mode !== 'off' && control.status === 'NON_COMPLIANT' && control.fixable ? 1 : 0;
            const applied = summary.toApply.filter((change) => change.controlId === control.controlId).length;
            const left = summary.notApplied.filter((change) => change.controlId === control.controlId).length;
            expect(applied + left).toBe(expected);
            if (applied > 0) expect(control.dryRun || control.mode === 'notify').toBe(false);
          }
          expect(summary.next === 'APPLY' || summary.next === 'APPROVE').toBe(summary.toApply.length > 0);
          if (summary.next === 'APPROVE') {
            expect(
              controls.some(
                (control) => control.mode === 'approve' && summary.applyControls.includes(control.controlId),
              ),
            ).toBe(true);
          }
        },
      ),
    );
  });
});

describe('the summary of a stage that is gone', () => {
  it('carries what happened and nothing padded: no evaluations, changes or controls, and a name only when known', () => {
    expect(goneSummary(undefined, 'GetStage: NotFoundException')).toEqual({
      status: 'GONE',
      next: 'GONE',
      reason: 'GetStage: NotFoundException',
    });
    expect(goneSummary('orders', 'GetRestApi: NotFoundException')).toEqual({
      status: 'GONE',
      next: 'GONE',
      apiName: 'orders',
      reason: 'GetRestApi: NotFoundException',
    });
    expect(PlanSummarySchema.parse(goneSummary(undefined, 'gone'))).toEqual(goneSummary(undefined, 'gone'));
  });

  it('is told apart by next: a summary that goes on must carry its evaluations and changes', () => {
    expect(
      PlanSummarySchema.safeParse({ status: 'FOUND', apiName: 'orders', next: 'APPLY', reason: 'x' }).success,
    ).toBe(false);
    expect(PlanSummarySchema.safeParse({ status: 'FOUND', next: 'GONE', reason: 'x' }).success).toBe(false);
  });
});
