/**
 * The run model: a discrete-event simulation of every execution of a burst, state by state and
 * call by call, against the quotas (quotas.ts), Lambda's concurrency and cold starts (lambda.ts),
 * the SDK's retries (sdk-retry.ts) and the ASL's Retry blocks (asl.ts). docs/decisions/0024 says
 * what is modelled and what is not.
 *
 * Each execution replays its recorded path (front.ts splits it): the states before the per-stage
 * Map (for a batch, with the front's calls computed from its content), then one iteration per
 * stage item (at most the Map's MaxConcurrency at once), then the states after. Every state entered
 * takes a state-transition token; a Task invokes its function (throttled past the concurrency:
 * Lambda.TooManyRequestsException), which makes the recorded calls in order, each through the
 * quotas that count it; a throttled call is retried by the SDK, and when the SDK gives up the task
 * fails with the quota's error, which the state's Retry handles or, when its attempts are spent,
 * the run is FAILED (the ASL's Catch). The state that retries StageLocked takes the stage's lock;
 * it is held until the stage's run ends. With the lock's queue (docs/decisions/0037, the machine's
 * round states), a run that finds the lock held is queued on the holder and ends along a queued
 * run's recorded path; the holder runs the recorded later round for what was queued before it
 * unlocks, up to MAX_STAGE_ROUNDS (past it, a run waits: StageLocked). A first round of a batch cut at
 * its size gathers first (docs/decisions/0039): it takes the lock, waits the StageGathering Retry's
 * interval and takes in what was queued meanwhile. A state that retries DeploySlotBusy claims the account's
 * deploy slot before its calls when they include a CreateDeployment, and fails with DeploySlotBusy
 * while the slot is taken.
 */
import { MAX_STAGE_ROUNDS } from '../../remediators/workflow/join.js';
import {
  DEPLOY_SLOT_BUSY,
  INLINE_MAP_CONCURRENCY,
  STAGE_LOCKED,
  retrierFor,
  retryDelayMs,
  type MachineModel,
  type StateModel,
} from './asl.js';
import { CALLS_PACED_ERROR } from '../../remediators/workflow/pacing.js';
import { KEPT_READS } from './assumptions.js';
import { PaceSchedules, pacingOf, type BusiestSchedule } from './pacing.js';
import { EventQueue } from './event-queue.js';
import {
  withinStage,
  type GatheredRound,
  type PlannedCall,
  type PlannedPath,
  type PlannedTask,
} from './front.js';
import { GATHER_SECONDS, STAGE_GATHERING_ERROR } from '../../remediators/workflow/gather.js';
import { ExecutionEnvironment, LambdaPool, type LambdaModel } from './lambda.js';
import { seededRandom } from './random.js';
import type { RecordedPath } from './recording.js';
import { RetryQuota, type SdkRetryPolicy } from './sdk-retry.js';
import { TokenBucket } from './token-bucket.js';
import { ONCE_PER_ACCOUNT, quotaCounts, type CallQuota, type StepFunctionsQuotas } from './quotas.js';
import type { PlannedExecution, StageItem, Work } from './workload.js';

/**
 * An account setting's write → the read the handler makes when it is throttled
 * (remediators/core/effects/apply-account-cloudwatch-role.ts): another run set it meanwhile, or the
 * throttling goes up to the state's Retry.
 */
const REREAD_WHEN_THROTTLED: Readonly<Record<string, { readonly read: string; readonly throttled: string }>> =
  {
    'apigateway.UpdateAccount': { read: 'GetAccount', throttled: 'TooManyRequestsException' },
  };

/** Not an error: the run was queued on the holder at the lock state (takeLock). */
const QUEUED = 'Queued';

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
  /**
   * Whether the functions of the machine's paced states (MachineModel.pacedStates) pace their calls:
   * default yes; false replays the same machine as if they did not (bench:burst --without-pacing).
   */
  readonly pacing?: boolean;
}

