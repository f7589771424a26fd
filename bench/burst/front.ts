/**
 * The front of the workflow as the burst meets it: how events become executions, and what an
 * execution does before and after its per-stage runs. Both are read from the definition and the
 * recording, never typed in:
 *
 * - **The shape.** When the per-stage Map (asl.ts `stageMap`) is a top-level state, one execution
 *   serves a whole batch of events (the coarse machine: EventBridge rules → SQS → EventBridge
 *   Pipe → one execution per batch, whose first tasks admit the batch and group it per stage).
 *   When it is nested in another Map (today's machine: ForEachRequest → ForEachStage), one
 *   execution serves one EventBridge event, started by the rule itself.
 * - **The split.** A recorded path splits into the states before the per-stage Map's iterations
 *   (`before`), the iterations' states (`stage`), and the states after them (`after`).
 * - **A batch's front calls** (batched shape only), computed from the batch's content: the
 *   ownership writes (BatchUpdateFindings, V1 or V2) are ceil(findings ÷ 100) calls per format,
 *   as BatchUpdateFindings takes at most 100 finding identifiers a call; every other call of the
 *   front (the duplicate-delivery PutItem, the expansion reads of an API-level request) is made per
 *   event, as often per event as the recorded execution made it per event admitted.
 * - **The pipe's batches** (`pipeBatches`): the queue's messages are shared by the pipe's pollers;
 *   each poller closes its batch when it holds `batchSize` records, when one more would pass a
 *   payload quota (the enrichment's for the raw records and the target's for what the enrichment
 *   makes of them, or the target's for the raw records without an enrichment), or when its
 *   batching window has passed since its first record.
 */
import { STAGE_GATHERING_ERROR } from '../../remediators/workflow/gather.js';
import { isInside, type MachineModel } from './asl.js';
import type { PipeSource } from './assumptions.js';
import { BATCH_UPDATE_FINDINGS_MAX_FINDINGS, BATCH_UPDATE_FINDINGS_OPERATIONS } from './quotas.js';
import type { RecordedCall, RecordedExecution, RecordedPath, RecordedTask } from './recording.js';

export type FrontShape = 'per-event' | 'batched';

/** A call the simulation makes, in the account it is made for (the item's or the event's). */
export type PlannedCall = RecordedCall & { readonly account?: number };
export interface PlannedTask {
  readonly state: string;
  readonly calls: readonly PlannedCall[];
}
export interface PlannedPath {
  readonly states: readonly string[];
  readonly tasks: readonly PlannedTask[];
}

export interface SplitPath {
  readonly before: RecordedPath;
  readonly stage: RecordedPath;
  readonly after: RecordedPath;
}

export function frontShapeOf(machine: MachineModel): FrontShape {
  const map = machine.stageMap;
  if (map === undefined) {
    throw new Error(
      'the definition has no Map over stages, so bench:burst cannot tell the per-stage runs apart',
    );
  }
  return machine.states.get(map)?.parent === undefined ? 'batched' : 'per-event';
}

/**
 * Splits a recorded path at the per-stage Map. Every recorded state must be the definition's:
 * a state it lacks means the recording is of another machine.
 */
export function splitPath(path: RecordedPath, machine: MachineModel): SplitPath {
  const map = machine.stageMap;
  const unknown = [...new Set(path.states.filter((name) => !machine.states.has(name)))];
  if (unknown.length > 0) {
    throw new Error(
      `the recording has states the definition lacks (${unknown.join(', ')}): it is of another state machine; re-record it with npm run bench:workflow -- --record`,
    );
  }
  const segments = { before: emptyPath(), stage: emptyPath(), after: emptyPath() };
  let next = 0;
  let seenStage = false;
  for (const name of path.states) {
    const inStage = map !== undefined && isInside(machine, name, map);
    seenStage ||= inStage;
    const segment = inStage ? segments.stage : seenStage ? segments.after : segments.before;
    segment.states.push(name);
    const task = path.tasks[next];
    if (task !== undefined && task.state === name && machine.states.get(name)?.kind === 'Task') {
      segment.tasks.push(task);
      next += 1;
    }
  }
  return segments;
}

/**
 * A per-stage path cut into the holder's rounds (docs/decisions/0037): a new round starts where a
 * round state (the unlock, whose Catch takes PendingRequests back) is followed by a lock state.
 */
