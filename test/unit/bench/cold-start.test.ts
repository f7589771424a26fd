import { describe, expect, it } from 'vitest';
import {
  alternativeBundlings,
  childEnvironment,
  compareRows,
  DEFAULT_RUNS,
  formatReport,
  median,
  parseBaseline,
  parseChildLine,
  parseRuns,
  percentile,
  timing,
  type ColdStartReport,
  type Sampled,
} from '../../../bench/cold-start.js';
import { BASELINE_COMMIT } from '../../../bench/baseline.js';
import { RUNTIME_SDK_MODULES, SERVICE_BUNDLING } from '../../../infra/functions.js';
import { HOME_ACCOUNT_ENV } from '../../../remediators/core/credentials.js';

describe('percentile (nearest rank)', () => {
  it('gives known answers', () => {
    expect(percentile([5, 1, 4, 2, 3], 90)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([3, 1, 2], 50)).toBe(2);
  });

  it('refuses an empty sample or a percentile out of range', () => {
    expect(() => percentile([], 90)).toThrow();
    expect(() => percentile([1], 0)).toThrow();
    expect(() => percentile([1], 101)).toThrow();
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });
});

describe('parseRuns', () => {
  it('reads --runs N and --runs=N, with a default', () => {
    expect(parseRuns([])).toBe(DEFAULT_RUNS);
    expect(parseRuns(['--json', '--runs', '12'])).toBe(12);
    expect(parseRuns(['--runs=3'])).toBe(3);
  });

  it('refuses anything but a positive integer', () => {
    expect(() => parseRuns(['--runs', '0'])).toThrow();
    expect(() => parseRuns(['--runs', 'x'])).toThrow();
    expect(() => parseRuns(['--runs'])).toThrow();
  });
});

describe('childEnvironment', () => {
  it('sets what the handlers and infra set, the NODE_OPTIONS given, and no real credentials', () => {
    const env = childEnvironment('apply', '--enable-source-maps');
    expect(env).toMatchObject({
      NODE_OPTIONS: '--enable-source-maps',
      AWS_LAMBDA_FUNCTION_NAME: 'apply',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
    });
    for (const name of [
      HOME_ACCOUNT_ENV,
      'NOTIFY_TOPIC_ARN',
      'APPROVALS_TABLE_NAME',
      'SLACK_SECRET_ARN',
      'APPROVAL_BASE_URL',
      'SLACK_CHANNEL_ID',
      'SERVICE_ROLE_ARNS',
    ]) {
      expect(env[name], name).toBeTruthy();
    }
    expect(Object.keys(env)).not.toContain('AWS_ENDPOINT_URL');
  });

  it('leaves NODE_OPTIONS out when the tree deploys none', () => {
    expect(childEnvironment('apply')).not.toHaveProperty('NODE_OPTIONS');
  });
});

describe('parseBaseline', () => {
  it('defaults to the issue 9 baseline and reads --baseline C and --baseline=C', () => {
    expect(parseBaseline([])).toBe(BASELINE_COMMIT);
    expect(parseBaseline(['--baseline', 'abc1234'])).toBe('abc1234');
    expect(parseBaseline(['--runs', '3', '--baseline=0123456789abcdef'])).toBe('0123456789abcdef');
  });

  it('refuses a missing value or anything git could read as an option or a ref name', () => {
    expect(() => parseBaseline(['--baseline'])).toThrow(/needs a commit/);
    expect(() => parseBaseline(['--baseline', '--upload-pack=x'])).toThrow(/hex digits/);
    expect(() => parseBaseline(['--baseline=main'])).toThrow(/hex digits/);
  });
});

describe('parseChildLine', () => {
  it('reads the wall and CPU milliseconds of the import', () => {
    expect(parseChildLine('{"ms":12.5,"cpuMs":10}', 'apply')).toEqual({ initMs: 12.5, initCpuMs: 10 });
  });

  it('names the function when the child printed something else', () => {
    expect(() => parseChildLine('Error: boom', 'apply')).toThrow(/apply: Error: boom/);
    expect(() => parseChildLine('{"ms":1}', 'notify')).toThrow(/notify/);
    expect(() => parseChildLine('null', 'notify')).toThrow(/notify/);
  });
});

const sampled = (bundleBytes: number, init: number[]): Sampled => ({
  bundleBytes,
  init,
  initCpu: init.map((value) => value / 2),
  process: init.map((value) => value + 40),
});

describe('compareRows', () => {
  it("pairs the trees by function name, today's order first, and gives the ratio of the init medians", () => {
    const rows = compareRows(
      new Map([
        ['intake', sampled(170_000, [20, 30, 25])],
        ['recheck', sampled(600_000, [60])],
      ]),
      new Map([
        ['intake', sampled(520_000, [100, 50, 60])],
        ['retired', sampled(900_000, [90])],
      ]),
    );
    expect(rows.map((row) => row.name)).toEqual(['intake', 'recheck', 'retired']);
    const [intake, recheck, retired] = rows;
    expect(intake?.baseline?.init.medianMs).toBe(60);
    expect(intake?.current?.init).toEqual({ runs: 3, medianMs: 25, p90Ms: 30, samplesMs: [20, 30, 25] });
    expect(intake?.current?.initCpu.medianMs).toBe(12.5);
    expect(intake?.current?.process.medianMs).toBe(65);
    expect(intake?.initRatio).toBeCloseTo(25 / 60);
    expect(recheck).not.toHaveProperty('baseline');
    expect(recheck).not.toHaveProperty('initRatio');
    expect(retired).not.toHaveProperty('current');
  });
});

