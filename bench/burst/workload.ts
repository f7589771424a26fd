/**
 * The burst: `stages` stages dealt round-robin over `accounts` accounts, each receiving one
 * delivery of the recorded scenario (for five-findings-one-stage: five findings, every REST
 * control), each event arriving at a seeded uniform time within the arrival window (Security Hub
 * publishes a batch of control findings within seconds of a check run).
 *
 * The events become executions as the definition's front does it (front.ts): one execution per
 * event at its arrival (today's machine), or one per pipe batch (the coarse machine), whose
 * per-stage Map runs one iteration per distinct stage of the batch. A stage whose events fall
 * into two batches runs in both: with the lock's queue (docs/decisions/0037) the second is queued
 * on the first and the first runs another round for it (run model); without it, the second waits
 * for the first's lock, as the ASL's StageLocked Retry makes it.
 */
import type { MachineModel } from './asl.js';
import type { PipeSource } from './assumptions.js';
import {
  batchFront,
  eventsOf,
  frontShapeOf,
  gatheredRoundOf,
  pipeBatches,
  splitPath,
  stageRoundsOf,
  type BatchEvent,
  type FrontShape,
  type PlannedPath,
  type StageRounds,
} from './front.js';
import { batchCutAtSize } from '../../remediators/intake/pipe-batch.js';
import { seededRandom } from './random.js';
import {
  executionsOf,
  type RecordedExecution,
  type RecordedPath,
  type RecordedScenario,
} from './recording.js';

export interface BurstShape {
  readonly accounts: number;
  readonly stages: number;
  readonly arrivalWindowMs: number;
}

/** One per-stage run: an iteration of the per-stage Map. */
export interface StageItem {
  readonly account: number;
  readonly stage: number;
  /** The recorded per-stage path of the stage's scenario. */
  readonly path: RecordedPath;
  /** The outcome the recorded run ended with. */
  readonly outcome?: string;
  /** The findings (events) of this stage the execution carries. */
  readonly events: number;
  /** Its execution's batch was cut at the Pipe's batch size: a first round gathers (docs/decisions/0039). */
  readonly gathers?: boolean;
}

export interface PlannedExecution {
  /** When the execution is started (its StartExecution is sent). */
  readonly startMs: number;
  /** The account of the first event: whose calls a recorded front makes when none is named. */
  readonly account: number;
  readonly events: number;
  /** The function the pipe has read the batch first (its enrichment), if any: invoked before the start. */
  readonly enrichment?: string;
  readonly before: PlannedPath;
  readonly items: readonly StageItem[];
  readonly after: PlannedPath;
}

export interface Work {
  readonly shape: FrontShape;
  readonly executions: readonly PlannedExecution[];
  /**
   * With the lock's queue (docs/decisions/0037): every stage run starts with the holder's first
   * round (`items[].path`); the run model chooses the queued path or another round as the lock
   * decides. Undefined: a run that finds the stage held waits (StageLocked).
   */
  readonly rounds?: StageRounds;
}

interface ArrivingEvent extends BatchEvent {
  readonly stage: number;
  readonly arrivalMs: number;
}

/** The events of the burst, stage by stage, each stage's in arrival order. */
function arrivingEvents(shape: BurstShape, scenario: RecordedScenario, seed: number): ArrivingEvent[] {
  if (
    !Number.isInteger(shape.accounts) ||
    shape.accounts < 1 ||
    !Number.isInteger(shape.stages) ||
    shape.stages < 1
  ) {
    throw new Error(`invalid burst of ${shape.stages} stages over ${shape.accounts} accounts`);
  }
  const random = seededRandom(seed ^ 0x5eed);
  // An execution that admitted several events (the coarse machine's) is one event each here.
  const runs: RecordedExecution[] = executionsOf(scenario).flatMap((run) =>
    Array.from({ length: eventsOf(run) }, () => run),
  );
  return Array.from({ length: shape.stages }, (_, stage) => {
    const arrivals = runs.map(() => Math.floor(random() * shape.arrivalWindowMs)).sort((a, b) => a - b);
    return runs.map((run, index) => ({
      account: stage % shape.accounts,
      stage,
      arrivalMs: arrivals[index] ?? 0,
      run,
    }));
  }).flat();
}

export function buildWork(
  shape: BurstShape,
  scenario: RecordedScenario,
  seed: number,
  machine: MachineModel,
  pipe: PipeSource,
  /** The recorded scenario of a run that gathered (docs/decisions/0039); absent: no run gathers. */
  gathering?: RecordedScenario,
): Work {
  const events = arrivingEvents(shape, scenario, seed);
  const front = frontShapeOf(machine);
  if (front === 'per-event') {
    return {
      shape: front,
      executions: events.map((event) => {
        const { before, stage, after } = splitPath(event.run, machine);
        return {
          startMs: event.arrivalMs,
          account: event.account,
          events: 1,
          before,
          items: [
            { account: event.account, stage: event.stage, path: stage, events: 1, ...outcomeOf(event.run) },
          ],
          after,
        };
      }),
    };
  }
  const arriving = [...events].sort((a, b) => a.arrivalMs - b.arrivalMs);
  const queueRounds = stageRoundsOf(executionsOf(scenario), machine);
  const gathered = gathering === undefined ? undefined : gatheredRoundOf(executionsOf(gathering), machine);
  const rounds =
    queueRounds === undefined || gathered === undefined ? queueRounds : { ...queueRounds, gathered };
  const stagePathOf = (event: ArrivingEvent): { path: RecordedPath; outcome?: string } =>
    rounds === undefined
      ? { path: splitPath(event.run, machine).stage, ...outcomeOf(event.run) }
      : {
          path: rounds.first,
          ...(rounds.firstOutcome === undefined ? {} : { outcome: rounds.firstOutcome }),
        };
  return {
    shape: front,
    ...(rounds === undefined ? {} : { rounds }),
    executions: pipeBatches(
      arriving.map((event) => event.arrivalMs),
      pipe,
    ).map((batch) => {
      const members = batch.members.map((index) => arriving[index] as ArrivingEvent);
      const template = members[0] as ArrivingEvent;
      const { before, after } = splitPath(template.run, machine);
      const stages = new Map<number, { event: ArrivingEvent; events: number }>();
      for (const event of members) {
        const entry = stages.get(event.stage) ?? { event, events: 0 };
        entry.events += 1;
        stages.set(event.stage, entry);
      }
      return {
        startMs: batch.invokeMs,
        account: template.account,
        events: members.length,
        ...(pipe.enrichment === undefined ? {} : { enrichment: pipe.enrichment.function }),
        before: batchFront(before, members),
        items: [...stages.values()].map(({ event, events: count }) => ({
          account: event.account,
          stage: event.stage,
          events: count,
          gathers: batchCutAtSize(members.length),
          ...stagePathOf(event),
        })),
        after: batchFront(after, members),
      };
    }),
  };
}

const outcomeOf = (run: RecordedExecution): { outcome?: string } =>
  run.outcome === undefined ? {} : { outcome: run.outcome };

/** How many findings (events) the burst delivers. */
export function findingsOf(work: Work): number {
  return work.executions.reduce((sum, execution) => sum + execution.events, 0);
}
