/**
 * What bench:burst takes from the state machine definition itself (state-machines/remediation.asl.json),
 * parsed, never copied: each state's type, the Lambda function behind a Task, its Retry blocks,
 * the seconds of a Wait, and which state takes the stage lock (the one that retries StageLocked).
 *
 * Retrier semantics are the Amazon States Language's (https://states-language.net/spec.html#errors,
 * and https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):
 * - the first retrier whose ErrorEquals names the error (or States.ALL, or States.TaskFailed for
 *   any error but States.Timeout) handles it; each retrier counts its own attempts;
 * - defaults: IntervalSeconds 1, BackoffRate 2.0, MaxAttempts 3 (retries after the first attempt);
 * - the n-th retry waits IntervalSeconds × BackoffRate^(n−1), at most MaxDelaySeconds;
 *   JitterStrategy FULL draws the wait uniformly from [0, that] (NONE, the default, waits exactly).
 */
import { CALLS_PACED_ERROR } from '../../remediators/workflow/pacing.js';
import type { Random } from './random.js';

export interface Retrier {
  readonly errorEquals: readonly string[];
  readonly intervalSeconds: number;
  readonly backoffRate: number;
  readonly maxAttempts: number;
  readonly maxDelaySeconds?: number;
  readonly jitter: 'FULL' | 'NONE';
}

export type StateKind = 'Task' | 'Wait' | 'Map' | 'Other';

export interface StateModel {
  readonly name: string;
  readonly kind: StateKind;
  /** The definition's substitution of the function a Task invokes, e.g. `ApplyFunctionArn`. */
  readonly functionSubstitution?: string;
  /**
   * `lambda` for a Task that invokes a function; `service` for a direct service integration
   * (`arn:aws:states:::dynamodb:putItem`, `sns:publish` …), which Step Functions calls itself: no
   * Lambda concurrency, no cold start, no SDK retries (only the state's Retry).
   */
  readonly integration?: 'lambda' | 'service';
  readonly retriers: readonly Retrier[];
  /** A Wait's fixed Seconds; 0 for SecondsPath/TimestampPath (decided at run time, not recorded). */
  readonly waitSeconds: number;
  /** The Map (or Parallel) state whose iterations run this state; undefined at the top level. */
  readonly parent?: string;
  /**
   * A Map's MaxConcurrency; 0 (the ASL default) lets Step Functions run the iterations as
   * concurrently as it can, which for an inline Map is at most 40 at a time (INLINE_MAP_CONCURRENCY).
   */
  readonly maxConcurrency?: number;
}

export interface MachineModel {
  readonly states: ReadonlyMap<string, StateModel>;
  /** States whose Retry handles StageLocked: they take the stage's lock. */
  readonly lockStates: ReadonlySet<string>;
  /** States whose Retry handles DeploySlotBusy: they claim the account's deploy slot before a CreateDeployment. */
  readonly slotStates: ReadonlySet<string>;
  /**
   * States whose Retry handles CallsPaced: their functions pace their API Gateway and Security Hub
   * calls (remediators/workflow/pacing.ts, docs/decisions/0038). Empty for a machine before pacing.
   */
  readonly pacedStates: ReadonlySet<string>;
  /**
   * States whose Catch takes PendingRequests back to a lock state: the holder's unlock, which runs
   * another round for the requests queued on its lock (docs/decisions/0037). Empty for a machine
   * without the queue: a run that finds the stage held waits (StageLocked).
   */
  readonly roundStates: ReadonlySet<string>;
  /**
   * The Map whose iterations are the per-stage runs: the one the lock states are in (the innermost
   * Map when no state takes the lock); undefined for a definition without a Map.
   */
  readonly stageMap?: string;
}

/** The error the lock task throws while another run holds the stage (remediators/handlers/acquire-lock.ts). */
export const STAGE_LOCKED = 'StageLocked';
/**
 * The error a task throws when the account's deploy slot (one CreateDeployment per 5 s per account,
 * remediators/workflow/deploy-slot.ts) is taken, for its Retry to wait (the coarse machine's
 * Remediate; the older machine loops through a Wait state instead, which the simulation does not model).
 */
export const DEPLOY_SLOT_BUSY = 'DeploySlotBusy';
/** The error the holder's unlock throws to run another round (remediators/workflow/coarse.ts). */
export const PENDING_REQUESTS = 'PendingRequests';
/**
 * An inline Map runs at most 40 iterations at once, whatever MaxConcurrency asks ("In this mode,
 * the Map state supports up to 40 concurrent iterations",
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html).
 */
export const INLINE_MAP_CONCURRENCY = 40;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function numberField(block: Json, field: string, fallback: number): number {
  const value = block[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`Retry ${field} is not a number`);
  return value;
}

function retrierOf(block: unknown, state: string): Retrier {
  if (!isObject(block) || !Array.isArray(block.ErrorEquals)) {
    throw new Error(`state ${state}: a Retry block without ErrorEquals`);
  }
  const jitter = block.JitterStrategy ?? 'NONE';
  if (jitter !== 'FULL' && jitter !== 'NONE')
    throw new Error(`state ${state}: JitterStrategy ${String(jitter)}`);
  const maxDelay = block.MaxDelaySeconds;
  return {
    errorEquals: block.ErrorEquals.map(String),
    intervalSeconds: numberField(block, 'IntervalSeconds', 1),
    backoffRate: numberField(block, 'BackoffRate', 2),
    maxAttempts: numberField(block, 'MaxAttempts', 3),
    ...(maxDelay === undefined ? {} : { maxDelaySeconds: numberField(block, 'MaxDelaySeconds', 0) }),
    jitter,
  };
}

