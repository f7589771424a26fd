import { describe, expect, it } from 'vitest';
import {
  controlRecord,
  driftEvaluations,
  findingRecord,
  toOutcomeRecord,
  type OutcomeEvaluation,
} from '../../../remediators/workflow/outcome.js';
import { outcomeRecord, workItem } from './fixtures.js';

const NOW = new Date('2026-11-21T10:00:00Z');

const LOGGING_CHANGE = {
  controlId: 'APIGateway.1',
  setting: 'methodSettings[*/*].loggingLevel',
  before: 'OFF',
  after: 'ERROR',
} as const;
const TRACING_CHANGE = {
  controlId: 'APIGateway.3',
  setting: 'tracingEnabled',
  before: false,
  after: true,
} as const;

/** A drift run on a stage failing APIGateway.1 (auto), .3 (notify), .2 (report-only), passing .11. */
function driftItem() {
  const base = workItem();
  return workItem({
    request: { ...base.request, trigger: 'cloudtrail', findingId: undefined },
    plan: {
      status: 'FOUND',
      apiName: 'orders',
      evaluations: [
        { controlId: 'APIGateway.1', status: 'NON_COMPLIANT', reason: 'loggingLevel is OFF' },
        { controlId: 'APIGateway.3', status: 'NON_COMPLIANT', reason: 'tracing is off' },
        { controlId: 'APIGateway.2', status: 'NON_COMPLIANT', reason: 'no client certificate' },
        { controlId: 'APIGateway.11', status: 'COMPLIANT', reason: 'TLS 1.2' },
        { controlId: 'APIGateway.9', status: 'NOT_APPLICABLE', reason: 'a REST stage' },
      ],
      toApply: [LOGGING_CHANGE],
      notApplied: [{ ...TRACING_CHANGE, why: 'notify' }],
      applyControls: ['APIGateway.1'],
      next: 'APPLY',
      reason: 'automatic fix of APIGateway.1',
    },
    applied: { redeploy: false, applied: [LOGGING_CHANGE] },
    verification: {
      status: 'VERIFIED',
      evaluations: [{ controlId: 'APIGateway.1', status: 'COMPLIANT', reason: 'loggingLevel is ERROR' }],
    },
  });
}

