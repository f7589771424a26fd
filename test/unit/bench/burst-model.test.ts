/**
 * The burst simulation's properties on two models and a small burst (150 findings over 30 stages
 * in 4 accounts, so that each runs in about a second; no timing assertions):
 * - production: this tree's definition, the SDK policies of the production clients and the
 *   committed recording (today: one execution per event);
 * - the coarse fixture (test/fixtures/burst): a definition and recording shaped like issue 10's
 *   coarse machine, whose front is an SQS queue and an EventBridge Pipe starting one execution per
 *   batch.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BURST_SCENARIO,
  DEFINITION_FILE,
  GATHERED_SCENARIO,
  burstWork,
  productionModel,
} from '../../../bench/burst.js';
import { parseMachine, withoutRetries } from '../../../bench/burst/asl.js';
import { PIPE_SOURCE } from '../../../bench/burst/assumptions.js';
import { simulateBurst, type BurstModel, type BurstResult } from '../../../bench/burst/model.js';
import { quotaBounds } from '../../../bench/burst/minimum.js';
import {
  RECORDING_PATH,
  executionsOf,
  parseRecording,
  readRecording,
  scenarioNamed,
  type Recording,
} from '../../../bench/burst/recording.js';
import { withoutSdkRetries } from '../../../bench/burst/sdk-retry.js';
import type { PlannedPath } from '../../../bench/burst/front.js';
import type { Work } from '../../../bench/burst/workload.js';

const ROOT = new URL('../../../', import.meta.url);
const PER_EVENT_DEFINITION = new URL('test/fixtures/burst/per-event-machine.asl.json', ROOT);
const PER_EVENT_RECORDING = new URL('test/fixtures/burst/per-event-recording.json', ROOT);
const SMALL = { accounts: 4, stages: 30, arrivalWindowMs: 20_000 };
/**
 * For production's paced machine: 40 stages in two accounts within 5 s, busy enough that the bounding
 * quota (each account's API Gateway calls) is throttled and the SDK retries it, yet every run
 * completes at half that quota. Over SMALL's four accounts and 20 s its pacing keeps every call within
 * the quotas, and nothing is retried.
 */
const BUSY = { accounts: 2, stages: 40, arrivalWindowMs: 5_000 };
/**
 * Busier: 120 stages in two accounts within 5 s, so paced calls are also refused places (CallsPaced)
 * and the ASL retries their tasks (with jitter: another seed, another makespan), and removing the
 * retries fails runs.
 */
const RETRYING = { accounts: 2, stages: 120, arrivalWindowMs: 5_000 };

type Json = Record<string, unknown>;
const readJson = (url: URL): Json => JSON.parse(readFileSync(url, 'utf8')) as Json;

/** Every state of a definition, Map iterations included. */
function statesOf(definition: Json): Record<string, Json>[] {
  const found: Record<string, Json>[] = [];
  const visit = (node: unknown): void => {
    const states = (node as { States?: Record<string, Json> }).States ?? {};
    found.push(states);
    for (const state of Object.values(states)) visit(state.ItemProcessor ?? state.Iterator ?? {});
  };
  visit(definition);
  return found;
}

const retriesRemoved = (model: BurstModel): BurstModel => ({
  ...model,
  machine: withoutRetries(model.machine),
  sdk: Object.fromEntries(
    Object.entries(model.sdk).map(([service, policy]) => [service, withoutSdkRetries(policy)]),
  ),
});

