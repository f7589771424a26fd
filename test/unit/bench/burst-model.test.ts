/**
 * The burst simulation's properties, on the production model (the real definition, the SDK
 * policies of the production clients, the committed recording) and a small burst: 150 findings
 * over 30 stages in 4 accounts, so that it runs in about a second. No timing assertions.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BURST_SCENARIO, DEFINITION_FILE, productionModel } from '../../../bench/burst.js';
import { parseMachine, withoutRetries } from '../../../bench/burst/asl.js';
import { simulateBurst, type BurstModel, type StageWork } from '../../../bench/burst/model.js';
import { quotaBounds } from '../../../bench/burst/minimum.js';
import { RECORDING_PATH, readRecording, scenarioNamed } from '../../../bench/burst/recording.js';
import { withoutSdkRetries } from '../../../bench/burst/sdk-retry.js';
import { buildWork } from '../../../bench/burst/workload.js';

const ROOT = new URL('../../../', import.meta.url);

describe('bench:burst simulation', () => {
  let model: BurstModel;
  let work: StageWork[];

  beforeAll(async () => {
    const recording = readRecording(new URL(RECORDING_PATH, ROOT));
    model = await productionModel(recording);
    const scenario = scenarioNamed(recording, BURST_SCENARIO);
    // Small enough that the retry policies complete every run even at half the bounding quota.
    work = buildWork({ accounts: 4, stages: 30, arrivalWindowMs: 10_000 }, scenario, 1);
  });

  const halve = (operation: string): BurstModel => ({
    ...model,
    quotas: model.quotas.map((quota) =>
      quota.operations?.includes(operation) ? { ...quota, ratePerSecond: quota.ratePerSecond / 2 } : quota,
    ),
  });

  it('completes every run of the small burst, and takes at least the quota-bound minimum', () => {
    const result = simulateBurst(work, model, 1);
    expect(result.runs).toBe(150);
    expect(result.outcomes.FAILED ?? 0).toBe(0);
    const [slowest] = quotaBounds(work, model.quotas, model.stepFunctions);
    expect(slowest?.bucket).toBe('Security Hub BatchUpdateFindings (home account)');
    expect(result.makespanMs / 1000).toBeGreaterThanOrEqual(slowest?.seconds ?? Number.POSITIVE_INFINITY);
  });

  it('takes longer when the quota that bounds it is halved', () => {
    const base = simulateBurst(work, model, 1);
    const halved = simulateBurst(work, halve('BatchUpdateFindings'), 1);
    expect(halved.outcomes.FAILED ?? 0).toBe(0);
    expect(halved.makespanMs).toBeGreaterThan(base.makespanMs);
    expect(
      quotaBounds(work, halve('BatchUpdateFindings').quotas, model.stepFunctions)[0]?.seconds,
    ).toBeGreaterThan(quotaBounds(work, model.quotas, model.stepFunctions)[0]?.seconds ?? 0);
  });

  it('produces FAILED runs when the retries are removed (the ASL Retry blocks and the SDK retries)', () => {
    const withRetries = simulateBurst(work, model, 1);
    const noRetries: BurstModel = {
      ...model,
      machine: withoutRetries(model.machine),
      sdk: Object.fromEntries(
        Object.entries(model.sdk).map(([service, policy]) => [service, withoutSdkRetries(policy)]),
      ),
    };
    const result = simulateBurst(work, noRetries, 1);
    expect(withRetries.outcomes.FAILED ?? 0).toBe(0);
    expect(result.outcomes.FAILED ?? 0).toBeGreaterThan(0);
    expect(Object.keys(result.aslRetries)).toEqual([]);
  });

  it("replays a FAILED run's recorded catch path (Record, Notify, ReleaseLock …), or ends it where it failed without one", () => {
    const noRetries: BurstModel = {
      ...model,
      machine: withoutRetries(model.machine),
      sdk: Object.fromEntries(
        Object.entries(model.sdk).map(([service, policy]) => [service, withoutSdkRetries(policy)]),
      ),
    };
    const caught = simulateBurst(work, noRetries, 1);
    const ended = simulateBurst(work, { ...noRetries, catchPaths: {} }, 1);
    expect(Object.keys(model.catchPaths ?? {})).toEqual(
      expect.arrayContaining(['TakeOwnership', 'Remediate', 'Finish']),
    );
    expect(caught.catchPathsReplayed).toBe(caught.outcomes.FAILED);
    expect(ended.catchPathsReplayed).toBe(0);
    // The catch paths notify (SNS) what failed; without them nothing is published for those runs.
    expect(caught.callsByService.sns ?? 0).toBeGreaterThan(ended.callsByService.sns ?? 0);
  });

  it("follows the definition's Retry blocks: a copy with Security Hub's throttling retried once fails runs", () => {
    const copy = JSON.parse(readFileSync(DEFINITION_FILE, 'utf8')) as Record<string, unknown>;
    const visit = (node: unknown): void => {
      const states = (node as { States?: Record<string, Record<string, unknown>> }).States ?? {};
      for (const state of Object.values(states)) {
        for (const block of (state.Retry ?? []) as Record<string, unknown>[]) {
          if ((block.ErrorEquals as string[]).includes('LimitExceededException')) block.MaxAttempts = 1;
        }
        visit(state.ItemProcessor ?? {});
      }
    };
    visit(copy);
    const changed = simulateBurst(work, { ...model, machine: parseMachine(copy) }, 1);
    const original = simulateBurst(work, model, 1);
    expect(original.outcomes.FAILED ?? 0).toBe(0);
    expect(changed.outcomes.FAILED ?? 0).toBeGreaterThan(0);
    expect(Object.keys(changed.failures).some((reason) => reason.endsWith('LimitExceededException'))).toBe(
      true,
    );
  });

  it('gives the same result for the same seed and another for another seed', () => {
    const first = simulateBurst(work, model, 1);
    expect(simulateBurst(work, model, 1)).toEqual(first);
    expect(simulateBurst(work, model, 2).makespanMs).not.toBe(first.makespanMs);
  });

  it('counts every attempt by service, throttled ones included', () => {
    const result = simulateBurst(work, model, 1);
    const recorded = work
      .flatMap((stage) => stage.executions)
      .flatMap((execution) => execution.run.tasks)
      .flatMap((task) => task.calls)
      .filter((call) => call.service === 'securityhub').length;
    expect(result.callsByService.securityhub).toBe(recorded + (result.throttledByService.securityhub ?? 0));
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
    const run = { transitions: 1, states: ['Read'], tasks: [{ state: 'Read', calls }] };
    const result = simulateBurst(
      [{ account: 0, stage: 0, executions: [{ arrivalMs: 0, run }] }],
      { ...model, machine },
      1,
    );
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
