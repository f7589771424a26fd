import { describe, expect, it } from 'vitest';
import {
  API_GATEWAY_QUOTAS,
  Limiter,
  lowerBoundsMs,
  modelThroughput,
  simulateAccount,
  stageCalls,
  stagesPerAccount,
} from '../../../bench/throughput.js';

const times = (count: number, operation = 'GetStage'): string[] =>
  Array.from({ length: count }, () => operation);

describe('Limiter (GCRA token bucket)', () => {
  it('allows the burst at once, then one call per interval', () => {
    const limiter = new Limiter({ intervalMs: 100, burst: 3 });
    const issued: number[] = [];
    for (let call = 0; call < 5; call++) {
      const at = limiter.earliest(0);
      limiter.take(at);
      issued.push(at);
    }
    expect(issued).toEqual([0, 0, 0, 100, 200]);
  });

  it('refills while idle, never above the burst', () => {
    const limiter = new Limiter({ intervalMs: 100, burst: 2 });
    limiter.take(0);
    limiter.take(0);
    // 1 s later the bucket is full again (2), not 10.
    expect(limiter.earliest(1_000)).toBe(1_000);
    limiter.take(1_000);
    limiter.take(1_000);
    expect(limiter.earliest(1_000)).toBe(1_100);
  });

  it('refuses a call the bucket does not allow', () => {
    const limiter = new Limiter({ intervalMs: 5_000, burst: 1 });
    limiter.take(0);
    expect(() => limiter.take(4_999)).toThrow(/throttled/);
  });
});

describe('simulateAccount', () => {
  it('fits 40 calls in the burst and issues the 41st after 100 ms', () => {
    expect(simulateAccount([times(40)]).wallMs).toBe(0);
    const run = simulateAccount([times(41)]);
    expect(run.wallMs).toBe(100);
    expect(run.callTimesMs[0]?.slice(-2)).toEqual([0, 100]);
  });

  it('spaces deployments 5 s apart, across stages of one account', () => {
    const run = simulateAccount([['CreateDeployment'], ['CreateDeployment'], ['CreateDeployment']]);
    expect(run.callTimesMs).toEqual([[0], [5_000], [10_000]]);
    expect(run.wallMs).toBe(10_000);
  });

  it('spaces UpdateAccount 20 s apart', () => {
    expect(simulateAccount([['UpdateAccount'], ['UpdateAccount']]).wallMs).toBe(20_000);
  });

  it('keeps each stage in order and lets other stages use the tokens while one waits for the deploy slot', () => {
    const run = simulateAccount([
      ['GetStage', 'CreateDeployment', 'UpdateStage'],
      ['GetStage', 'CreateDeployment', 'UpdateStage'],
    ]);
    expect(run.callTimesMs).toEqual([
      [0, 0, 0],
      [0, 5_000, 5_000],
    ]);
    expect(run.calls).toBe(6);
  });

  it('counts a deployment against the 10 rps bucket too', () => {
    // 40 reads empty the bucket at 0; the deployment then waits for a token (100 ms), not for the slot.
    const run = simulateAccount([[...times(40), 'CreateDeployment']]);
    expect(run.wallMs).toBe(100);
  });

  it('is never below any single limiter bound', () => {
    const stages = Array.from({ length: 30 }, () => [
      ...times(6),
      'UpdateRestApi',
      'CreateDeployment',
      'UpdateStage',
    ]);
    const bounds = lowerBoundsMs(stages);
    expect(bounds).toEqual({ total: 23_000, CreateDeployment: 145_000, UpdateAccount: 0 });
    expect(simulateAccount(stages).wallMs).toBe(145_000);
  });
});

