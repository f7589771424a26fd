/**
 * npm run deploy / diff / destroy (scripts/cdk-command.ts): the exact `cdk` command line per
 * target, and the refusal naming every missing context value.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cdkCommand } from '../../../scripts/cdk-command.js';

const DEFAULTS = { regions: 'us-east-1' };
const ORG = ['-c', 'organizationId=o-a1b2c3d4e5'];

describe('cdkCommand', () => {
  it('deploys the central stack of every Region with the OrganizationId parameter, passing other options through', () => {
    expect(
      cdkCommand(
        'deploy',
        [...ORG, '-c', 'regions=eu-west-1,eu-central-1', '--require-approval', 'never'],
        DEFAULTS,
      ),
    ).toEqual({
      ok: true,
      argv: [
        'deploy',
        'ApigwRemediation-eu-west-1',
        'ApigwRemediation-eu-central-1',
        '-c',
        'organizationId=o-a1b2c3d4e5',
        '-c',
        'regions=eu-west-1,eu-central-1',
        '--require-approval',
        'never',
        '--parameters',
        'OrganizationId=o-a1b2c3d4e5',
      ],
    });
  });

  it('takes the Regions from cdk.json when none are given, and diffs without parameters', () => {
    expect(cdkCommand('diff', [], DEFAULTS)).toEqual({
      ok: true,
      argv: ['diff', 'ApigwRemediation-us-east-1'],
    });
  });

  it('deploys the member StackSet stack with --target stackset', () => {
    const args = ['--target', 'stackset', ...ORG, '-c', 'memberOus=r-abcd', '--context=account=111122223333'];
    expect(cdkCommand('deploy', args, DEFAULTS)).toEqual({
      ok: true,
      argv: [
        'deploy',
        'ApigwRemediationMemberStackSet',
        ...ORG,
        '-c',
        'memberOus=r-abcd',
        '--context=account=111122223333',
        '--parameters',
        'OrganizationId=o-a1b2c3d4e5',
      ],
    });
  });

  it('deploys the member stack into the management account with the parameters the StackSet would pass', () => {
    const args = ['--target=management', ...ORG, '-c', 'account=111122223333', '-c', 'regions=eu-west-1'];
    expect(cdkCommand('deploy', args, DEFAULTS)).toMatchObject({
      ok: true,
      argv: [
        'deploy',
        'ApigwRemediationMember',
        ...args.slice(1),
        '--parameters',
        'OrganizationId=o-a1b2c3d4e5',
        '--parameters',
        'CentralAccountId=111122223333',
        '--parameters',
        'CentralEventBusRegion=eu-west-1',
        '--parameters',
        'GlobalResourcesRegion=eu-west-1',
      ],
    });
    expect(cdkCommand('destroy', ['--target', 'management'], DEFAULTS)).toEqual({
      ok: true,
      argv: ['destroy', 'ApigwRemediationMember'],
    });
  });

  it('refuses with every missing context value named', () => {
    const result = cdkCommand('deploy', ['--target', 'stackset'], DEFAULTS);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message.split('\n').slice(0, 4)).toEqual([
      'npm run deploy (--target stackset) needs context values:',
      '  - -c organizationId=...: the organization id (o-...), the OrganizationId parameter of every stack',
      '  - -c memberOus=...: the OU ids (ou-...) or the root id (r-...) the member StackSet deploys to',
      '  - -c account=...: the security tooling account id, whose task roles the member role trusts',
    ]);
  });

  it('refuses an unknown command or target', () => {
    expect(cdkCommand('bootstrap', [], DEFAULTS)).toMatchObject({
      ok: false,
      message: expect.stringContaining('unknown command "bootstrap"; expected deploy, diff or destroy'),
    });
    expect(cdkCommand('diff', ['--target', 'members'], DEFAULTS)).toMatchObject({
      ok: false,
      message: expect.stringContaining('--target "members" is not a target'),
    });
    expect(cdkCommand('diff', ['--target'], DEFAULTS)).toMatchObject({
      ok: false,
      message: expect.stringContaining('--target "" is not a target'),
    });
  });
});

describe('npm run deploy (spawned)', () => {
  it('refuses before running cdk when a required context value is missing: exit code 2, the message', () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const run = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['scripts/cdk.ts', 'deploy'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('npm run deploy (--target central) needs a context value:');
    expect(run.stderr).toContain('-c organizationId=...');
    expect(run.stderr).not.toContain('cdk deploy');
  });
});
