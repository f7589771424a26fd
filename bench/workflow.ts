/**
 * What one remediation costs in the state machine production runs: the REAL definition
 * (state-machines/remediation.asl.json) with the REAL task handlers against moto_server, through
 * the workflow harness (test/workflow/harness.ts), one orchestration.
 *
 * Per scenario it counts, from aws-local-stepfunctions' event log, every state entered as AWS bills
 * state transitions (Standard workflows: "each time a step of your workflow is executed", retries
 * included: https://aws.amazon.com/step-functions/pricing/), and from the recorded SDK calls
 * (test/strict-aws/recorder.ts) the AWS calls each task invocation made.
 *
 *   npm run bench:workflow                a table, then the path of states per scenario
 *   npm run bench:workflow -- --json      the JSON array of rows
 *   npm run bench:workflow -- --record    also writes bench/recordings/workflow.json (kept fresh by test/workflow/bench-workflow.test.ts)
 *
 * The approval task's own Lambda (request-approval: Slack, the approvals table) is played by the
 * scenario, as in the workflow tests: its invocation is counted, its calls are not.
 *
 * The recording is also what bench:burst replays (bench/burst/recording.ts reads it, docs/decisions/0024):
 * - `executions`, for a scenario that starts several executions (or retried a task): each
 *   execution's path on its first attempts, its retried attempts listed apart under `retried`,
 *   since the simulation makes its own retries (StageLocked, throttling) from what it models;
 * - `catchPaths`: for every task of the automatic paths (auto, auto-redeploy), what the machine
 *   does after that task failed for good (made to throw an error every Catch takes and no Retry names).
 */
import './workflow-env.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { APIGatewayClient, UpdateStageCommand, TagResourceCommand } from '@aws-sdk/client-api-gateway';
import { logger } from '../remediators/shared/powertools.js';
import { seedInsecureHttpStage, seedInsecureRestStage } from '../test/helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, startMoto } from '../test/helpers/moto.js';
import {
  installRecorder,
  recordedCalls,
  startRecording,
  type RecordedCall,
} from '../test/strict-aws/recorder.js';
import { DOCUMENT_OPERATIONS } from '../test/strict-aws/iam.js';
import {
  createWorkflowHarness,
  DEFINITION_PATH,
  fixtureEvent,
  pipeBatch,
  stageDriftEvent,
  STATE_OF_TASK,
  TASK_FUNCTIONS,
  type ExecutionEvent,
  type RunOptions,
  type TaskHandler,
  type TaskName,
  type WorkflowHarness,
} from '../test/workflow/harness.js';
import { RECORDING_PATH as RECORDING_FILE } from './burst/recording.js';
import { LOCKS_TABLE_KEY } from '../remediators/workflow/lock.js';
import { PACE_KEY_PREFIX } from '../remediators/workflow/pacing.js';
import { PIPE_BATCH_SIZE } from '../remediators/intake/pipe-batch.js';

export const RECORDING_PATH = new URL(`../${RECORDING_FILE}`, import.meta.url);

export interface WorkflowRow {
  readonly scenario: string;
  readonly transitions: number;
  readonly lambdaInvocations: number;
  readonly apiGatewayCalls: number;
  readonly updateStageCalls: number;
  readonly deployments: number;
  readonly securityHubCalls: number;
  readonly dynamodbCalls: number;
  /** Outcomes the executions ended with (from their output), in execution order. */
  readonly outcomes: readonly string[];
}

export interface RecordedTask {
  readonly state: string;
  readonly calls: readonly { readonly service: string; readonly operation: string }[];
}

/** An attempt the recorded run retried, the error it failed with, and the calls it made first. */
export interface RecordedRetry {
  readonly state: string;
  readonly error: string;
  readonly calls: RecordedTask['calls'];
}

/** One execution, as bench:burst replays it. */
export interface RecordedExecution {
  /** Billed: `states` plus the retried attempts. */
  readonly transitions: number;
  /** The states entered, each once per visit (its retries are in `retried`). */
  readonly states: readonly string[];
  /** Its task invocations in order, less the attempts in `retried`. */
  readonly tasks: readonly RecordedTask[];
  readonly retried: readonly RecordedRetry[];
  /** The outcomes its output names, joined with `+` (NONE when it names none). */
  readonly outcome: string;
}

