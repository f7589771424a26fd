import { readFileSync } from 'node:fs';
import { DEFAULT_MAX_ATTEMPTS, Retry } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import {
  STAGE_LOCKED,
  parseMachine,
  retrierFor,
  retryDelayMs,
  withoutRetries,
  type Retrier,
} from '../../../bench/burst/asl.js';
import { EventQueue } from '../../../bench/burst/event-queue.js';
import { PaceSchedules } from '../../../bench/burst/pacing.js';
import { GATHER_SECONDS } from '../../../remediators/workflow/gather.js';
import { whatBounds } from '../../../bench/burst/explain.js';
import {
  batchTaskCalls,
  frontShapeOf,
  pipeBatches,
  roundsOf,
  splitPath,
  stageRoundsOf,
} from '../../../bench/burst/front.js';
import { coldStartOnLambda, functionNameOf, parseInitTimes } from '../../../bench/burst/init-times.js';
import { LambdaPool } from '../../../bench/burst/lambda.js';
import { quotaBounds } from '../../../bench/burst/minimum.js';
import type { BurstResult } from '../../../bench/burst/model.js';
import { CALL_QUOTAS, STEP_FUNCTIONS_QUOTAS, quotaCounts } from '../../../bench/burst/quotas.js';
import { seededRandom } from '../../../bench/burst/random.js';
import {
  RECORDING_PATH,
  executionsOf,
  parseRecording,
  readRecording,
  scenarioNamed,
} from '../../../bench/burst/recording.js';
import { readSdkRetryPolicies } from '../../../bench/burst/sdk-config.js';
import { RetryQuota, withoutSdkRetries, type SdkRetryPolicy } from '../../../bench/burst/sdk-retry.js';
import { TokenBucket } from '../../../bench/burst/token-bucket.js';
import { PIPE_SOURCE } from '../../../bench/burst/assumptions.js';
import { buildWork, findingsOf, type PlannedExecution, type Work } from '../../../bench/burst/workload.js';
import { API_GATEWAY_RETRY } from '../../../remediators/core/clients.js';
import {
  MAX_COMMITTED_PACED_WAIT_MS,
  MAX_PACED_WAIT_MS,
  PACED_QUOTAS,
  paceIntervalMs,
} from '../../../remediators/workflow/pacing.js';

const ROOT = new URL('../../../', import.meta.url);
const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(path, ROOT), 'utf8')) as Record<string, unknown>;
const definition = (): Record<string, unknown> => readJson('state-machines/remediation.asl.json');
/** The machine before decision 0036 (commit f74a294): one execution per event, a per-stage Map in a per-request Map. */
const perEventDefinition = (): Record<string, unknown> =>
  readJson('test/fixtures/burst/per-event-machine.asl.json');
const PER_EVENT_RECORDING = new URL('test/fixtures/burst/per-event-recording.json', ROOT);

describe('EventQueue', () => {
  it('runs callbacks in time order, ties in the order they were scheduled, and callbacks scheduled meanwhile', () => {
    const queue = new EventQueue();
    const ran: string[] = [];
    queue.schedule(20, () => ran.push('b@20'));
    queue.schedule(10, () => {
      ran.push('a@10');
      queue.schedule(15, () => ran.push('c@15'));
      queue.schedule(5, () => ran.push(`d@${queue.now}`));
    });
    queue.schedule(20, () => ran.push('e@20'));
    expect(queue.drain()).toBe(20);
    // A callback scheduled in the past runs now, not back in time.
    expect(ran).toEqual(['a@10', 'd@10', 'c@15', 'b@20', 'e@20']);
    expect(queue.size).toBe(0);
  });
});

