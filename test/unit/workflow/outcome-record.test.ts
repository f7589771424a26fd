/**
 * What each way an execution can end means in its outcome record (remediators/workflow/outcome.ts):
 * the approver, the reason, the changes, the brake and the per-control evaluations, one behaviour per
 * test, each from the fixture work item (an automatic APIGateway.1 fix of orders/prod).
 */
import { describe, expect, it } from 'vitest';
import {
  foundPlanOf,
  type ControlChange,
  type FoundPlanSummary,
  type StageWorkItem,
} from '../../../remediators/workflow/state.js';
import { goneSummary } from '../../../remediators/workflow/plan-summary.js';
import {
  causeMessage,
  controlRecord,
  describeChange,
  toOutcomeRecord,
  type OutcomeRecord,
} from '../../../remediators/workflow/outcome.js';
import { remediationIdOf } from '../../../remediators/workflow/stage-identity.js';
import { EXECUTION_ARN, outcomeRecord, workItem } from './fixtures.js';

const NOW = new Date('2026-11-21T10:00:00Z');
const DANA = { id: 'U024BE7LH', name: 'Dana' };
const CHANGE: ControlChange = {
  controlId: 'APIGateway.1',
  setting: 'methodSettings[*/*].loggingLevel',
  before: 'OFF',
  after: 'ERROR',
};
const HELD: ControlChange = {
  controlId: 'APIGateway.3',
  setting: 'tracingEnabled',
  before: false,
  after: true,
};

const outcomeRecordOf = (outcome: OutcomeRecord['outcome'], overrides: Partial<OutcomeRecord> = {}) =>
  outcomeRecord({ outcome, ...overrides });
const record = (item: StageWorkItem, outcome: Parameters<typeof toOutcomeRecord>[1]) =>
  toOutcomeRecord(item, outcome, '1.0.0', NOW);
function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the fixture work item lacks this part');
  return value;
}
const basePlan = defined(foundPlanOf(workItem().plan));
const baseDecision = defined(workItem().decision);
const withPlan = (plan: Partial<FoundPlanSummary>, overrides: Partial<StageWorkItem> = {}) =>
  workItem({ plan: { ...basePlan, ...plan }, ...overrides });
const approval = (approver = DANA) => ({
  decision: 'APPROVED' as const,
  approver,
  decidedAt: NOW.toISOString(),
  channel: 'slack' as const,
});
const rejected = (cause: string) => workItem({ approvalError: { Error: 'ApprovalRejected', Cause: cause } });
const rejectionCause = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    decision: 'REJECTED',
    approver: DANA,
    decidedAt: NOW.toISOString(),
    channel: 'slack',
    ...extra,
  });

describe('causeMessage', () => {
  it('says there is no cause when the cause is missing or empty', () => {
    expect(causeMessage(undefined)).toBe('no cause given');
    expect(causeMessage('')).toBe('no cause given');
  });

  it('keeps JSON that is not an object with errorMessage as it is', () => {
    expect(causeMessage('42')).toBe('42');
    expect(causeMessage('null')).toBe('null');
    expect(causeMessage('{"errorType":"X"}')).toBe('{"errorType":"X"}');
  });

  it('writes a non-string errorMessage as text', () => {
    expect(causeMessage('{"errorMessage":42}')).toBe('42');
  });
});

describe('the approver a record names', () => {
  it('an approver whose name is empty or equal to the id is named by the id alone', () => {
    expect(record(workItem({ approval: approval({ id: 'U1', name: '' }) }), 'REMEDIATED').approver).toBe(
      'U1',
    );
    expect(record(workItem({ approval: approval({ id: 'U1', name: 'U1' }) }), 'REMEDIATED').approver).toBe(
      'U1',
    );
  });

  it('a rejection whose cause is not an approval decision has an unknown approver', () => {
    expect(record(rejected('not json'), 'REJECTED').approver).toBe('unknown approver');
    expect(record(rejected('{"decision":"MAYBE"}'), 'REJECTED').approver).toBe('unknown approver');
    expect(record(workItem(), 'REJECTED').approver).toBe('unknown approver');
  });

  it('an approval that timed out and was applied by policy says so', () => {
    const item = workItem({ approvalError: { Error: 'States.Timeout', Cause: 'timed out' } });

    expect(record(item, 'REMEDIATED').approver).toBe('nobody (approval timed out; applied by policy)');
  });

  it('a plan waiting for an approval nobody gave names nobody', () => {
    expect(record(withPlan({ next: 'APPROVE' }), 'FAILED').approver).toBe('nobody (no approval given)');
  });

  it('a plan applied without approval is automatic', () => {
    expect(record(workItem(), 'REMEDIATED').approver).toBe('automatic');
  });
});