export interface RecordedScenario {
  readonly scenario: string;
  readonly transitions: number;
  /** The states entered, per execution in start order; a retried Task appears once per attempt. */
  readonly states: readonly string[];
  readonly tasks: readonly RecordedTask[];
  /** A scenario of one execution without retries: its outcome (it is replayed as it stands). */
  readonly outcome?: string;
  /** Several executions, or one that retried: each execution, in start order. */
  readonly executions?: readonly RecordedExecution[];
}

/** What the state machine does after `failedState` failed for good: the states and tasks after its last attempt. */
export interface RecordedCatchPath {
  readonly failedState: string;
  readonly states: readonly string[];
  readonly tasks: readonly RecordedTask[];
}

export interface WorkflowMeasurement {
  readonly row: WorkflowRow;
  readonly recording: RecordedScenario;
}

/** SDK v3 client class (without `Client`) → the lower-case service name the recording uses. */
const SERVICE_NAMES: Readonly<Record<string, string>> = {
  APIGateway: 'apigateway',
  ApiGatewayV2: 'apigatewayv2',
  WAFV2: 'wafv2',
  CloudWatchLogs: 'logs',
  DynamoDB: 'dynamodb',
  DynamoDBDocument: 'dynamodb',
  SecurityHub: 'securityhub',
  SNS: 'sns',
  SSM: 'ssm',
  STS: 'sts',
};

export function serviceName(client: string): string {
  const name = SERVICE_NAMES[client];
  if (name === undefined) throw new Error(`bench:workflow has no service name for the SDK client ${client}`);
  return name;
}

interface StateNode {
  readonly Type?: string;
  readonly Resource?: string;
  readonly States?: Record<string, StateNode>;
  readonly ItemProcessor?: StateNode;
}

/**
 * The Task states of a definition that invoke a Lambda function: a `${…FunctionArn}` resource or
 * the lambda:invoke service integrations (a direct DynamoDB or SNS integration is not one).
 */
export function lambdaTaskStates(definition: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (node: StateNode | undefined): void => {
    for (const [name, state] of Object.entries(node?.States ?? {})) {
      const resource = state.Resource ?? '';
      if (state.Type === 'Task' && (/FunctionArn\}$/.test(resource) || /:states:::lambda:/.test(resource))) {
        names.add(name);
      }
      visit(state.ItemProcessor);
    }
  };
  visit(definition as StateNode);
  return names;
}

/** What the event log of one execution says: the states entered (with each retry), billed transitions. */
export function statesOf(events: readonly ExecutionEvent[]): { states: string[]; retried: string[] } {
  const states: string[] = [];
  const retried: string[] = [];
  for (const event of events) {
    if (event.type === 'StateEntered') states.push(event.state.name);
    // A retry executes the step again: AWS bills it as one more transition.
    if (event.type === 'StateRetried') {
      states.push(event.state.name);
      retried.push(event.state.name);
    }
  }
  return { states, retried };
}

function outcomesOf(output: unknown): string[] {
  return [...JSON.stringify(output).matchAll(/"outcome":"([A-Z_]+)"/g)].map((match) => match[1] ?? '');
}

/** One measured scenario: the executions it starts, with their event logs collected. */
interface Runner {
  readonly harness: WorkflowHarness;
  run(event: unknown, options?: RunOptions): Promise<unknown>;
}

interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly harness?: { readonly config?: unknown; readonly emulateV2Writes?: boolean };
  /** Seeds moto, then starts the measured executions through `runner`. */
  exercise(endpoint: string, runner: Runner): Promise<void>;
}

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
const FIXTURE_FINDING_UUID = '2d99225c-c35e-42d7-8d61-a916c5209351';
const FIXTURE_EVENT_ID = 'cbb1e618-4f4e-4ca4-9622-ec1a51ad51e6';
const APPROVED = async () => ({
  decision: 'APPROVED',
  approver: { id: 'U024BE7LH', name: 'Dana Approver' },
  decidedAt: new Date().toISOString(),
  channel: 'slack',
});