describe("the service's pacing as the simulation replays it", () => {
  it('refuses a fresh call past the longest wait, but lets an invocation that began the schedule finish', () => {
    const schedules = new PaceSchedules();
    const home = { quota: 'securityHubUpdates', scope: 'home' } as const;
    const limit = PACED_QUOTAS.securityHubUpdates.paced;
    const finish = new Set<string>();
    expect(schedules.take(home, 0, 0, finish).kind).toBe('GRANTED');
    // Other runs fill the schedule until a fresh call is refused: its places as far as the longest wait.
    let others = 0;
    while (schedules.take(home, 0, 0, new Set()).kind === 'GRANTED') others += 1;
    expect(others).toBe(limit.burst - 1 + Math.floor(MAX_PACED_WAIT_MS / paceIntervalMs(limit)));
    // The same Finish's second record call waits for its place instead (production's rule).
    const second = schedules.take(home, 0, 0, finish);
    expect(second).toMatchObject({ kind: 'GRANTED' });
    expect(second.kind === 'GRANTED' && second.waitMs).toBeGreaterThan(MAX_PACED_WAIT_MS);
    expect(second.kind === 'GRANTED' && second.waitMs).toBeLessThanOrEqual(MAX_COMMITTED_PACED_WAIT_MS);
    expect(schedules.refused).toEqual({ securityHubUpdates: 1 });
  });
});

describe('TokenBucket', () => {
  it('allows the burst at once, then refills at the rate', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3 });
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.tryTake(99)).toBe(false);
    expect(bucket.tryTake(100)).toBe(true);
    // Refills never exceed the burst.
    expect(bucket.available(60_000)).toBe(true);
    for (let call = 0; call < 3; call++) expect(bucket.tryTake(60_000)).toBe(true);
    expect(bucket.tryTake(60_000)).toBe(false);
  });

  it('queues reservations first come, first served', () => {
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 1 });
    expect([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0), bucket.reserve(2_000)]).toEqual([
      0, 500, 1_000, 2_000,
    ]);
  });

  it('refuses a bucket that can never serve a call', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(/invalid token bucket/);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(/invalid token bucket/);
  });
});

