/** What the signed link's confirmation page shows an approver (remediators/approvals/page.ts), fact by fact. */
import { describe, expect, it } from 'vitest';
import { confirmationPage, escapeHtml } from '../../../remediators/approvals/page.js';
import { newApprovalRecord } from '../../../remediators/approvals/record.js';
import { approvalRequest, EXPIRES_AT, REQUESTED_AT } from './support/fixtures.js';

/** Built in each test, so that the code under test runs inside it. */
const page = () =>
  confirmationPage(
    newApprovalRecord('AbCdEfGhIjKlMnOpQrStUv', approvalRequest(), new Date(REQUESTED_AT)).subject,
    'csrf-token-value',
  );

describe('the confirmation page', () => {
  it('is titled as a question, in the tab and the heading', () => {
    expect(page()).toContain('<title>Approve this API Gateway remediation?</title>');
    expect(page()).toContain('<h1>Approve this API Gateway remediation?</h1>');
  });

  it.each([
    ['Account', '<code>111122223333</code>'],
    ['Region', '<code>us-east-1</code>'],
    ['API', 'orders-api <code>a1b2c3d4e5</code> (REST)'],
    ['Stage', '<code>prod</code>'],
    ['Control(s)', 'APIGateway.1, APIGateway.3'],
    ['Remediation', '<code>rem-7f3c2a</code>'],
    ['Requested at', REQUESTED_AT],
    ['Expires at', EXPIRES_AT],
  ])('shows %s as a labelled row', (label, value) => {
    expect(page()).toContain(`<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`);
  });

  it('lists one row per change, each on its own line', () => {
    expect(page()).toContain(
      '<td class="after"><code>ERROR</code></td></tr>\n<tr><td>APIGateway.3</td><td><code>tracingEnabled</code></td>',
    );
  });
});

describe("an undo's confirmation page (undo.mode approve)", () => {
  const undoPage = () =>
    confirmationPage(
      newApprovalRecord(
        'AbCdEfGhIjKlMnOpQrStUv',
        { ...approvalRequest(), kind: 'undo' },
        new Date(REQUESTED_AT),
      ).subject,
      'csrf-token-value',
    );

  it('asks about the undo, says what approving and rejecting do, and heads the changes now → restored to', () => {
    expect(undoPage()).toContain('<title>Approve this API Gateway undo?</title>');
    expect(undoPage()).toContain('<h1>Approve this API Gateway undo?</h1>');
    expect(undoPage()).toContain(
      '<p class="lead">Nothing has changed yet. Approving lets the workflow restore the settings below, where the stage still holds the remediated value; rejecting leaves the remediation in place.</p>',
    );
    expect(undoPage()).toContain('<tr><th>Control</th><th>Setting</th><th>Now</th><th>Restored to</th></tr>');
    expect(undoPage()).not.toContain('remediation?');
  });

  it("a remediation's page keeps its own words and Before / After", () => {
    expect(page()).toContain(
      '<p class="lead">Nothing has changed yet. Approving lets the workflow apply exactly the change below; rejecting skips it.</p>',
    );
    expect(page()).toContain('<tr><th>Control</th><th>Setting</th><th>Before</th><th>After</th></tr>');
  });
});

describe('escapeHtml', () => {
  it('escapes &, <, >, " and \' (the ampersand first, so nothing is escaped twice)', () => {
    expect(escapeHtml(`a&b<c>d"e'f &amp;`)).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f &amp;amp;');
  });
});
