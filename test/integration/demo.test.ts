/**
 * `npm run demo` as a newcomer runs it (scripts/demo.sh, spawned with a user's environment): it must
 * end 0 with every step it announces checked, show the approval path (the Slack message as posted,
 * the signed link through the approval API, the approver in the record), then `history` and `undo`
 * through the CLI, and stay fast. The demo and what it runs are product code: nothing under test/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, spawned, userEnvironment } from '../helpers/spawn-cli.js';

/** The issue asks for < 60 s on this machine (about 20 s measured); the margin is for a loaded runner. */
const TIME_LIMIT_MS = 90_000;

describe('npm run demo', () => {
  it('runs on product code only: no import from test/', () => {
    const files = [
      'scripts/demo.ts',
      'scripts/approval-server.ts',
      ...readdirSync(join(ROOT, 'remediators', 'local')).map((name) => `remediators/local/${name}`),
    ];
    for (const file of files) {
      expect(readFileSync(join(ROOT, file), 'utf8'), file).not.toMatch(/from '(\.\.\/)+test\//);
    }
  });

  it(
    'shows the approval path, history and undo, every check passing, exit 0',
    async () => {
      const started = Date.now();
      const run = await spawned('bash', ['scripts/demo.sh'], userEnvironment({}));
      const elapsed = Date.now() - started;

      expect(run.stderr).toBe('');
      // Which configuration, with each control's mode: one control waits for an approver.
      expect(run.stdout).toMatch(/━━ Configuration: \S+demo-config\.json/);
      expect(run.stdout).toMatch(/\n {2}APIGateway\.1 +approve\n {2}APIGateway\.3 +auto\n/);
      // The Slack message as posted, its link opened and submitted through the real approval API.
      expect(run.stdout).toContain(
        'Slack chat.postMessage to C0123456789: Approval needed: APIGateway.1 on orders-api/prod',
      );
      expect(run.stdout).toContain('│ [Approve] [Reject]');
      expect(run.stdout).toMatch(
        /│ Buttons not working\? <http:\/\/localhost:\d+\/approvals\/[\w-]+\?exp=\d+&sig=/,
      );
      expect(run.stdout).toMatch(/GET \/approvals\/[\w-]+\?exp=…&sig=… {2}→ 200/);
      expect(run.stdout).toContain(
        'POST the form (decision APPROVED, csrf, cookie)  → 200 “Decision recorded”',
      );
      expect(run.stdout).toContain('Slack chat.update to C0123456789: Approved by signed link');
      const approved = /REMEDIATED \w+\/prod {2}remediation ([0-9a-f-]{36}) {2}approver: link/.exec(
        run.stdout,
      );
      expect(approved).not.toBeNull();
      // The CLI's history lists it; its undo takes it back (read back by the demo).
      expect(run.stdout).toContain(`REMEDIATED  remediation ${approved?.[1]}\n    approver: link\n`);
      expect(run.stdout).toContain(`UNDONE: undo undo-`);
      expect(run.stdout).toContain('methodSettings[*/*].loggingLevel is OFF');

      const checks = run.stdout.split('━━ Checks')[1] ?? '';
      expect(checks.match(/✔/g)).toHaveLength(10);
      expect(checks).not.toContain('✘');
      expect(run.code).toBe(0);
      expect(elapsed).toBeLessThan(TIME_LIMIT_MS);
    },
    TIME_LIMIT_MS + 30_000,
  );
});