export function roundsOf(path: RecordedPath, machine: MachineModel): RecordedPath[] {
  const rounds: { states: string[]; tasks: RecordedTask[] }[] = [emptyPath()];
  let next = 0;
  let previous: string | undefined;
  for (const name of path.states) {
    if (previous !== undefined && machine.roundStates.has(previous) && machine.lockStates.has(name)) {
      rounds.push(emptyPath());
    }
    const round = rounds[rounds.length - 1] as { states: string[]; tasks: RecordedTask[] };
    round.states.push(name);
    const task = path.tasks[next];
    if (task !== undefined && task.state === name && machine.states.get(name)?.kind === 'Task') {
      round.tasks.push(task);
      next += 1;
    }
    previous = name;
  }
  return rounds;
}

/** The recorded paths a stage run takes with the lock's queue: its first round, a later round, a queued run's. */
/**
 * A first round that gathered (docs/decisions/0039): Prepare's first attempt (its calls: the lock
 * taken, then StageGathering), and the round its attempt after the wait ran for everything queued
 * meanwhile, as recorded (bench:workflow five-findings-one-stage-gathered).
 */
export interface GatheredRound {
  readonly wait: RecordedTask;
  readonly round: RecordedPath;
  readonly outcome?: string;
}

export interface StageRounds {
  readonly first: RecordedPath;
  /** A burst's first round (an item of a batch cut at its size) gathers first; absent: none do. */
  readonly gathered?: GatheredRound;
  /** The outcomes the holder's recorded rounds ended with (its run's outcomes, in round order). */
  readonly firstOutcome?: string;
  readonly nextOutcome?: string;
  readonly next: RecordedPath;
  readonly queued: RecordedPath;
}

/**
 * From a scenario whose recording has a holder that ran a second round and a run that was queued
 * (JOINED) on it (bench:workflow five-findings-one-stage), the paths the simulation chooses among
 * as the lock decides; undefined for a scenario or machine without them (runs then wait: StageLocked).
 */
export function stageRoundsOf(
  executions: readonly RecordedExecution[],
  machine: MachineModel,
): StageRounds | undefined {
  if (machine.roundStates.size === 0) return undefined;
  const stagePaths = executions.map((run) => ({ run, stage: splitPath(run, machine).stage }));
  const holder = stagePaths.find(({ stage }) => roundsOf(stage, machine).length > 1);
  const queued = stagePaths.find(({ run }) => run.outcome === 'JOINED');
  if (holder === undefined || queued === undefined) return undefined;
  const [first, next] = roundsOf(holder.stage, machine) as [RecordedPath, RecordedPath];
  const outcomes = holder.run.outcome?.split('+') ?? [];
  return {
    first,
    next,
    queued: queued.stage,
    ...(outcomes[0] === undefined ? {} : { firstOutcome: outcomes[0] }),
    ...(outcomes[1] === undefined ? {} : { nextOutcome: outcomes[1] }),
  };
}

/**
 * From a scenario whose recording has a run that gathered (a Prepare attempt retried with
 * StageGathering, its calls recorded), that first attempt and the round that followed; undefined
 * when the recording has none.
 */
export function gatheredRoundOf(
  executions: readonly RecordedExecution[],
  machine: MachineModel,
): GatheredRound | undefined {
  for (const run of executions) {
    const wait = run.retried?.find((retry) => retry.error === STAGE_GATHERING_ERROR);
    if (wait === undefined) continue;
    const outcome = run.outcome?.split('+')[0];
    return {
      wait: { state: wait.state, calls: wait.calls ?? [] },
      round: splitPath(run, machine).stage,
      ...(outcome === undefined ? {} : { outcome }),
    };
  }
  return undefined;
}

/** A catch path of a per-stage state, less the states after the iteration (the execution replays those once). */
export function withinStage(path: RecordedPath, machine: MachineModel): RecordedPath {
  return splitPath(path, machine).stage;
}

const emptyPath = (): { states: string[]; tasks: RecordedTask[] } => ({ states: [], tasks: [] });

/** One event of a batch: the account it is about, and the recorded execution its scenario starts. */
export interface BatchEvent {
  readonly account: number;
  readonly run: RecordedExecution;
}

/** How many events a recorded execution admitted (one, unless the recording says more). */
export const eventsOf = (run: RecordedExecution): number => run.events ?? 1;

const isOwnership = (call: RecordedCall): boolean =>
  call.service === 'securityhub' && BATCH_UPDATE_FINDINGS_OPERATIONS.includes(call.operation);