describe('the reason a record gives', () => {
  it('a fix lists the controls fixed', () => {
    const item = withPlan({ applyControls: ['APIGateway.1', 'APIGateway.3'] });

    expect(record(item, 'REMEDIATED').reason).toBe('fixed APIGateway.1, APIGateway.3');
  });

  it('a fix after the approval timed out says it was applied by approval.onTimeout', () => {
    const item = workItem({ approvalError: { Error: 'States.Timeout', Cause: 'timed out' } });

    expect(record(item, 'REMEDIATED').reason).toBe(
      'fixed APIGateway.1 after the approval timed out (approval.onTimeout apply)',
    );
  });

  it('a decision that won over the timeout is an approval, not the policy', () => {
    const item = workItem({
      approval: approval(),
      approvalError: { Error: 'States.Timeout', Cause: 'late' },
    });

    expect(record(item, 'REMEDIATED').reason).toBe('fixed APIGateway.1');
  });

  it('a fix re-planned after the approval wait says what the re-read found', () => {
    const item = withPlan({ recheck: 'the stage still matched the approved plan' });

    expect(record(item, 'REMEDIATED').reason).toBe(
      'fixed APIGateway.1; re-read after the approval wait: the stage still matched the approved plan',
    );
  });

  it('a fix without a plan lists no control', () => {
    expect(record(workItem({ plan: undefined }), 'REMEDIATED').reason).toBe('fixed ');
  });

  it.each(['ALREADY_COMPLIANT', 'DRY_RUN'] as const)(
    '%s gives the plan’s reason, else the outcome',
    (outcome) => {
      expect(record(withPlan({ reason: 'nothing to do' }), outcome).reason).toBe('nothing to do');
      expect(record(workItem({ plan: undefined }), outcome).reason).toBe(outcome);
    },
  );

  it('a skip gives the plan’s reason, else the decision’s, else that configuration changed nothing', () => {
    expect(record(withPlan({ reason: 'mode notify' }), 'SKIPPED').reason).toBe('mode notify');
    expect(record(workItem({ plan: undefined }), 'SKIPPED').reason).toBe('APIGateway.1=auto');
    expect(record(workItem({ plan: undefined, decision: undefined }), 'SKIPPED').reason).toBe(
      'not changed by configuration',
    );
  });

  it('a skip by a brake in the decision puts the brake first', () => {
    const item = workItem({ decision: { ...baseDecision, brake: 'kill switch on' } });

    expect(record(item, 'SKIPPED').reason).toBe('kill switch on. automatic fix of APIGateway.1');
  });

  it('a skip by a brake at the apply step gives the brake’s message', () => {
    const item = workItem({
      error: { Error: 'BlastRadiusCapReached', Cause: '{"errorMessage":"cap of 5 reached"}' },
    });

    expect(record(item, 'SKIPPED').reason).toBe('cap of 5 reached');
  });

  it('a rejection without a comment says the approver rejected the change', () => {
    expect(record(rejected(rejectionCause()), 'REJECTED').reason).toBe('the approver rejected the change');
    expect(record(rejected(rejectionCause({ comment: '' })), 'REJECTED').reason).toBe(
      'the approver rejected the change',
    );
  });

  it('an expiry without a configured timeout shows ?', () => {
    expect(record(workItem({ decision: undefined }), 'EXPIRED').reason).toBe(
      'nobody decided within ? s (approval.onTimeout skip): nothing changed',
    );
  });

  it('a stage gone during the remediation quotes the error; one gone before says it no longer exists', () => {
    const during = workItem({
      error: { Error: 'NotFoundException', Cause: '{"errorMessage":"Invalid stage"}' },
    });

    expect(record(during, 'RESOURCE_GONE').reason).toBe(
      'the stage disappeared during the remediation: Invalid stage',
    );
    expect(record(workItem(), 'RESOURCE_GONE').reason).toBe('the API or stage no longer exists');
  });

  it('a failure without an error says so', () => {
    expect(record(workItem(), 'FAILED').reason).toBe('failed without an error');
  });

  it('a joined run without the run it joined says it joined one in progress', () => {
    expect(record(workItem(), 'JOINED').reason).toBe(
      'joined a remediation of this stage in progress, which records its outcome here too',
    );
  });
});

describe('the brake a record names', () => {
  it('a skip by a brake at the apply step names it', () => {
    const item = workItem({ error: { Error: 'KillSwitchOn', Cause: 'the kill switch is on' } });

    expect(record(item, 'SKIPPED').brake).toBe('the kill switch is on');
  });

  it('a skip by a brake in the decision names it', () => {
    const item = workItem({ decision: { ...baseDecision, brake: 'kill switch on' } });

    expect(record(item, 'SKIPPED').brake).toBe('kill switch on');
  });

  it('a skip without a brake, or any other outcome, names none', () => {
    const braked = workItem({ error: { Error: 'KillSwitchOn', Cause: 'on' } });

    expect(record(workItem(), 'SKIPPED')).not.toHaveProperty('brake');
    expect(record(braked, 'FAILED')).not.toHaveProperty('brake');
    expect(record(workItem({ error: { Error: 'OtherError', Cause: 'x' } }), 'SKIPPED')).not.toHaveProperty(
      'brake',
    );
  });
});