/** The APIGateway.1 REST finding of the fixtures, for `controlId` (its own finding and event id). */
function restFinding(apiId: string, controlId = 'APIGateway.1', index = 0): unknown {
  const suffix = String(index).padStart(4, '0');
  return fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
    [FIXTURE_API_ID]: apiId,
    [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
    '"APIGateway.1"': `"${controlId}"`,
    'APIGateway.1/': `${controlId}/`,
    'security-control/APIGateway.1"': `security-control/${controlId}"`,
    [FIXTURE_FINDING_UUID]: `${FIXTURE_FINDING_UUID.slice(0, -4)}${suffix}`,
    [FIXTURE_EVENT_ID]: `${FIXTURE_EVENT_ID.slice(0, -4)}${suffix}`,
  });
}

/** The five REST controls of the five-findings scenarios, in the order their findings arrive. */
const FIVE_CONTROLS = [
  'APIGateway.1',
  'APIGateway.2',
  'APIGateway.3',
  'APIGateway.4',
  'APIGateway.5',
] as const;

/** Findings 2 to 5 of the five-findings scenarios, one execution each, one after another. */
async function theOtherFourArrive(runner: Runner, apiId: string): Promise<void> {
  for (const [index, controlId] of FIVE_CONTROLS.entries()) {
    if (index > 0) await runner.run(restFinding(apiId, controlId, index));
  }
}

const apiGateway = (endpoint: string) =>
  new APIGatewayClient({ region: MOTO_REGION, endpoint, credentials: motoCredentials });

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'auto-redeploy',
    description:
      'HTTP API stage without autoDeploy, UpdateApi drift, DefaultEndpoint + StageThrottling auto, unattended deployments allowed',
    harness: {
      emulateV2Writes: true,
      config: {
        controls: { 'Baseline.DefaultEndpoint': 'auto', 'Baseline.StageThrottling': 'auto' },
        allowUnattendedDeployments: true,
      },
    },
    async exercise(endpoint, runner) {
      const seeded = await seedInsecureHttpStage({ endpoint });
      await runner.run(stageDriftEvent(seeded.ref));
    },
  },
  {
    name: 'auto',
    description: 'REST stage, APIGateway.1 finding, mode auto (default config)',
    async exercise(endpoint, runner) {
      const seeded = await seedInsecureRestStage({ endpoint });
      await runner.run(restFinding(seeded.ref.apiId));
    },
  },
  {
    name: 'already-compliant',
    description: 'REST stage whose execution logging a person already turned on, APIGateway.1 finding',
    async exercise(endpoint, runner) {
      const seeded = await seedInsecureRestStage({ endpoint });
      await apiGateway(endpoint).send(
        new UpdateStageCommand({
          restApiId: seeded.ref.apiId,
          stageName: seeded.ref.stageName,
          patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'ERROR' }],
        }),
      );
      await runner.run(restFinding(seeded.ref.apiId));
    },
  },
  {
    name: 'approval',
    description: 'REST stage tagged approve for APIGateway.1, approved in Slack',
    async exercise(endpoint, runner) {
      const seeded = await seedInsecureRestStage({ endpoint });
      await apiGateway(endpoint).send(
        new TagResourceCommand({
          resourceArn: `arn:aws:apigateway:${MOTO_REGION}::/restapis/${seeded.ref.apiId}/stages/${seeded.ref.stageName}`,
          tags: { 'apigw-remediation:mode:APIGateway.1': 'approve' },
        }),
      );
      await runner.run(restFinding(seeded.ref.apiId), { approval: APPROVED });
    },
  },
  {
    name: 'five-findings-one-stage',
    description:
      'REST stage, findings APIGateway.1 to .5 (.2 notify only, the others auto), .2 to .5 arriving while the first run holds the stage',
    harness: { config: { controls: { 'APIGateway.4': 'auto' } } },
    async exercise(endpoint, runner) {
      const seeded = await seedInsecureRestStage({ endpoint });
      // Findings 2 to 5 arrive while the first run holds the stage (it has the lock and has not
      // planned yet): each is queued on the lock and its run ends JOINED (docs/decisions/0037); the
      // first run plans the four together in its second round. The order is fixed, so the counts
      // do not depend on timing.
      let arrived = false;
      const othersArriveBeforePlanning = (real: TaskHandler) => async (input: unknown) => {
        if (!arrived) {
          arrived = true;
          await theOtherFourArrive(runner, seeded.ref.apiId);
        }
        return real(input);
      };
      await runner.run(restFinding(seeded.ref.apiId, FIVE_CONTROLS[0], 0), {
        wrap: { Snapshot: othersArriveBeforePlanning },
      });
    },
  },
  {
    name: 'five-findings-one-stage-gathered',
    description: `as five-findings-one-stage, the first finding in a batch the Pipe cut at its size (the finding and ${PIPE_BATCH_SIZE - 1} redeliveries of its event, read by the Pipe's enrichment): its run gathers, .2 to .5 arrive while it waits, one round plans the five`,
    harness: { config: { controls: { 'APIGateway.4': 'auto' } } },
    async exercise(endpoint, runner) {
      const seeded = await seedInsecureRestStage({ endpoint });
      const first = restFinding(seeded.ref.apiId, FIVE_CONTROLS[0], 0);
      // Prepare's second attempt is the one after the StageGathering retry (docs/decisions/0039):
      // findings 2 to 5 arrive before it, each queued on the gathering holder. The order is fixed.
      let attempts = 0;
      const othersArriveWhileGathering = (real: TaskHandler) => async (input: unknown) => {
        attempts += 1;
        if (attempts === 2) await theOtherFourArrive(runner, seeded.ref.apiId);
        return real(input);
      };
      await runner.run(pipeBatch(Array.from({ length: PIPE_BATCH_SIZE }, () => first)), {
        wrapState: { Prepare: othersArriveWhileGathering },
      });
    },
  },
  {
    name: 'drift-whole-baseline',
    description: "a person's UpdateStage on a REST stage (CloudTrail): the whole baseline, approved in Slack",
    async exercise(endpoint, runner) {
      const seeded = await seedInsecureRestStage({ endpoint });
      const event = fixtureEvent('cloudtrail-updatestage-by-user.json', {
        [FIXTURE_API_ID]: seeded.ref.apiId,
        [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
      });
      await runner.run(event, { approval: APPROVED });
    },
  },
];

