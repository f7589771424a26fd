/** `npm run intake -- <event.json>` (scripts/intake.ts), spawned as a user runs it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { intakeBatch } from '../../../remediators/intake/batch.js';
import { DEFAULT_SETTINGS, FIXTURES_DIR, fixture } from './events.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX_CLI = join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs');

function runCli(...args: string[]) {
  const child = spawnSync(process.execPath, [TSX_CLI, 'scripts/intake.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    // Verbose Powertools settings: the CLI must still keep logs and metrics off stdout.
    env: {
      ...process.env,
      SERVICE_ROLE_ARNS: '',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      POWERTOOLS_METRICS_DISABLED: 'false',
    },
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('intake CLI', () => {
  it.each(['securityhub-apigateway9-v2-consolidated.json', 'cloudtrail-updatestage-by-remediator.json'])(
    'prints exactly the handler result for %s as JSON on stdout',
    (name) => {
      const { status, stdout, stderr } = runCli(`${FIXTURES_DIR}${name}`);

      expect(stderr).toBe('');
      expect(status).toBe(0);
      expect(JSON.parse(stdout)).toEqual(intakeBatch(fixture(name), DEFAULT_SETTINGS));
    },
  );

  it('prints rejected items and still exits 0 when the file is JSON but not an event', () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-cli-'));
    writeFileSync(join(dir, 'not-an-event.json'), '{"hello":"world"}');

    const { status, stdout } = runCli(join(dir, 'not-an-event.json'));

    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      requests: [],
      ignored: [],
      rejected: [{ error: expect.stringContaining('not an EventBridge event') }],
    });
  });

  it('exits 2 with a clear message for a missing file', () => {
    const { status, stdout, stderr } = runCli('/nonexistent/event.json');

    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^intake: cannot read \/nonexistent\/event\.json: ENOENT/);
  });

  it('exits 2 with a clear message for a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'intake-cli-'));
    writeFileSync(join(dir, 'broken.json'), '{"detail-type": ');

    const { status, stderr } = runCli(join(dir, 'broken.json'));

    expect(status).toBe(2);
    expect(stderr).toContain(`intake: ${join(dir, 'broken.json')} is not valid JSON:`);
  });

  it('exits 2 with the usage when no file is given', () => {
    const { status, stderr } = runCli();

    expect(status).toBe(2);
    expect(stderr).toContain('usage: npm run intake -- <event.json>');
  });
});