describe('alternativeBundlings', () => {
  it('times the SDK all bundled and left to the runtime, whichever the deployed bundling is not', () => {
    const deployed = alternativeBundlings(SERVICE_BUNDLING);
    expect(deployed.map((alternative) => alternative.label)).toEqual(['SDK bundled', 'SDK from the runtime']);
    expect(deployed[0]?.bundling.externalModules).toEqual([]);
    expect(deployed[1]?.bundling.externalModules).toEqual([...RUNTIME_SDK_MODULES]);
    const allBundled = alternativeBundlings({ ...SERVICE_BUNDLING, externalModules: [] });
    expect(allBundled.map((alternative) => alternative.label)).toEqual(['SDK from the runtime']);
    // CDK's default (no externalModules) already leaves @aws-sdk/* to the runtime.
    const cdkDefault = { ...SERVICE_BUNDLING, externalModules: undefined };
    expect(alternativeBundlings(cdkDefault).map((alternative) => alternative.label)).toEqual(['SDK bundled']);
  });

  it('changes nothing but the externals', () => {
    for (const { bundling } of alternativeBundlings(SERVICE_BUNDLING)) {
      expect({ ...bundling, externalModules: undefined }).toEqual({
        ...SERVICE_BUNDLING,
        externalModules: undefined,
      });
    }
  });
});

describe('compareRows with the SDK packaged other ways', () => {
  it('adds each alternative tree and its CPU ratio against the baseline', () => {
    const [intake, recheck] = compareRows(
      new Map([
        ['intake', sampled(170_000, [20, 30, 25])],
        ['recheck', sampled(200_000, [60])],
      ]),
      new Map([['intake', sampled(520_000, [100, 50, 60])]]),
      new Map([
        ['SDK bundled', new Map([['intake', sampled(160_000, [40, 50, 45])]])],
        ['SDK from the runtime', new Map([['recheck', sampled(100_000, [90])]])],
      ]),
    );
    expect(intake?.alternatives['SDK bundled']?.init.medianMs).toBe(45);
    expect(intake?.alternatives).not.toHaveProperty('SDK from the runtime');
    expect(intake?.cpuRatio).toBeCloseTo(12.5 / 30);
    expect(intake?.alternativeCpuRatios['SDK bundled']).toBeCloseTo(22.5 / 30);
    expect(recheck?.alternatives['SDK from the runtime']?.initCpu.medianMs).toBe(45);
    expect(recheck?.alternativeCpuRatios).toEqual({});
  });
});

describe('formatReport', () => {
  it('shows both trees, the ratio, the floor and what each tree ran with', () => {
    const report: ColdStartReport = {
      baselineCommit: '8761bb0',
      node: 'v24.0.0',
      runs: 3,
      baselineNodeOptions: '--enable-source-maps',
      currentNodeOptions: null,
      alternativeLabels: [],
      floor: timing([40, 42, 41]),
      functions: compareRows(
        new Map([
          ['intake', sampled(170_000, [20, 30, 25])],
          ['recheck', sampled(600_000, [60])],
        ]),
        new Map([['intake', sampled(520_000, [100, 50, 60])]]),
      ),
    };
    const text = formatReport(report);
    const [header, , intake, recheck] = text.split('\n');
    expect(header).toMatch(
      /^function\s+bytes before\s+bytes now\s+init before\s+p90 before\s+init now\s+p90 now\s+now\/before/,
    );
    expect(intake).toMatch(
      /^intake\s+508 KiB\s+166 KiB\s+60\.0 ms\s+100\.0 ms\s+25\.0 ms\s+30\.0 ms\s+0\.42\s/,
    );
    expect(recheck).toMatch(/^recheck\s+-\s+586 KiB\s+-\s+-\s+60\.0 ms/);
    expect(text).toContain('Floor: node -e 0, whole process: median 41.0 ms, p90 42.0 ms (3 runs).');
    expect(text).toContain('8761bb0 (NODE_OPTIONS=--enable-source-maps)');
    expect(text).toContain("this checkout's (no NODE_OPTIONS)");
  });
});

describe('formatReport with the SDK packaged other ways', () => {
  it("adds each alternative's bytes, init, CPU and CPU ratio columns and says what it is", () => {
    const report: ColdStartReport = {
      baselineCommit: '8761bb0',
      node: 'v24.0.0',
      runs: 3,
      baselineNodeOptions: '--enable-source-maps',
      currentNodeOptions: null,
      alternativeLabels: ['SDK bundled', 'SDK from the runtime'],
      floor: timing([40, 42, 41]),
      functions: compareRows(
        new Map([['apply', sampled(200_000, [100, 110, 120])]]),
        new Map([['apply', sampled(1_100_000, [300, 310, 320])]]),
        new Map([
          ['SDK bundled', new Map([['apply', sampled(800_000, [80, 90, 100])]])],
          ['SDK from the runtime', new Map([['apply', sampled(100_000, [400, 410, 420])]])],
        ]),
      ),
    };
    const text = formatReport(report);
    const [header, , apply] = text.split('\n');
    expect(header).toMatch(
      /process now\s+cpu now\/before\s+bytes alt1\s+init alt1\s+cpu alt1\s+cpu alt1\/before\s+bytes alt2\s+init alt2\s+cpu alt2\s+cpu alt2\/before$/,
    );
    expect(apply).toMatch(
      /\s0\.35\s+781 KiB\s+90\.0 ms\s+45\.0 ms\s+0\.29\s+98 KiB\s+410\.0 ms\s+205\.0 ms\s+1\.32$/,
    );
    expect(text).toContain('alt1 = this checkout with the AWS SDK packaged another way (SDK bundled)');
    expect(text).toContain(
      'alt2 = this checkout with the AWS SDK packaged another way (SDK from the runtime)',
    );
  });
});
