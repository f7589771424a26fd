import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { approverGate } from '../../../remediators/approvals/approvers.js';
import { createSlackApi, SlackApiError } from '../../../remediators/approvals/slack-api.js';
import {
  parseSlackSecret,
  slackSecretLoader,
  SLACK_SECRET_CACHE_SECONDS,
} from '../../../remediators/approvals/slack-secret.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { SLACK_SECRET } from './support/fixtures.js';

describe('the Slack Web API client', () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  beforeEach(() => slack.reset());
  afterAll(async () => slack.close());

  const api = () => createSlackApi({ botToken: SLACK_SECRET.botToken, baseUrl: slack.apiUrl });

  it('posts with the bot token, unfurling off, and returns channel and ts', async () => {
    const posted = await api().postMessage('C0123456789', { text: 'hello', blocks: [] });
    expect(posted).toEqual({ channel: 'C0123456789', ts: '1700000000.000001' });
    const [call] = slack.callsTo('/api/chat.postMessage');
    expect(call?.authorization).toBe(`Bearer ${SLACK_SECRET.botToken}`);
    expect(call?.body).toMatchObject({ channel: 'C0123456789', unfurl_links: false, unfurl_media: false });
  });

  it("turns Slack's ok:false into a SlackApiError naming the method and the error", async () => {
    slack.failNext('chat.postMessage', 'not_in_channel');
    const failure = api().postMessage('C0123456789', { text: 'hello', blocks: [] });
    await expect(failure).rejects.toBeInstanceOf(SlackApiError);
    slack.failNext('chat.postMessage', 'not_in_channel');
    await expect(api().postMessage('C0123456789', { text: 'hello', blocks: [] })).rejects.toThrow(
      'Slack chat.postMessage failed: not_in_channel',
    );
  });

  it('lists user group members with a form-encoded request', async () => {
    slack.userGroups = { S0614TZR7: ['U1', 'U2'] };
    expect(await api().userGroupMembers('S0614TZR7')).toEqual(['U1', 'U2']);
    expect(slack.callsTo('/api/usergroups.users.list')[0]?.contentType).toBe(
      'application/x-www-form-urlencoded',
    );
    await expect(api().userGroupMembers('S0000000')).rejects.toThrow('no_such_subteam');
  });
});

describe('the approver allow-list', () => {
  const never = () => Promise.reject(new Error('must not fetch the group'));

  it('lets anyone decide when no list is configured', async () => {
    const gate = approverGate({ userIds: [] }, never);
    expect(await gate({ id: 'U999', name: 'anyone' })).toBe(true);
    expect(await gate({ id: 'link', name: 'link' })).toBe(true);
  });

  it('lets listed users decide and refuses others and signed links', async () => {
    const gate = approverGate({ userIds: ['U024BE7LH'] }, never);
    expect(await gate({ id: 'U024BE7LH', name: 'jane' })).toBe(true);
    expect(await gate({ id: 'U999', name: 'mallory' })).toBe(false);
    expect(await gate({ id: 'link', name: 'link' })).toBe(false);
  });

  it('asks for the user group members once and caches them for a while', async () => {
    let fetches = 0;
    let now = 0;
    const gate = approverGate(
      { userIds: [], userGroupId: 'S0614TZR7' },
      async () => {
        fetches += 1;
        return ['U1'];
      },
      () => now,
    );
    expect(await gate({ id: 'U1', name: 'a' })).toBe(true);
    expect(await gate({ id: 'U2', name: 'b' })).toBe(false);
    expect(fetches).toBe(1);
    now = 5 * 60 * 1000;
    expect(await gate({ id: 'U1', name: 'a' })).toBe(true);
    expect(fetches).toBe(2);
  });
});

describe('the Slack secret', () => {
  const ARN = 'arn:aws:secretsmanager:us-east-1:999988887777:secret:slack-approvals-AbCdEf';

  it('parses the JSON shape and names bad fields without echoing values', () => {
    expect(parseSlackSecret(ARN, JSON.stringify(SLACK_SECRET))).toEqual(SLACK_SECRET);
    const bad = () =>
      parseSlackSecret(ARN, JSON.stringify({ ...SLACK_SECRET, botToken: 'xoxp-user-token-value' }));
    expect(bad).toThrow(
      `secret ${ARN} is not a Slack approvals secret: botToken: a Slack bot token starts with xoxb-`,
    );
    expect(bad).not.toThrow('xoxp-user-token-value');
    expect(() => parseSlackSecret(ARN, 'not json')).toThrow('is not JSON');
  });

  it('is read once and cached until the cache time passes', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(SLACK_SECRET) });
    // Powertools' cache compares with the system clock.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    try {
      const load = slackSecretLoader(new SecretsManagerClient({}), ARN);
      expect(await load()).toEqual(SLACK_SECRET);
      await load();
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: ARN });
      vi.setSystemTime(SLACK_SECRET_CACHE_SECONDS * 1000 - 1);
      await load();
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      vi.setSystemTime(SLACK_SECRET_CACHE_SECONDS * 1000 + 1);
      await load();
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    } finally {
      vi.useRealTimers();
      secrets.restore();
    }
  });

  it('does not cache a failed read, and names a binary secret as unsupported', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('Rate exceeded'))
      .resolvesOnce({ SecretBinary: new Uint8Array([1, 2, 3]) })
      .resolves({ SecretString: JSON.stringify(SLACK_SECRET) });
    try {
      const load = slackSecretLoader(new SecretsManagerClient({}), ARN);
      await expect(load()).rejects.toThrow('Rate exceeded');
      await expect(load()).rejects.toThrow(
        `secret ${ARN} has no SecretString (binary secrets are not supported)`,
      );
      expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    } finally {
      secrets.restore();
    }
  });
});