describe('the ASL retry policy the simulation reads', () => {
  it('is exactly the Retry blocks of every state of the definition, with the ASL defaults filled in', () => {
    const machine = parseMachine(definition());
    const raw = new Map<string, Record<string, unknown>>();
    const visit = (node: unknown): void => {
      const states = (node as { States?: Record<string, Record<string, unknown>> }).States ?? {};
      for (const [name, state] of Object.entries(states)) {
        raw.set(name, state);
        visit(state.ItemProcessor ?? state.Iterator ?? {});
      }
    };
    visit(definition());
    expect([...machine.states.keys()].sort()).toEqual([...raw.keys()].sort());
    let compared = 0;
    for (const [name, state] of raw) {
      const blocks = (state.Retry ?? []) as Record<string, unknown>[];
      const expected: Retrier[] = blocks.map((block) => ({
        errorEquals: block.ErrorEquals as string[],
        intervalSeconds: (block.IntervalSeconds as number | undefined) ?? 1,
        backoffRate: (block.BackoffRate as number | undefined) ?? 2,
        maxAttempts: (block.MaxAttempts as number | undefined) ?? 3,
        ...(block.MaxDelaySeconds === undefined ? {} : { maxDelaySeconds: block.MaxDelaySeconds as number }),
        jitter: (block.JitterStrategy as 'FULL' | 'NONE' | undefined) ?? 'NONE',
      }));
      expect(machine.states.get(name)?.retriers, name).toEqual(expected);
      compared += blocks.length;
    }
    expect(compared).toBeGreaterThan(10);
    // The locks are the states that retry StageLocked (Prepare, which takes the stage lock, and the
    // undo's own, docs/decisions/0030, 0035); the approval Task's function is found in its Parameters.
    expect([...machine.lockStates].sort()).toEqual(['AcquireUndoLock', 'Prepare']);
    // The per-stage Map is the one the lock is in, at the top level: one execution per Pipe batch (decision 0036).
    expect(machine.stageMap).toBe('ForEachStage');
    expect(machine.states.get('ForEachStage')?.parent).toBeUndefined();
    expect(frontShapeOf(machine)).toBe('batched');
    expect(machine.states.get('ForEachStage')?.maxConcurrency).toBe(raw.get('ForEachStage')?.MaxConcurrency);
    // Remediate claims the account's deploy slot and retries DeploySlotBusy (decision 0035).
    expect([...machine.slotStates]).toEqual(['Remediate']);
    expect(machine.states.get('Remediate')?.functionSubstitution).toBe('RemediateFunctionArn');
    expect(machine.states.get('RequestApproval')?.functionSubstitution).toBe('RequestApprovalFunctionArn');
  });

  it('follows a change to a copy of the definition', () => {
    const copy = definition();
    const states = copy.States as Record<string, { Retry?: Record<string, unknown>[] }>;
    const block = states.Normalize?.Retry?.[0];
    if (block === undefined) throw new Error('Normalize has no Retry');
    block.MaxAttempts = 1;
    block.IntervalSeconds = 7;
    delete block.JitterStrategy;
    const retrier = parseMachine(copy).states.get('Normalize')?.retriers[0];
    expect(retrier).toMatchObject({ maxAttempts: 1, intervalSeconds: 7, jitter: 'NONE' });
    expect(parseMachine(definition()).states.get('Normalize')?.retriers[0]).not.toMatchObject({
      maxAttempts: 1,
    });
  });

  it('refuses a Retry block it cannot read', () => {
    const bad = { States: { A: { Type: 'Task', Retry: [{ IntervalSeconds: 1 }] } } };
    expect(() => parseMachine(bad)).toThrow(/without ErrorEquals/);
    const jitter = {
      States: { A: { Type: 'Task', Retry: [{ ErrorEquals: ['X'], JitterStrategy: 'HALF' }] } },
    };
    expect(() => parseMachine(jitter)).toThrow(/JitterStrategy HALF/);
  });

  it('picks the first retrier that names the error, States.ALL, or States.TaskFailed (not for a timeout)', () => {
    const retriers: Retrier[] = [
      { errorEquals: [STAGE_LOCKED], intervalSeconds: 5, backoffRate: 1.5, maxAttempts: 20, jitter: 'FULL' },
      {
        errorEquals: ['States.TaskFailed'],
        intervalSeconds: 2,
        backoffRate: 2,
        maxAttempts: 6,
        jitter: 'NONE',
      },
    ];
    expect(retrierFor(retriers, STAGE_LOCKED)).toBe(0);
    expect(retrierFor(retriers, 'TooManyRequestsException')).toBe(1);
    expect(retrierFor(retriers, 'States.Timeout')).toBe(-1);
    expect(retrierFor([], 'TooManyRequestsException')).toBe(-1);
  });

  it('waits IntervalSeconds × BackoffRate^(n−1), capped by MaxDelaySeconds, drawn from [0, that] with FULL jitter', () => {
    const exact: Retrier = {
      errorEquals: ['X'],
      intervalSeconds: 2,
      backoffRate: 2,
      maxAttempts: 6,
      maxDelaySeconds: 60,
      jitter: 'NONE',
    };
    const never = () => {
      throw new Error('no jitter, no random draw');
    };
    expect([1, 2, 3, 5, 6, 7].map((retry) => retryDelayMs(exact, retry, never))).toEqual([
      2_000, 4_000, 8_000, 32_000, 60_000, 60_000,
    ]);
    expect(retryDelayMs({ ...exact, jitter: 'FULL' }, 3, () => 0.25)).toBe(2_000);
  });

  it('withoutRetries leaves every state with no retrier', () => {
    const machine = withoutRetries(parseMachine(definition()));
    expect([...machine.states.values()].every((state) => state.retriers.length === 0)).toBe(true);
  });
});

