/**
 * Which fields of a Slack block_actions payload a click is read from (remediators/approvals/slack-interactivity.ts):
 * the approver's name, the message the button was in, and what is ignored. One behaviour per test.
 */
import { describe, expect, it } from 'vitest';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from '../../../remediators/approvals/messages.js';
import { isSlackResponseUrl, parseInteraction } from '../../../remediators/approvals/slack-interactivity.js';

const APPROVAL_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const RESPONSE_URL = 'https://hooks.slack.com/actions/T0001/1234/abcd';

/** A form body holding `payload` (a block_actions click on Approve unless overridden). */
function body(overrides: Record<string, unknown> = {}): string {
  const payload = {
    type: 'block_actions',
    user: { id: 'U024BE7LH', username: 'jane.doe', name: 'Jane' },
    actions: [{ action_id: APPROVE_ACTION_ID, value: APPROVAL_ID }],
    response_url: RESPONSE_URL,
    ...overrides,
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const clickOf = (raw: string) => {
  const parsed = parseInteraction(raw);
  if (parsed.kind !== 'click') throw new Error(`not a click: ${JSON.stringify(parsed)}`);
  return parsed.click;
};

describe('a Slack button click', () => {
  it('names the approver by name, else username, else id', () => {
    expect(clickOf(body()).approver).toEqual({ id: 'U024BE7LH', name: 'Jane' });
    expect(clickOf(body({ user: { id: 'U024BE7LH', username: 'jane.doe' } })).approver.name).toBe('jane.doe');
    expect(clickOf(body({ user: { id: 'U024BE7LH' } })).approver.name).toBe('U024BE7LH');
  });

  it('takes the message from container, else from channel and message', () => {
    expect(
      clickOf(
        body({
          container: { type: 'message', channel_id: 'C1', message_ts: '1.1' },
          channel: { id: 'C2' },
          message: { ts: '2.2' },
        }),
      ).message,
    ).toEqual({ channel: 'C1', ts: '1.1' });
    expect(clickOf(body({ channel: { id: 'C2' }, message: { ts: '2.2' } })).message).toEqual({
      channel: 'C2',
      ts: '2.2',
    });
  });

  it('names no message when the channel or the timestamp is missing', () => {
    expect(clickOf(body({ channel: { id: 'C2' } }))).not.toHaveProperty('message');
    expect(clickOf(body({ message: { ts: '2.2' } }))).not.toHaveProperty('message');
    expect(clickOf(body({ container: { type: 'view' } }))).not.toHaveProperty('message');
  });

  it('reads the first of our actions among others', () => {
    const click = clickOf(
      body({
        actions: [
          { action_id: 'other', value: APPROVAL_ID },
          { action_id: REJECT_ACTION_ID, value: APPROVAL_ID },
        ],
      }),
    );
    expect(click.decision).toBe('REJECTED');
  });

  it('an action that is not ours is ignored, listing the action ids, even one named like an Object method', () => {
    expect(
      parseInteraction(
        body({ actions: [{ action_id: 'toString', value: APPROVAL_ID }, { action_id: 'x' }] }),
      ),
    ).toEqual({
      kind: 'ignored',
      reason: 'no approval action in ["toString","x"]',
    });
  });

  it('a button without a value is ignored, saying so', () => {
    expect(parseInteraction(body({ actions: [{ action_id: APPROVE_ACTION_ID }] }))).toEqual({
      kind: 'ignored',
      reason: 'action value undefined is not an approval id',
    });
  });

  it('a payload of another type is ignored, naming the type; one that is not an object names none', () => {
    expect(parseInteraction(body({ type: 'view_submission' }))).toEqual({
      kind: 'ignored',
      reason: 'not a block_actions payload we handle (type "view_submission")',
    });
    expect(parseInteraction(new URLSearchParams({ payload: '"text"' }).toString())).toEqual({
      kind: 'ignored',
      reason: 'not a block_actions payload we handle (type undefined)',
    });
    expect(parseInteraction(new URLSearchParams({ payload: 'null' }).toString())).toEqual({
      kind: 'ignored',
      reason: 'not a block_actions payload we handle (type undefined)',
    });
  });

  it('a payload that is not JSON is ignored, quoting at most its first 200 characters', () => {
    const text = `{${'x'.repeat(300)}`;
    expect(parseInteraction(new URLSearchParams({ payload: text }).toString())).toEqual({
      kind: 'ignored',
      reason: `payload is not JSON: ${JSON.stringify(text.slice(0, 200))}`,
    });
  });

  it('a response_url that is not Slack’s is refused, naming its host', () => {
    expect(parseInteraction(body({ response_url: 'https://evil.example.com:8443/hook' }))).toEqual({
      kind: 'refused',
      reason: 'response_url host "evil.example.com:8443" is not Slack\'s',
    });
  });
});

describe('response_url', () => {
  it('is refused over plain http, on another port, or with credentials, even on Slack’s host', () => {
    expect(isSlackResponseUrl('https://hooks.slack.com/actions/T0001/1/a')).toBe(true);
    expect(isSlackResponseUrl('https://hooks.slack-gov.com/actions/T0001/1/a')).toBe(true);
    expect(isSlackResponseUrl('http://hooks.slack.com/actions/T0001/1/a')).toBe(false);
    expect(isSlackResponseUrl('https://hooks.slack.com:8443/actions/T0001/1/a')).toBe(false);
    expect(isSlackResponseUrl('https://user@hooks.slack.com/actions/T0001/1/a')).toBe(false);
    expect(isSlackResponseUrl('https://:secret@hooks.slack.com/actions/T0001/1/a')).toBe(false);
    expect(isSlackResponseUrl('https://hooks.slack.com.evil.example/actions')).toBe(false);
  });

  it('is not a URL at all: refused', () => {
    expect(isSlackResponseUrl('not a url')).toBe(false);
  });

  it('is accepted from an origin the operator configured, whatever its scheme or port', () => {
    expect(isSlackResponseUrl('http://127.0.0.1:4000/hook', ['http://127.0.0.1:4000'])).toBe(true);
    expect(isSlackResponseUrl('http://127.0.0.1:4001/hook', ['http://127.0.0.1:4000'])).toBe(false);
  });
});
