/**
 * `npm run bench:burst`: a discrete-event simulation of an organization's burst of findings
 * (docs/benchmarks.md "Burst", docs/decisions/0024). It replays the calls the real handlers make
 * (bench/recordings/workflow.json, recorded by bench:workflow) through the AWS quotas, Lambda concurrency and cold starts,
 * the SDK's retries (read from the clients production builds) and the ASL's Retry blocks (read from
 * state-machines/remediation.asl.json), and prints, per burst, the makespan, the quota-bound minimum
 * of the same work, their ratio, runs by outcome and calls by service. Deterministic for a seed.
 *
 * The front follows the definition (bench/burst/front.ts): one execution per event (today's
 * machine), or an SQS queue and an EventBridge Pipe starting one execution per batch
 * (bench/burst/assumptions.ts PIPE_SOURCE) whose per-stage Map runs each stage of the batch once.
 *
 *   npm run bench:burst                  1,000 findings / 200 stages / 10 accounts, and 10,000 / 2,000 / 100
 *   npm run bench:burst -- --seed 7      another seed (arrival times and jitter)
 *   npm run bench:burst -- --scenario auto-redeploy   each stage receives another recorded scenario
 *   npm run bench:burst -- --json        a JSON array of the rows
 *   npm run bench:burst -- --definition test/fixtures/burst/per-event-machine.asl.json \
 *     --recording test/fixtures/burst/per-event-recording.json   another definition and recording
 *     (here the machine before the batched front, one execution per event: the "before" numbers)
 *   npm run bench:burst -- --without-pacing   the same machine and recording, its functions not
 *     pacing their calls (docs/decisions/0038): what pacing changes, side by side
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseMachine } from './burst/asl.js';
import { ASSUMED_LATENCY, INVOKE_OVERHEAD_MS, PIPE_SOURCE, type PipeSource } from './burst/assumptions.js';
import type { FrontShape } from './burst/front.js';
import { coldStartOnLambda, parseInitTimes } from './burst/init-times.js';
import { quotaBounds, type BucketBound } from './burst/minimum.js';
import { simulateBurst, type BurstModel, type BurstResult } from './burst/model.js';
import { CALL_QUOTAS, LAMBDA_ACCOUNT_CONCURRENCY, STEP_FUNCTIONS_QUOTAS } from './burst/quotas.js';
import {
  RECORDING_PATH,
  catchPathsOf,
  readRecording,
  scenarioNamed,
  type Recording,
  type RecordedScenario,
} from './burst/recording.js';
import { readSdkRetryPolicies } from './burst/sdk-config.js';
import { buildWork, findingsOf, type BurstShape, type Work } from './burst/workload.js';
import { whatBounds } from './burst/explain.js';

const ROOT = new URL('../', import.meta.url);
export const DEFINITION_FILE = new URL('state-machines/remediation.asl.json', ROOT);
/** The scenario each stage of the burst receives: several findings, every REST control. */
export const BURST_SCENARIO = 'five-findings-one-stage';
/** The same findings when the first came in a batch cut at its size: its round gathers (docs/decisions/0039). */
export const GATHERED_SCENARIO = 'five-findings-one-stage-gathered';
/** Lambda memory of every task (infra/functions.ts default). */
const MEMORY_MB = 512;

export const BURSTS: readonly (BurstShape & { readonly name: string })[] = [
  { name: '1k', accounts: 10, stages: 200, arrivalWindowMs: 10_000 },
  { name: '10k', accounts: 100, stages: 2_000, arrivalWindowMs: 10_000 },
];