describe('per-control records', () => {
  const record = toOutcomeRecord(driftItem(), 'REMEDIATED', '1.2.3', NOW);
  const evaluation = (controlId: string): OutcomeEvaluation => {
    const found = record.evaluations.find((candidate) => candidate.controlId === controlId);
    if (found === undefined) throw new Error(`no evaluation of ${controlId}`);
    return found;
  };

  it('keeps how each control stood when read, and what the plan did with the failing ones', () => {
    expect(record.evaluations).toEqual([
      {
        controlId: 'APIGateway.1',
        compliance: 'PASSED',
        reason: 'loggingLevel is ERROR',
        before: 'NON_COMPLIANT',
        handling: 'applied',
      },
      {
        controlId: 'APIGateway.3',
        compliance: 'FAILED',
        reason: 'tracing is off',
        before: 'NON_COMPLIANT',
        handling: 'notify',
      },
      {
        controlId: 'APIGateway.2',
        compliance: 'FAILED',
        reason: 'no client certificate',
        before: 'NON_COMPLIANT',
        handling: 'report-only',
      },
      { controlId: 'APIGateway.11', compliance: 'PASSED', reason: 'TLS 1.2', before: 'COMPLIANT' },
    ]);
  });

  it('drift is the controls that failed when read, never the ones that already passed', () => {
    expect(driftEvaluations(record).map((candidate) => candidate.controlId)).toEqual([
      'APIGateway.1',
      'APIGateway.3',
      'APIGateway.2',
    ]);
  });

  it('drift is every requested control when the stage was never read (the outcome must still be seen)', () => {
    const unread = toOutcomeRecord(
      workItem({ plan: undefined, error: { Error: 'Boom', Cause: 'x' } }),
      'FAILED',
      '1',
      NOW,
    );
    expect(driftEvaluations(unread)).toEqual([
      {
        controlId: 'APIGateway.1',
        compliance: 'NOT_AVAILABLE',
        reason: 'not checked: the workflow ended before reading the stage',
      },
    ]);
    expect(controlRecord(unread, driftEvaluations(unread)[0] as OutcomeEvaluation)).toMatchObject({
      outcome: 'FAILED',
      reason: 'Boom: x',
    });
  });

  it('an applied control shares the stage outcome, with only its own changes', () => {
    expect(controlRecord(record, evaluation('APIGateway.1'))).toMatchObject({
      outcome: 'REMEDIATED',
      approver: 'automatic',
      reason: 'fixed APIGateway.1: loggingLevel is ERROR',
      changes: [LOGGING_CHANGE],
      evaluations: [evaluation('APIGateway.1')],
    });
    const rejected = toOutcomeRecord(driftItem(), 'FAILED', '1', NOW);
    expect(controlRecord(rejected, evaluation('APIGateway.1')).outcome).toBe('FAILED');
  });

  it('a report-only control says what fails and that it is reported, not what was fixed elsewhere', () => {
    const own = controlRecord(record, evaluation('APIGateway.2'));
    expect(own).toMatchObject({
      outcome: 'SKIPPED',
      approver: 'nobody (report-only)',
      reason: 'APIGateway.2 fails, reported only (no safe automatic fix): no client certificate',
      changes: [],
    });
  });

  it('a control in mode notify is reported (with what would change, when the stage record lists it); dry run is DRY_RUN', () => {
    expect(controlRecord(record, evaluation('APIGateway.3'))).toMatchObject({
      outcome: 'SKIPPED',
      reason: 'APIGateway.3 fails, reported only (mode notify): tracing is off',
      // A REMEDIATED stage's record lists what was changed only.
      changes: [],
    });
    const skipped = toOutcomeRecord(driftItem(), 'SKIPPED', '1', NOW);
    expect(controlRecord(skipped, evaluation('APIGateway.3')).changes).toEqual([TRACING_CHANGE]);
    expect(controlRecord(record, { ...evaluation('APIGateway.3'), handling: 'dry-run' })).toMatchObject({
      outcome: 'DRY_RUN',
      reason: 'APIGateway.3 fails, not changed (dry run): tracing is off',
    });
  });

  it('a control held back for an unattended deployment, or because the stage changed during approval, says why', () => {
    expect(
      controlRecord(record, { ...evaluation('APIGateway.3'), handling: 'unattended-deployment' }),
    ).toMatchObject({
      outcome: 'SKIPPED',
      approver: 'nobody (unattended-deployment)',
      reason: expect.stringContaining(
        "APIGateway.3 fails, reported only: its fix needs a deployment, which publishes the API's current definition",
      ),
    });
    expect(controlRecord(record, { ...evaluation('APIGateway.3'), handling: 'stage-changed' })).toMatchObject(
      {
        outcome: 'SKIPPED',
        reason:
          'APIGateway.3 fails, not changed: the stage changed while waiting for approval, so the approved change ' +
          'is not what would be applied now: tracing is off',
      },
    );
  });

  it('a control that passed when read is ALREADY_COMPLIANT', () => {
    expect(controlRecord(record, evaluation('APIGateway.11'))).toMatchObject({
      outcome: 'ALREADY_COMPLIANT',
      reason: 'APIGateway.11 passes: TLS 1.2',
    });
    expect(controlRecord(outcomeRecord(), outcomeRecord().evaluations[0] as OutcomeEvaluation).outcome).toBe(
      'REMEDIATED',
    );
  });
});

describe("a finding's record when its run planned a union of controls", () => {
  const record = toOutcomeRecord(driftItem(), 'REMEDIATED', '1.2.3', NOW);

  it("gives a finding whose control was fixed the stage's record itself (one call with the others)", () => {
    expect(findingRecord(record, ['APIGateway.1'])).toBe(record);
  });

  it('gives a finding whose control was left undone, or passed, its own share: not resolved, not "Changed"', () => {
    const notified = findingRecord(record, ['APIGateway.3']);
    expect(notified).toMatchObject({ outcome: 'SKIPPED', approver: 'nobody (notify)', changes: [] });
    expect(notified.reason).toContain('APIGateway.3 fails, reported only (mode notify)');
    expect(findingRecord(record, ['APIGateway.2']).outcome).toBe('SKIPPED');
    expect(findingRecord(record, ['APIGateway.11'])).toMatchObject({ outcome: 'ALREADY_COMPLIANT' });
  });

  it("keeps the stage's record for a finding of several controls, of none known, or of a control never evaluated", () => {
    expect(findingRecord(record, undefined)).toBe(record);
    expect(findingRecord(record, ['APIGateway.1', 'APIGateway.3'])).toBe(record);
    expect(findingRecord(record, ['APIGateway.4'])).toBe(record);
  });
});