describe('the SDK retry policies the simulation reads from the production clients', () => {
  it("gives the core's clients API_GATEWAY_RETRY and the others the SDK's standard mode", async () => {
    const policies = await readSdkRetryPolicies();
    for (const service of ['apigateway', 'apigatewayv2', 'wafv2', 'logs']) {
      expect(policies[service]?.maxAttempts, service).toBe(API_GATEWAY_RETRY.maxAttempts);
      expect(policies[service]?.clientLifetime, service).toBe('invocation');
      // fullJitterDelay(retry, API_GATEWAY_RETRY): random × min(cap, base × 2^(retry−1)).
      expect(policies[service]?.backoffMs(2, () => 0.5)).toBe(API_GATEWAY_RETRY.baseDelayMs * 2);
    }
    for (const service of ['securityhub', 'sns', 'ssm']) {
      expect(policies[service]?.maxAttempts, service).toBe(DEFAULT_MAX_ATTEMPTS);
      expect(policies[service]?.clientLifetime, service).toBe('container');
      expect(policies[service]?.backoffMs(1, () => 0.5)).toBe(Retry.throttlingDelay());
    }
    expect(policies.securityhub?.throttlingCost).toBe(Retry.throttlingCost());
  });

  it('keeps a retry quota per client: throttling retries spend it, successes give it back', () => {
    const policy: SdkRetryPolicy = {
      source: 'test',
      maxAttempts: 3,
      backoffMs: () => 0,
      initialCapacity: 10,
      throttlingCost: 5,
      noRetryIncrement: 1,
      clientLifetime: 'container',
    };
    const quota = new RetryQuota(policy);
    expect([quota.takeRetry(), quota.takeRetry(), quota.takeRetry()]).toEqual([true, true, false]);
    quota.recordSuccess(true);
    expect(quota.tokens).toBe(5);
    quota.recordSuccess(false);
    expect(quota.tokens).toBe(6);
    for (let success = 0; success < 10; success++) quota.recordSuccess(true);
    expect(quota.tokens).toBe(10);
    expect(withoutSdkRetries(policy).maxAttempts).toBe(1);
  });
});

describe('the recording', () => {
  const minimal = {
    scenarios: [{ scenario: 'auto', transitions: 2, states: ['A', 'B'], tasks: [{ state: 'A', calls: [] }] }],
  };

  it('reads the committed recording, each scenario with at least one execution', () => {
    const recording = readRecording(new URL(RECORDING_PATH, ROOT));
    const five = scenarioNamed(recording, 'five-findings-one-stage');
    expect(executionsOf(five).length).toBeGreaterThan(1);
    expect(executionsOf(scenarioNamed(recording, 'auto'))).toHaveLength(1);
  });

  it('records a queued run taking the lock before it reads anything: its Prepare makes lock calls only (decision 0043)', () => {
    const recording = readRecording(new URL(RECORDING_PATH, ROOT));
    const queued = executionsOf(scenarioNamed(recording, 'five-findings-one-stage')).filter(
      (execution) => execution.outcome === 'JOINED',
    );
    expect(queued.length).toBeGreaterThan(0);
    for (const execution of queued) {
      const prepare = execution.tasks.filter((task) => task.state === 'Prepare');
      expect(prepare.length).toBeGreaterThan(0);
      for (const task of prepare)
        expect(new Set(task.calls.map((call) => call.service))).toEqual(new Set(['dynamodb']));
    }
  });

  it('allows fields it does not know, and names what a file lacks', () => {
    const extra = { ...minimal, version: 2, scenarios: [{ ...minimal.scenarios[0], lambdaInvocations: 9 }] };
    expect(parseRecording(extra).scenarios[0]?.scenario).toBe('auto');
    expect(() => parseRecording({ scenarios: [{ scenario: 'auto', states: [], tasks: [] }] })).toThrow(
      /transitions/,
    );
    expect(() => scenarioNamed(parseRecording(minimal), 'approval')).toThrow(
      /has no scenario approval \(it has auto\)/,
    );
  });
});