/**
 * The calls of one front task for a batch: the task's recorded ownership writes regrouped per
 * format for the batch's findings (≤ 100 a call), and its other calls once per event per
 * recorded event (rounded up), each made for the event's account. Calls keep the recorded order
 * of their operations.
 */
export function batchTaskCalls(state: string, batch: readonly BatchEvent[]): PlannedCall[] {
  const findingsByFormat = new Map<string, number>();
  const perEvent: PlannedCall[] = [];
  /** Each operation's place: where it first appears in the recorded calls. */
  const order = new Map<string, number>();
  for (const event of batch) {
    const task = event.run.tasks.find((candidate) => candidate.state === state);
    if (task === undefined) continue;
    const counts = new Map<string, { call: RecordedCall; count: number }>();
    for (const call of task.calls) {
      const key = `${call.service}.${call.operation}`;
      if (!order.has(key)) order.set(key, order.size);
      const entry = counts.get(key) ?? { call, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    for (const { call, count } of counts.values()) {
      if (isOwnership(call)) {
        findingsByFormat.set(call.operation, (findingsByFormat.get(call.operation) ?? 0) + 1);
        continue;
      }
      const times = Math.ceil(count / eventsOf(event.run));
      for (let time = 0; time < times; time += 1) perEvent.push({ ...call, account: event.account });
    }
  }
  const ownership = [...findingsByFormat].flatMap(([operation, findings]) =>
    Array.from({ length: Math.ceil(findings / BATCH_UPDATE_FINDINGS_MAX_FINDINGS) }, () => ({
      service: 'securityhub',
      operation,
    })),
  );
  const place = (call: RecordedCall): number => order.get(`${call.service}.${call.operation}`) ?? 0;
  return [...ownership, ...perEvent].sort((a, b) => place(a) - place(b));
}

/** A recorded front segment with its tasks' calls computed for a batch. */
export function batchFront(segment: RecordedPath, batch: readonly BatchEvent[]): PlannedPath {
  return {
    states: segment.states,
    tasks: segment.tasks.map((task) => ({ state: task.state, calls: batchTaskCalls(task.state, batch) })),
  };
}

/** A batch the pipe hands to its target: when, and which records (indices into the arrivals). */
export interface PipeBatch {
  readonly invokeMs: number;
  readonly members: readonly number[];
}

/**
 * The pipe's batches for records arriving at `arrivalsMs` (sorted). The records are dealt to the
 * pollers in turn (each ReceiveMessage returns what is there to whichever poller asks); a poller
 * opens a batch with its first record and hands it over when it is full (batchSize, or a payload
 * quota) or its window has passed.
 */
export function pipeBatches(arrivalsMs: readonly number[], pipe: PipeSource): PipeBatch[] {
  const byPayload =
    pipe.enrichment === undefined
      ? Math.floor(pipe.targetPayloadBytes / pipe.recordBytes)
      : Math.min(
          Math.floor(pipe.enrichment.payloadBytes / pipe.recordBytes),
          Math.floor(pipe.targetPayloadBytes / pipe.enrichment.recordBytes),
        );
  const capacity = Math.max(1, Math.min(pipe.batchSize, byPayload));
  const windowMs = pipe.batchingWindowSeconds * 1000;
  const open: ({ openedMs: number; members: number[] } | undefined)[] = Array.from(
    { length: pipe.pollers },
    () => undefined,
  );
  const batches: PipeBatch[] = [];
  const close = (poller: number, atMs: number): void => {
    const batch = open[poller];
    if (batch === undefined) return;
    batches.push({ invokeMs: atMs, members: batch.members });
    open[poller] = undefined;
  };
  arrivalsMs.forEach((arrivalMs, index) => {
    open.forEach((batch, poller) => {
      if (batch !== undefined && batch.openedMs + windowMs <= arrivalMs)
        close(poller, batch.openedMs + windowMs);
    });
    const poller = index % pipe.pollers;
    const batch = open[poller] ?? { openedMs: arrivalMs, members: [] };
    open[poller] = batch;
    batch.members.push(index);
    if (batch.members.length >= capacity) close(poller, arrivalMs);
  });
  open.forEach((batch, poller) => {
    if (batch !== undefined) close(poller, batch.openedMs + windowMs);
  });
  return batches.sort((a, b) => a.invokeMs - b.invokeMs || (a.members[0] ?? 0) - (b.members[0] ?? 0));
}