export interface BurstRow {
  readonly burst: string;
  /** The recorded scenario each stage receives. */
  readonly scenario: string;
  /** One execution per event, or per pipe batch (front.ts). */
  readonly front: FrontShape;
  readonly executions: number;
  readonly findings: number;
  readonly stages: number;
  readonly accounts: number;
  readonly seed: number;
  readonly makespanSeconds: number;
  readonly minimumSeconds: number;
  /** makespan ÷ minimum; null when the minimum is 0 (everything fits in the bursts). */
  readonly ratio: number | null;
  /** The bucket whose bound is the minimum. */
  readonly boundedBy: string;
  /** What bounds the makespan (explain.ts). */
  readonly makespanBoundedBy: string;
  readonly topBounds: readonly BucketBound[];
  readonly result: BurstResult;
}

/**
 * The model of production: this tree's definition (or another), quotas, SDK clients, concurrency
 * and init times, and the recording's catch paths.
 */
export async function productionModel(
  recording?: Recording,
  definition: URL | string = DEFINITION_FILE,
): Promise<BurstModel> {
  const initTimes = parseInitTimes(readFileSync(new URL('docs/benchmarks.md', ROOT), 'utf8'));
  return {
    machine: parseMachine(JSON.parse(readFileSync(definition, 'utf8')) as unknown),
    quotas: CALL_QUOTAS,
    stepFunctions: STEP_FUNCTIONS_QUOTAS,
    sdk: await readSdkRetryPolicies(),
    lambda: {
      accountConcurrency: LAMBDA_ACCOUNT_CONCURRENCY,
      // No function has reserved concurrency any more (docs/decisions/0035).
      reserved: {},
      coldStartMs: coldStartOnLambda(initTimes, MEMORY_MB),
      invokeOverheadMs: INVOKE_OVERHEAD_MS,
    },
    latency: ASSUMED_LATENCY,
    catchPaths: recording === undefined ? {} : catchPathsOf(recording),
  };
}

/** The burst's work as this tree's front makes it: per event, or per batch of the pipe. */
export function burstWork(
  shape: BurstShape,
  scenario: RecordedScenario,
  seed: number,
  model: BurstModel,
  pipe: PipeSource = PIPE_SOURCE,
  /** The recorded run that gathered (docs/decisions/0039); absent: no first round gathers. */
  gathering?: RecordedScenario,
): Work {
  return buildWork(shape, scenario, seed, model.machine, pipe, gathering);
}

