/**
 * The run model: a discrete-event simulation of every execution of a burst, state by state and
 * call by call, against the quotas (quotas.ts), Lambda's concurrency and cold starts (lambda.ts),
 * the SDK's retries (sdk-retry.ts) and the ASL's Retry blocks (asl.ts). docs/decisions/0024 says
 * what is modelled and what is not.
 *
 * Each execution replays its recorded path: it takes a state-transition token for every state it
 * enters; a Task invokes its function (throttled past the concurrency: Lambda.TooManyRequestsException),
 * which makes the recorded calls in order, each through the quotas that count it; a throttled call
 * is retried by the SDK, and when the SDK gives up the task fails with the quota's error, which
 * the state's Retry handles or, when its attempts are spent, the run is FAILED (the ASL's Catch).
 * The state that retries StageLocked takes the stage's lock; it is held until the run ends.
 */
import { STAGE_LOCKED, retrierFor, retryDelayMs, type MachineModel, type StateModel } from './asl.js';
import { EventQueue } from './event-queue.js';
import { ExecutionEnvironment, LambdaPool, type LambdaModel } from './lambda.js';
import { seededRandom } from './random.js';
import type { RecordedCall, RecordedExecution, RecordedPath, RecordedTask } from './recording.js';
import { RetryQuota, type SdkRetryPolicy } from './sdk-retry.js';
import { TokenBucket } from './token-bucket.js';
import { ONCE_PER_ACCOUNT, quotaCounts, type CallQuota, type StepFunctionsQuotas } from './quotas.js';

export interface Latency {
  /** One round trip of a call to the service, throttled or not. */
  readonly callMs: (service: string) => number;
  /** Step Functions' own time per state entered. */
  readonly transitionMs: number;
}

export interface BurstModel {
  readonly machine: MachineModel;
  readonly quotas: readonly CallQuota[];
  readonly stepFunctions: StepFunctionsQuotas;
  /** By service as the recording names it; a service without one is never retried by the SDK. */
  readonly sdk: Readonly<Record<string, SdkRetryPolicy>>;
  readonly lambda: LambdaModel;
  readonly latency: Latency;
  /**
   * Failing state → the path its Catch leads to (recording.ts catchPaths). A state without one
   * ends the run where it failed.
   */
  readonly catchPaths?: Readonly<Record<string, RecordedPath>>;
}

export interface PlannedExecution {
  readonly arrivalMs: number;
  readonly run: RecordedExecution;
}

export interface StageWork {
  readonly account: number;
  readonly stage: number;
  readonly executions: readonly PlannedExecution[];
}

export interface BurstResult {
  /** From the first arrival at 0 to the end of the last run. */
  readonly makespanMs: number;
  readonly runs: number;
  /** The recorded outcome of each run that completed; FAILED for those whose retries ran out. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Why the FAILED runs failed: the error that was not retried further. */
  readonly failures: Readonly<Record<string, number>>;
  /** Every attempt sent, throttled ones included, by service. */
  readonly callsByService: Readonly<Record<string, number>>;
  readonly throttledByService: Readonly<Record<string, number>>;
  /** Task retries the ASL made, by error. */
  readonly aslRetries: Readonly<Record<string, number>>;
  /** Invocations Lambda throttled, by function (the definition's substitution). */
  readonly lambdaThrottles: Readonly<Record<string, number>>;
  readonly stateTransitions: number;
  readonly lambdaInvocations: number;
  readonly coldStarts: number;
  /** FAILED runs whose catch path was replayed. */
  readonly catchPathsReplayed: number;
}

/** What a coroutine yields: milliseconds to sleep. */
type Process<T> = Generator<number, T, void>;

const increment = (counts: Record<string, number>, key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by;
};

