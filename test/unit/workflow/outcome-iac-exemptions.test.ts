/**
 * The outcome record's parts that come from the ledger and the stage's owner: exemptions (who
 * left a control alone, and until when), the flap guard's reasons on a fix, a deferral to the
 * stage's owner, and the template changes, which each control's own record keeps only for itself.
 */
import { describe, expect, it } from 'vitest';
import type { IacSummary } from '../../../remediators/iac/schema.js';
import {
  controlRecord,
  toOutcomeRecord,
  type OutcomeEvaluation,
  type OutcomeRecord,
} from '../../../remediators/workflow/outcome.js';
import type { FoundPlanSummary, StageWorkItem } from '../../../remediators/workflow/state.js';
import { outcomeRecord, workItem } from './fixtures.js';

const NOW = new Date('2026-12-02T10:00:00Z');

const TRACING = { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true } as const;
const LOGGING = {
  controlId: 'APIGateway.1',
  setting: 'methodSettings[*/*].loggingLevel',
  before: 'OFF',
  after: 'ERROR',
} as const;

const IAC: IacSummary = {
  owner: { kind: 'cloudformation', tool: 'cdk', stackName: 'OrdersStack' },
  ownerText: 'CloudFormation stack OrdersStack (AWS CDK)',
  sourceFixes: [
    { controlId: 'APIGateway.1', tool: 'cdk', change: 'deployOptions: { loggingLevel: ERROR }' },
    { controlId: 'APIGateway.3', tool: 'cdk', change: 'deployOptions: { tracingEnabled: true }' },
  ],
};

function foundPlan(overrides: Partial<FoundPlanSummary> = {}): FoundPlanSummary {
  return {
    status: 'FOUND',
    apiName: 'orders',
    evaluations: [
      { controlId: 'APIGateway.1', status: 'NON_COMPLIANT', reason: 'loggingLevel is OFF' },
      { controlId: 'APIGateway.3', status: 'NON_COMPLIANT', reason: 'tracing is off' },
    ],
    toApply: [LOGGING],
    notApplied: [],
    applyControls: ['APIGateway.1'],
    next: 'APPLY',
    reason: 'automatic fix of APIGateway.1',
    ...overrides,
  };
}

function guard(controlId: string, action: 'fix' | 'defer' | 'clear', reason: string) {
  return { controlId, action, reverts: 1, newlyDeferred: false, record: null, reason } as const;
}

function onlyEvaluation(record: OutcomeRecord): OutcomeEvaluation {
  const [evaluation] = record.evaluations;
  if (evaluation === undefined) throw new Error('a control record without its evaluation');
  return evaluation;
}

function item(overrides: Partial<StageWorkItem> = {}): StageWorkItem {
  return workItem({ plan: foundPlan(), ...overrides });
}

describe('exemptions in the outcome record', () => {
  it('lists, per exempt control, the exemption that left it alone', () => {
    const base = workItem();
    const decision = base.decision;
    if (decision === undefined) throw new Error('fixture without decision');
    const exempted = item({
      decision: {
        ...decision,
        controls: [
          { controlId: 'APIGateway.1', mode: 'auto', source: 'built-in default', dryRun: false },
          {
            controlId: 'APIGateway.3',
            mode: 'notify',
            source: 'exemption',
            dryRun: false,
            exemption: 'exempt by alice until 2026-12-31: load test',
          },
        ],
      },
    });
    expect(toOutcomeRecord(exempted, 'REMEDIATED', '1', NOW).exemptions).toStrictEqual({
      'APIGateway.3': 'exempt by alice until 2026-12-31: load test',
    });
  });

  it('has no exemptions key when no control is exempt', () => {
    expect(toOutcomeRecord(item(), 'REMEDIATED', '1', NOW)).not.toHaveProperty('exemptions');
  });

  it('an exempt control’s own record names its exemption', () => {
    const record = outcomeRecord({
      exemptions: { 'APIGateway.3': 'exempt by alice until 2026-12-31: load test' },
    });
    const own = controlRecord(record, {
      controlId: 'APIGateway.3',
      compliance: 'FAILED',
      reason: 'tracing is off',
      before: 'NON_COMPLIANT',
      handling: 'exempt',
    });
    expect(own.outcome).toBe('SKIPPED');
    expect(own.approver).toBe('nobody (exempt)');
    expect(own.reason).toBe(
      'APIGateway.3 fails, not changed (exempt by alice until 2026-12-31: load test): tracing is off',
    );
  });

  it('an exempt control without its exemption in the record says only that it is exempt', () => {
    const record = outcomeRecord({ exemptions: { 'APIGateway.1': 'exempt by bob' } });
    const own = controlRecord(record, {
      controlId: 'APIGateway.3',
      compliance: 'FAILED',
      reason: 'tracing is off',
      before: 'NON_COMPLIANT',
      handling: 'exempt',
    });
    expect(own.reason).toBe('APIGateway.3 fails, not changed (exempt): tracing is off');
    expect(controlRecord(outcomeRecord(), { ...onlyEvaluation(own), handling: 'exempt' }).reason).toBe(
      'APIGateway.3 fails, not changed (exempt): tracing is off',
    );
  });

  it('a control in mode notify is not described by an exemption the record holds for it', () => {
    const record = outcomeRecord({ exemptions: { 'APIGateway.3': 'exempt by alice' } });
    const own = controlRecord(record, {
      controlId: 'APIGateway.3',
      compliance: 'FAILED',
      reason: 'tracing is off',
      before: 'NON_COMPLIANT',
      handling: 'notify',
    });
    expect(own.reason).toBe('APIGateway.3 fails, reported only (mode notify): tracing is off');
  });

  it('a control in mode notify because of a brake names the brake', () => {
    const record = outcomeRecord({ outcome: 'SKIPPED', brake: 'the kill switch is on' });
    const own = controlRecord(record, {
      controlId: 'APIGateway.3',
      compliance: 'FAILED',
      reason: 'tracing is off',
      before: 'NON_COMPLIANT',
      handling: 'notify',
    });
    expect(own.reason).toBe('APIGateway.3 fails, not changed (the kill switch is on): tracing is off');
    expect(own.approver).toBe('nobody (notify)');
  });
});

