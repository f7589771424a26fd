import { describe, expect, it } from 'vitest';
import {
  brakeControls,
  parseKillSwitch,
  unreadableKillSwitch,
} from '../../../remediators/workflow/kill-switch.js';
import { controlRecord, toOutcomeRecord } from '../../../remediators/workflow/outcome.js';
import { workItem } from './fixtures.js';
import type { FoundPlanSummary } from '../../../remediators/workflow/state.js';

const NAME = '/apigw-remediation/kill-switch';

describe('kill switch value', () => {
  it('off (any case, surrounding blanks) lets the configuration decide', () => {
    expect(parseKillSwitch('off', NAME)).toEqual({ state: 'off' });
    expect(parseKillSwitch('  OFF\n', NAME)).toEqual({ state: 'off' });
  });

  it('on, with or without a reason, says so and names the parameter', () => {
    expect(parseKillSwitch('on', NAME)).toEqual({
      state: 'on',
      reason: `kill switch on: no reason given (SSM parameter ${NAME})`,
    });
    expect(parseKillSwitch('ON: INC-4711 bad rollout', NAME)).toEqual({
      state: 'on',
      reason: `kill switch on: INC-4711 bad rollout (SSM parameter ${NAME})`,
    });
    expect(parseKillSwitch('on - freeze until Monday', NAME)).toMatchObject({
      reason: expect.stringContaining('kill switch on: freeze until Monday'),
    });
  });

  it('anything else counts as on: a brake nobody can read is treated as pulled', () => {
    expect(parseKillSwitch('offf', NAME)).toMatchObject({ state: 'on' });
    expect(parseKillSwitch('', NAME)).toMatchObject({ state: 'on' });
    expect(parseKillSwitch('once', NAME)).toMatchObject({ state: 'on' });
    expect(unreadableKillSwitch(new Error('ParameterNotFound'), NAME)).toEqual({
      state: 'on',
      reason: `kill switch on: the parameter could not be read (ParameterNotFound), so it counts as on (SSM parameter ${NAME})`,
    });
  });

  it('turns auto and approve into notify, keeps off and dry-run as they are', () => {
    const on = { state: 'on', reason: 'kill switch on: test' } as const;
    const braked = brakeControls(
      [
        { controlId: 'APIGateway.1', mode: 'auto', source: 'default', dryRun: false },
        { controlId: 'APIGateway.4', mode: 'approve', source: 'account 111122223333', dryRun: true },
        { controlId: 'APIGateway.8', mode: 'off', source: 'stage tag', dryRun: false },
        { controlId: 'APIGateway.2', mode: 'notify', source: 'default', dryRun: false },
      ],
      on,
    );
    expect(braked.map((control) => [control.controlId, control.mode, control.dryRun])).toEqual([
      ['APIGateway.1', 'notify', false],
      ['APIGateway.4', 'notify', true],
      ['APIGateway.8', 'off', false],
      ['APIGateway.2', 'notify', false],
    ]);
    expect(braked[0]?.source).toBe('kill switch on: test; configured auto by default');
    expect(braked[3]?.source).toBe('default');
  });
});

describe('what the records say when a brake stopped the stage', () => {
  const killSwitchOn = 'kill switch on: INC-1 (SSM parameter /apigw-remediation/kill-switch)';

  it('the kill switch: the stage reason begins with it, and each notify control names it', () => {
    const base = workItem();
    const item = workItem({
      decision: {
        ...(base.decision as NonNullable<typeof base.decision>),
        brake: killSwitchOn,
        controls: [{ controlId: 'APIGateway.1', mode: 'notify', source: killSwitchOn, dryRun: false }],
      },
      plan: {
        ...(base.plan as FoundPlanSummary),
        toApply: [],
        applyControls: [],
        notApplied: [
          {
            controlId: 'APIGateway.1',
            setting: 'methodSettings[*/*].loggingLevel',
            before: 'OFF',
            after: 'ERROR',
            why: 'notify',
          },
        ],
        next: 'SKIPPED',
        reason: 'not changed by configuration: APIGateway.1 methodSettings[*/*].loggingLevel (notify)',
      },
    });
    const record = toOutcomeRecord(item, 'SKIPPED', '1', new Date('2026-03-14T10:00:00Z'));
    expect(record.reason).toBe(
      `${killSwitchOn}. not changed by configuration: APIGateway.1 methodSettings[*/*].loggingLevel (notify)`,
    );
    expect(record.brake).toBe(killSwitchOn);
    const [evaluation] = record.evaluations;
    if (evaluation === undefined) throw new Error('no evaluation');
    expect(controlRecord(record, evaluation).reason).toBe(
      `APIGateway.1 fails, not changed (${killSwitchOn}): loggingLevel is OFF`,
    );
  });

  it('the cap at the apply step: the reason is the error, and the changes are the whole plan', () => {
    const item = workItem({
      error: {
        Error: 'BlastRadiusCapReached',
        Cause: JSON.stringify({ errorMessage: 'blast-radius cap reached: …' }),
      },
    });
    const record = toOutcomeRecord(item, 'SKIPPED', '1', new Date('2026-03-14T10:00:00Z'));
    expect(record.reason).toBe('blast-radius cap reached: …');
    expect(record.brake).toBe('blast-radius cap reached: …');
    expect(record.changes.map((change) => change.setting)).toEqual(['methodSettings[*/*].loggingLevel']);
    // Any other failure is not a brake.
    const failed = toOutcomeRecord(
      workItem({ error: { Error: 'AccessDenied', Cause: 'no' } }),
      'FAILED',
      '1',
      new Date('2026-03-14T10:00:00Z'),
    );
    expect(failed.brake).toBeUndefined();
  });
});
