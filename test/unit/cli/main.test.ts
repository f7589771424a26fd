import { describe, expect, it } from 'vitest';
import { main, type Terminal } from '../../../remediators/cli/main.js';

function terminal(): Terminal & { out: string; err: string } {
  const screen = { out: '', err: '' };
  return Object.assign(screen, {
    stdout: { write: (text: string) => (screen.out += text) },
    stderr: { write: (text: string) => (screen.err += text), isTTY: true },
  });
}

describe('main', () => {
  it('prints the help of a command on stdout and exits 0', async () => {
    const screen = terminal();
    expect(await main(['plan', '--help'], screen)).toBe(0);
    expect(screen.out).toMatch(/^Usage: apigw-remediation plan \[options\]\n/);
    expect(screen.err).toBe('');
  });

  it('prints a usage error on stderr with where to read more, and exits 2', async () => {
    const screen = terminal();
    expect(await main([], screen)).toBe(2);
    expect(screen.out).toBe('');
    expect(screen.err).toBe('apigw-remediation: no command given (see apigw-remediation --help)\n');
  });
});