describe("the lock's queue the simulation reads (docs/decisions/0037)", () => {
  it('finds the round states in the definition: the Catches that take PendingRequests back to Prepare', () => {
    expect([...parseMachine(definition()).roundStates].sort()).toEqual(['Finish', 'ReleaseLock']);
    expect(parseMachine(perEventDefinition()).roundStates.size).toBe(0);
  });

  it("cuts a holder's path into rounds where the unlock goes back to the lock state", () => {
    const machine = parseMachine(definition());
    const path = {
      states: ['Prepare', 'Route', 'Remediate', 'Verify', 'Finish', 'Prepare', 'Route', 'Finish'],
      tasks: ['Prepare', 'Remediate', 'Verify', 'Finish', 'Prepare', 'Finish'].map((state) => ({
        state,
        calls: [{ service: 'dynamodb', operation: state }],
      })),
    };
    const rounds = roundsOf(path, machine);
    expect(rounds.map((round) => round.states)).toEqual([
      ['Prepare', 'Route', 'Remediate', 'Verify', 'Finish'],
      ['Prepare', 'Route', 'Finish'],
    ]);
    expect(rounds[1]?.tasks.map((task) => task.calls[0]?.operation)).toEqual(['Prepare', 'Finish']);
    // Without round states (the per-event machine) nothing is cut, and there are no rounds to choose.
    const perEvent = parseMachine(perEventDefinition());
    expect(stageRoundsOf([{ ...path, transitions: path.states.length }], perEvent)).toBeUndefined();
  });

  it('takes the first round, the later round and the queued path from the recorded scenario', () => {
    const machine = parseMachine(definition());
    const recording = parseRecording(readJson(RECORDING_PATH));
    const rounds = stageRoundsOf(executionsOf(scenarioNamed(recording, 'five-findings-one-stage')), machine);
    expect(rounds?.first.states).toEqual(['Prepare', 'Route', 'Remediate', 'Verify', 'Finish']);
    expect(rounds?.next.states).toEqual(['Prepare', 'Route', 'Remediate', 'Verify', 'Finish']);
    expect(rounds?.queued.states).toEqual(['Prepare', 'Route', 'Finish']);
    // The queued run writes nothing to Security Hub. The later round records in two calls: its
    // findings whose control it fixed get the stage's REMEDIATED, APIGateway.2's (report-only) its
    // own SKIPPED share (workflow/outcome.ts findingRecord), a Workflow status of its own.
    const securityHub = (path: { tasks: readonly { calls: readonly { service: string }[] }[] } | undefined) =>
      path?.tasks.flatMap((task) => task.calls).filter((call) => call.service === 'securityhub').length;
    expect(securityHub(rounds?.queued)).toBe(0);
    expect(securityHub(rounds?.next)).toBe(2);
    expect([rounds?.firstOutcome, rounds?.nextOutcome]).toEqual(['REMEDIATED', 'REMEDIATED']);
  });
});