describe('the changes a record lists', () => {
  const held = { ...HELD, why: 'notify' as const };

  it('a fix lists what was applied, else what the plan would apply, else nothing', () => {
    const applied = { ...CHANGE, after: 'INFO' };

    expect(
      record(workItem({ applied: { redeploy: false, applied: [applied] } }), 'REMEDIATED').changes,
    ).toEqual([applied]);
    expect(record(workItem(), 'REMEDIATED').changes).toEqual([CHANGE]);
    expect(record(workItem({ plan: undefined }), 'REMEDIATED').changes).toEqual([]);
  });

  it('a skip by a brake at the apply step lists the whole plan, without the reasons held back', () => {
    const item = withPlan({ notApplied: [held] }, { error: { Error: 'KillSwitchOn', Cause: 'on' } });

    expect(record(item, 'SKIPPED').changes).toStrictEqual([CHANGE, HELD]);
    expect(
      record(workItem({ plan: undefined, error: { Error: 'KillSwitchOn', Cause: 'on' } }), 'SKIPPED').changes,
    ).toEqual([]);
  });

  it.each(['DRY_RUN', 'SKIPPED'] as const)('%s lists what was held back, without why', (outcome) => {
    expect(record(withPlan({ notApplied: [held] }), outcome).changes).toStrictEqual([HELD]);
    expect(record(workItem({ plan: undefined }), outcome).changes).toEqual([]);
  });

  it('any other outcome lists what the plan would apply, else nothing', () => {
    expect(record(withPlan({ notApplied: [held] }), 'REJECTED').changes).toEqual([CHANGE]);
    expect(record(workItem({ plan: undefined }), 'FAILED').changes).toEqual([]);
  });
});

describe('the evaluations a record lists', () => {
  it('a stage found gone lists every requested control as not checked', () => {
    const item = workItem({ plan: goneSummary(undefined, 'GetStage: NotFoundException') });

    expect(record(item, 'RESOURCE_GONE').evaluations).toEqual([
      {
        controlId: 'APIGateway.1',
        compliance: 'NOT_AVAILABLE',
        reason: 'not checked: the workflow ended before reading the stage',
      },
    ]);
  });

  it('leaves out controls that do not apply, keeps the read ones, and takes the verified result where there is one', () => {
    const item = withPlan(
      {
        evaluations: [
          { controlId: 'APIGateway.1', status: 'NON_COMPLIANT', reason: 'loggingLevel is OFF' },
          { controlId: 'APIGateway.3', status: 'COMPLIANT', reason: 'tracing on' },
          { controlId: 'APIGateway.4', status: 'NOT_APPLICABLE', reason: 'not REST' },
          { controlId: 'APIGateway.5', status: 'NON_COMPLIANT', reason: 'not encrypted' },
        ],
        notApplied: [{ ...HELD, controlId: 'APIGateway.5', why: 'dry-run' }],
      },
      {
        verification: {
          status: 'VERIFIED',
          evaluations: [{ controlId: 'APIGateway.1', status: 'COMPLIANT', reason: 'loggingLevel is ERROR' }],
        },
      },
    );

    expect(record(item, 'REMEDIATED').evaluations).toStrictEqual([
      {
        controlId: 'APIGateway.1',
        compliance: 'PASSED',
        reason: 'loggingLevel is ERROR',
        before: 'NON_COMPLIANT',
        handling: 'applied',
      },
      { controlId: 'APIGateway.3', compliance: 'PASSED', reason: 'tracing on', before: 'COMPLIANT' },
      {
        controlId: 'APIGateway.5',
        compliance: 'FAILED',
        reason: 'not encrypted',
        before: 'NON_COMPLIANT',
        handling: 'dry-run',
      },
    ]);
  });

  it('a failing control neither applied nor held back is report-only', () => {
    const item = withPlan({
      evaluations: [{ controlId: 'APIGateway.2', status: 'NON_COMPLIANT', reason: 'no client certificate' }],
    });

    expect(record(item, 'SKIPPED').evaluations[0]).toMatchObject({
      handling: 'report-only',
      compliance: 'FAILED',
    });
  });
});