describe('stageCalls', () => {
  const measured = {
    'APIGateway.GetStage': 2,
    'APIGateway.UpdateStage': 1,
    'APIGateway.CreateDeployment': 1,
    'APIGateway.UpdateAccount': 1,
    'APIGateway.UpdateRestApi': 1,
    'WAFV2.AssociateWebACL': 1,
    'CloudWatchLogs.CreateLogGroup': 1,
  };

  it('keeps only API Gateway calls, ordered reads, writes, deployment, UpdateStage', () => {
    expect(stageCalls(measured, { redeploy: true, firstInAccount: true })).toEqual([
      'GetStage',
      'GetStage',
      'UpdateAccount',
      'UpdateRestApi',
      'CreateDeployment',
      'UpdateStage',
    ]);
  });

  it('drops the account-level call after the first stage and the deployment without redeploy', () => {
    expect(stageCalls(measured, { redeploy: false, firstInAccount: false })).toEqual([
      'GetStage',
      'GetStage',
      'UpdateRestApi',
      'UpdateStage',
    ]);
  });

  it('counts HTTP API (ApiGatewayV2) calls too', () => {
    expect(
      stageCalls(
        { 'ApiGatewayV2.GetApi': 1, 'ApiGatewayV2.CreateDeployment': 1 },
        { redeploy: true, firstInAccount: false },
      ),
    ).toEqual(['GetApi', 'CreateDeployment']);
  });
});

describe('stagesPerAccount', () => {
  it('deals stages round-robin', () => {
    expect(stagesPerAccount(100, 1)).toEqual([100]);
    expect(stagesPerAccount(7, 3)).toEqual([3, 2, 2]);
    expect(stagesPerAccount(2, 4)).toEqual([1, 1, 0, 0]);
  });

  it('rejects impossible splits', () => {
    expect(() => stagesPerAccount(10, 0)).toThrow();
    expect(() => stagesPerAccount(-1, 2)).toThrow();
  });
});

describe('modelThroughput', () => {
  const scenario = {
    scenario: 'x: test',
    byOperation: { 'APIGateway.GetStage': 2, 'APIGateway.CreateDeployment': 1, 'APIGateway.UpdateStage': 1 },
  };

  it('is bound by deployments with redeploys: K stages in one account take (K-1) × 5 s', () => {
    const row = modelThroughput(scenario, 10, 1, true);
    expect(row).toMatchObject({
      wallSeconds: 45,
      stagesPerAccount: 10,
      callsPerStage: 4,
      limitedBy: 'CreateDeployment',
    });
    expect(row.callsPerSecondPerAccount).toBeCloseTo(40 / 45, 10);
  });

  it('is bound by 10 rps without redeploys and by nothing within the burst', () => {
    // 100 stages × 3 calls = 300 calls: (300 - 40) / 10 rps = 26 s.
    expect(modelThroughput(scenario, 100, 1, false)).toMatchObject({ wallSeconds: 26, limitedBy: '10 rps' });
    expect(modelThroughput(scenario, 10, 5, false)).toMatchObject({
      wallSeconds: 0,
      callsPerSecondPerAccount: null,
      limitedBy: 'burst',
    });
  });

  it('splits over accounts: the busiest account decides', () => {
    expect(modelThroughput(scenario, 10, 3, true)).toMatchObject({ stagesPerAccount: 4, wallSeconds: 15 });
  });

  it('charges UpdateAccount to every stage in the worst case', () => {
    const withAccount = {
      ...scenario,
      byOperation: { ...scenario.byOperation, 'APIGateway.UpdateAccount': 1 },
    };
    expect(modelThroughput(withAccount, 4, 1, true).wallSeconds).toBe(15);
    expect(modelThroughput(withAccount, 4, 1, true, { accountLevelOnce: false })).toMatchObject({
      wallSeconds: 60,
      callsPerStage: 5,
      limitedBy: 'UpdateAccount',
    });
  });

  it('uses the documented API Gateway quotas', () => {
    expect(API_GATEWAY_QUOTAS).toEqual({
      total: { intervalMs: 100, burst: 40 },
      perOperation: {
        CreateDeployment: { intervalMs: 5_000, burst: 1 },
        UpdateAccount: { intervalMs: 20_000, burst: 1 },
      },
    });
  });
});