describe('cold starts from docs/benchmarks.md', () => {
  it("parses the 'init CPU now (ms)' column and scales it to a 512 MB function's share of a vCPU", () => {
    const times = parseInitTimes(readFileSync(new URL('docs/benchmarks.md', ROOT), 'utf8'));
    expect(times.get('apply')).toBeGreaterThan(0);
    expect(times.get('intake')).toBeGreaterThan(0);
    expect(functionNameOf('RemediateFunctionArn')).toBe('remediate');
    const cold = coldStartOnLambda(new Map([['remediate', 100]]), 512);
    expect(cold('RemediateFunctionArn')).toBe(Math.round((100 * 1769) / 512));
    expect(() => parseInitTimes('| function | bytes |\n| --- | --- |\n')).toThrow(/no "init CPU now/);
  });
});

describe('Lambda concurrency', () => {
  it('throttles a function past its reserved concurrency and the others past the unreserved pool; reuses warm environments', () => {
    const pool = new LambdaPool({
      accountConcurrency: 3,
      reserved: { ApplyFunctionArn: 1 },
      coldStartMs: () => 0,
      invokeOverheadMs: 0,
    });
    const apply = pool.acquire('ApplyFunctionArn');
    expect(apply).toBeDefined();
    expect(pool.acquire('ApplyFunctionArn')).toBeUndefined();
    const [first, second] = [pool.acquire('DecideFunctionArn'), pool.acquire('VerifyFunctionArn')];
    expect(first && second).toBeDefined();
    expect(pool.acquire('DecideFunctionArn')).toBeUndefined();
    if (first === undefined || apply === undefined) throw new Error('unreachable');
    pool.release('DecideFunctionArn', first);
    const again = pool.acquire('DecideFunctionArn');
    expect(again).toBe(first);
    pool.release('ApplyFunctionArn', apply);
    expect(pool.acquire('ApplyFunctionArn')).toBe(apply);
    expect(pool.coldStarts).toBe(3);
  });
});

describe('the quota-bound minimum', () => {
  const noPath = { states: [], tasks: [] };
  const stage = (account: number, calls: { service: string; operation: string }[]): PlannedExecution => ({
    startMs: 0,
    account,
    events: 1,
    before: noPath,
    items: [
      { account, stage: account, events: 1, path: { states: ['Work'], tasks: [{ state: 'Work', calls }] } },
    ],
    after: noPath,
  });
  const workOf = (executions: PlannedExecution[]): Work => ({ shape: 'per-event', executions });

  it('is the slowest bucket: calls past the burst divided by the rate, per account or in the home account', () => {
    const updates = Array.from({ length: 130 }, () => ({
      service: 'securityhub',
      operation: 'BatchUpdateFindings',
    }));
    const reads = Array.from({ length: 90 }, () => ({ service: 'apigatewayv2', operation: 'GetStage' }));
    const work = workOf([
      stage(0, [...updates.slice(0, 65), ...reads]),
      stage(1, [...updates.slice(65), ...reads]),
    ]);
    const bounds = quotaBounds(work, CALL_QUOTAS, STEP_FUNCTIONS_QUOTAS);
    // Security Hub's quota is the home account's: 130 calls, burst 30, 10/s = 10 s.
    expect(bounds[0]).toEqual({
      bucket: 'Security Hub BatchUpdateFindings (home account)',
      calls: 130,
      seconds: 10,
    });
    // API Gateway's is per member account: 90 calls each, burst 40, 10/s = 5 s.
    expect(bounds.filter((bound) => bound.bucket.startsWith('API Gateway management'))).toEqual([
      { bucket: 'API Gateway management calls (per member account) #0', calls: 90, seconds: 5 },
      { bucket: 'API Gateway management calls (per member account) #1', calls: 90, seconds: 5 },
    ]);
  });

  it('counts an account-level setting once per account, and CreateDeployment in its own bucket too', () => {
    const calls = [
      { service: 'apigateway', operation: 'UpdateAccount' },
      { service: 'apigateway', operation: 'CreateDeployment' },
    ];
    const work = workOf([stage(0, calls), stage(0, calls), stage(0, calls)]);
    const bounds = quotaBounds(work, CALL_QUOTAS, STEP_FUNCTIONS_QUOTAS);
    expect(bounds.find((bound) => bound.bucket.startsWith('UpdateAccount'))?.calls).toBe(1);
    expect(bounds[0]).toEqual({ bucket: 'CreateDeployment (per member account) #0', calls: 3, seconds: 10 });
    const deployments = CALL_QUOTAS.find((quota) => quota.operations?.includes('CreateDeployment'));
    expect(deployments !== undefined && quotaCounts(deployments, 'apigatewayv2', 'CreateDeployment')).toBe(
      true,
    );
    expect(deployments !== undefined && quotaCounts(deployments, 'apigateway', 'GetStage')).toBe(false);
  });
});

describe('the burst workload', () => {
  it('deals stages round-robin over the accounts; a per-event front starts one execution per event, at its arrival', () => {
    const scenario = scenarioNamed(readRecording(PER_EVENT_RECORDING), 'five-findings-one-stage');
    const machine = parseMachine(perEventDefinition());
    const work = buildWork(
      { accounts: 3, stages: 7, arrivalWindowMs: 1_000 },
      scenario,
      1,
      machine,
      PIPE_SOURCE,
    );
    expect(work.shape).toBe('per-event');
    const perStage = executionsOf(scenario).length;
    expect(work.executions).toHaveLength(7 * perStage);
    expect(work.executions.map((execution) => execution.account)).toEqual(
      [0, 1, 2, 0, 1, 2, 0].flatMap((account) => Array.from({ length: perStage }, () => account)),
    );
    expect(findingsOf(work)).toBe(7 * perStage);
    for (let stage = 0; stage < 7; stage += 1) {
      const arrivals = work.executions
        .filter((execution) => execution.items[0]?.stage === stage)
        .map((execution) => execution.startMs);
      expect(arrivals).toHaveLength(perStage);
      expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
      expect(arrivals.every((at) => at >= 0 && at < 1_000)).toBe(true);
    }
    expect(() =>
      buildWork({ accounts: 0, stages: 1, arrivalWindowMs: 0 }, scenario, 1, machine, PIPE_SOURCE),
    ).toThrow(/invalid burst/);
  });

  it('draws the same numbers from the same seed', () => {
    const draws = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
  });
});

describe('what bounds the makespan', () => {
  const result = (overrides: Partial<BurstResult>): BurstResult => ({
    makespanMs: 12_000,
    executions: 10,
    runs: 10,
    outcomes: { REMEDIATED: 10 },
    failures: {},
    callsByService: {},
    throttledByService: {},
    aslRetries: {},
    lambdaThrottles: {},
    gatheringRounds: 0,
    gatheredRuns: 0,
    stateTransitions: 0,
    lambdaInvocations: 0,
    enrichedBatches: 0,
    coldStarts: 0,
    catchPathsReplayed: 0,
    queuedRuns: 0,
    laterRounds: 0,
    pacedCalls: {},
    pacingRefusals: {},
    pacedWaitMs: 0,
    ...overrides,
  });
  const slowest = { bucket: 'Security Hub BatchUpdateFindings (home account)', calls: 130, seconds: 10 };

  it('names FAILED runs first, with their most frequent reason', () => {
    const failed = result({
      outcomes: { FAILED: 3, REMEDIATED: 7 },
      failures: { 'Record: LimitExceededException': 1, 'TakeOwnership: LimitExceededException': 2 },
    });
    expect(whatBounds(failed, slowest)).toMatch(
      /^3 of 10 runs FAILED \(most often TakeOwnership: LimitExceededException, 2\)/,
    );
  });

  it('names the slowest bucket within 1.5 × the minimum, and what was retried beyond it', () => {
    expect(whatBounds(result({ makespanMs: 15_000 }), slowest)).toBe(
      'the quotas: Security Hub BatchUpdateFindings (home account) (130 calls)',
    );
    expect(whatBounds(result({ makespanMs: 15_001, aslRetries: { StageLocked: 9, X: 1 } }), slowest)).toBe(
      'not the quotas alone: the ASL retried StageLocked 9 times',
    );
    expect(whatBounds(result({}), undefined)).toBe('not the quotas: latency and cold starts');
  });

  it("names the service's own busiest schedule when it was busy for most of the makespan, past 1.5 × the minimum", () => {
    const busiestSchedule = { schedule: 'securityHubUpdates/home', places: 900, seconds: 100 };
    expect(
      whatBounds(result({ makespanMs: 120_000, busiestSchedule, aslRetries: { CallsPaced: 50 } }), slowest),
    ).toBe(
      "the service's pacing of its own calls: the schedule securityHubUpdates/home gave 900 places, 100.0 s at its rate (more calls than the minimum counts)",
    );
    // Busy for less than three quarters of it: something else bounds it.
    expect(
      whatBounds(result({ makespanMs: 140_000, busiestSchedule, aslRetries: { CallsPaced: 50 } }), slowest),
    ).toBe(
      'not the quotas alone: the busiest schedule securityHubUpdates/home was busy 100.0 s of the 140.0 s; the ASL retried CallsPaced 50 times',
    );
    // The gathering waits are named as such, not as retries.
    expect(
      whatBounds(
        result({
          makespanMs: 140_000,
          busiestSchedule,
          gatheringRounds: 20,
          aslRetries: { StageGathering: 20, TooManyRequestsException: 3 },
        }),
        slowest,
      ),
    ).toBe(
      `not the quotas alone: the busiest schedule securityHubUpdates/home was busy 100.0 s of the 140.0 s; 20 first rounds waited ${GATHER_SECONDS} s to gather; the ASL retried TooManyRequestsException 3 times`,
    );
    // Within the target, the quotas are named, paced or not.
    expect(whatBounds(result({ makespanMs: 15_000, busiestSchedule }), slowest)).toMatch(/^the quotas:/);
  });
});

describe('direct service integrations', () => {
  it('are told apart from Lambda tasks by their Resource', () => {
    const machine = parseMachine({
      States: {
        Put: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true },
        Invoke: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: '${ApplyFunctionArn}' },
        },
        Plain: { Type: 'Task', Resource: '${VerifyFunctionArn}' },
        Choose: { Type: 'Choice' },
      },
    });
    expect(machine.states.get('Put')?.integration).toBe('service');
    expect(machine.states.get('Invoke')).toMatchObject({
      integration: 'lambda',
      functionSubstitution: 'ApplyFunctionArn',
    });
    expect(machine.states.get('Plain')?.integration).toBe('lambda');
    expect(machine.states.get('Choose')?.integration).toBeUndefined();
  });
});

