import { describe, expect, it } from 'vitest';
import { cookie, header, rawBody, route } from '../../../remediators/approvals/http.js';
import {
  confirmationPage,
  escapeHtml,
  htmlResponse,
  PAGE_SECURITY_HEADERS,
} from '../../../remediators/approvals/page.js';
import { newApprovalRecord } from '../../../remediators/approvals/record.js';
import { approvalRequest, DURING } from './support/fixtures.js';

describe('the confirmation page', () => {
  it('describes the change and posts back with a CSRF token, without any script', () => {
    const record = newApprovalRecord('AbCdEfGhIjKlMnOpQrStUv', approvalRequest(), DURING);
    const html = confirmationPage(record.subject, 'csrf-token-value');
    expect(html).toContain('<code>methodSettings[*/*].loggingLevel</code>');
    expect(html).toContain(
      '<td class="before"><code>OFF</code></td><td class="after"><code>ERROR</code></td>',
    );
    expect(html).toContain('<input type="hidden" name="csrf" value="csrf-token-value">');
    expect(html).toContain('<form method="post">');
    expect(html).not.toMatch(/<script/i);
  });

  it('escapes everything that came from outside', () => {
    const record = newApprovalRecord(
      'AbCdEfGhIjKlMnOpQrStUv',
      approvalRequest({ apiName: '<img src=x onerror=alert(1)>', stageName: '"><b>' }),
      DURING,
    );
    const html = confirmationPage(record.subject, 'token');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;&gt;&lt;b&gt;');
    expect(escapeHtml(`'`)).toBe('&#39;');
  });

  it('is served with CSP (no scripts, no framing, forms to self), no-referrer and no-store', () => {
    const response = htmlResponse(200, '<p>x</p>');
    const csp = String(response.headers?.['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(PAGE_SECURITY_HEADERS['referrer-policy']).toBe('no-referrer');
    expect(response.headers?.['cache-control']).toBe('no-store');
  });
});

describe('reading proxy events', () => {
  it('undoes API Gateway base64 bodies byte for byte', () => {
    const body = 'payload=%7B%22a%22%3A1%7D';
    expect(rawBody({ body: Buffer.from(body).toString('base64'), isBase64Encoded: true })).toBe(body);
    expect(rawBody({ body, isBase64Encoded: false })).toBe(body);
    expect(rawBody({ body: null, isBase64Encoded: false })).toBe('');
  });

  it('finds headers in any case and cookies by name', () => {
    const event = { headers: { 'X-Slack-Signature': 'v0=1', Cookie: 'a=1; approval_csrf=n0nce; b=2' } };
    expect(header(event, 'x-slack-signature')).toBe('v0=1');
    expect(cookie(event, 'approval_csrf')).toBe('n0nce');
    expect(cookie(event, 'missing')).toBeUndefined();
  });

  it('routes by the end of the path, behind a stage or base path', () => {
    expect(route('/slack/interactions')).toEqual({ name: 'slack-interactions' });
    expect(route('/prod/approvals/AbCdEfGhIjKlMnOpQrStUv')).toEqual({
      name: 'approval-page',
      approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
    });
    expect(route('/approvals')).toEqual({ name: 'unknown' });
  });
});