/** The API operation of a recorded call (a lib-dynamodb command named by the operation it sends). */
export function operationOf(call: Pick<RecordedCall, 'service' | 'operation'>): string {
  if (call.service !== 'DynamoDBDocument') return call.operation;
  const operation = DOCUMENT_OPERATIONS[call.operation];
  if (operation === undefined)
    throw new Error(`bench:workflow does not know lib-dynamodb's ${call.operation}`);
  return operation;
}

function callsOf(calls: readonly RecordedCall[], step: number): RecordedTask['calls'] {
  return calls
    .filter((call) => call.step === step)
    .sort((a, b) => a.sequence - b.sequence)
    .map((call) => ({ service: serviceName(call.service), operation: operationOf(call) }));
}

/** An error no Retry block names and every Catch (States.ALL) takes: the task fails for good at once. */
class InjectedFailure extends Error {
  override readonly name = 'InjectedFailure';
}

/** What one run of a scenario left behind: its executions' event logs, task invocations and calls. */
interface ScenarioRun {
  readonly harness: WorkflowHarness;
  readonly calls: readonly RecordedCall[];
  readonly executions: readonly {
    readonly name: string;
    readonly events: readonly ExecutionEvent[];
    /** Undefined when the execution ended in a Fail state (only when a task was made to fail). */
    readonly output: unknown;
  }[];
  /** Invocation index (harness.invocations) → the error name its handler threw. */
  readonly failedInvocations: ReadonlyMap<number, string>;
}

/**
 * Runs one scenario on an emptied moto_server, every task's handler observed (which invocation
 * threw what). With `failing`, that task throws an {@link InjectedFailure} instead of running.
 */