export interface BurstResult {
  /** From the first arrival at 0 to the end of the last run. */
  readonly makespanMs: number;
  readonly executions: number;
  /** Per-stage runs (iterations of the per-stage Map). */
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
  /** Batches the pipe's enrichment read (docs/decisions/0042), one invocation each (throttled attempts aside). */
  readonly enrichedBatches: number;
  readonly coldStarts: number;
  /** FAILED runs whose catch path was replayed. */
  readonly catchPathsReplayed: number;
  /** Stage runs queued on the holder of their stage's lock (docs/decisions/0037). */
  readonly queuedRuns: number;
  /** Rounds holders ran for queued runs, after their first. */
  readonly laterRounds: number;
  /** First rounds that gathered (docs/decisions/0039), and the queued runs they took in. */
  readonly gatheringRounds: number;
  readonly gatheredRuns: number;
  /** Paced calls that took a place in their schedule, and those refused one (CallsPaced), by quota. */
  readonly pacedCalls: Readonly<Record<string, number>>;
  readonly pacingRefusals: Readonly<Record<string, number>>;
  /** Time the functions slept for their places, in all. */
  readonly pacedWaitMs: number;
  /** The schedule that gave the most places (undefined without pacing). */
  readonly busiestSchedule?: BusiestSchedule;
}

/** What a coroutine yields: milliseconds to sleep, or a Join to wait on until it resumes it. */
type Process<T> = Generator<number | Join, T, void>;

/** The body of an invocation that makes no call (the pipe's enrichment: its own time is all it takes). */
function* noCalls(): Process<void> {
  yield* [];
}

/** Parks a coroutine until `resume` is called (the end of a Map's last iteration), even if that came first. */
class Join {
  private parked: (() => void) | undefined;
  private done = false;

  park(continuation: () => void): void {
    if (this.done) continuation();
    else this.parked = continuation;
  }

  resume(): void {
    this.done = true;
    this.parked?.();
  }
}

/** What Lambda answers an invocation when the function has no free concurrency. */
const LAMBDA_THROTTLED = 'Lambda.TooManyRequestsException';

const increment = (counts: Record<string, number>, key: string, by = 1): void => {
  counts[key] = (counts[key] ?? 0) + by;
};

