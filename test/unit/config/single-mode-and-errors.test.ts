/**
 * The mode of one control (config/modes.ts resolveMode, the single-control form), the error class a
 * bad configuration raises (config/load.ts), and a `baseline` section that is not an object
 * (config/moved-fields.ts).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../config/load.js';
import { resolveMode } from '../../../config/modes.js';
import { baselineSectionProblem, MOVED_BASELINE_FIELDS } from '../../../config/moved-fields.js';
import { formatPath } from '../../../config/issues.js';

const ACCOUNT = '111122223333';

describe('resolveMode', () => {
  it("takes the account's dry run over the global one", () => {
    const config = parseConfig({ dryRun: true, accounts: { [ACCOUNT]: { dryRun: false } } }, 'test');
    expect(resolveMode(config, { account: ACCOUNT }, 'APIGateway.3')).toStrictEqual({
      mode: 'auto',
      source: 'default',
      rule: 'built-in default',
      dryRun: false,
      notes: [],
    });
  });

  it('takes the global dry run for an account without an override, and the rule that decided', () => {
    const config = parseConfig({ dryRun: true, controls: { 'APIGateway.3': 'off' } }, 'test');
    expect(resolveMode(config, { account: '444455556666' }, 'APIGateway.3')).toStrictEqual({
      mode: 'off',
      source: 'config',
      rule: 'controls."APIGateway.3"',
      dryRun: true,
      notes: [],
    });
  });
});

describe('ConfigError', () => {
  it('is named ConfigError and keeps the source and each problem', () => {
    let thrown: unknown;
    try {
      parseConfig({ dryRun: 'no' }, 'cfg.json');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).name).toBe('ConfigError');
    expect((thrown as ConfigError).source).toBe('cfg.json');
    expect((thrown as ConfigError).problems).toStrictEqual(['dryRun: got "no"; expected boolean']);
  });
});

describe('baselineSectionProblem', () => {
  it.each([
    ['null', null],
    ['a string', 'baseline'],
    ['a list', ['baseline']],
  ])('finds no old section in a file that is %s', (_what, raw) => {
    expect(baselineSectionProblem(raw)).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['a number', 5],
  ])('lists every moved field when baseline is %s', (_what, baseline) => {
    const everyMove = MOVED_BASELINE_FIELDS.map(
      ([from, to]) => `${formatPath(['baseline', ...from])} → ${formatPath(to)}`,
    ).join('; ');
    expect(baselineSectionProblem({ baseline })).toBe(
      'the "baseline" section was split (docs/configuration.md, "Parameters and resources"): each control\'s ' +
        'parameters are now under "parameters", what the effects create under "resources". Move ' +
        `${everyMove}, then remove "baseline"`,
    );
  });
});
