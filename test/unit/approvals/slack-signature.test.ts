import { describe, expect, it } from 'vitest';
import { slackSignature, verifySlackSignature } from '../../../remediators/approvals/slack-signature.js';

// The worked example in Slack's "Verifying requests from Slack" documentation.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const SENT_AT = Number(DOC_TIMESTAMP);

const docRequest = { timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE, rawBody: DOC_BODY };

describe('Slack request signature (v0)', () => {
  it("computes Slack's documented signature", () => {
    expect(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
  });

  it("accepts Slack's documented request within the 5-minute window", () => {
    expect(verifySlackSignature(DOC_SECRET, docRequest, SENT_AT + 60)).toEqual({ valid: true });
    expect(verifySlackSignature(DOC_SECRET, docRequest, SENT_AT + 300)).toEqual({ valid: true });
  });

  it('refuses the right signature checked with the wrong signing secret', () => {
    expect(verifySlackSignature('8f742231b10e8888abcd99yyyzzz85a6', docRequest, SENT_AT)).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a timestamp older than 5 minutes, even with a valid signature', () => {
    expect(verifySlackSignature(DOC_SECRET, docRequest, SENT_AT + 301)).toEqual({
      valid: false,
      reason: 'stale-timestamp',
    });
  });

  it('refuses a timestamp more than 5 minutes in the future', () => {
    expect(verifySlackSignature(DOC_SECRET, docRequest, SENT_AT - 301)).toEqual({
      valid: false,
      reason: 'stale-timestamp',
    });
  });

  it('refuses a body modified by one byte', () => {
    const tampered = DOC_BODY.replace('user_id=U2CERLKJA', 'user_id=U2CERLKJB');
    expect(tampered).not.toBe(DOC_BODY);
    expect(verifySlackSignature(DOC_SECRET, { ...docRequest, rawBody: tampered }, SENT_AT)).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
    expect(verifySlackSignature(DOC_SECRET, { ...docRequest, rawBody: `${DOC_BODY} ` }, SENT_AT)).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a signature changed in one hex digit or truncated', () => {
    const flipped = `${DOC_SIGNATURE.slice(0, -1)}4`;
    expect(verifySlackSignature(DOC_SECRET, { ...docRequest, signature: flipped }, SENT_AT).valid).toBe(
      false,
    );
    const truncated = DOC_SIGNATURE.slice(0, -2);
    expect(verifySlackSignature(DOC_SECRET, { ...docRequest, signature: truncated }, SENT_AT)).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a request with either header missing', () => {
    expect(verifySlackSignature(DOC_SECRET, { ...docRequest, signature: undefined }, SENT_AT)).toEqual({
      valid: false,
      reason: 'missing-headers',
    });
    expect(verifySlackSignature(DOC_SECRET, { ...docRequest, timestamp: undefined }, SENT_AT)).toEqual({
      valid: false,
      reason: 'missing-headers',
    });
  });

  it('refuses a timestamp that is not a number of seconds', () => {
    expect(verifySlackSignature(DOC_SECRET, { ...docRequest, timestamp: '1531420618.5' }, SENT_AT)).toEqual({
      valid: false,
      reason: 'malformed-timestamp',
    });
  });

  it('signs over the timestamp too: a replayed body under a new timestamp fails', () => {
    const replayed = { ...docRequest, timestamp: String(SENT_AT + 1000) };
    expect(verifySlackSignature(DOC_SECRET, replayed, SENT_AT + 1000)).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
  });

  it('accepts a timestamp exactly 5 minutes away either way and refuses one a second further', () => {
    expect(verifySlackSignature(DOC_SECRET, docRequest, SENT_AT - 300)).toEqual({ valid: true });
    expect(verifySlackSignature(DOC_SECRET, docRequest, SENT_AT + 301)).toEqual({
      valid: false,
      reason: 'stale-timestamp',
    });
    expect(verifySlackSignature(DOC_SECRET, docRequest, SENT_AT - 301)).toEqual({
      valid: false,
      reason: 'stale-timestamp',
    });
  });

  it.each(['', `x${DOC_TIMESTAMP}`, `${DOC_TIMESTAMP}x`, ` ${DOC_TIMESTAMP}`, '1'.repeat(13), '-1531420618'])(
    'refuses the timestamp %j as malformed',
    (timestamp) => {
      expect(verifySlackSignature(DOC_SECRET, { ...docRequest, timestamp }, SENT_AT)).toEqual({
        valid: false,
        reason: 'malformed-timestamp',
      });
    },
  );

  it('refuses a signature as long as a real one but of other bytes, instead of throwing', () => {
    const sameLength = 'é'.repeat(DOC_SIGNATURE.length);
    expect(verifySlackSignature(DOC_SECRET, { ...docRequest, signature: sameLength }, SENT_AT)).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
    expect(
      verifySlackSignature(DOC_SECRET, { ...docRequest, signature: `${DOC_SIGNATURE}0` }, SENT_AT),
    ).toEqual({
      valid: false,
      reason: 'bad-signature',
    });
  });
});