describe('the front (front.ts)', () => {
  const pipe = {
    batchSize: 4,
    batchingWindowSeconds: 5,
    pollers: 1,
    targetPayloadBytes: 100_000,
    recordBytes: 1_000,
  };

  it.each([
    {
      front: 'a per-event front (the fixture)',
      machine: () => parseMachine(perEventDefinition()),
      recording: PER_EVENT_RECORDING,
      shape: 'per-event',
      frontTask: 'TakeOwnership',
      firstStageState: 'IsUndo',
      lastStageTask: 'Record',
      after: ['RequestDone'],
    },
    {
      front: "production's batched front",
      machine: () => parseMachine(definition()),
      recording: new URL(RECORDING_PATH, ROOT),
      shape: 'batched',
      frontTask: 'Admit',
      firstStageState: 'Prepare',
      lastStageTask: 'Finish',
      after: [],
    },
  ])("splits a recorded path at the per-stage Map: $front, the stage's run, and what follows it", (front) => {
    const machine = front.machine();
    expect(frontShapeOf(machine)).toBe(front.shape);
    const auto = scenarioNamed(readRecording(front.recording), 'auto');
    const { before, stage, after } = splitPath(auto, machine);
    expect(before.states.at(-1)).toBe('ForEachStage');
    expect(before.tasks.map((task) => task.state)).toContain(front.frontTask);
    expect(stage.states[0]).toBe(front.firstStageState);
    expect(stage.tasks.map((task) => task.state)).toContain(front.lastStageTask);
    expect(after.states).toEqual(front.after);
    expect([...before.states, ...stage.states, ...after.states]).toEqual(auto.states);
    expect([...before.tasks, ...stage.tasks, ...after.tasks]).toEqual(auto.tasks);
  });

  it('closes a pipe batch when it is full, when the payload quota is reached, or when its window has passed', () => {
    expect(pipeBatches([0, 1, 2, 3, 4], pipe)).toEqual([
      { invokeMs: 3, members: [0, 1, 2, 3] },
      { invokeMs: 5_004, members: [4] },
    ]);
    // 2,500 bytes fit two records of 1,000.
    expect(
      pipeBatches([0, 1, 2], { ...pipe, targetPayloadBytes: 2_500 }).map((batch) => batch.members),
    ).toEqual([[0, 1], [2]]);
    expect(pipeBatches([0, 4_000, 6_000], pipe)).toEqual([
      { invokeMs: 5_000, members: [0, 1] },
      { invokeMs: 11_000, members: [2] },
    ]);
  });

  it("deals the queue's records to the pollers in turn, each with its own batch", () => {
    expect(pipeBatches([0, 1, 2, 3], { ...pipe, pollers: 2 })).toEqual([
      { invokeMs: 5_000, members: [0, 2] },
      { invokeMs: 5_001, members: [1, 3] },
    ]);
  });

  it('regroups the ownership writes of a batch per format, 100 findings a call, and makes the other calls per event', () => {
    const run = (operation: string) => ({
      transitions: 2,
      events: 2,
      states: ['Admit'],
      tasks: [
        {
          state: 'Admit',
          calls: [
            { service: 'dynamodb', operation: 'PutItem' },
            { service: 'dynamodb', operation: 'PutItem' },
            { service: 'securityhub', operation },
          ],
        },
      ],
    });
    const asff = Array.from({ length: 250 }, (_, index) => ({
      account: index % 3,
      run: run('BatchUpdateFindings'),
    }));
    const ocsf = Array.from({ length: 20 }, () => ({ account: 7, run: run('BatchUpdateFindingsV2') }));
    const calls = batchTaskCalls('Admit', [...asff, ...ocsf]);
    const count = (operation: string) => calls.filter((call) => call.operation === operation).length;
    expect(count('BatchUpdateFindings')).toBe(3);
    expect(count('BatchUpdateFindingsV2')).toBe(1);
    // Two PutItems recorded for two events: one per event of the batch, in the event's account.
    expect(count('PutItem')).toBe(270);
    expect(calls.filter((call) => call.operation === 'PutItem' && call.account === 7)).toHaveLength(20);
    // The recorded order: the duplicate checks, then the ownership writes.
    expect(calls.at(-1)?.service).toBe('securityhub');
    expect(calls[0]?.operation).toBe('PutItem');
  });
});
