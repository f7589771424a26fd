/**
 * The signed link in a real headless browser (Debian chromium + playwright-core) against a local
 * HTTP server hosting the real approval-API handler: open the link, read the change, approve,
 * and check what the workflow receives. Slack's preview fetcher, by contrast, approves nothing.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApprovalServer, type RunningServer } from '../../scripts/approval-server.js';
import { useMoto } from '../helpers/moto.js';
import { startFakeSlack, type FakeSlack } from '../unit/approvals/support/fake-slack.js';
import { DURING } from '../unit/approvals/support/fixtures.js';
import { createAwsResources, createHarness, type ApprovalHarness } from './approval-harness.js';

const SLACKBOT = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Set UPDATE_SCREENSHOTS=1 to refresh the picture in docs/approvals.md. */
const SCREENSHOT =
  process.env['UPDATE_SCREENSHOTS'] === '1'
    ? 'docs/images/approval-page.png'
    : 'test-results/approval-page.png';

describe('approving through the signed link in a browser', () => {
  const moto = useMoto();
  let slack: FakeSlack;
  let server: RunningServer;
  let harness: ApprovalHarness | undefined;
  let profile: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    slack = await startFakeSlack();
    server = await startApprovalServer(async (event) => {
      if (harness === undefined) throw new Error('no approval harness yet');
      return harness.api(event);
    });
    profile = await mkdtemp(join(tmpdir(), 'approval-browser-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 900, height: 900 },
    });
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
    await server.close();
    await slack.close();
  });

  beforeEach(async () => {
    slack.reset();
    await createAwsResources(moto.endpoint);
    harness = createHarness(moto.endpoint, slack, { slack: { channelId: 'C0123456789' } }, server.url);
  });

  async function pendingLink(): Promise<{ approvalId: string; link: string }> {
    const requested = await harness?.requestApproval();
    if (requested?.link === undefined) throw new Error('the Slack message carries no signed link');
    expect(requested.link.startsWith(`${server.url}/approvals/`)).toBe(true);
    return { approvalId: requested.approvalId, link: requested.link };
  }

  it("Slack's link expander fetching the link approves nothing", async () => {
    const { approvalId, link } = await pendingLink();
    const response = await fetch(link, { headers: { 'user-agent': SLACKBOT } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Approve this API Gateway remediation?');
    expect(harness?.sendTaskCalls()).toEqual([]);
    expect((await harness?.store.get(approvalId))?.status).toBe('PENDING');
  });

  it('shows the change, and Approve hands the decision to the workflow exactly once', async () => {
    const { approvalId, link } = await pendingLink();
    const page = await browser.newPage();
    try {
      await page.goto(link);
      await expect(page.locator('h1').textContent()).resolves.toBe('Approve this API Gateway remediation?');
      const changes = await page.locator('table.changes tr').allInnerTexts();
      expect(changes.map((row) => row.split('\t').map((cell) => cell.trim()))).toEqual([
        ['Control', 'Setting', 'Before', 'After'],
        ['APIGateway.1', 'methodSettings[*/*].loggingLevel', 'OFF', 'ERROR'],
        ['APIGateway.3', 'tracingEnabled', 'false', 'true'],
      ]);
      await expect(page.locator('table.facts').innerText()).resolves.toContain(
        'orders-api a1b2c3d4e5 (REST)',
      );
      await mkdir('test-results', { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      // Opening the page decided nothing.
      expect(harness?.sendTaskCalls()).toEqual([]);

      await page.fill('#comment', 'Checked with the orders team.');
      await Promise.all([page.waitForNavigation(), page.click('button.approve')]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Decision recorded');
      await expect(page.locator('p.lead').textContent()).resolves.toContain(
        `Approved by signed link at ${DURING.toISOString()}.`,
      );

      const calls = harness?.sfn.commandCalls(SendTaskSuccessCommand) ?? [];
      expect(calls).toHaveLength(1);
      expect(JSON.parse(calls[0]?.args[0].input.output ?? 'null')).toEqual({
        decision: 'APPROVED',
        approver: { id: 'link', name: 'link' },
        decidedAt: DURING.toISOString(),
        comment: 'Checked with the orders team.',
        channel: 'link',
      });

      // Back to the link (or a reload of the form): single use, nothing more is sent.
      await page.goto(link);
      await expect(page.locator('p.lead').textContent()).resolves.toContain(
        'Already approved by signed link',
      );
      expect(await page.locator('form').count()).toBe(0);
      expect(harness?.sendTaskCalls()).toHaveLength(1);
      expect((await harness?.store.get(approvalId))?.status).toBe('DECIDED');
    } finally {
      await page.close();
    }
  });
});
