/**
 * The recording bench:burst replays: per scenario, the states one execution enters and the AWS
 * calls each of its tasks makes, as the real handlers made them in the real ASL
 * (bench/recordings/workflow.json, written by `npm run bench:workflow -- --record`, bench/workflow.ts,
 * and kept fresh by test/workflow/bench-workflow.test.ts). Read with zod; extra fields are allowed.
 *
 * A scenario is one execution unless it carries `executions` (one per finding delivered, as the
 * current workflow starts one execution per EventBridge event, or one execution that retried a
 * task): then each is replayed on its own. An execution's `states` and `tasks` are its first
 * attempts; the attempts the recorded run retried (StageLocked while another run held the stage)
 * are listed apart under `retried` and not replayed, since the simulation makes its own retries
 * from the lock and the quotas it models. `catchPaths` say what a run does after a task failed
 * for good (its Catch).
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';

/** Relative to the repository root. */
export const RECORDING_PATH = 'bench/recordings/workflow.json';

// Any service name is read (a call to a service with no modelled quota is counted, never throttled).
const CallSchema = z.looseObject({ service: z.string().min(1), operation: z.string().min(1) });
const TaskSchema = z.looseObject({ state: z.string().min(1), calls: z.array(CallSchema) });
const ExecutionSchema = z.looseObject({
  transitions: z.number().int().nonnegative(),
  states: z.array(z.string().min(1)),
  tasks: z.array(TaskSchema),
  outcome: z.string().optional(),
  /**
   * How many EventBridge events the execution was started with: one for today's front (an
   * execution per event); a batch for the coarse machine's, whose front computes its calls per event
   * from it (front.ts). Absent means one.
   */
  events: z.number().int().positive().optional(),
  /**
   * Attempts the recorded run retried (not replayed, but for a gathering Prepare's first, front.ts
   * gatheredRoundOf): the state, the error it failed with and the calls it made before.
   */
  retried: z
    .array(
      z.looseObject({
        state: z.string().min(1),
        error: z.string().min(1),
        calls: z.array(CallSchema).optional(),
      }),
    )
    .optional(),
});
const ScenarioSchema = ExecutionSchema.extend({
  scenario: z.string().min(1),
  executions: z.array(ExecutionSchema).min(1).optional(),
});
/** What the state machine does after a task failed for good: the states its Catch leads to, and their tasks. */
const CatchPathSchema = z.looseObject({
  failedState: z.string().min(1),
  states: z.array(z.string().min(1)),
  tasks: z.array(TaskSchema),
});
export const RecordingSchema = z.looseObject({
  scenarios: z.array(ScenarioSchema).min(1),
  /** Optional: without it, bench:burst ends a FAILED run where it failed (docs/decisions/0024). */
  catchPaths: z.array(CatchPathSchema).optional(),
});

export type RecordedCall = z.infer<typeof CallSchema>;
export type RecordedTask = z.infer<typeof TaskSchema>;
export type RecordedExecution = z.infer<typeof ExecutionSchema>;
export type RecordedScenario = z.infer<typeof ScenarioSchema>;
export type Recording = z.infer<typeof RecordingSchema>;
export type RecordedCatchPath = z.infer<typeof CatchPathSchema>;
/** A path to replay: states entered and the calls of their tasks. */
export type RecordedPath = Pick<RecordedExecution, 'states' | 'tasks'>;

/** Failing state → its recorded catch path (the first recorded for a state wins). */
export function catchPathsOf(recording: Recording): Record<string, RecordedPath> {
  const paths: Record<string, RecordedPath> = {};
  for (const path of recording.catchPaths ?? []) paths[path.failedState] ??= path;
  return paths;
}

export function parseRecording(data: unknown): Recording {
  const parsed = RecordingSchema.safeParse(data);
  if (!parsed.success) throw new Error(`${RECORDING_PATH} does not fit: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function readRecording(path: URL | string): Recording {
  return parseRecording(JSON.parse(readFileSync(path, 'utf8')) as unknown);
}

/** The executions one delivery of the scenario starts, in order. */
export function executionsOf(scenario: RecordedScenario): readonly RecordedExecution[] {
  return scenario.executions ?? [scenario];
}

export function scenarioNamed(recording: Recording, name: string): RecordedScenario {
  const found = recording.scenarios.find((candidate) => candidate.scenario === name);
  if (found === undefined) {
    const names = recording.scenarios.map((candidate) => candidate.scenario).join(', ');
    throw new Error(`the recording has no scenario ${name} (it has ${names})`);
  }
  return found;
}