describe('the identity of a record', () => {
  it('without a decision the remediation id is the one its lock owner carries (the execution, stage and request)', () => {
    const item = workItem({ decision: undefined });
    const id = record(item, 'JOINED').remediationId;
    expect(id).toBe(remediationIdOf(EXECUTION_ARN, item.stage, item.request));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Another request of the same execution and stage is another remediation.
    const other = workItem({ decision: undefined, request: { ...item.request, eventId: 'another-event' } });
    expect(record(other, 'JOINED').remediationId).not.toBe(id);
  });

  it('carries the finding id and product ARN only when the request had them', () => {
    const base = workItem();
    const withProduct = workItem({
      request: { ...base.request, productArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub' },
    });
    const noFinding = { ...base.request };
    delete noFinding.findingId;

    expect(record(withProduct, 'REMEDIATED')).toMatchObject({
      findingId: 'finding-1',
      findingProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    });
    expect(record(base, 'REMEDIATED')).not.toHaveProperty('findingProductArn');
    expect(record(workItem({ request: noFinding }), 'REMEDIATED')).not.toHaveProperty('findingId');
  });
});

describe('describeChange', () => {
  it('shows an unset value as (unset) on either side, and false as false', () => {
    expect(
      describeChange({
        controlId: 'APIGateway.9',
        setting: 'accessLogSettings',
        before: null,
        after: 'arn:x',
      }),
    ).toBe('APIGateway.9 accessLogSettings: (unset) → arn:x');
    expect(describeChange({ ...HELD, after: null })).toBe('APIGateway.3 tracingEnabled: false → (unset)');
  });
});

describe('more of what an end means', () => {
  it('a fix after the approval timed out lists the controls fixed, and none without a plan', () => {
    const timedOut = { approvalError: { Error: 'States.Timeout', Cause: 'timed out' } };

    expect(
      record(withPlan({ applyControls: ['APIGateway.1', 'APIGateway.3'] }, timedOut), 'REMEDIATED').reason,
    ).toBe('fixed APIGateway.1, APIGateway.3 after the approval timed out (approval.onTimeout apply)');
    expect(record(workItem({ plan: undefined, ...timedOut }), 'REMEDIATED').reason).toBe(
      'fixed  after the approval timed out (approval.onTimeout apply)',
    );
  });

  it('a brake error on an outcome other than SKIPPED does not add what was held back', () => {
    const item = withPlan(
      { notApplied: [{ ...HELD, why: 'notify' }] },
      { error: { Error: 'KillSwitchOn', Cause: 'on' } },
    );

    expect(record(item, 'FAILED').changes).toEqual([CHANGE]);
  });

  it('each control held back is handled for its own reason', () => {
    const item = withPlan({
      evaluations: [
        { controlId: 'APIGateway.3', status: 'NON_COMPLIANT', reason: 'tracing off' },
        { controlId: 'APIGateway.5', status: 'NON_COMPLIANT', reason: 'not encrypted' },
      ],
      applyControls: [],
      notApplied: [
        { ...HELD, why: 'notify' },
        { ...HELD, controlId: 'APIGateway.5', why: 'dry-run' },
      ],
    });

    expect(
      record(item, 'SKIPPED').evaluations.map((evaluation) => [evaluation.controlId, evaluation.handling]),
    ).toEqual([
      ['APIGateway.3', 'notify'],
      ['APIGateway.5', 'dry-run'],
    ]);
  });
});

describe('one control’s share of a record', () => {
  const failing = {
    controlId: 'APIGateway.1' as const,
    compliance: 'FAILED' as const,
    reason: 'still off',
    before: 'NON_COMPLIANT' as const,
  };

  it('an applied control of a run that did not remediate keeps the run’s reason', () => {
    const run = outcomeRecordOf('FAILED', { reason: 'UpdateStage failed' });

    expect(controlRecord(run, { ...failing, handling: 'applied' }).reason).toBe('UpdateStage failed');
  });

  it('a dry-run control says dry run even when the run had a brake', () => {
    const run = outcomeRecordOf('DRY_RUN', { brake: 'kill switch on' });

    expect(controlRecord(run, { ...failing, handling: 'dry-run' }).reason).toBe(
      'APIGateway.1 fails, not changed (dry run): still off',
    );
  });

  it('a control in mode notify because of a brake names the brake', () => {
    const run = outcomeRecordOf('SKIPPED', { brake: 'kill switch on' });

    expect(controlRecord(run, { ...failing, handling: 'notify' }).reason).toBe(
      'APIGateway.1 fails, not changed (kill switch on): still off',
    );
  });

  it('a control held back because the stage changed keeps the approver who decided', () => {
    const run = outcomeRecordOf('SKIPPED', { approver: 'Dana (U024BE7LH)' });

    expect(controlRecord(run, { ...failing, handling: 'stage-changed' }).approver).toBe('Dana (U024BE7LH)');
    expect(controlRecord(run, { ...failing, handling: 'notify' }).approver).toBe('nobody (notify)');
  });
});
