/** How the approval API reads an API Gateway proxy event (remediators/approvals/http.ts): headers, cookies, routes. */
import { describe, expect, it } from 'vitest';
import { cookie, header, rawBody, route } from '../../../remediators/approvals/http.js';

describe('headers', () => {
  it('a header is found whatever the case of its name or of the name asked for', () => {
    expect(header({ headers: { 'x-slack-signature': 'v0=1' } }, 'X-Slack-Signature')).toBe('v0=1');
  });

  it('a header listed without a value is passed over for the same header in another case', () => {
    expect(header({ headers: { Cookie: undefined, cookie: 'a=1' } }, 'cookie')).toBe('a=1');
  });

  it('an event without headers has none', () => {
    expect(header({ headers: null as unknown as Record<string, string> }, 'cookie')).toBeUndefined();
    expect(header({ headers: {} }, 'cookie')).toBeUndefined();
  });

  it('an empty base64 body is the empty string', () => {
    expect(rawBody({ body: '', isBase64Encoded: true })).toBe('');
  });
});

describe('cookies', () => {
  const withCookie = (value: string) => ({ headers: { Cookie: value } });

  it('a cookie value keeps every "=" after the first', () => {
    expect(cookie(withCookie('token=a=b=='), 'token')).toBe('a=b==');
  });

  it('names and values are trimmed of the spaces around them', () => {
    expect(cookie(withCookie('a=1;   approval_csrf  =  n0nce  ; b=2'), 'approval_csrf')).toBe('n0nce');
  });

  it('a part without a name or without "=" is passed over', () => {
    expect(cookie(withCookie('=orphan; approval_csrf; approval_csrf=real'), 'approval_csrf')).toBe('real');
    expect(cookie(withCookie('=orphan'), '')).toBeUndefined();
  });

  it('a cookie whose name only contains the name asked for is another cookie', () => {
    expect(cookie(withCookie('xapproval_csrf=1; approval_csrfx=2'), 'approval_csrf')).toBeUndefined();
  });

  it('an event without a Cookie header has no cookie', () => {
    expect(cookie({ headers: { Accept: 'text/html' } }, 'approval_csrf')).toBeUndefined();
  });

  it('the first cookie of a name wins', () => {
    expect(cookie(withCookie('id=first; id=second'), 'id')).toBe('first');
  });
});

describe('routes', () => {
  it('the interactions route takes a trailing slash, not a longer path or another last segment', () => {
    expect(route('/prod/slack/interactions/')).toEqual({ name: 'slack-interactions' });
    expect(route('/slack/interactions/extra')).toEqual({ name: 'unknown' });
    expect(route('/notslack/interactions')).toEqual({ name: 'unknown' });
  });

  it('the approval page takes its id from the last segment, with or without a trailing slash', () => {
    expect(route('/approvals/AbCdEfGhIjKlMnOpQrStUv/')).toEqual({
      name: 'approval-page',
      approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
    });
    expect(route('/approvals/AbCdEfGhIjKlMnOpQrStUv/extra')).toEqual({ name: 'unknown' });
    expect(route('/approvals//')).toEqual({ name: 'unknown' });
  });
});
