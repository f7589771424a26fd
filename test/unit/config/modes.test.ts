import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_MODES } from '../../../config/defaults.js';
import { parseConfig } from '../../../config/load.js';
import { resolveModes } from '../../../config/modes.js';
import { CONTROL_IDS } from '../../../remediators/controls/catalog.js';

const ACCOUNT = '111122223333';
const KEY = 'apigw-remediation:mode';
const config = (raw: unknown) => parseConfig(raw, 'test config');

/** A configuration where every level has an opinion about APIGateway.4, so precedence shows. */
const layered = config({
  controls: { 'APIGateway.4': 'notify' },
  accounts: { [ACCOUNT]: { mode: 'approve', controls: { 'APIGateway.4': 'off' } } },
});

describe('resolveModes', () => {
  it('gives every control its built-in default when nothing overrides it', () => {
    const modes = resolveModes(config({}), { account: ACCOUNT }, CONTROL_IDS);

    for (const id of CONTROL_IDS) {
      expect(modes[id]).toEqual({
        mode: DEFAULT_CONTROL_MODES[id],
        source: 'default',
        rule: 'built-in default',
        dryRun: false,
        notes: [],
      });
    }
  });

  it('returns only the controls asked for', () => {
    expect(
      Object.keys(resolveModes(config({}), { account: ACCOUNT }, ['APIGateway.1', 'APIGateway.9'])),
    ).toEqual(['APIGateway.1', 'APIGateway.9']);
  });

  it('lets controls.<id> override the default', () => {
    const modes = resolveModes(config({ controls: { 'APIGateway.1': 'approve' } }), { account: ACCOUNT }, [
      'APIGateway.1',
    ]);

    expect(modes['APIGateway.1']).toMatchObject({
      mode: 'approve',
      source: 'config',
      rule: 'controls."APIGateway.1"',
    });
  });

  it('lets an account per-control override win over the account mode, and both over controls.<id>', () => {
    const modes = resolveModes(layered, { account: ACCOUNT }, ['APIGateway.4', 'APIGateway.1']);

    expect(modes['APIGateway.4']).toMatchObject({
      mode: 'off',
      source: 'account',
      rule: `accounts."${ACCOUNT}".controls."APIGateway.4"`,
    });
    expect(modes['APIGateway.1']).toMatchObject({
      mode: 'approve',
      source: 'account',
      rule: `accounts."${ACCOUNT}".mode`,
    });
  });

  it('applies account overrides only to that account', () => {
    const modes = resolveModes(layered, { account: '444455556666' }, ['APIGateway.4']);

    expect(modes['APIGateway.4']).toMatchObject({ mode: 'notify', source: 'config' });
  });

  it('lets an API tag win over the account', () => {
    const modes = resolveModes(layered, { account: ACCOUNT, apiTags: { [KEY]: 'auto' } }, ['APIGateway.4']);

    expect(modes['APIGateway.4']).toMatchObject({
      mode: 'auto',
      source: 'apiTag',
      rule: `API tag ${KEY}=auto`,
    });
  });

  it('lets a stage tag win over an API tag, even an API tag for that very control', () => {
    const modes = resolveModes(
      layered,
      { account: ACCOUNT, apiTags: { [`${KEY}:APIGateway.4`]: 'auto' }, stageTags: { [KEY]: 'off' } },
      ['APIGateway.4'],
    );

    expect(modes['APIGateway.4']).toMatchObject({
      mode: 'off',
      source: 'stageTag',
      rule: `stage tag ${KEY}=off`,
    });
  });

  it('lets a per-control tag win over the blanket tag on the same resource', () => {
    const target = { account: ACCOUNT, stageTags: { [KEY]: 'off', [`${KEY}:APIGateway.1`]: 'approve' } };
    const modes = resolveModes(config({}), target, ['APIGateway.1', 'APIGateway.3']);

    expect(modes['APIGateway.1']).toMatchObject({
      mode: 'approve',
      source: 'stageTag',
      rule: `stage tag ${KEY}:APIGateway.1=approve`,
    });
    expect(modes['APIGateway.3']).toMatchObject({ mode: 'off', source: 'stageTag' });
  });

  it('reads tag values case-insensitively and ignores surrounding spaces', () => {
    const modes = resolveModes(config({}), { account: ACCOUNT, stageTags: { [KEY]: ' Off ' } }, [
      'APIGateway.1',
    ]);

    expect(modes['APIGateway.1']?.mode).toBe('off');
  });

  it('skips a tag whose value is not a mode, falls through to the next rule, and says so', () => {
    const modes = resolveModes(
      config({}),
      { account: ACCOUNT, stageTags: { [KEY]: 'sometimes' }, apiTags: { [KEY]: 'notify' } },
      ['APIGateway.1'],
    );

    expect(modes['APIGateway.1']).toEqual({
      mode: 'notify',
      source: 'apiTag',
      rule: `API tag ${KEY}=notify`,
      dryRun: false,
      notes: [`stage tag ${KEY}=sometimes skipped: got "sometimes"; allowed: auto, approve, notify, off`],
    });
  });

  it('never changes a report-only control: auto or approve on it applies as notify', () => {
    const modes = resolveModes(
      config({ accounts: { [ACCOUNT]: { mode: 'auto' } } }),
      { account: ACCOUNT, stageTags: { [`${KEY}:APIGateway.8`]: 'approve' } },
      ['APIGateway.2', 'APIGateway.8'],
    );

    expect(modes['APIGateway.2']).toMatchObject({
      mode: 'notify',
      source: 'account',
      notes: [`accounts."${ACCOUNT}".mode applies as notify: APIGateway.2 is report-only`],
    });
    expect(modes['APIGateway.8']).toMatchObject({ mode: 'notify', source: 'stageTag' });
  });

  it('lets a team switch a report-only control off', () => {
    const modes = resolveModes(config({}), { account: ACCOUNT, apiTags: { [KEY]: 'off' } }, [
      'APIGateway.11',
    ]);

    expect(modes['APIGateway.11']).toMatchObject({ mode: 'off', source: 'apiTag', notes: [] });
  });

  it('uses the configured tag key', () => {
    const custom = config({ tags: { modeKey: 'acme:remediation' } });
    const target = {
      account: ACCOUNT,
      stageTags: { 'acme:remediation:APIGateway.1': 'off', [KEY]: 'approve' },
    };

    const modes = resolveModes(custom, target, ['APIGateway.1', 'APIGateway.3']);

    expect(modes['APIGateway.1']).toMatchObject({ mode: 'off', source: 'stageTag' });
    expect(modes['APIGateway.3']).toMatchObject({ mode: 'auto', source: 'default' });
  });

  it('applies the global dry run, and lets an account override it either way', () => {
    const dry = config({
      dryRun: true,
      accounts: { [ACCOUNT]: { dryRun: false }, '444455556666': { mode: 'auto' } },
    });
    const wet = config({ accounts: { [ACCOUNT]: { dryRun: true } } });

    expect(resolveModes(dry, { account: ACCOUNT }, ['APIGateway.1'])['APIGateway.1']?.dryRun).toBe(false);
    expect(resolveModes(dry, { account: '444455556666' }, ['APIGateway.1'])['APIGateway.1']?.dryRun).toBe(
      true,
    );
    expect(resolveModes(wet, { account: ACCOUNT }, ['APIGateway.1'])['APIGateway.1']?.dryRun).toBe(true);
    expect(resolveModes(wet, { account: '444455556666' }, ['APIGateway.1'])['APIGateway.1']?.dryRun).toBe(
      false,
    );
  });
});
