/**
 * The flap guard's decisions (docs/decisions/0029), pure: a revert counts only when the owner made
 * the call against a fix the service made within the window, once per CloudTrail event; the
 * policy decides at maxReverts; a compliant read ends a deferral.
 */
import { describe, expect, it } from 'vitest';
import {
  expiresAtOf,
  guardDecisions,
  recordAfterRun,
  type FlapRecord,
  type GuardInput,
} from '../../../remediators/iac/flap-guard.js';
import { applyGuard } from '../../../remediators/iac/guard-plan.js';
import type { Owner } from '../../../remediators/iac/owner.js';
import type { FoundPlanSummary } from '../../../remediators/workflow/state.js';

const NOW = new Date('2026-12-02T06:00:00.000Z');
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR).toISOString();
const STACK: Owner = { kind: 'cloudformation', tool: 'cdk', stackName: 'OrdersStack' };
const BY_CFN = { invokedBy: 'cloudformation.amazonaws.com', sourceIPAddress: 'cloudformation.amazonaws.com' };
const SETTINGS = {
  flapWindowHours: 24,
  maxReverts: 2,
  fight: false,
  defaultPolicy: 'notify-only' as const,
  policies: {},
};
const FIXED: FlapRecord = { fixes: [{ remediationId: 'r1', at: ago(1) }], reverts: [] };

function input(overrides: Partial<GuardInput> = {}, record: FlapRecord | undefined = FIXED): GuardInput {
  return {
    owner: STACK,
    caller: BY_CFN,
    eventId: 'e2',
    remediationId: 'r2',
    now: NOW,
    settings: SETTINGS,
    controls: [{ controlId: 'APIGateway.3', compliant: false, wouldApply: true, record }],
    ...overrides,
  };
}

describe('guardDecisions', () => {
  it('counts the owner reverting a fix within the window and fixes again below maxReverts', () => {
    expect(guardDecisions(input())).toStrictEqual([
      {
        controlId: 'APIGateway.3',
        action: 'fix',
        reverts: 1,
        newlyDeferred: false,
        record: { fixes: FIXED.fixes, reverts: [{ eventId: 'e2', at: NOW.toISOString() }] },
        reason:
          'APIGateway.3 was reverted by CloudFormation stack OrdersStack (AWS CDK) 1 time(s) within 24 h (iac.maxReverts 2): fixed again',
      },
    ]);
  });

  it('defers at maxReverts (notify-only), naming the owner and what ends it', () => {
    const record: FlapRecord = { ...FIXED, reverts: [{ eventId: 'e1', at: ago(2) }] };
    const [decision] = guardDecisions(input({}, record));
    expect(decision).toMatchObject({ action: 'defer', reverts: 2, newlyDeferred: true });
    expect(decision?.record?.deferred).toStrictEqual({
      since: NOW.toISOString(),
      remediationId: 'r2',
      reverts: 2,
    });
    expect(decision?.reason).toContain('deferred to its owner (policy notify-only)');
  });

  it('the same CloudTrail event again (a retried task) is counted once', () => {
    const record: FlapRecord = { ...FIXED, reverts: [{ eventId: 'e2', at: ago(0.1) }] };
    expect(guardDecisions(input({}, record))[0]).toMatchObject({ action: 'fix', reverts: 1 });
  });

  it('fix-and-notify keeps fixing at the limit; fight and iac.fight count nothing', () => {
    const record: FlapRecord = { ...FIXED, reverts: [{ eventId: 'e1', at: ago(2) }] };
    const fixAndNotify = { ...SETTINGS, policies: { 'APIGateway.3': 'fix-and-notify' as const } };
    expect(guardDecisions(input({ settings: fixAndNotify }, record))[0]).toMatchObject({
      action: 'fix',
      reverts: 2,
    });
    expect(
      guardDecisions(input({ settings: { ...SETTINGS, defaultPolicy: 'fight' } }, record)),
    ).toStrictEqual([]);
    expect(guardDecisions(input({ settings: { ...SETTINGS, fight: true } }, record))).toStrictEqual([]);
  });

  it('no revert: a person, no fix in the window, an old revert, an unmanaged stage', () => {
    expect(
      guardDecisions(input({ caller: { sourceIPAddress: '203.0.113.7', userAgent: 'aws-cli/2.17.20' } })),
    ).toStrictEqual([]);
    expect(
      guardDecisions(input({}, { fixes: [{ remediationId: 'r1', at: ago(30) }], reverts: [] })),
    ).toStrictEqual([]);
    expect(
      guardDecisions(
        input({
          controls: [{ controlId: 'APIGateway.3', compliant: false, wouldApply: true, record: undefined }],
        }),
      ),
    ).toStrictEqual([]);
    expect(guardDecisions(input({ owner: { kind: 'unmanaged' } }))).toStrictEqual([]);
    const stale: FlapRecord = { ...FIXED, reverts: [{ eventId: 'e0', at: ago(30) }] };
    expect(guardDecisions(input({}, stale))[0]).toMatchObject({ action: 'fix', reverts: 1 });
  });

  it('a deferred control stays deferred (nothing written) until a compliant read clears it', () => {
    const deferred: FlapRecord = { ...FIXED, deferred: { since: ago(3), remediationId: 'r1', reverts: 2 } };
    expect(guardDecisions(input({ caller: undefined }, deferred))[0]).toMatchObject({
      action: 'defer',
      record: null,
      newlyDeferred: false,
    });
    expect(
      guardDecisions(
        input({
          controls: [{ controlId: 'APIGateway.3', compliant: true, wouldApply: false, record: deferred }],
        }),
      )[0],
    ).toMatchObject({ action: 'clear', record: { fixes: [], reverts: [] } });
  });
});

