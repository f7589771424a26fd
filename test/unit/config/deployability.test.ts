/**
 * The deployability checks (config/deployability.ts): every problem of a deployment at once, each
 * naming the file or context key, the field, what is wrong and how to fix it.
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

/** A deployment of `raw` as the configuration file, with the given context. */
function input(raw: unknown, context: DeploymentInput['context'] = {}): DeploymentInput {
  return { file: { name: FILE, raw, config: parseConfig(raw, FILE) }, context };
}

const WORKING_CONTEXT = { slackChannelId: 'C0123456789', regions: 'eu-west-1' };

function problemsOf(deployment: DeploymentInput): string[] {
  try {
    requireDeployable(deployment);
  } catch (error) {
    if (error instanceof DeployabilityError) return error.message.split('\n').slice(1);
    throw error;
  }
  return [];
}

describe('a deployment that can work', () => {
  it('takes the channel from the context, the Regions and the account', () => {
    const result = checkDeployability(
      input({}, { ...WORKING_CONTEXT, regions: 'eu-west-1, eu-central-1', account: '111122223333' }),
    );
    expect(result).toEqual({
      ok: true,
      deployment: {
        config: parseConfig({}, FILE),
        slackChannelId: 'C0123456789',
        regions: ['eu-west-1', 'eu-central-1'],
        partition: 'aws',
        account: '111122223333',
      },
    });
  });

  it('takes the channel from the file, or from both places when they agree', () => {
    const raw = { approval: { slack: { channelId: 'G0PRIVATE12' } } };
    for (const context of [
      { regions: 'us-east-1' },
      { regions: 'us-east-1', slackChannelId: 'G0PRIVATE12' },
    ]) {
      const result = checkDeployability(input(raw, context));
      expect(result.ok && result.deployment.slackChannelId).toBe('G0PRIVATE12');
    }
  });

  it('accepts onTimeout apply with a timeout the file chooses', () => {
    const raw = { approval: { onTimeout: 'apply', timeoutSeconds: 3600 } };
    expect(checkDeployability(input(raw, WORKING_CONTEXT)).ok).toBe(true);
  });

  it('accepts GovCloud and China Regions on their own', () => {
    for (const [regions, partition] of [
      ['us-gov-west-1,us-gov-east-1', 'aws-us-gov'],
      ['cn-north-1', 'aws-cn'],
    ] as const) {
      const result = checkDeployability(input({}, { ...WORKING_CONTEXT, regions }));
      expect(result.ok && result.deployment.partition).toBe(partition);
    }
  });
});

