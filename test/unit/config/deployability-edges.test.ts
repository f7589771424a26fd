/**
 * The edges of the deployability checks (config/deployability.ts): context values as cdk.json may
 * hold them (empty strings, JSON numbers and lists), a file whose own JSON lacks a section, the
 * deployment's shape without an account, and the error's wording for one problem.
 */
import { describe, expect, it } from 'vitest';
import {
  approveModeSources,
  checkDeployability,
  DeployabilityError,
  requireDeployable,
  type DeploymentInput,
} from '../../../config/deployability.js';
import { parseConfig } from '../../../config/load.js';

const FILE = 'config/remediation.json';
const CHANNEL = 'C0123456789';

function input(raw: unknown, context: DeploymentInput['context']): DeploymentInput {
  return { file: { name: FILE, raw, config: parseConfig(raw, FILE) }, context };
}

function whereOf(deployment: DeploymentInput): string[] {
  const result = checkDeployability(deployment);
  return result.ok ? [] : result.problems.map((problem) => `${problem.where}: ${problem.problem}`);
}

describe('approveModeSources', () => {
  it("lists an account's per-control approve only, not its other modes", () => {
    const config = parseConfig(
      {
        controls: {
          'APIGateway.4': 'auto',
          'Baseline.StageThrottling': 'auto',
          'Baseline.DefaultEndpoint': 'auto',
        },
        accounts: { '111122223333': { controls: { 'APIGateway.1': 'auto', 'APIGateway.3': 'approve' } } },
      },
      FILE,
    );
    expect(approveModeSources(config)).toStrictEqual([
      'accounts."111122223333".controls."APIGateway.3"=approve',
    ]);
  });
});

describe('the Slack channel from the context', () => {
  it('takes an empty slackChannelId as none given: the file’s channel is used', () => {
    const raw = { approval: { slack: { channelId: CHANNEL } } };
    const result = checkDeployability(input(raw, { slackChannelId: '', regions: 'eu-west-1' }));
    expect(result.ok && result.deployment.slackChannelId).toBe(CHANNEL);
  });

  it('refuses a channel id given as a JSON list, even one holding a channel id', () => {
    expect(whereOf(input({}, { slackChannelId: [CHANNEL], regions: 'eu-west-1' }))).toStrictEqual([
      'context "slackChannelId": got ["C0123456789"], which is not a Slack channel id (C or G, then capital ' +
        "letters and digits; a channel's name is not its id)",
    ]);
  });
});

describe('the approval timeout, read from the file’s own JSON', () => {
  const applying = parseConfig({ approval: { onTimeout: 'apply' } }, FILE);
  const problem =
    'missing while approval.onTimeout is apply: a change nobody approved is applied when the wait ends, so ' +
    'the wait must be chosen, not taken from the default (86400 s)';

  it.each([
    ['has no approval section', {}],
    ['has approval set to null', { approval: null }],
  ])('counts as not chosen when the JSON %s', (_what, raw) => {
    const deployment: DeploymentInput = {
      file: { name: FILE, raw, config: applying },
      context: { slackChannelId: CHANNEL, regions: 'eu-west-1' },
    };
    expect(whereOf(deployment)).toStrictEqual([`${FILE}: ${problem}`]);
  });
});

describe('the Regions', () => {
  it('names every Region listed twice, once each', () => {
    expect(
      whereOf(
        input({}, { slackChannelId: CHANNEL, regions: 'eu-west-1,eu-west-1,eu-central-1,eu-central-1' }),
      ),
    ).toStrictEqual(['context "regions": lists eu-west-1, eu-central-1 twice']);
  });
});

describe('the account from the context', () => {
  it('takes an empty account as none given: the deployment has no account key', () => {
    const result = checkDeployability(
      input({}, { slackChannelId: CHANNEL, regions: 'eu-west-1', account: '' }),
    );
    expect(result).toStrictEqual({
      ok: true,
      deployment: {
        config: parseConfig({}, FILE),
        slackChannelId: CHANNEL,
        regions: ['eu-west-1'],
        partition: 'aws',
      },
    });
  });

  it.each([
    ['a JSON number', 111122223333, 'got 111122223333'],
    ['13 digits', '1111222233334', 'got "1111222233334"'],
    ['12 digits after a letter', 'x111122223333', 'got "x111122223333"'],
    ['12 digits before a letter', '111122223333x', 'got "111122223333x"'],
  ])('refuses %s', (_what, account, got) => {
    expect(whereOf(input({}, { slackChannelId: CHANNEL, regions: 'eu-west-1', account }))).toStrictEqual([
      `context "account": ${got}, which is not a 12-digit AWS account id`,
    ]);
  });
});

describe('requireDeployable', () => {
  it('returns the checked deployment when it can work', () => {
    expect(
      requireDeployable(
        input({}, { slackChannelId: CHANNEL, regions: 'eu-west-1', account: '111122223333' }),
      ),
    ).toStrictEqual({
      config: parseConfig({}, FILE),
      slackChannelId: CHANNEL,
      regions: ['eu-west-1'],
      partition: 'aws',
      account: '111122223333',
    });
  });

  it('throws a DeployabilityError that counts a single problem as "1 problem"', () => {
    let thrown: unknown;
    try {
      requireDeployable(input({}, { slackChannelId: CHANNEL }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DeployabilityError);
    expect((thrown as DeployabilityError).name).toBe('DeployabilityError');
    expect((thrown as DeployabilityError).message).toBe(
      'apigw-remediation cannot be deployed like this (1 problem):\n' +
        '  - context "regions": is undefined; expected a comma-separated list of AWS Regions. Fix: pass ' +
        '-c regions=<Region>[,<Region>...] with Regions of one partition, e.g. eu-west-1 or ' +
        'eu-west-1,eu-central-1 (the default is in cdk.json).',
    );
  });
});