async function runScenario(
  scenario: Scenario,
  moto: { readonly endpoint: string; reset(): Promise<void> },
  failing?: TaskName,
): Promise<ScenarioRun> {
  await moto.reset();
  installRecorder();
  const harness = await createWorkflowHarness({ endpoint: moto.endpoint, ...scenario.harness });
  const firstCall = recordedCalls().length;
  const executions: { name: string; events: ExecutionEvent[]; output: unknown }[] = [];
  const failedInvocations = new Map<number, string>();
  await scenario.exercise(moto.endpoint, {
    harness,
    async run(event, options = {}) {
      const execution = {
        name: `bench-${scenario.name}-${executions.length + 1}`,
        events: [] as ExecutionEvent[],
        output: undefined as unknown,
      };
      executions.push(execution);
      // The harness calls a task's wrap right after it listed the invocation: its index is the last.
      const observed = (task: TaskName) => (real: TaskHandler) => {
        const step = harness.invocations.length - 1;
        const inner =
          task === failing
            ? () => Promise.reject(new InjectedFailure(`${task} fails (recording its catch path)`))
            : (options.wrap?.[task]?.(real) ?? real);
        return async (input: unknown) => {
          try {
            return await inner(input);
          } catch (error) {
            failedInvocations.set(step, error instanceof Error ? error.name : 'Error');
            throw error;
          }
        };
      };
      const wrap = Object.fromEntries(
        (Object.keys(TASK_FUNCTIONS) as TaskName[]).map((task) => [task, observed(task)]),
      );
      const run = harness.run(event, {
        ...options,
        wrap,
        executionName: execution.name,
        onEvent: (logged) => execution.events.push(logged),
      });
      // An execution that ends in a Fail state (the intake's Catch) rejects: its path is still recorded.
      execution.output = await (failing === undefined ? run : run.catch(() => undefined));
      return execution.output;
    },
  });
  const calls = recordedCalls()
    .slice(firstCall)
    .filter((call) => !isPacingCall(call));
  return { harness, calls, executions, failedInvocations };
}

/**
 * A call of the pacer itself (remediators/workflow/pacing.ts): an UpdateItem of a `pace#…` item.
 * Left out of the measurement and the recording: how many a paced call takes depends on timing (one
 * on a schedule in use, two on one found idle), which would make the recording differ run to run.
 * bench:burst models them: one DynamoDB call before each paced call.
 */
function isPacingCall(call: RecordedCall): boolean {
  const key = (call.input as { Key?: Record<string, unknown> }).Key?.[LOCKS_TABLE_KEY];
  return (
    call.service === 'DynamoDBDocument' &&
    call.operation === 'Update' &&
    typeof key === 'string' &&
    key.startsWith(PACE_KEY_PREFIX)
  );
}

/** Task or step, as the harness lists an invocation → the Task state it runs in (Finish's OfferUndo step too). */
const STATE_OF_INVOCATION: Readonly<Record<string, string>> = { ...STATE_OF_TASK, OfferUndo: 'Finish' };

/** Whether the state's Retry takes this error (else the coarse task caught it and went on). */
function retriedErrorOf(state: string, error: string): boolean {
  const retriers = RETRIERS.get(state) ?? [];
  return retriers.some((errors) => errors.includes(error) || errors.includes('States.ALL'));
}