function stringArgument(argv: readonly string[], name: string, fallback: string): string {
  const index = argv.indexOf(name);
  if (index < 0) return fallback;
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

function numberArgument(argv: readonly string[], name: string, fallback: number): number {
  const index = argv.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

const format = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${key} ${count}`)
    .join(', ') || '-';

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const seed = numberArgument(process.argv, '--seed', 1);
  const recordingPath = stringArgument(process.argv, '--recording', RECORDING_PATH);
  const recording = readRecording(new URL(recordingPath, ROOT));
  const definition = stringArgument(process.argv, '--definition', '');
  const model = {
    ...(await productionModel(recording, definition === '' ? DEFINITION_FILE : new URL(definition, ROOT))),
    ...(process.argv.includes('--without-pacing') ? { pacing: false } : {}),
  };
  const scenarioName = stringArgument(process.argv, '--scenario', BURST_SCENARIO);
  const scenario = scenarioNamed(recording, scenarioName);
  const gathering =
    process.argv.includes('--without-gathering') || scenarioName !== BURST_SCENARIO
      ? undefined
      : scenarioNamed(recording, GATHERED_SCENARIO);
  const rows: BurstRow[] = BURSTS.map((shape) => {
    const work = burstWork(shape, scenario, seed, model, PIPE_SOURCE, gathering);
    const result = simulateBurst(work, model, seed);
    const bounds = quotaBounds(work, model.quotas, model.stepFunctions);
    const minimumSeconds = bounds[0]?.seconds ?? 0;
    const makespanSeconds = result.makespanMs / 1000;
    return {
      burst: shape.name,
      scenario: scenarioName,
      front: work.shape,
      executions: work.executions.length,
      findings: findingsOf(work),
      stages: shape.stages,
      accounts: shape.accounts,
      seed,
      makespanSeconds,
      minimumSeconds,
      ratio: minimumSeconds > 0 ? makespanSeconds / minimumSeconds : null,
      boundedBy: bounds[0]?.bucket ?? '-',
      makespanBoundedBy: whatBounds(result, bounds[0]),
      topBounds: bounds.slice(0, 3),
      result,
    };
  });
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`Each stage receives the recorded scenario ${scenarioName} (${recordingPath}); seed ${seed}.`);
  console.log(
    gathering === undefined
      ? "  gathering: off (no first round waits for its stage's other findings)"
      : `  gathering: a first round of a batch cut at its size runs as ${GATHERED_SCENARIO} (docs/decisions/0039)`,
  );
  console.log(
    rows[0]?.front === 'batched'
      ? `  front: SQS → EventBridge Pipe (batch ≤ ${PIPE_SOURCE.batchSize}, window ${PIPE_SOURCE.batchingWindowSeconds} s, ${PIPE_SOURCE.pollers} pollers${PIPE_SOURCE.enrichment === undefined ? '' : `, read by its enrichment ${PIPE_SOURCE.enrichment.function} (≤ ${PIPE_SOURCE.enrichment.payloadBytes} bytes in, ${PIPE_SOURCE.enrichment.recordBytes} bytes a record out)`}, target payload ≤ ${PIPE_SOURCE.targetPayloadBytes} bytes) → one execution per batch`
      : '  front: one execution per EventBridge event (the definition maps per request, then per stage)',
  );
  for (const [service, policy] of Object.entries(model.sdk))
    console.log(`  SDK ${service}: ${policy.source}`);
  console.log(
    model.machine.pacedStates.size === 0
      ? '  pacing: none (no state of the definition retries CallsPaced)'
      : model.pacing === false
        ? '  pacing: off (--without-pacing)'
        : `  pacing: the functions of ${[...model.machine.pacedStates].join(', ')} (remediators/workflow/pacing.ts)`,
  );
  for (const row of rows) {
    const r = row.result;
    console.log(`\n${row.findings} findings, ${row.stages} stages, ${row.accounts} accounts`);
    console.log(`  executions         ${row.executions} (stage runs ${row.result.runs})`);
    console.log(`  makespan           ${row.makespanSeconds.toFixed(1)} s`);
    console.log(`  quota-bound min.   ${row.minimumSeconds.toFixed(1)} s  (bounded by ${row.boundedBy})`);
    console.log(`  ratio              ${row.ratio === null ? '-' : row.ratio.toFixed(2)}`);
    console.log(`  bounded by         ${row.makespanBoundedBy}`);
    console.log(`  stage runs         ${r.runs}: ${format(r.outcomes)}`);
    console.log(
      `  queued on holders  ${r.queuedRuns} stage runs: ${r.gatheredRuns} taken in by ${r.gatheringRounds} gathering first rounds (docs/decisions/0039), the rest covered by ${r.laterRounds} later rounds (0037)`,
    );
    console.log(`  failed because     ${format(r.failures)}`);
    console.log(`  calls by service   ${format(r.callsByService)}`);
    console.log(`  throttled          ${format(r.throttledByService)}`);
    console.log(`  ASL task retries   ${format(r.aslRetries)}`);
    console.log(`  Lambda throttled   ${format(r.lambdaThrottles)}`);
    console.log(
      `  paced calls        ${format(r.pacedCalls)}; refused a place ${format(r.pacingRefusals)}; slept ${(r.pacedWaitMs / 1000).toFixed(0)} s in all`,
    );
    console.log(
      `  transitions ${r.stateTransitions}, Lambda invocations ${r.lambdaInvocations} (batches read by the pipe's enrichment ${r.enrichedBatches}), cold starts ${r.coldStarts}, catch paths replayed ${r.catchPathsReplayed}`,
    );
    console.log(
      `  slowest buckets    ${row.topBounds.map((b) => `${b.bucket}: ${b.calls} calls → ${b.seconds.toFixed(1)} s`).join('; ')}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