export function simulateBurst(work: readonly StageWork[], model: BurstModel, seed: number): BurstResult {
  const random = seededRandom(seed);
  const queue = new EventQueue();
  const lambda = new LambdaPool(model.lambda);
  const transitions = new TokenBucket(model.stepFunctions.stateTransitions);
  const starts = new TokenBucket(model.stepFunctions.startExecution);
  const buckets = new Map<string, TokenBucket>();
  const locks = new Map<string, number>();
  /** Account-level settings already made (ONCE_PER_ACCOUNT), by `account/service.operation`. */
  const accountSettings = new Set<string>();
  const outcomes: Record<string, number> = {};
  const failures: Record<string, number> = {};
  const callsByService: Record<string, number> = {};
  const throttledByService: Record<string, number> = {};
  const aslRetries: Record<string, number> = {};
  const lambdaThrottles: Record<string, number> = {};
  let stateTransitions = 0;
  let lambdaInvocations = 0;
  let catchPathsReplayed = 0;
  let runs = 0;
  let lastEnd = 0;

  const bucketFor = (index: number, quota: CallQuota, account: number): TokenBucket => {
    const key = quota.scope === 'home' ? `${index}/home` : `${index}/${account}`;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(quota);
      buckets.set(key, bucket);
    }
    return bucket;
  };

  /** Waits for a token of a bucket whose callers queue instead of failing. */
  function* paced(bucket: TokenBucket): Process<void> {
    const at = bucket.reserve(queue.now);
    if (at > queue.now) yield at - queue.now;
  }

  function* enterState(): Process<void> {
    yield* paced(transitions);
    stateTransitions += 1;
    if (model.latency.transitionMs > 0) yield model.latency.transitionMs;
  }

  /** One SDK operation with the SDK's retries; the error name when it gives up. */
  function* sdkCall(
    call: RecordedCall,
    account: number,
    environment: ExecutionEnvironment,
    perInvocation: Map<string, RetryQuota>,
    sdkRetries = true,
  ): Process<string | undefined> {
    const accountLevel = `${call.service}.${call.operation}`;
    if (ONCE_PER_ACCOUNT.has(accountLevel) && accountSettings.has(`${account}/${accountLevel}`))
      return undefined;
    const counting = model.quotas.flatMap((quota, index) =>
      quotaCounts(quota, call.service, call.operation)
        ? [{ quota, bucket: bucketFor(index, quota, account) }]
        : [],
    );
    const policy = sdkRetries ? model.sdk[call.service] : undefined;
    let retryQuota: RetryQuota | undefined;
    if (policy !== undefined) {
      if (policy.clientLifetime === 'container') retryQuota = environment.quota(call.service, policy);
      else {
        retryQuota = perInvocation.get(call.service) ?? new RetryQuota(policy);
        perInvocation.set(call.service, retryQuota);
      }
    }
    for (let retries = 0; ; retries += 1) {
      increment(callsByService, call.service);
      const refused = counting.find(({ bucket }) => !bucket.available(queue.now));
      if (refused === undefined) for (const { bucket } of counting) bucket.tryTake(queue.now);
      yield model.latency.callMs(call.service);
      if (refused === undefined) {
        retryQuota?.recordSuccess(retries > 0);
        if (ONCE_PER_ACCOUNT.has(accountLevel)) accountSettings.add(`${account}/${accountLevel}`);
        return undefined;
      }
      increment(throttledByService, call.service);
      if (policy === undefined || retryQuota === undefined) return refused.quota.error;
      if (retries + 1 >= policy.maxAttempts || !retryQuota.takeRetry()) return refused.quota.error;
      yield policy.backoffMs(retries, random);
    }
  }

  /** After a lock state's calls: StageLocked while another run of the stage holds the lock. */
  const takeLock = (state: StateModel, lockKey: string, runId: number): string | undefined => {
    if (!model.machine.lockStates.has(state.name)) return undefined;
    const holder = locks.get(lockKey);
    if (holder !== undefined && holder !== runId) return STAGE_LOCKED;
    locks.set(lockKey, runId);
    return undefined;
  };

  /** A direct service integration: Step Functions makes the calls itself, once each (no SDK retries). */
  function* integrate(
    state: StateModel,
    task: RecordedTask,
    account: number,
    lockKey: string,
    runId: number,
  ): Process<string | undefined> {
    const noClient = new ExecutionEnvironment();
    for (const call of task.calls) {
      const error = yield* sdkCall(call, account, noClient, new Map(), false);
      if (error !== undefined) return error;
    }
    return takeLock(state, lockKey, runId);
  }

  /** One invocation of a task's function; the error it ends with, if any. */
  function* invoke(
    state: StateModel,
    task: RecordedTask,
    account: number,
    lockKey: string,
    runId: number,
  ): Process<string | undefined> {
    const fn = state.functionSubstitution ?? state.name;
    lambdaInvocations += 1;
    const environment = lambda.acquire(fn);
    if (environment === undefined) {
      increment(lambdaThrottles, fn);
      yield model.lambda.invokeOverheadMs;
      return 'Lambda.TooManyRequestsException';
    }
    try {
      if (environment.cold) {
        environment.cold = false;
        yield model.lambda.coldStartMs(fn);
      }
      yield model.lambda.invokeOverheadMs;
      const perInvocation = new Map<string, RetryQuota>();
      for (const call of task.calls) {
        const error = yield* sdkCall(call, account, environment, perInvocation);
        if (error !== undefined) return error;
      }
      return takeLock(state, lockKey, runId);
    } finally {
      lambda.release(fn, environment);
    }
  }

  interface Failure {
    readonly state: string;
    readonly error: string;
  }

  /** Replays a recorded path (states and their tasks' calls); the failure that ended it, if any. */
  function* replay(
    path: RecordedPath,
    account: number,
    lockKey: string,
    runId: number,
  ): Process<Failure | undefined> {
    let next = 0;
    for (const name of path.states) {
      yield* enterState();
      const state = model.machine.states.get(name);
      if (state === undefined) continue;
      if (state.kind === 'Wait') {
        if (state.waitSeconds > 0) yield state.waitSeconds * 1000;
        continue;
      }
      const task = path.tasks[next];
      // A Task without recorded calls (the approval's, which the harness answers) is only a transition.
      if (state.kind !== 'Task' || task === undefined || task.state !== name) continue;
      next += 1;
      const attempts = state.retriers.map(() => 0);
      for (;;) {
        const error =
          state.integration === 'service'
            ? yield* integrate(state, task, account, lockKey, runId)
            : yield* invoke(state, task, account, lockKey, runId);
        if (error === undefined) break;
        const index = retrierFor(state.retriers, error);
        const retrier = state.retriers[index];
        if (retrier === undefined || (attempts[index] ?? 0) >= retrier.maxAttempts)
          return { state: name, error };
        attempts[index] = (attempts[index] ?? 0) + 1;
        increment(aslRetries, error);
        yield retryDelayMs(retrier, attempts[index] ?? 1, random);
        yield* enterState();
      }
    }
    return undefined;
  }

  function* execute(
    planned: PlannedExecution,
    account: number,
    lockKey: string,
    runId: number,
  ): Process<void> {
    yield* paced(starts);
    let outcome = planned.run.outcome ?? 'COMPLETED';
    const failure = yield* replay(planned.run, account, lockKey, runId);
    if (failure !== undefined) {
      outcome = 'FAILED';
      increment(failures, `${failure.state}: ${failure.error}`);
      // The state's Catch: the recorded path after a failure there (SetFailed, Record, Notify,
      // ReleaseLock …), when the recording has one. A failure on that path ends the run.
      const caught = model.catchPaths?.[failure.state];
      if (caught !== undefined) {
        catchPathsReplayed += 1;
        yield* replay(caught, account, lockKey, runId);
      }
    }
    if (locks.get(lockKey) === runId) locks.delete(lockKey);
    increment(outcomes, outcome);
    lastEnd = Math.max(lastEnd, queue.now);
  }

  const drive = (process: Process<void>): void => {
    const step = process.next();
    if (step.done === true) return;
    queue.schedule(queue.now + step.value, () => drive(process));
  };

  for (const stage of work) {
    for (const planned of stage.executions) {
      runs += 1;
      const runId = runs;
      queue.schedule(planned.arrivalMs, () =>
        drive(execute(planned, stage.account, `${stage.account}/${stage.stage}`, runId)),
      );
    }
  }
  queue.drain();
  return {
    makespanMs: lastEnd,
    runs,
    outcomes,
    failures,
    callsByService,
    throttledByService,
    aslRetries,
    lambdaThrottles,
    stateTransitions,
    lambdaInvocations,
    coldStarts: lambda.coldStarts,
    catchPathsReplayed,
  };
}