describe('recordAfterRun and expiresAtOf', () => {
  it("adds this run's fix once per remediation id", () => {
    const fixed = { remediationId: 'r2', at: NOW.toISOString() };
    const once = recordAfterRun(undefined, FIXED, fixed);
    expect(once?.fixes).toStrictEqual([...FIXED.fixes, fixed]);
    expect(recordAfterRun(undefined, once, fixed)).toStrictEqual(once);
    expect(recordAfterRun(undefined, FIXED, undefined)).toBeUndefined();
  });

  it('counts age out after the window; a deferral never expires', () => {
    expect(expiresAtOf(FIXED, 24, NOW)).toBe(Math.ceil((NOW.getTime() + 24 * HOUR) / 1000));
    expect(
      expiresAtOf({ ...FIXED, deferred: { since: ago(1), remediationId: 'r', reverts: 1 } }, 24, NOW),
    ).toBeUndefined();
  });
});

describe('applyGuard', () => {
  const summary: FoundPlanSummary = {
    status: 'FOUND',
    apiName: 'orders',
    evaluations: [],
    toApply: [
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
      {
        controlId: 'APIGateway.5',
        setting: 'methodSettings[*/*].cacheDataEncrypted',
        before: false,
        after: true,
      },
    ],
    notApplied: [],
    applyControls: ['APIGateway.3', 'APIGateway.5'],
    next: 'APPLY',
    reason: 'automatic fix of APIGateway.3, APIGateway.5',
  };
  const defer = {
    controlId: 'APIGateway.3',
    action: 'defer' as const,
    reverts: 1,
    newlyDeferred: true,
    record: null,
    reason: 'APIGateway.3 deferred',
  };

  it('moves a deferred control out of the change set and keeps the rest', () => {
    const guarded = applyGuard(summary, [defer]);
    expect(guarded.applyControls).toStrictEqual(['APIGateway.5']);
    expect(guarded.notApplied).toStrictEqual([{ ...summary.toApply[0], why: 'deferred-to-owner' }]);
    expect(guarded.next).toBe('APPLY');
  });

  it('DEFERRED when nothing is left to change', () => {
    const only = { ...summary, toApply: summary.toApply.slice(0, 1), applyControls: ['APIGateway.3'] };
    expect(applyGuard(only, [defer])).toMatchObject({
      next: 'DEFERRED',
      applyControls: [],
      reason: 'APIGateway.3 deferred',
    });
    expect(applyGuard(summary, [])).toBe(summary);
  });
});
