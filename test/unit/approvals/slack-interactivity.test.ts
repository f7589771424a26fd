import { describe, expect, it } from 'vitest';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from '../../../remediators/approvals/messages.js';
import { parseInteraction } from '../../../remediators/approvals/slack-interactivity.js';
import { blockActionsBody } from './support/fixtures.js';

const APPROVAL_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const RESPONSE_URL = 'https://hooks.slack.com/actions/T0001/1234/abcd';
const JANE = { userId: 'U024BE7LH', userName: 'jane.doe' };

describe('parsing Slack interactivity payloads', () => {
  it('reads an Approve click: the id from the button value, the Slack user, the response_url', () => {
    const body = blockActionsBody({
      approvalId: APPROVAL_ID,
      actionId: APPROVE_ACTION_ID,
      responseUrl: RESPONSE_URL,
      ...JANE,
    });
    expect(parseInteraction(body)).toEqual({
      kind: 'click',
      click: {
        approvalId: APPROVAL_ID,
        decision: 'APPROVED',
        approver: { id: 'U024BE7LH', name: 'jane.doe' },
        responseUrl: RESPONSE_URL,
        message: { channel: 'C0123456789', ts: '1700000000.000001' },
      },
    });
  });

  it("posts only to Slack's response_url hosts, over https (or an origin configured for a fake Slack)", () => {
    const bodyWith = (responseUrl: string) =>
      blockActionsBody({ approvalId: APPROVAL_ID, actionId: APPROVE_ACTION_ID, responseUrl, ...JANE });
    for (const url of [
      'https://attacker.example/actions/T1/1/x',
      'http://hooks.slack.com/actions/T1/1/x',
      'https://hooks.slack.com.attacker.example/actions/T1/1/x',
      'https://hooks.slack.com:8443/actions/T1/1/x',
      'https://user@hooks.slack.com/actions/T1/1/x',
      'http://169.254.169.254/latest/meta-data/',
      // A trailing dot, a backslash before @, empty userinfo and http with the default port.
      'https://hooks.slack.com./actions/T1/1/x',
      'https://attacker.example\\@hooks.slack.com/actions/T1/1/x',
      'https://:@hooks.slack.com.attacker.example/actions/T1/1/x',
      'http://hooks.slack.com:443/actions/T1/1/x',
    ]) {
      expect(parseInteraction(bodyWith(url)).kind, url).toBe('refused');
    }
    // The URL parser's own normal form: the host in capitals and an explicit :443 are Slack's host.
    expect(parseInteraction(bodyWith('https://HOOKS.Slack.COM/actions/T1/1/x')).kind).toBe('click');
    expect(parseInteraction(bodyWith('https://hooks.slack.com:443/actions/T1/1/x')).kind).toBe('click');
    expect(parseInteraction(bodyWith('https://hooks.slack-gov.com/actions/T1/1/x')).kind).toBe('click');
    expect(
      parseInteraction(bodyWith('http://127.0.0.1:4567/response/T1/1/abc'), ['http://127.0.0.1:4567']).kind,
    ).toBe('click');
  });

  it('reads a Reject click', () => {
    const body = blockActionsBody({
      approvalId: APPROVAL_ID,
      actionId: REJECT_ACTION_ID,
      responseUrl: RESPONSE_URL,
      ...JANE,
    });
    const parsed = parseInteraction(body);
    expect(parsed.kind === 'click' && parsed.click.decision).toBe('REJECTED');
  });

  it('ignores other actions, other payload types, malformed ids and bodies, saying why', () => {
    const other = blockActionsBody({
      approvalId: APPROVAL_ID,
      actionId: 'something.else',
      responseUrl: RESPONSE_URL,
      ...JANE,
    });
    expect(parseInteraction(other)).toEqual({
      kind: 'ignored',
      reason: 'no approval action in ["something.else"]',
    });

    const badId = blockActionsBody({
      approvalId: 'x"><script>',
      actionId: APPROVE_ACTION_ID,
      responseUrl: RESPONSE_URL,
      ...JANE,
    });
    expect(parseInteraction(badId)).toEqual({
      kind: 'ignored',
      reason: 'action value "x\\"><script>" is not an approval id',
    });

    const view = new URLSearchParams({
      payload: JSON.stringify({ type: 'view_submission', user: { id: 'U1' } }),
    });
    expect(parseInteraction(view.toString())).toEqual({
      kind: 'ignored',
      reason: 'not a block_actions payload we handle (type "view_submission")',
    });
    expect(parseInteraction('payload=%7Bnot-json')).toEqual({
      kind: 'ignored',
      reason: 'payload is not JSON: "{not-json"',
    });
    expect(parseInteraction('token=abc')).toEqual({
      kind: 'ignored',
      reason: 'no payload field in the form body',
    });
  });
});
