/**
 * The signed-link web pages: the confirmation page (GET: shows, never acts) and the result
 * pages. Pure: every string that came from outside is HTML-escaped here.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { formatValue } from './messages.js';
import type { ApprovalSubject } from './record.js';

const STYLE = `
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1c1d; background: #f4f5f7; margin: 0; }
  main { max-width: 760px; margin: 32px auto; background: #fff; border-radius: 10px; padding: 28px 32px;
         box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  h1 { font-size: 22px; margin: 0 0 4px; }
  p.lead { color: #555; margin: 0 0 20px; }
  table { border-collapse: collapse; width: 100%; margin: 0 0 20px; }
  th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e6e6e6; vertical-align: top; }
  th { color: #555; font-weight: 600; width: 30%; }
  table.changes th { width: auto; background: #fafafa; }
  code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f1f1f1; padding: 1px 4px; border-radius: 3px; }
  td.before code { background: #fde8e8; } td.after code { background: #e5f5ea; }
  label { display: block; font-weight: 600; margin-bottom: 4px; }
  textarea { width: 100%; box-sizing: border-box; min-height: 60px; font: inherit; padding: 6px; }
  .buttons { display: flex; gap: 12px; margin-top: 16px; }
  button { font: inherit; font-weight: 600; border: 0; border-radius: 6px; padding: 10px 22px; cursor: pointer; color: #fff; }
  button.approve { background: #007a5a; } button.reject { background: #c62828; }
  .note { color: #666; font-size: 13px; margin-top: 18px; }
`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** No scripts at all, styles only from this page, no framing, forms only to ourselves, no Referer. */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
};

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function document(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>`;
}

export function htmlResponse(
  statusCode: number,
  html: string,
  extraHeaders: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult {
  return { statusCode, headers: { ...PAGE_SECURITY_HEADERS, ...extraHeaders }, body: html };
}

/** A page with one sentence: results, expiry, refusals. */
export function messagePage(title: string, sentence: string): string {
  return document(title, `<h1>${escapeHtml(title)}</h1>\n<p class="lead">${escapeHtml(sentence)}</p>`);
}

/** Tampered or unknown links: the same words whatever was wrong, so nothing leaks. */
export const FORBIDDEN_PAGE = messagePage('Forbidden', 'This link is not valid.');

export function confirmationPage(subject: ApprovalSubject, csrf: string): string {
  const row = (label: string, value: string) => `<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`;
  const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
  const changes = subject.changes
    .map(
      (change) =>
        `<tr><td>${escapeHtml(change.controlId)}</td><td>${code(change.setting)}</td>` +
        `<td class="before">${code(formatValue(change.before))}</td><td class="after">${code(formatValue(change.after))}</td></tr>`,
    )
    .join('\n');
  // An undo's approval (undo.mode approve) asks about the way back: its changes are now → restored to.
  const wording =
    subject.kind === 'undo'
      ? {
          question: 'Approve this API Gateway undo?',
          lead: 'Nothing has changed yet. Approving lets the workflow restore the settings below, where the stage still holds the remediated value; rejecting leaves the remediation in place.',
          before: 'Now',
          after: 'Restored to',
        }
      : {
          question: 'Approve this API Gateway remediation?',
          lead: 'Nothing has changed yet. Approving lets the workflow apply exactly the change below; rejecting skips it.',
          before: 'Before',
          after: 'After',
        };
  return document(
    wording.question,
    `<h1>${escapeHtml(wording.question)}</h1>
<p class="lead">${escapeHtml(wording.lead)}</p>
<table class="facts">
${row('Account', code(subject.account))}
${row('Region', code(subject.region))}
${row('API', `${escapeHtml(subject.apiName)} ${code(subject.apiId)} (${escapeHtml(subject.apiType)})`)}
${row('Stage', code(subject.stageName))}
${row('Control(s)', escapeHtml(subject.controls.join(', ')))}
${row('Remediation', code(subject.remediationId))}
${row('Requested at', escapeHtml(subject.requestedAt))}
${row('Expires at', escapeHtml(subject.expiresAt))}
</table>
<table class="changes">
<tr><th>Control</th><th>Setting</th><th>${wording.before}</th><th>${wording.after}</th></tr>
${changes}
</table>
<form method="post">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<label for="comment">Comment (optional)</label>
<textarea id="comment" name="comment" maxlength="500"></textarea>
<div class="buttons">
<button class="approve" type="submit" name="decision" value="APPROVED">Approve</button>
<button class="reject" type="submit" name="decision" value="REJECTED">Reject</button>
</div>
</form>
<p class="note">This link works once: the first decision wins and is recorded as made through the signed link.</p>`,
  );
}