function substitutionIn(value: unknown): string | undefined {
  const match = typeof value === 'string' ? /^\$\{(\w+FunctionArn)\}$/.exec(value) : null;
  return match?.[1];
}

/** Every state of the definition, Map iterations and Parallel branches included (names are unique). */
export function parseMachine(definition: unknown): MachineModel {
  const states = new Map<string, StateModel>();
  const lockStates = new Set<string>();
  const slotStates = new Set<string>();
  const pacedStates = new Set<string>();
  const roundCatches = new Map<string, string>();
  const visit = (node: unknown, parent?: string): void => {
    if (!isObject(node) || !isObject(node.States)) return;
    for (const [name, state] of Object.entries(node.States)) {
      if (!isObject(state)) continue;
      if (states.has(name)) throw new Error(`state name ${name} is used twice`);
      const retriers = (Array.isArray(state.Retry) ? state.Retry : []).map((block) => retrierOf(block, name));
      const parameters = isObject(state.Parameters) ? state.Parameters : {};
      const functionSubstitution =
        substitutionIn(state.Resource) ?? substitutionIn(parameters.FunctionName) ?? undefined;
      const kind: StateKind =
        state.Type === 'Task'
          ? 'Task'
          : state.Type === 'Wait'
            ? 'Wait'
            : state.Type === 'Map'
              ? 'Map'
              : 'Other';
      const resource = typeof state.Resource === 'string' ? state.Resource : '';
      const direct = /:states:::(?!lambda:)/.test(resource) && functionSubstitution === undefined;
      states.set(name, {
        name,
        kind,
        ...(functionSubstitution === undefined ? {} : { functionSubstitution }),
        ...(kind === 'Task' ? { integration: direct ? ('service' as const) : ('lambda' as const) } : {}),
        retriers,
        waitSeconds: typeof state.Seconds === 'number' ? state.Seconds : 0,
        ...(parent === undefined ? {} : { parent }),
        ...(kind === 'Map'
          ? { maxConcurrency: typeof state.MaxConcurrency === 'number' ? state.MaxConcurrency : 0 }
          : {}),
      });
      if (retriers.some((retrier) => retrier.errorEquals.includes(STAGE_LOCKED))) lockStates.add(name);
      if (retriers.some((retrier) => retrier.errorEquals.includes(DEPLOY_SLOT_BUSY))) slotStates.add(name);
      if (retriers.some((retrier) => retrier.errorEquals.includes(CALLS_PACED_ERROR))) pacedStates.add(name);
      for (const catcher of Array.isArray(state.Catch) ? state.Catch : []) {
        if (!isObject(catcher) || !Array.isArray(catcher.ErrorEquals) || typeof catcher.Next !== 'string')
          continue;
        if (catcher.ErrorEquals.includes(PENDING_REQUESTS)) roundCatches.set(name, catcher.Next);
      }
      visit(state.Iterator, name);
      visit(state.ItemProcessor, name);
      for (const branch of Array.isArray(state.Branches) ? state.Branches : []) visit(branch, name);
    }
  };
  visit(definition);
  if (states.size === 0) throw new Error('the definition has no states');
  const stageMap = stageMapOf(states, lockStates);
  const roundStates = new Set(
    [...roundCatches].filter(([, next]) => lockStates.has(next)).map(([name]) => name),
  );
  return {
    states,
    lockStates,
    slotStates,
    pacedStates,
    roundStates,
    ...(stageMap === undefined ? {} : { stageMap }),
  };
}

/** The Map states enclosing `name`, innermost first. */
export function enclosingMaps(states: ReadonlyMap<string, StateModel>, name: string): string[] {
  const maps: string[] = [];
  for (let parent = states.get(name)?.parent; parent !== undefined; parent = states.get(parent)?.parent) {
    if (states.get(parent)?.kind === 'Map') maps.push(parent);
  }
  return maps;
}

function stageMapOf(
  states: ReadonlyMap<string, StateModel>,
  lockStates: ReadonlySet<string>,
): string | undefined {
  for (const lock of lockStates) {
    const [innermost] = enclosingMaps(states, lock);
    if (innermost !== undefined) return innermost;
  }
  const maps = [...states.values()].filter((state) => state.kind === 'Map');
  const depth = (name: string): number => enclosingMaps(states, name).length;
  return maps.sort((a, b) => depth(b.name) - depth(a.name))[0]?.name;
}

/** Whether `name` runs inside an iteration of the Map `map` (at any depth). */
export function isInside(machine: MachineModel, name: string, map: string): boolean {
  return enclosingMaps(machine.states, name).includes(map);
}

/** The index of the retrier that handles `error`, or -1 (then the state's Catch takes it). */
export function retrierFor(retriers: readonly Retrier[], error: string): number {
  return retriers.findIndex(
    (retrier) =>
      retrier.errorEquals.includes(error) ||
      retrier.errorEquals.includes('States.ALL') ||
      (retrier.errorEquals.includes('States.TaskFailed') && error !== 'States.Timeout'),
  );
}

/** The wait before retry `retry` (1-based) of this retrier, in milliseconds. */
export function retryDelayMs(retrier: Retrier, retry: number, random: Random): number {
  const uncapped = retrier.intervalSeconds * retrier.backoffRate ** (retry - 1);
  const seconds =
    retrier.maxDelaySeconds === undefined ? uncapped : Math.min(uncapped, retrier.maxDelaySeconds);
  const jittered = retrier.jitter === 'FULL' ? random() * seconds : seconds;
  return Math.round(jittered * 1000);
}

/** The same machine with no Retry anywhere: every error goes straight to the Catch. */
export function withoutRetries(machine: MachineModel): MachineModel {
  const states = new Map<string, StateModel>();
  for (const [name, state] of machine.states) states.set(name, { ...state, retriers: [] });
  return { ...machine, states };
}