export function simulateBurst(work: Work, model: BurstModel, seed: number): BurstResult {
  const random = seededRandom(seed);
  const queue = new EventQueue();
  const lambda = new LambdaPool(model.lambda);
  const transitions = new TokenBucket(model.stepFunctions.stateTransitions);
  const starts = new TokenBucket(model.stepFunctions.startExecution);
  const buckets = new Map<string, TokenBucket>();
  const schedules = new PaceSchedules();
  const pacing = model.pacing ?? true;
  let pacedWaitMs = 0;
  const locks = new Map<string, number>();
  /** The lock's queue (docs/decisions/0037): runs queued on each holder, and the round it is in. */
  const queuedOn = new Map<number, number>();
  const roundOf = new Map<number, number>();
  const rounds = work.rounds;
  /** When each account's deploy slot is free again (one CreateDeployment per the quota's interval). */
  const deploySlots = new Map<number, number>();
  const deploymentQuota = model.quotas.find((quota) => quota.operations?.includes('CreateDeployment'));
  const slotIntervalMs = deploymentQuota === undefined ? 0 : 1000 / deploymentQuota.ratePerSecond;
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
  let enrichedBatches = 0;
  let catchPathsReplayed = 0;
  let runs = 0;
  let queuedRuns = 0;
  let laterRounds = 0;
  let gatheringRounds = 0;
  let gatheredRuns = 0;
  let executions = 0;
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

  /** What one invocation of a task (or one service integration) makes its calls with. */
  interface Invocation {
    readonly environment: ExecutionEnvironment;
    /** The retry quotas of the clients made per invocation, by service. */
    readonly retryQuotas: Map<string, RetryQuota>;
    readonly sdkRetries: boolean;
    readonly paces: boolean;
    /** The schedules it took a place in (the pacer's committed calls, decision 0041). */
    readonly schedulesBegun: Set<string>;
  }

  /** One SDK operation with the SDK's retries; the error name when it gives up. */
  function* sdkCall(call: PlannedCall, account: number, invocation: Invocation): Process<string | undefined> {
    const { environment, sdkRetries, paces } = invocation;
    const accountLevel = `${call.service}.${call.operation}`;
    if (ONCE_PER_ACCOUNT.has(accountLevel) && accountSettings.has(`${account}/${accountLevel}`))
      return undefined;
    const keptFor = KEPT_READS[accountLevel];
    if (keptFor !== undefined && (environment.kept.get(accountLevel) ?? -1) >= queue.now) return undefined;
    // Its place in its schedule first: the pacer's UpdateItem (left out of the recording, bench/workflow.ts).
    const pacedAs = paces ? pacingOf(call.service, call.operation) : undefined;
    if (pacedAs !== undefined) {
      increment(callsByService, 'dynamodb');
      yield model.latency.callMs('dynamodb');
      const place = schedules.take(pacedAs, account, queue.now, invocation.schedulesBegun);
      if (place.kind === 'REFUSED') return CALLS_PACED_ERROR;
      if (place.waitMs > 0) {
        pacedWaitMs += place.waitMs;
        yield place.waitMs;
      }
    }
    const counting = model.quotas.flatMap((quota, index) =>
      quotaCounts(quota, call.service, call.operation)
        ? [{ quota, bucket: bucketFor(index, quota, account) }]
        : [],
    );
    const policy = sdkRetries ? (model.sdk[accountLevel] ?? model.sdk[call.service]) : undefined;
    let retryQuota: RetryQuota | undefined;
    if (policy !== undefined) {
      if (policy.clientLifetime === 'container') retryQuota = environment.quota(call.service, policy);
      else {
        retryQuota = invocation.retryQuotas.get(call.service) ?? new RetryQuota(policy);
        invocation.retryQuotas.set(call.service, retryQuota);
      }
    }
    for (let retries = 0; ; retries += 1) {
      increment(callsByService, call.service);
      const refused = counting.find(({ bucket }) => !bucket.available(queue.now));
      if (refused === undefined) for (const { bucket } of counting) bucket.tryTake(queue.now);
      yield model.latency.callMs(call.service);
      if (refused === undefined) {
        retryQuota?.recordSuccess(retries > 0);
        if (keptFor !== undefined) environment.kept.set(accountLevel, queue.now + keptFor);
        if (ONCE_PER_ACCOUNT.has(accountLevel)) accountSettings.add(`${account}/${accountLevel}`);
        return undefined;
      }
      increment(throttledByService, call.service);
      if (policy === undefined || retryQuota === undefined) return refused.quota.error;
      if (retries + 1 >= policy.maxAttempts || !retryQuota.takeRetry()) return refused.quota.error;
      yield policy.backoffMs(retries, random);
    }
  }

  /** Whose run a path replays: the account its calls are made in, the stage lock it may take. */
  interface Run {
    readonly account: number;
    readonly lockKey: string;
    readonly runId: number;
  }

  /**
   * After a lock state's calls: the lock, or QUEUED on the holder when the machine has the lock's
   * queue and the holder is not in its last round, else StageLocked while another run holds it.
   */
  const takeLock = (state: StateModel, run: Run): string | undefined => {
    if (!model.machine.lockStates.has(state.name)) return undefined;
    const holder = locks.get(run.lockKey);
    if (holder !== undefined && holder !== run.runId) {
      if (rounds === undefined || (roundOf.get(holder) ?? 1) >= MAX_STAGE_ROUNDS) return STAGE_LOCKED;
      queuedOn.set(holder, (queuedOn.get(holder) ?? 0) + 1);
      return QUEUED;
    }
    locks.set(run.lockKey, run.runId);
    return undefined;
  };

  /**
   * Before a slot state's calls, when they include a CreateDeployment: DeploySlotBusy while the
   * account's slot is taken, else takes it. The coarse machine's Remediate claims the slot before
   * it changes anything (remediators/handlers/remediate.ts), so a refused attempt makes no call.
   */
  const claimSlot = (state: StateModel, task: PlannedTask, account: number): string | undefined => {
    if (!model.machine.slotStates.has(state.name)) return undefined;
    if (!task.calls.some((call) => call.operation === 'CreateDeployment')) return undefined;
    if ((deploySlots.get(account) ?? 0) > queue.now) return DEPLOY_SLOT_BUSY;
    deploySlots.set(account, queue.now + slotIntervalMs);
    return undefined;
  };

  /** A task's calls in order, each in its own account or the run's; the error that ends them, if any. */
  function* taskCalls(
    state: StateModel,
    task: PlannedTask,
    run: Run,
    environment: ExecutionEnvironment,
    sdkRetries: boolean,
  ): Process<string | undefined> {
    const busy = claimSlot(state, task, run.account);
    if (busy !== undefined) return busy;
    const invocation: Invocation = {
      environment,
      retryQuotas: new Map(),
      sdkRetries,
      paces: pacing && sdkRetries && model.machine.pacedStates.has(state.name),
      schedulesBegun: new Set(),
    };
    for (const call of task.calls) {
      const account = call.account ?? run.account;
      const error = yield* sdkCall(call, account, invocation);
      if (error === undefined) continue;
      // A throttled account setting's write is read again: set by another run meanwhile, done.
      const accountLevel = `${call.service}.${call.operation}`;
      const reread = REREAD_WHEN_THROTTLED[accountLevel];
      if (reread !== undefined && error === reread.throttled) {
        const again = yield* sdkCall({ ...call, operation: reread.read }, account, invocation);
        if (again === undefined && accountSettings.has(`${account}/${accountLevel}`)) continue;
      }
      return error;
    }
    return takeLock(state, run);
  }

  /** A direct service integration: Step Functions makes the calls itself, once each (no SDK retries). */
  function* integrate(state: StateModel, task: PlannedTask, run: Run): Process<string | undefined> {
    return yield* taskCalls(state, task, run, new ExecutionEnvironment(), false);
  }

  /**
   * One invocation of a function: a free environment (cold once), the invocation's overhead, then
   * `body` in it; LAMBDA_THROTTLED when none is free (after the overhead of the refused call).
   */
  function* invocation<T>(
    fn: string,
    body: (environment: ExecutionEnvironment) => Process<T>,
  ): Process<T | typeof LAMBDA_THROTTLED> {
    lambdaInvocations += 1;
    const environment = lambda.acquire(fn);
    if (environment === undefined) {
      increment(lambdaThrottles, fn);
      yield model.lambda.invokeOverheadMs;
      return LAMBDA_THROTTLED;
    }
    try {
      if (environment.cold) {
        environment.cold = false;
        yield model.lambda.coldStartMs(fn);
      }
      yield model.lambda.invokeOverheadMs;
      return yield* body(environment);
    } finally {
      lambda.release(fn, environment);
    }
  }

  /** One invocation of a task's function; the error it ends with, if any. */
  function* invoke(state: StateModel, task: PlannedTask, run: Run): Process<string | undefined> {
    return yield* invocation(state.functionSubstitution ?? state.name, (environment) =>
      taskCalls(state, task, run, environment, true),
    );
  }

  interface Failure {
    readonly state: string;
    readonly error: string;
  }

  /** Replays a recorded path (states and their tasks' calls); the failure that ended it, if any. */
  function* replay(path: PlannedPath, run: Run): Process<Failure | undefined> {
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
            ? yield* integrate(state, task, run)
            : yield* invoke(state, task, run);
        if (error === undefined) break;
        if (error === QUEUED) return { state: name, error };
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

  /** The state's Catch: the recorded path after a failure there (SetFailed, Record, Notify, ReleaseLock …). */
  function* caught(failure: Failure, run: Run, trim: (path: RecordedPath) => RecordedPath): Process<void> {
    const path = model.catchPaths?.[failure.state];
    if (path === undefined) return;
    catchPathsReplayed += 1;
    // A failure on the catch path ends it.
    yield* replay(trim(path), run);
  }

  /** How a round of a stage run ended: queued on the holder at the lock state, or with an outcome. */
  type RoundEnd = { readonly queued: true } | { readonly queued: false; readonly outcome: string };

  /** A failure that ends a round: counted, and its catch path replayed. */
  function* failed(failure: Failure, run: Run): Process<RoundEnd> {
    increment(failures, `${failure.state}: ${failure.error}`);
    // The catch path runs on to the execution's end; the states after the Map are the execution's.
    yield* caught(failure, run, (path) => withinStage(path, model.machine));
    return { queued: false, outcome: 'FAILED' };
  }

  /** One round of a stage run's path: the recorded outcome, or FAILED with the catch path replayed. */
  function* round(path: PlannedPath, run: Run, recorded: string): Process<RoundEnd> {
    const failure = yield* replay(path, run);
    if (failure === undefined) return { queued: false, outcome: recorded };
    // Queued at the lock state after all (the stage was taken while this Prepare made its calls).
    if (failure.error === QUEUED) return yield* queuedRest(run);
    return yield* failed(failure, run);
  }

  /** The rest of a queued run's recorded path after its lock state (Route, Finish). */
  function* queuedRest(run: Run): Process<RoundEnd> {
    const queued = rounds?.queued ?? { states: [], tasks: [] };
    yield* replay({ states: queued.states.slice(1), tasks: queued.tasks.slice(1) }, run);
    return { queued: true };
  }

  /**
   * A run that finds its stage held at its lock state makes a queued run's calls there (the recorded
   * queued path's, not a holder's), and is queued; undefined when the lock came free meanwhile and
   * this run took it (it then runs a holder's round, that Prepare's calls again).
   */
  function* queuedRound(run: Run): Process<RoundEnd | undefined> {
    const queued = rounds?.queued;
    if (queued === undefined) return undefined;
    const lockState = { states: queued.states.slice(0, 1), tasks: queued.tasks.slice(0, 1) };
    const failure = yield* replay(lockState, run);
    if (failure === undefined) return undefined;
    if (failure.error === QUEUED) return yield* queuedRest(run);
    return yield* failed(failure, run);
  }

  /**
   * A first round that gathers (docs/decisions/0039): Prepare's first attempt makes its recorded
   * calls (the lock taken) and ends with StageGathering; the state's Retry waits its interval;
   * whatever was queued on the lock meanwhile is taken into this round, which then runs as
   * recorded; the queued runs it took get its outcome (counted here, as a later round counts those
   * it covers). Queued at the lock state after all (another run took the stage first): a queued run.
   */
  function* gatheringRound(gathered: GatheredRound, run: Run): Process<RoundEnd> {
    const failure = yield* replay({ states: [gathered.wait.state], tasks: [gathered.wait] }, run);
    if (failure !== undefined)
      return failure.error === QUEUED ? yield* queuedRest(run) : yield* failed(failure, run);
    const state = model.machine.states.get(gathered.wait.state);
    const retrier = state?.retriers[retrierFor(state.retriers, STAGE_GATHERING_ERROR)];
    if (retrier !== undefined) {
      increment(aslRetries, STAGE_GATHERING_ERROR);
      yield retryDelayMs(retrier, 1, random);
    }
    gatheringRounds += 1;
    const queuedMeanwhile = queuedOn.get(run.runId) ?? 0;
    queuedOn.set(run.runId, 0);
    gatheredRuns += queuedMeanwhile;
    // Entering the round's Prepare again stands for the retry's transition.
    const end = yield* round(gathered.round, run, gathered.outcome ?? 'COMPLETED');
    increment(outcomes, end.queued ? 'FAILED' : end.outcome, queuedMeanwhile);
    return end;
  }

  /**
   * One per-stage run: an iteration of the per-stage Map. A holder with runs queued on it runs
   * another round (the recorded later round) for all of them before it unlocks, up to the rounds' limit.
   */
  function* stageRun(item: StageItem, runId: number, startedMs: number): Process<void> {
    const run: Run = { account: item.account, lockKey: `${item.account}/${item.stage}`, runId };
    const recorded = item.outcome ?? 'COMPLETED';
    const held = locks.get(run.lockKey);
    const mayQueue =
      rounds !== undefined && held !== undefined && (roundOf.get(held) ?? 1) < MAX_STAGE_ROUNDS;
    // Gathering waits only while the execution's window is open (workflow/gather.ts waitsToGather).
    const gathered =
      item.gathers === true && queue.now < startedMs + GATHER_SECONDS * 1000 ? rounds?.gathered : undefined;
    const first =
      (mayQueue ? yield* queuedRound(run) : undefined) ??
      (gathered === undefined
        ? yield* round(item.path, run, recorded)
        : yield* gatheringRound(gathered, run));
    // A queued run's finding gets the outcome of the holder's round that covers it (counted there).
    if (first.queued) queuedRuns += 1;
    else increment(outcomes, first.outcome);
    while (rounds !== undefined && (queuedOn.get(runId) ?? 0) > 0) {
      const covered = queuedOn.get(runId) ?? 0;
      queuedOn.set(runId, 0);
      roundOf.set(runId, (roundOf.get(runId) ?? 1) + 1);
      laterRounds += 1;
      const later = yield* round(rounds.next, run, rounds.nextOutcome ?? recorded);
      // The holder's own later round cannot be queued: it holds the lock.
      increment(outcomes, later.queued ? 'FAILED' : later.outcome, covered);
    }
    if (locks.get(run.lockKey) === run.runId) locks.delete(run.lockKey);
    queuedOn.delete(runId);
    roundOf.delete(runId);
    lastEnd = Math.max(lastEnd, queue.now);
  }

  /** The per-stage Map: its items, at most its MaxConcurrency (an inline Map's 40 at most) at once. */
  function* mapIterations(items: readonly StageItem[], startedMs: number): Process<void> {
    if (items.length === 0) return;
    const map =
      model.machine.stageMap === undefined ? undefined : model.machine.states.get(model.machine.stageMap);
    const asked = map?.maxConcurrency ?? 0;
    const width = asked > 0 ? Math.min(asked, INLINE_MAP_CONCURRENCY) : INLINE_MAP_CONCURRENCY;
    const join = new Join();
    let started = 0;
    let finished = 0;
    const startNext = (): void => {
      const item = items[started];
      if (item === undefined) return;
      started += 1;
      runs += 1;
      const runId = runs;
      drive(
        (function* iteration(): Process<void> {
          yield* stageRun(item, runId, startedMs);
          finished += 1;
          if (finished === items.length) join.resume();
          else startNext();
        })(),
      );
    };
    for (let slot = 0; slot < width; slot += 1) startNext();
    yield join;
  }

  /**
   * The pipe's enrichment of a batch (docs/decisions/0042): one invocation of its function before
   * the execution starts; a throttled invocation is sent again after an invocation's overhead (the
   * pipe retries it).
   */
  function* enrich(fn: string): Process<void> {
    while ((yield* invocation(fn, noCalls)) === LAMBDA_THROTTLED) continue;
    enrichedBatches += 1;
  }

  function* execute(planned: PlannedExecution, executionId: number): Process<void> {
    if (planned.enrichment !== undefined) yield* enrich(planned.enrichment);
    yield* paced(starts);
    const startedMs = queue.now;
    const run: Run = { account: planned.account, lockKey: `execution/${executionId}`, runId: -executionId };
    const failure = yield* replay(planned.before, run);
    if (failure !== undefined) {
      // The front failed for good: its catch path runs, and none of the batch's stages does.
      const lost = planned.items.length;
      runs += lost;
      increment(outcomes, 'FAILED', lost);
      increment(failures, `${failure.state}: ${failure.error}`, lost);
      yield* caught(failure, run, (path) => path);
      lastEnd = Math.max(lastEnd, queue.now);
      return;
    }
    yield* mapIterations(planned.items, startedMs);
    yield* replay(planned.after, run);
    lastEnd = Math.max(lastEnd, queue.now);
  }

  function drive(process: Process<void>): void {
    const step = process.next();
    if (step.done === true) return;
    if (step.value instanceof Join) {
      step.value.park(() => queue.schedule(queue.now, () => drive(process)));
      return;
    }
    queue.schedule(queue.now + step.value, () => drive(process));
  }

  for (const planned of work.executions) {
    executions += 1;
    const executionId = executions;
    queue.schedule(planned.startMs, () => drive(execute(planned, executionId)));
  }
  queue.drain();
  const busiest = schedules.busiest();
  return {
    makespanMs: lastEnd,
    executions,
    runs,
    outcomes,
    failures,
    callsByService,
    throttledByService,
    aslRetries,
    lambdaThrottles,
    stateTransitions,
    lambdaInvocations,
    enrichedBatches,
    coldStarts: lambda.coldStarts,
    catchPathsReplayed,
    queuedRuns,
    laterRounds,
    gatheringRounds,
    gatheredRuns,
    pacedCalls: schedules.granted,
    pacingRefusals: schedules.refused,
    pacedWaitMs,
    ...(busiest === undefined ? {} : { busiestSchedule: busiest }),
  };
}