describe('the stage owner in the outcome record', () => {
  it('carries the plan’s owner and template changes', () => {
    expect(
      toOutcomeRecord(item({ plan: foundPlan({ iac: IAC }) }), 'REMEDIATED', '1', NOW).iac,
    ).toStrictEqual(IAC);
  });

  it('has no iac key when the plan has none, or the run joined another (which records the owner)', () => {
    expect(toOutcomeRecord(item(), 'REMEDIATED', '1', NOW)).not.toHaveProperty('iac');
    const joined = toOutcomeRecord(item({ plan: foundPlan({ iac: IAC }) }), 'JOINED', '1', NOW);
    expect(joined).not.toHaveProperty('iac');
  });

  it('each control’s own record keeps only its own template changes', () => {
    const record = outcomeRecord({ iac: IAC });
    const own = controlRecord(record, {
      controlId: 'APIGateway.3',
      compliance: 'FAILED',
      reason: 'tracing is off',
      before: 'NON_COMPLIANT',
      handling: 'notify',
    });
    expect(own.iac).toStrictEqual({
      ...IAC,
      sourceFixes: [
        { controlId: 'APIGateway.3', tool: 'cdk', change: 'deployOptions: { tracingEnabled: true }' },
      ],
    });
    expect(controlRecord(outcomeRecord(), onlyEvaluation(own))).not.toHaveProperty('iac');
  });

  it('a fix the owner reverted before says so with the flap guard’s reasons, only those of fixes', () => {
    const plan = foundPlan({
      iac: {
        ...IAC,
        guard: [
          guard('APIGateway.1', 'fix', 'APIGateway.1: reverted 1 time by the owner in 24 h; fixed again'),
          guard('APIGateway.3', 'defer', 'APIGateway.3: deferred to the owner'),
          guard('APIGateway.5', 'fix', 'APIGateway.5: reverted 2 times'),
        ],
      },
    });
    expect(toOutcomeRecord(item({ plan }), 'REMEDIATED', '1', NOW).reason).toBe(
      'fixed APIGateway.1; APIGateway.1: reverted 1 time by the owner in 24 h; fixed again; APIGateway.5: reverted 2 times',
    );
  });

  it('a fix without flap guard decisions to fix says only what was fixed', () => {
    const plan = foundPlan({ iac: { ...IAC, guard: [guard('APIGateway.3', 'clear', 'cleared')] } });
    expect(toOutcomeRecord(item({ plan }), 'REMEDIATED', '1', NOW).reason).toBe('fixed APIGateway.1');
    expect(toOutcomeRecord(item({ plan: foundPlan({ iac: IAC }) }), 'REMEDIATED', '1', NOW).reason).toBe(
      'fixed APIGateway.1',
    );
  });
});

describe('a deferral to the stage owner', () => {
  const deferred = foundPlan({
    toApply: [],
    notApplied: [{ ...TRACING, why: 'deferred-to-owner' }],
    applyControls: [],
    next: 'DEFERRED',
    reason: 'APIGateway.3: deferred to the owner after 3 reverts',
  });

  it('nobody approves it, the plan says why, and what would change is listed', () => {
    const record = toOutcomeRecord(item({ plan: deferred }), 'DEFERRED_TO_OWNER', '1', NOW);
    expect(record.approver).toBe('nobody (deferred to owner)');
    expect(record.reason).toBe('APIGateway.3: deferred to the owner after 3 reverts');
    expect(record.changes).toStrictEqual([TRACING]);
  });

  it('without a plan it says it was deferred to the stage owner', () => {
    const record = toOutcomeRecord(item({ plan: undefined }), 'DEFERRED_TO_OWNER', '1', NOW);
    expect(record.reason).toBe('deferred to the stage owner');
    expect(record.changes).toStrictEqual([]);
  });

  it('a deferred control’s own record says it is left to the owner', () => {
    const record = toOutcomeRecord(item({ plan: deferred }), 'DEFERRED_TO_OWNER', '1', NOW);
    const own = controlRecord(record, {
      controlId: 'APIGateway.3',
      compliance: 'FAILED',
      reason: 'tracing is off',
      before: 'NON_COMPLIANT',
      handling: 'deferred-to-owner',
    });
    expect(own.outcome).toBe('DEFERRED_TO_OWNER');
    expect(own.approver).toBe('nobody (deferred-to-owner)');
    expect(own.reason).toBe(
      "APIGateway.3 fails, not changed: deferred to the stage's owner, whose deployments keep reverting the fix " +
        '(make the template change, or clear-deferral): tracing is off',
    );
  });
});