/** The quota of the bucket that bounds the minimum (a bucket is named after its quota, `#account` for a member's). */
const boundingQuota = (model: BurstModel, work: Work) => {
  const bucket = quotaBounds(work, model.quotas, model.stepFunctions)[0]?.bucket ?? '';
  const quota = model.quotas.find((candidate) => bucket.replace(/ #\d+$/, '') === candidate.name);
  if (quota === undefined) throw new Error(`no quota for the bucket ${bucket}`);
  return quota;
};

const halve = (model: BurstModel, name: string): BurstModel => ({
  ...model,
  quotas: model.quotas.map((quota) =>
    quota.name === name ? { ...quota, ratePerSecond: quota.ratePerSecond / 2 } : quota,
  ),
});

const callsIn = (paths: readonly PlannedPath[], service: string): number =>
  paths
    .flatMap((path) => path.tasks)
    .flatMap((task) => task.calls)
    .filter((call) => call.service === service).length;

/**
 * The calls the work makes when nothing fails: the fronts, then each stage run's path — with the
 * lock's queue, a queued run's recorded path in place of a first round, and the recorded later
 * round once per later round.
 */
const recordedCalls = (work: Work, service: string, result: BurstResult): number => {
  const fronts = work.executions.flatMap((execution) => [execution.before, execution.after]);
  const items = work.executions.flatMap((execution) => execution.items.map((item) => item.path));
  if (work.rounds === undefined) return callsIn([...fronts, ...items], service);
  const { first, next, queued } = work.rounds;
  return (
    callsIn(fronts, service) +
    callsIn(items, service) +
    result.queuedRuns * (callsIn([queued], service) - callsIn([first], service)) +
    result.laterRounds * callsIn([next], service)
  );
};

describe.each([
  {
    name: 'production (the committed recording, a batched front)',
    definition: DEFINITION_FILE,
    recording: new URL(RECORDING_PATH, ROOT),
    // Batching leaves each account's API Gateway calls as the slowest bucket of this small burst.
    bound: 'API Gateway management calls (per member account)',
    shape: BUSY,
    retryingShape: RETRYING,
  },
  {
    name: 'the per-event fixture (the machine before decision 0036)',
    definition: PER_EVENT_DEFINITION,
    recording: PER_EVENT_RECORDING,
    // Every finding makes its own ownership and record calls in the home account's bucket.
    bound: 'Security Hub BatchUpdateFindings (home account)',
    shape: SMALL,
    retryingShape: SMALL,
  },
])(
  'bench:burst simulation on $name',
  ({ definition, recording: recordingFile, bound, shape, retryingShape }) => {
    let model: BurstModel;
    let work: Work;
    /** A burst whose runs the ASL retries (the tests of what the retries do). */
    let retrying: Work;

    beforeAll(async () => {
      const recording = readRecording(recordingFile);
      model = await productionModel(recording, definition);
      // Small enough that the retry policies complete every run even at half the bounding quota.
      work = burstWork(shape, scenarioNamed(recording, BURST_SCENARIO), 1, model);
      retrying = burstWork(retryingShape, scenarioNamed(recording, BURST_SCENARIO), 1, model);
    });

    it('completes every run of the small burst, and takes at least the quota-bound minimum', () => {
      const result = simulateBurst(work, model, 1);
      expect(result.executions).toBe(work.executions.length);
      expect(result.outcomes.FAILED ?? 0).toBe(0);
      const [slowest] = quotaBounds(work, model.quotas, model.stepFunctions);
      expect(slowest?.bucket.startsWith(bound)).toBe(true);
      expect(result.makespanMs / 1000).toBeGreaterThanOrEqual(slowest?.seconds ?? Number.POSITIVE_INFINITY);
    });

    it('takes longer when the quota that bounds it is halved', () => {
      const base = simulateBurst(work, model, 1);
      const halvedModel = halve(model, boundingQuota(model, work).name);
      const halved = simulateBurst(work, halvedModel, 1);
      expect(halved.outcomes.FAILED ?? 0).toBe(0);
      expect(halved.makespanMs).toBeGreaterThan(base.makespanMs);
      expect(quotaBounds(work, halvedModel.quotas, model.stepFunctions)[0]?.seconds).toBeGreaterThan(
        quotaBounds(work, model.quotas, model.stepFunctions)[0]?.seconds ?? 0,
      );
    });

    it('produces FAILED runs when the retries are removed (the ASL Retry blocks and the SDK retries)', () => {
      const result = simulateBurst(retrying, retriesRemoved(model), 1);
      expect(simulateBurst(retrying, model, 1).outcomes.FAILED ?? 0).toBe(0);
      expect(result.outcomes.FAILED ?? 0).toBeGreaterThan(0);
      expect(Object.keys(result.aslRetries)).toEqual([]);
    });

    it("replays a FAILED run's recorded catch path, or ends it where it failed without one", () => {
      const noRetries = retriesRemoved(model);
      const caught = simulateBurst(retrying, noRetries, 1);
      const ended = simulateBurst(retrying, { ...noRetries, catchPaths: {} }, 1);
      expect(caught.catchPathsReplayed).toBeGreaterThan(0);
      expect(ended.catchPathsReplayed).toBe(0);
    });

    it("follows the definition's Retry blocks: a copy that never retries the throttling it retried most fails runs", () => {
      const [error] = Object.entries(simulateBurst(retrying, model, 1).aslRetries)
        .filter(([name]) => name !== 'StageLocked')
        .sort(([, a], [, b]) => b - a)
        .map(([name]) => name);
      if (error === undefined) throw new Error('the small burst retried no throttling');
      const copy = readJson(definition);
      for (const states of statesOf(copy)) {
        for (const state of Object.values(states)) {
          for (const block of (state.Retry ?? []) as Json[]) {
            if ((block.ErrorEquals as string[]).includes(error)) block.MaxAttempts = 0;
          }
        }
      }
      const changed = simulateBurst(retrying, { ...model, machine: parseMachine(copy) }, 1);
      expect(changed.outcomes.FAILED ?? 0).toBeGreaterThan(0);
      expect(Object.keys(changed.failures).some((reason) => reason.endsWith(error))).toBe(true);
    });

    it('gives the same result for the same seed and another for another seed', () => {
      const first = simulateBurst(retrying, model, 1);
      expect(simulateBurst(retrying, model, 1)).toEqual(first);
      expect(simulateBurst(retrying, model, 2).makespanMs).not.toBe(first.makespanMs);
    });

    it('counts every attempt by service, throttled ones included', () => {
      const result = simulateBurst(work, model, 1);
      expect(result.outcomes.FAILED ?? 0).toBe(0);
      expect(result.callsByService.securityhub).toBe(
        recordedCalls(work, 'securityhub', result) + (result.throttledByService.securityhub ?? 0),
      );
    });
  },
);

describe("the batched front (production's)", () => {
  let recording: Recording;
  let model: BurstModel;

  beforeAll(async () => {
    recording = readRecording(new URL(RECORDING_PATH, ROOT));
    model = await productionModel(recording, DEFINITION_FILE);
  });

  const five = () => scenarioNamed(recording, BURST_SCENARIO);

  it('starts one execution per pipe batch and runs each stage of a batch once', () => {
    const work = burstWork(SMALL, five(), 1, model);
    expect(work.shape).toBe('batched');
    expect(work.executions.length).toBeLessThan(30);
    for (const execution of work.executions) {
      const stages = execution.items.map((item) => `${item.account}/${item.stage}`);
      expect(new Set(stages).size).toBe(stages.length);
      expect(execution.items.reduce((sum, item) => sum + item.events, 0)).toBe(execution.events);
    }
    expect(work.executions.reduce((sum, execution) => sum + execution.events, 0)).toBe(150);
  });

  it("fills bigger batches through the pipe's enrichment, and invokes it once per batch before the start", () => {
    // 500 findings in 2 s: 100 for each of the pipe's pollers.
    const dense = { ...SMALL, stages: 100, arrivalWindowMs: 2_000 };
    const enriched = burstWork(dense, five(), 1, model);
    const raw = burstWork(dense, five(), 1, model, { ...PIPE_SOURCE, enrichment: undefined });
    const largest = (work: Work) => Math.max(...work.executions.map((execution) => execution.events));
    // Raw records fill the target's payload at 262,144 / 6,000 = 43; the enrichment's result lets
    // the batch reach its size.
    expect(largest(raw)).toBe(Math.floor(PIPE_SOURCE.targetPayloadBytes / PIPE_SOURCE.recordBytes));
    expect(largest(enriched)).toBe(PIPE_SOURCE.batchSize);
    expect(enriched.executions.every((execution) => execution.enrichment !== undefined)).toBe(true);
    expect(raw.executions.every((execution) => execution.enrichment === undefined)).toBe(true);
    const [withEnrichment, without] = [simulateBurst(enriched, model, 1), simulateBurst(raw, model, 1)];
    expect(withEnrichment.outcomes.FAILED ?? 0).toBe(0);
    expect(withEnrichment.enrichedBatches).toBe(enriched.executions.length);
    expect(without.enrichedBatches).toBe(0);
    expect(withEnrichment.executions).toBeLessThan(without.executions);
  });

  it('makes fewer Security Hub calls than a pipe of batch size 1 for the same findings', () => {
    const batched = burstWork(SMALL, five(), 1, model);
    const single = burstWork(SMALL, five(), 1, model, { ...PIPE_SOURCE, batchSize: 1 });
    expect(single.executions).toHaveLength(150);
    const [batchedCalls, singleCalls] = [
      recordedCalls(batched, 'securityhub', simulateBurst(batched, model, 1)),
      recordedCalls(single, 'securityhub', simulateBurst(single, model, 1)),
    ];
    // Batch size 1: one ownership call per finding, and at least one record per stage.
    expect(singleCalls).toBeGreaterThanOrEqual(150 + 30);
    expect(batchedCalls).toBeLessThan(singleCalls);
    const quotas = (work: Work) => quotaBounds(work, model.quotas, model.stepFunctions);
    const securityHub = (work: Work) =>
      quotas(work).find((bound) => bound.bucket.startsWith('Security Hub BatchUpdateFindings'))?.calls;
    expect(securityHub(batched)).toBeLessThan(securityHub(single) ?? 0);
    expect(simulateBurst(batched, model, 1).callsByService.securityhub).toBeLessThan(
      simulateBurst(single, model, 1).callsByService.securityhub ?? 0,
    );
  });

  it('queues the later runs of a stage whose findings fell into several batches: later rounds, no StageLocked wait', () => {
    const work = burstWork(SMALL, five(), 1, model);
    const runsPerStage = new Map<string, number>();
    for (const item of work.executions.flatMap((execution) => execution.items)) {
      const key = `${item.account}/${item.stage}`;
      runsPerStage.set(key, (runsPerStage.get(key) ?? 0) + 1);
    }
    expect(Math.max(...runsPerStage.values())).toBeGreaterThan(1);
    const result = simulateBurst(work, model, 1);
    expect(result.runs).toBe([...runsPerStage.values()].reduce((sum, runs) => sum + runs, 0));
    // Every stage run has one outcome: a queued one's is the round's that covered it.
    expect(Object.values(result.outcomes).reduce((sum, count) => sum + count, 0)).toBe(result.runs);
    expect(result.queuedRuns).toBeGreaterThan(0);
    expect(result.laterRounds).toBeGreaterThan(0);
    expect(result.laterRounds).toBeLessThanOrEqual(result.queuedRuns);
    expect(result.aslRetries.StageLocked ?? 0).toBe(0);
    // Without the PendingRequests Catch (the queue), the same runs wait for the lock instead.
    const copy = readJson(DEFINITION_FILE);
    for (const states of statesOf(copy)) {
      for (const state of Object.values(states)) {
        if (Array.isArray(state.Catch)) {
          state.Catch = (state.Catch as Json[]).filter(
            (catcher) => !(catcher.ErrorEquals as string[]).includes('PendingRequests'),
          );
        }
      }
    }
    const withoutQueue = { ...model, machine: parseMachine(copy) };
    const waiting = simulateBurst(burstWork(SMALL, five(), 1, withoutQueue), withoutQueue, 1);
    expect(waiting.queuedRuns).toBe(0);
    expect(waiting.aslRetries.StageLocked ?? 0).toBeGreaterThan(0);
  });

  it("gathers a burst's first rounds: the runs queued while one waits join it, so fewer later rounds and UpdateStage calls", () => {
    const gathering = scenarioNamed(recording, GATHERED_SCENARIO);
    // 400 findings in 2 s: each of the pipe's pollers fills batches at their size, so their items gather.
    const dense = { ...SMALL, stages: 80, arrivalWindowMs: 2_000 };
    const gatheredWork = burstWork(dense, five(), 1, model, PIPE_SOURCE, gathering);
    const plainWork = burstWork(dense, five(), 1, model);
    expect(gatheredWork.executions.some((execution) => execution.items.some((item) => item.gathers))).toBe(
      true,
    );
    const gathered = simulateBurst(gatheredWork, model, 1);
    const plain = simulateBurst(plainWork, model, 1);
    expect(gathered.outcomes.FAILED ?? 0).toBe(0);
    expect(Object.values(gathered.outcomes).reduce((sum, count) => sum + count, 0)).toBe(gathered.runs);
    expect(gathered.gatheringRounds).toBeGreaterThan(0);
    expect(gathered.aslRetries.StageGathering).toBe(gathered.gatheringRounds);
    expect(gathered.gatheredRuns).toBeGreaterThan(0);
    expect(plain.gatheringRounds).toBe(0);
    expect(gathered.laterRounds).toBeLessThan(plain.laterRounds);
    expect(gathered.callsByService.apigateway ?? 0).toBeLessThan(plain.callsByService.apigateway ?? 0);
  });

  it('replays the recorded path: a call added to a recorded task is made once per stage run that enters it', () => {
    const changed = parseRecording(
      JSON.parse(readFileSync(new URL(RECORDING_PATH, ROOT), 'utf8')) as unknown,
    );
    for (const execution of executionsOf(scenarioNamed(changed, BURST_SCENARIO))) {
      for (const task of execution.tasks.filter((candidate) => candidate.state === 'Verify')) {
        // A service of its own (no quota counts it, no SDK retries it): its calls are exactly the added ones.
        task.calls.push({ service: 'probe', operation: 'Probe' });
      }
    }
    // One stage per account: no API Gateway throttling, so Verify runs once per stage run.
    const shape = { accounts: 8, stages: 8, arrivalWindowMs: 10_000 };
    const changedWork = burstWork(shape, scenarioNamed(changed, BURST_SCENARIO), 1, model);
    const result = simulateBurst(changedWork, model, 1);
    // A queued run ends before Verify; every round of a holder (its first and its later ones) verifies.
    const verifyingRounds = result.runs - result.queuedRuns + result.laterRounds;
    expect(result.throttledByService.apigateway).toBeUndefined();
    expect(result.runs).toBeGreaterThan(8);
    expect(result.queuedRuns).toBeGreaterThan(0);
    expect(result.callsByService.probe).toBe(verifyingRounds);
  });

  it('keeps the kill switch read per warm environment for its cache time, as the Lambda does', () => {
    const work = burstWork(SMALL, five(), 1, model);
    // Without pacing: a task that pacing sends back to its Retry reads again once its cache is old,
    // which this test (the cache alone) does not count.
    const result = simulateBurst(work, { ...model, pacing: false }, 1);
    const recordedReads = recordedCalls(work, 'ssm', result);
    const made = (result.callsByService.ssm ?? 0) - (result.throttledByService.ssm ?? 0);
    expect(made).toBeGreaterThan(0);
    // Fewer reads than the recorded paths make (each recorded on a cold cache), at least one per cold start.
    expect(made).toBeLessThan(recordedReads);
    expect(made).toBeGreaterThanOrEqual(Math.min(result.coldStarts, recordedReads) / 4);
  });

  it('paces the calls of the paced states in the production schedules: far fewer throttled calls, refusals retried', () => {
    const work = burstWork(SMALL, five(), 1, model);
    expect([...model.machine.pacedStates]).toEqual(expect.arrayContaining(['Admit', 'Prepare', 'Finish']));
    const paced = simulateBurst(work, model, 1);
    const unpaced = simulateBurst(work, { ...model, pacing: false }, 1);
    expect(paced.outcomes.FAILED ?? 0).toBe(0);
    const throttled = (result: BurstResult) =>
      Object.values(result.throttledByService).reduce((sum, count) => sum + count, 0);
    expect(throttled(unpaced)).toBeGreaterThan(0);
    expect(throttled(paced)).toBeLessThan(throttled(unpaced) / 4);
    expect(unpaced.pacedCalls).toEqual({});
    const places = Object.values(paced.pacedCalls).reduce((sum, count) => sum + count, 0);
    const refusals = Object.values(paced.pacingRefusals).reduce((sum, count) => sum + count, 0);
    expect(places).toBeGreaterThan(0);
    // Each refusal is one CallsPaced the state machine retried.
    expect(paced.aslRetries.CallsPaced ?? 0).toBe(refusals);
  });

  it("computes Admit's calls from the batch: one ownership call per 100 findings, a duplicate check per event", () => {
    const work = burstWork(SMALL, five(), 1, model);
    for (const execution of work.executions) {
      const admit = execution.before.tasks.find((task) => task.state === 'Admit');
      const count = (operation: string) => admit?.calls.filter((call) => call.operation === operation).length;
      expect(count('BatchUpdateFindings')).toBe(Math.ceil(execution.events / 100));
      expect(count('PutItem')).toBe(execution.events);
    }
  });

  it("waits for the account's deploy slot with Remediate's DeploySlotBusy Retry, and fails without it", () => {
    const redeploy = scenarioNamed(recording, 'auto-redeploy');
    const work = burstWork({ accounts: 1, stages: 4, arrivalWindowMs: 1_000 }, redeploy, 1, model);
    const result = simulateBurst(work, model, 1);
    expect(result.outcomes).toEqual({ REMEDIATED: 4 });
    expect(result.aslRetries.DeploySlotBusy ?? 0).toBeGreaterThan(0);
    // Four deployments in one account, one per 5 s: at least 15 s.
    expect(result.makespanMs).toBeGreaterThanOrEqual(15_000);
    // MaxAttempts 0: the error is never retried (the Catch takes it).
    const copy = readJson(DEFINITION_FILE);
    for (const states of statesOf(copy)) {
      for (const block of (states.Remediate?.Retry ?? []) as Json[]) {
        if ((block.ErrorEquals as string[]).includes('DeploySlotBusy')) block.MaxAttempts = 0;
      }
    }
    const withoutSlotRetry = simulateBurst(work, { ...model, machine: parseMachine(copy) }, 1);
    expect(withoutSlotRetry.failures['Remediate: DeploySlotBusy'] ?? 0).toBeGreaterThan(0);
  });

  it("runs at most the Map's MaxConcurrency iterations at once", () => {
    // One stage per account and one event per stage: no lock, no deploy slot shared between iterations.
    const work = burstWork(
      { accounts: 20, stages: 20, arrivalWindowMs: 1_000 },
      scenarioNamed(recording, 'auto-redeploy'),
      1,
      model,
    );
    expect(Math.max(...work.executions.map((execution) => execution.items.length))).toBeGreaterThan(1);
    const copy = readJson(DEFINITION_FILE);
    (copy.States as Record<string, Json>).ForEachStage = {
      ...((copy.States as Record<string, Json>).ForEachStage as Json),
      MaxConcurrency: 1,
    };
    const serial = simulateBurst(work, { ...model, machine: parseMachine(copy) }, 1);
    expect(serial.makespanMs).toBeGreaterThan(simulateBurst(work, model, 1).makespanMs);
  });

  it('refuses a recording of another machine, naming its unknown states', async () => {
    const perEvent = await productionModel(readRecording(PER_EVENT_RECORDING), PER_EVENT_DEFINITION);
    expect(() => burstWork(SMALL, five(), 1, perEvent)).toThrow(
      /the recording has states the definition lacks \(Admit, Prepare, Remediate, Finish\): it is of another state machine/,
    );
  });
});

describe('a direct service integration in the simulation', () => {
  it('makes its calls without a Lambda invocation and without SDK retries', async () => {
    const model = await productionModel();
    const machine = parseMachine({
      States: {
        Read: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:securityhub:getFindings', End: true },
      },
    });
    const calls = Array.from({ length: 20 }, () => ({ service: 'securityhub', operation: 'GetFindings' }));
    const path = { states: ['Read'], tasks: [{ state: 'Read', calls }] };
    const noPath = { states: [], tasks: [] };
    const work: Work = {
      shape: 'per-event',
      executions: [
        {
          startMs: 0,
          account: 0,
          events: 1,
          before: noPath,
          items: [{ account: 0, stage: 0, events: 1, path }],
          after: noPath,
        },
      ],
    };
    const result = simulateBurst(work, { ...model, machine }, 1);
    expect(result.lambdaInvocations).toBe(0);
    expect(result.coldStarts).toBe(0);
    // 20 GetFindings in a row spend the burst of 6 (3/s): the first throttled call is not retried
    // by an SDK and the state has no Retry, so the run fails there.
    expect(result.throttledByService.securityhub).toBe(1);
    expect(result.callsByService.securityhub).toBeLessThan(20);
    expect(result.outcomes).toEqual({ FAILED: 1 });
    expect(result.failures).toEqual({ 'Read: LimitExceededException': 1 });
  });
});

describe('the per-stage Map in the simulation', () => {
  it('goes on after iterations that end at once (no state of theirs is recorded)', async () => {
    const model = await productionModel();
    const noPath = { states: [], tasks: [] };
    const item = (stage: number) => ({ account: 0, stage, events: 1, path: noPath, outcome: 'SKIPPED' });
    const work: Work = {
      shape: 'batched',
      executions: [
        {
          startMs: 0,
          account: 0,
          events: 2,
          before: noPath,
          items: [item(0), item(1)],
          after: { states: ['RequestDone'], tasks: [] },
        },
      ],
    };
    const result = simulateBurst(work, model, 1);
    expect(result.outcomes).toEqual({ SKIPPED: 2 });
    // The state after the Map is entered: the execution was resumed.
    expect(result.stateTransitions).toBe(1);
  });
});
