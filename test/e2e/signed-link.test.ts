/**
 * Signed links through the real approval-API handler: a GET only shows, the CSRF-protected POST
 * acts once; tampered links get a bare 403, expired ones a clear page and no SendTask call.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { approvalLink } from '../../remediators/approvals/signed-link.js';
import { CSRF_COOKIE } from '../../remediators/handlers/approval-api.js';
import { AFTER_EXPIRY, DURING, SLACK_SECRET } from '../unit/approvals/support/fixtures.js';
import { BASE_URL, createHarness, useApprovalHarness } from './approval-harness.js';

const SLACKBOT = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';

function linkEvent(
  link: string,
  method: 'GET' | 'POST',
  init: { headers?: Record<string, string>; body?: string } = {},
) {
  const url = new URL(link);
  return {
    httpMethod: method,
    path: url.pathname.replace(/^\/prod/, ''),
    headers: init.headers ?? {},
    queryStringParameters: Object.fromEntries(url.searchParams),
    body: init.body ?? null,
    isBase64Encoded: false,
  };
}

function withPart(link: string, change: (url: URL) => void): string {
  const url = new URL(link);
  change(url);
  return url.toString();
}

describe('signed approval links', () => {
  const env = useApprovalHarness();
  const { moto } = env;

  async function openPage(link: string, userAgent = 'Mozilla/5.0') {
    const page = await env.harness.api(linkEvent(link, 'GET', { headers: { 'User-Agent': userAgent } }));
    const nonce = /approval_csrf=([^;]+)/.exec(String(page.headers?.['set-cookie']))?.[1] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    return { page, nonce, csrf };
  }

  async function submit(link: string, form: Record<string, string>, nonce: string) {
    return env.harness.api(
      linkEvent(link, 'POST', {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `${CSRF_COOKIE}=${nonce}` },
        body: new URLSearchParams(form).toString(),
      }),
    );
  }

  async function pending() {
    const { approvalId, link } = await env.harness.requestApproval();
    if (link === undefined) throw new Error('the approval message carries no signed link');
    return { approvalId, link };
  }

  it('a GET renders the confirmation page with the change, sets the CSRF cookie, and decides nothing', async () => {
    const { approvalId, link } = await pending();
    const { page, nonce, csrf } = await openPage(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<code>methodSettings[*/*].loggingLevel</code>');
    expect(page.body).toContain(
      '<td class="before"><code>OFF</code></td><td class="after"><code>ERROR</code></td>',
    );
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(csrf).not.toBe('');
    expect(String(page.headers?.['set-cookie'])).toContain('HttpOnly; SameSite=Strict');
    expect(page.headers?.['referrer-policy']).toBe('no-referrer');
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
    expect((await env.harness.store.get(approvalId))?.status).toBe('PENDING');
  });

  it("Slack's link-preview fetcher approves nothing", async () => {
    const { approvalId, link } = await pending();
    for (let fetch = 0; fetch < 3; fetch += 1) {
      expect((await openPage(link, SLACKBOT)).page.statusCode).toBe(200);
    }
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
    expect((await env.harness.store.get(approvalId))?.status).toBe('PENDING');
  });

  it('the form POST approves once; a double submit changes nothing and says who decided', async () => {
    const { approvalId, link } = await pending();
    const { nonce, csrf } = await openPage(link);
    const first = await submit(link, { csrf, decision: 'APPROVED', comment: '  fine for prod  ' }, nonce);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain(`Approved by signed link at ${DURING.toISOString()}.`);
    const calls = env.harness.sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]?.args[0].input.output ?? 'null')).toEqual({
      decision: 'APPROVED',
      approver: { id: 'link', name: 'link' },
      decidedAt: DURING.toISOString(),
      comment: 'fine for prod',
      channel: 'link',
    });
    const [update] = env.slack.callsTo('/api/chat.update');
    expect(update?.body).toMatchObject({ channel: 'C0123456789', ts: '1700000000.000001' });
    expect(JSON.stringify(update?.body)).toContain('Approved by signed link');

    const second = await submit(link, { csrf, decision: 'REJECTED' }, nonce);
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain(
      `Already approved by signed link at ${DURING.toISOString()}. Nothing was changed.`,
    );
    expect(env.harness.sendTaskCalls()).toHaveLength(1);
    expect((await openPage(link)).page.body).toContain('Already approved by signed link');
    expect((await env.harness.store.get(approvalId))?.decision?.decision).toBe('APPROVED');
  });

  it('the form POST can reject', async () => {
    const { link } = await pending();
    const { nonce, csrf } = await openPage(link);
    await submit(link, { csrf, decision: 'REJECTED' }, nonce);
    expect(env.harness.sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input.error).toBe(
      'ApprovalRejected',
    );
  });

  it('a POST without the cookie, with another nonce or with a forged token is refused (CSRF)', async () => {
    const { link } = await pending();
    const { nonce, csrf } = await openPage(link);
    const { nonce: otherNonce } = await openPage(link);
    const withoutCookie = await env.harness.api(
      linkEvent(link, 'POST', { body: new URLSearchParams({ csrf, decision: 'APPROVED' }).toString() }),
    );
    expect(withoutCookie.statusCode).toBe(403);
    expect(
      (await submit(link, { csrf, decision: 'APPROVED' }, otherNonce === nonce ? 'x' : otherNonce))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await submit(
          link,
          { csrf: `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}`, decision: 'APPROVED' },
          nonce,
        )
      ).statusCode,
    ).toBe(403);
    expect((await submit(link, { decision: 'APPROVED' }, nonce)).statusCode).toBe(403);
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
  });

  it('a POST naming another site (Origin or Sec-Fetch-Site) is refused even with a valid cookie and token', async () => {
    const { link } = await pending();
    const { nonce, csrf } = await openPage(link);
    const post = (headers: Record<string, string>) =>
      env.harness.api(
        linkEvent(link, 'POST', {
          headers: {
            'Content-Type': 'application/x-www-form-urlencoded',
            Cookie: `${CSRF_COOKIE}=${nonce}`,
            Host: new URL(link).host,
            ...headers,
          },
          body: new URLSearchParams({ csrf, decision: 'APPROVED' }).toString(),
        }),
      );
    expect((await post({ Origin: 'https://attacker.example' })).statusCode).toBe(403);
    expect((await post({ Origin: 'http://' + new URL(link).host })).statusCode).toBe(403);
    expect((await post({ Origin: 'null', 'Sec-Fetch-Site': 'cross-site' })).statusCode).toBe(403);
    expect((await post({ 'Sec-Fetch-Site': 'cross-site' })).statusCode).toBe(403);
    expect((await post({ 'Sec-Fetch-Site': 'same-site' })).statusCode).toBe(403);
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
    // What a browser sends from our own page (no-referrer makes its Origin "null").
    const own = await post({ Origin: 'null', 'Sec-Fetch-Site': 'same-origin' });
    expect(own.statusCode).toBe(200);
    expect(env.harness.sendTaskCalls()).toHaveLength(1);
  });

  it('a form that is not understood decides nothing and says why', async () => {
    const { link } = await pending();
    const { nonce, csrf } = await openPage(link);
    const answer = await submit(link, { csrf, decision: 'MAYBE' }, nonce);
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('The form was not understood: decision must be APPROVED or REJECTED.');
    const long = await submit(link, { csrf, decision: 'APPROVED', comment: 'x'.repeat(501) }, nonce);
    expect(long.body).toContain('a comment has at most 500 characters');
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
  });

  it('a tampered id, expiry or signature gets the same bare 403', async () => {
    const { link } = await pending();
    const otherId = link.replace(/approvals\/[^?]+/, 'approvals/AAAAAAAAAAAAAAAAAAAAAA');
    const laterExpiry = withPart(link, (url) =>
      url.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 86400)),
    );
    const otherSignature = withPart(link, (url) => url.searchParams.set('sig', 'A'.repeat(43)));
    const noSignature = withPart(link, (url) => url.searchParams.delete('sig'));
    const pages = await Promise.all(
      [otherId, laterExpiry, otherSignature, noSignature].map((tampered) =>
        env.harness.api(linkEvent(tampered, 'GET')),
      ),
    );
    for (const page of pages) {
      expect(page.statusCode).toBe(403);
      expect(page.body).toBe(pages[0]?.body);
      expect(page.body).toContain('This link is not valid.');
    }
    const posted = await env.harness.api(linkEvent(laterExpiry, 'POST', { body: 'decision=APPROVED' }));
    expect(posted.statusCode).toBe(403);
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
  });

  it('an expired link shows a clear page and sends nothing to the workflow', async () => {
    const { link } = await pending();
    const { nonce, csrf } = await openPage(link);
    env.harness.clock.now = AFTER_EXPIRY;
    const page = (await openPage(link)).page;
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This approval request expired at 2026-11-22T10:00:00.000Z');
    const posted = await submit(link, { csrf, decision: 'APPROVED' }, nonce);
    expect(posted.statusCode).toBe(410);
    expect(env.harness.sendTaskCalls()).toHaveLength(0);
  });

  it('with an approver allow-list a link cannot decide, even a correctly signed one', async () => {
    const restricted = createHarness(moto.endpoint, env.slack, {
      approvers: { userIds: ['U024BE7LH'] },
      slack: { channelId: 'C0123456789' },
    });
    const { approvalId } = await restricted.requestApproval();
    const record = await restricted.store.get(approvalId);
    const link = approvalLink(BASE_URL, SLACK_SECRET.linkSigningKey, {
      approvalId,
      expiresAtEpoch: record?.expiresAtEpoch ?? 0,
    });
    const page = await restricted.api(linkEvent(link, 'GET'));
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('use the Approve or Reject button in Slack');
    expect(page.body).not.toContain('<form');
  });
});