describe('a deployment that cannot work', () => {
  it('has no Slack channel: names the field, every source of approve, the tags, and both ways to fix it', () => {
    const raw = {
      controls: { 'APIGateway.4': 'auto', 'APIGateway.1': 'approve' },
      accounts: {
        '111122223333': { mode: 'approve' },
        '444455556666': { controls: { 'APIGateway.3': 'approve' } },
      },
    };
    expect(problemsOf(input(raw, { regions: 'eu-west-1' }))).toEqual([
      '  - config/remediation.json: approval.slack.channelId: missing, and no context "slackChannelId" either: ' +
        'approval requests would go nowhere and every approval would time out; approvals are asked for by ' +
        'controls."APIGateway.1"=approve, Baseline.StageThrottling (built-in default approve), ' +
        'Baseline.DefaultEndpoint (built-in default approve), accounts."111122223333".mode=approve, ' +
        'accounts."444455556666".controls."APIGateway.3"=approve, any API or stage tagged ' +
        'apigw-remediation:mode=approve or apigw-remediation:mode:<ControlId>=approve. ' +
        'Fix: pass -c slackChannelId=<channel id> or set approval.slack.channelId in config/remediation.json ' +
        "(the id is at the bottom of the channel's details in Slack, e.g. C0123456789).",
    ]);
  });

  it('needs the channel even when no control is in approve: a tag can ask for an approval at any time', () => {
    const everythingAuto = {
      controls: {
        'APIGateway.4': 'auto',
        'Baseline.StageThrottling': 'off',
        'Baseline.DefaultEndpoint': 'notify',
      },
      tags: { modeKey: 'team:remediation' },
    };
    expect(approveModeSources(parseConfig(everythingAuto, FILE))).toEqual([]);
    const [problem] = problemsOf(input(everythingAuto, { regions: 'eu-west-1' }));
    expect(problem).toContain(
      'approvals are asked for by any API or stage tagged team:remediation=approve or team:remediation:<ControlId>=approve.',
    );
  });

  it('has a channel name instead of an id in the context', () => {
    expect(problemsOf(input({}, { ...WORKING_CONTEXT, slackChannelId: '#api-remediation' }))).toEqual([
      '  - context "slackChannelId": got "#api-remediation", which is not a Slack channel id (C or G, then capital ' +
        "letters and digits; a channel's name is not its id). Fix: pass -c slackChannelId=<channel id> or set " +
        "approval.slack.channelId in config/remediation.json (the id is at the bottom of the channel's details in " +
        'Slack, e.g. C0123456789).',
    ]);
  });

  it('names two different channels', () => {
    const raw = { approval: { slack: { channelId: 'C0FILE00001' } } };
    expect(problemsOf(input(raw, { ...WORKING_CONTEXT, slackChannelId: 'C0CONTEXT01' }))).toEqual([
      '  - context "slackChannelId": is C0CONTEXT01 but approval.slack.channelId in config/remediation.json is ' +
        'C0FILE00001: approval requests would go to one of them only. Fix: set the channel in one place: drop ' +
        '-c slackChannelId or approval.slack.channelId.',
    ]);
  });

  it('applies unapproved changes after a timeout nobody chose', () => {
    expect(problemsOf(input({ approval: { onTimeout: 'apply' } }, WORKING_CONTEXT))).toEqual([
      '  - config/remediation.json: approval.timeoutSeconds: missing while approval.onTimeout is apply: a change ' +
        'nobody approved is applied when the wait ends, so the wait must be chosen, not taken from the default ' +
        '(86400 s). Fix: set approval.timeoutSeconds (300 to 604800 seconds), or set approval.onTimeout to skip.',
    ]);
  });

  it.each([
    [undefined, 'is undefined; expected a comma-separated list of AWS Regions'],
    ['  ', 'is "  "; expected a comma-separated list of AWS Regions'],
    ['eu-west-1,Frankfurt,eu-west-9', 'has "Frankfurt", "eu-west-9", not AWS Region names the CDK knows'],
    ['eu-west-1,eu-west-1', 'lists eu-west-1 twice'],
    [
      'eu-west-1,us-gov-west-1',
      'mixes partitions (eu-west-1: aws, us-gov-west-1: aws-us-gov); one tooling account lives in one partition',
    ],
    ['us-iso-east-1', 'is in partition aws-iso; the service supports aws, aws-cn, aws-us-gov'],
  ])('has the Region list %j', (regions, problem) => {
    expect(problemsOf(input({}, { ...WORKING_CONTEXT, regions }))).toEqual([
      `  - context "regions": ${problem}. Fix: pass -c regions=<Region>[,<Region>...] with Regions of one ` +
        'partition, e.g. eu-west-1 or eu-west-1,eu-central-1 (the default is in cdk.json).',
    ]);
  });

  it('has an account that is not 12 digits', () => {
    expect(problemsOf(input({}, { ...WORKING_CONTEXT, account: '1111-2222-3333' }))).toEqual([
      '  - context "account": got "1111-2222-3333", which is not a 12-digit AWS account id. Fix: pass ' +
        '-c account=<12-digit id of the security tooling account>, or leave it out for account-agnostic templates.',
    ]);
  });

  it('reports every problem at once, counted, in one message', () => {
    const result = checkDeployability(
      input({ approval: { onTimeout: 'apply' } }, { regions: 'Frankfurt', account: 'me' }),
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.map((problem) => problem.where)).toEqual([
      FILE,
      FILE,
      'context "regions"',
      'context "account"',
    ]);
    expect(() => requireDeployable(input({}, {}))).toThrow(
      /^apigw-remediation cannot be deployed like this \(2 problems\):\n {2}- config\/remediation\.json: approval\.slack\.channelId: .*\n {2}- context "regions": /,
    );
  });
});