/** The ErrorEquals of each Task state's Retry blocks, from the definition. */
const RETRIERS: ReadonlyMap<string, readonly (readonly string[])[]> = (() => {
  const found = new Map<string, string[][]>();
  const visit = (node: unknown): void => {
    const states = (node as { States?: Record<string, Record<string, unknown>> }).States ?? {};
    for (const [name, state] of Object.entries(states)) {
      const retry = (state.Retry ?? []) as { ErrorEquals: string[] }[];
      found.set(
        name,
        retry.map((retrier) => retrier.ErrorEquals),
      );
      visit(state.ItemProcessor ?? {});
    }
  };
  visit(JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')) as unknown);
  return found;
})();

/**
 * One recorded task per Task state invocation (one Lambda invocation): the steps a coarse task ran
 * in it (docs/decisions/0035) are one attempt, their calls in order; `error` is set when a step
 * threw what the state's Retry takes (the attempt then ended there).
 */
function attemptsOf(
  run: ScenarioRun,
  execution: ScenarioRun['executions'][number],
): { state: string; calls: RecordedTask['calls'][number][]; error?: string }[] {
  const attempts: { state: string; calls: RecordedTask['calls'][number][]; error?: string }[] = [];
  let open: (typeof attempts)[number] | undefined;
  run.harness.invocations.forEach((invocation, step) => {
    if (invocation.execution !== execution.name) return;
    const state = STATE_OF_INVOCATION[invocation.state] ?? invocation.state;
    if (open?.state !== state) open = undefined;
    if (open === undefined) {
      open = { state, calls: [] };
      attempts.push(open);
    }
    open.calls.push(...callsOf(run.calls, step));
    const error = run.failedInvocations.get(step);
    if (error !== undefined && retriedErrorOf(state, error)) {
      open.error = error;
      open = undefined;
    }
  });
  return attempts;
}

function invocationsOf(run: ScenarioRun, execution: ScenarioRun['executions'][number]): RecordedTask[] {
  return attemptsOf(run, execution).map(({ state, calls }) => ({ state, calls }));
}

/** One execution's path: its states on their first attempts, its tasks less the retried attempts. */
function executionOf(run: ScenarioRun, execution: ScenarioRun['executions'][number]): RecordedExecution {
  const { states: attempts } = statesOf(execution.events);
  const states = execution.events.flatMap((event) =>
    event.type === 'StateEntered' ? [event.state.name] : [],
  );
  const toRetry = new Map<string, number>();
  for (const event of execution.events) {
    if (event.type === 'StateRetried')
      toRetry.set(event.state.name, (toRetry.get(event.state.name) ?? 0) + 1);
  }
  const tasks: RecordedTask[] = [];
  const retried: RecordedRetry[] = [];
  for (const attempt of attemptsOf(run, execution)) {
    const left = toRetry.get(attempt.state) ?? 0;
    // A retried attempt is one whose step threw what the state retries; the state's last attempt
    // (or a loop's next visit) stays. An error the coarse task caught goes on in the same attempt.
    if (attempt.error !== undefined && left > 0) {
      toRetry.set(attempt.state, left - 1);
      retried.push({ state: attempt.state, error: attempt.error, calls: attempt.calls });
    } else tasks.push({ state: attempt.state, calls: attempt.calls });
  }
  const outcomes = outcomesOf(execution.output ?? {});
  return {
    transitions: attempts.length,
    states,
    tasks,
    retried,
    outcome: outcomes.length === 0 ? 'NONE' : outcomes.join('+'),
  };
}

/** Runs one scenario on an emptied moto_server and measures it. */
export async function measureScenario(
  scenario: Scenario,
  moto: { readonly endpoint: string; reset(): Promise<void> },
): Promise<WorkflowMeasurement> {
  const lambdaStates = lambdaTaskStates(JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')));
  const run = await runScenario(scenario, moto);
  const { calls } = run;
  const states = run.executions.flatMap(({ events }) => statesOf(events).states);
  const count = (predicate: (call: RecordedCall) => boolean) => calls.filter(predicate).length;
  const row: WorkflowRow = {
    scenario: scenario.name,
    transitions: states.length,
    lambdaInvocations: states.filter((state) => lambdaStates.has(state)).length,
    apiGatewayCalls: count((call) => call.service === 'APIGateway' || call.service === 'ApiGatewayV2'),
    updateStageCalls: count((call) => call.operation === 'UpdateStage'),
    deployments: count((call) => call.operation === 'CreateDeployment'),
    securityHubCalls: count((call) => call.service === 'SecurityHub'),
    dynamodbCalls: count((call) => serviceName(call.service) === 'dynamodb'),
    outcomes: run.executions.flatMap(({ output }) => outcomesOf(output)),
  };
  // Per execution in start order (their invocations interleave when they overlap), each in order.
  const executions = run.executions.map((execution) => executionOf(run, execution));
  // Every Task state invocation with its calls, the retried attempts' included (executionOf lists those apart).
  const tasks = run.executions.flatMap((execution) => invocationsOf(run, execution));
  const [only] = executions;
  const asItStands = executions.length === 1 && only !== undefined && only.retried.length === 0;
  return {
    row,
    recording: {
      scenario: scenario.name,
      transitions: row.transitions,
      states,
      tasks,
      ...(asItStands ? { outcome: only.outcome } : { executions }),
    },
  };
}

/** Every scenario on one moto_server (the caller's). */
export async function measureWorkflow(moto: {
  readonly endpoint: string;
  reset(): Promise<void>;
}): Promise<WorkflowMeasurement[]> {
  const measurements: WorkflowMeasurement[] = [];
  for (const scenario of SCENARIOS) measurements.push(await measureScenario(scenario, moto));
  return measurements;
}

/** The step made to fail to record a coarse task's catch path: one every visit of that state runs. */
const FAILING_STEP: Readonly<Record<string, TaskName>> = {
  Prepare: 'Decide',
  Remediate: 'Apply',
  Verify: 'Verify',
  Finish: 'Record',
};

/** The scenarios whose tasks' catch paths are recorded: the automatic paths, REST and V2 with a deployment. */
export const CATCH_PATH_SCENARIOS = ['auto', 'auto-redeploy'] as const;

/**
 * What the machine does after each task of the automatic paths failed for good: per task (the
 * first scenario that runs it), one run of that scenario with the task failing, and what follows
 * its last attempt.
 */
export async function measureCatchPaths(
  measurements: readonly WorkflowMeasurement[],
  moto: { readonly endpoint: string; reset(): Promise<void> },
): Promise<RecordedCatchPath[]> {
  const paths: RecordedCatchPath[] = [];
  for (const name of CATCH_PATH_SCENARIOS) {
    const scenario = SCENARIOS.find((candidate) => candidate.name === name);
    const measured = measurements.find(({ recording }) => recording.scenario === name);
    if (scenario === undefined || measured === undefined) throw new Error(`no scenario ${name} measured`);
    // A coarse Task state fails in its first step that every run of it makes (a step's failure ends
    // its coarse task the same way, whichever step); any other Task state fails itself.
    const recordedStates = new Set(measured.recording.tasks.map((task) => task.state));
    for (const state of recordedStates) {
      const step = FAILING_STEP[state] ?? state;
      if (!(step in TASK_FUNCTIONS) || paths.some((path) => path.failedState === state)) continue;
      const run = await runScenario(scenario, moto, step as TaskName);
      const [execution] = run.executions;
      if (execution === undefined) throw new Error(`${name} started no execution`);
      const { states, tasks } = executionOf(run, execution);
      const lastState = states.lastIndexOf(state);
      const lastTask = tasks.map((task) => task.state).lastIndexOf(state);
      if (lastState < 0 || lastTask < 0) throw new Error(`${name} never reached ${step} in ${state}`);
      paths.push({
        failedState: state,
        states: states.slice(lastState + 1),
        tasks: tasks.slice(lastTask + 1),
      });
    }
  }
  return paths;
}

/** The recording (bench/recordings/workflow.json), as written (in the repository's Prettier style): what bench:burst replays. */
export async function recordingText(
  measurements: readonly WorkflowMeasurement[],
  catchPaths: readonly RecordedCatchPath[],
): Promise<string> {
  const scenarios = measurements.map((measurement) => measurement.recording);
  const options = await resolveConfig(fileURLToPath(RECORDING_PATH));
  return format(JSON.stringify({ scenarios, catchPaths }), { ...options, parser: 'json' });
}

const COLUMNS: readonly (keyof WorkflowRow)[] = [
  'scenario',
  'transitions',
  'lambdaInvocations',
  'apiGatewayCalls',
  'updateStageCalls',
  'deployments',
  'securityHubCalls',
  'dynamodbCalls',
  'outcomes',
];

export function table(rows: readonly WorkflowRow[]): string {
  const cells = rows.map((row) =>
    COLUMNS.map((column) => {
      const value = row[column];
      return Array.isArray(value) ? value.join(' ') : String(value);
    }),
  );
  const widths = COLUMNS.map((column, index) =>
    Math.max(column.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, index) => value.padEnd(widths[index] ?? 0)).join(' | ')} |`;
  return [
    line(COLUMNS),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map((values) => line(values)),
  ].join('\n');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const record = process.argv.includes('--record');
  logger.setLogLevel('SILENT');
  installRecorder();
  startRecording();
  const moto = await startMoto();
  let measurements: WorkflowMeasurement[];
  let catchPaths: RecordedCatchPath[] = [];
  try {
    measurements = await measureWorkflow(moto);
    // Only the recording carries them: they cost a run per task.
    if (record) catchPaths = await measureCatchPaths(measurements, moto);
  } finally {
    await moto.stop();
  }
  if (record) writeFileSync(RECORDING_PATH, await recordingText(measurements, catchPaths));
  const rows = measurements.map((measurement) => measurement.row);
  if (json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(table(rows));
  console.log('\nPath of states per scenario (a retried Task appears once per attempt):');
  for (const { recording } of measurements) {
    console.log(`\n${recording.scenario} (${recording.transitions}):\n  ${recording.states.join(' → ')}`);
  }
  if (record) console.log(`\nwrote ${RECORDING_PATH.pathname}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
