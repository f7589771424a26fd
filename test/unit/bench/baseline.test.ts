import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASELINE_COMMIT, baselineDir, checkCommit, nodeOptionsIn } from '../../../bench/baseline.js';
import { PROJECT_ROOT } from '../../../bench/bundle-size.js';

describe('nodeOptionsIn', () => {
  it('reads the NODE_OPTIONS the baseline commit deployed: source maps loaded at start', () => {
    const source = execFileSync(
      'git',
      ['-C', PROJECT_ROOT, 'show', `${BASELINE_COMMIT}:infra/functions.ts`],
      {
        encoding: 'utf8',
      },
    );
    expect(nodeOptionsIn(source)).toBe('--enable-source-maps');
  });

  it("finds none in today's infra/functions.ts (docs/decisions/0018)", () => {
    expect(nodeOptionsIn(readFileSync(join(PROJECT_ROOT, 'infra', 'functions.ts'), 'utf8'))).toBeUndefined();
  });

  it('reads other values as written', () => {
    expect(nodeOptionsIn("environment: { NODE_OPTIONS: '--max-old-space-size=256' }")).toBe(
      '--max-old-space-size=256',
    );
  });
});

describe('checkCommit and baselineDir', () => {
  it('accept abbreviated and full hex commits, one temp directory per commit', () => {
    expect(checkCommit('8761bb0')).toBe('8761bb0');
    expect(baselineDir('8761bb0')).toBe(join(tmpdir(), 'apigw-remediation-baseline-8761bb0'));
    expect(baselineDir('0123456789abcdef0123456789abcdef01234567')).not.toBe(baselineDir('8761bb0'));
  });

  it('refuse names, options and paths', () => {
    for (const bad of ['main', 'HEAD~1', '-x', '../../etc', '8761BB0', '123456']) {
      expect(() => checkCommit(bad), bad).toThrow(/hex digits/);
    }
  });
});
