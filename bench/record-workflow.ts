/**
 * Writes bench/recordings/burst.json: what each scenario of the CURRENT state machine does,
 * state by state and call by call, for bench:burst to replay (docs/decisions/0024).
 *
 * It runs the real ASL with the real handlers against moto_server through the workflow harness
 * (test/workflow/harness.ts, createWorkflowHarness), as the workflow tests do, and observes:
 * - every state entered (and every retry), from aws-local-stepfunctions' event log;
 * - every AWS call each task made, from the strict-AWS recorder (test/strict-aws/recorder.ts),
 *   which sees every SDK v3 `send` made inside a task's scope. Tasks are run one at a time (a
 *   mutex around each handler) so that every call is attributed to the task that made it, even
 *   when a Map runs iterations side by side.
 *
 * `catchPaths`: for every task of the automatic paths, what the machine does after that task failed
 * for good (it is made to throw an error every Catch takes and no Retry names).
 *
 * Scenarios that deliver several findings (five-findings-one-stage) run one execution per finding,
 * as EventBridge starts them; each execution is kept under `executions`, and the scenario's own
 * `states`, `transitions` and `tasks` are their concatenation. bench:workflow (bench/recordings/workflow.json) records the
 * same runs without `executions` and `catchPaths`; once it records them, this script goes (issue 10).
 *
 *   npm run bench:burst:record     (needs moto_server; the script sets moto's dummy credentials)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { APIGatewayClient, TagResourceCommand } from '@aws-sdk/client-api-gateway';
import { StateMachine } from 'aws-local-stepfunctions';
import { logger } from '../remediators/shared/powertools.js';
import { seedInsecureHttpStage, seedInsecureRestStage } from '../test/helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, startMoto } from '../test/helpers/moto.js';
import {
  installRecorder,
  recordedCalls,
  startRecording,
  stopRecording,
} from '../test/strict-aws/recorder.js';
import {
  createWorkflowHarness,
  fixtureEvent,
  type RunOptions,
  type TaskHandler,
  type TaskName,
  type WorkflowHarness,
} from '../test/workflow/harness.js';
import type {
  RecordedCatchPath,
  RecordedExecution,
  RecordedScenario,
  RecordedTask,
} from './burst/recording.js';
import { RECORDING_PATH } from './burst/recording.js';

/** The SDK clients' class names (without `Client`) → the lower-case SDK service names of the recording. */
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

/** lib-dynamodb's document commands → the DynamoDB operation each one sends. */
const DOCUMENT_OPERATIONS: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

const TASK_NAMES: readonly TaskName[] = [
  'Normalize',
  'TakeOwnership',
  'ExpandStages',
  'Decide',
  'AcquireLock',
  'Snapshot',
  'Recheck',
  'Apply',
  'ClaimDeploySlot',
  'Redeploy',
  'UpdateStage',
  'Verify',
  'Record',
  'Notify',
  'ReleaseLock',
  'ReportRejected',
  'ReportRequestFailure',
];

// Every state entered, per execution: aws-local-stepfunctions exposes them only on the object
// `run` returns, which the harness does not hand out, so `run` is observed here. Only the
// execution the harness starts is observed: a Map runs each iteration through `run` too and
// forwards that iteration's events to the execution's log, which a second reader would steal.
const stateLogs: string[][] = [];
let observeNextRun = false;
const originalRun = StateMachine.prototype.run;
StateMachine.prototype.run = function observedRun(this: StateMachine, ...args) {
  const execution = originalRun.apply(this, args);
  if (!observeNextRun) return execution;
  observeNextRun = false;
  const log: string[] = [];
  stateLogs.push(log);
  void (async () => {
    for await (const event of execution.eventLogs) {
      // AWS bills every state entered and every retry of one (docs/benchmarks.md, issue 10).
      if (event.type === 'StateEntered' || event.type === 'StateRetried') log.push(event.state.name);
    }
  })();
  return execution;
};

/** One task at a time, so that the recorder's calls between its start and end are its own. */
let queue: Promise<unknown> = Promise.resolve();
const taskCalls: RecordedTask[] = [];

function serialized(state: TaskName): (real: TaskHandler) => TaskHandler {
  return (real) => (input) => {
    const turn = queue.then(async () => {
      const before = recordedCalls().length;
      try {
        return await real(input);
      } finally {
        const calls = recordedCalls()
          .slice(before)
          .map((call) => {
            const service = SERVICE_NAMES[call.service];
            if (service === undefined) throw new Error(`no SDK service name for client ${call.service}`);
            const operation =
              call.service === 'DynamoDBDocument'
                ? (DOCUMENT_OPERATIONS[call.operation] ?? call.operation)
                : call.operation;
            return { service, operation };
          });
        taskCalls.push({ state, calls });
      }
    });
    queue = turn.catch(() => undefined);
    return turn;
  };
}

const serializedAll: RunOptions['wrap'] = Object.fromEntries(
  TASK_NAMES.map((name) => [name, serialized(name)]),
);

const APPROVED = async () => ({
  decision: 'APPROVED',
  approver: { id: 'U024BE7LH', name: 'Bench Approver' },
  decidedAt: new Date().toISOString(),
  channel: 'slack',
});

function outcomesOf(output: unknown): string[] {
  return [...JSON.stringify(output).matchAll(/"outcome":"([A-Z_]+)"/g)].map((match) => match[1] ?? '');
}

/** An error no Retry block names and every Catch (States.ALL) takes: the task fails for good at once. */
class InjectedFailure extends Error {
  override readonly name = 'InjectedFailure';
}

async function execute(
  harness: WorkflowHarness,
  event: unknown,
  options: RunOptions = {},
  failing?: TaskName,
): Promise<RecordedExecution> {
  taskCalls.length = 0;
  const logsBefore = stateLogs.length;
  const wrap: RunOptions['wrap'] =
    failing === undefined
      ? serializedAll
      : {
          ...serializedAll,
          [failing]: () =>
            serialized(failing)(() => Promise.reject(new InjectedFailure(`${failing} fails (recording)`))),
        };
  // The harness calls `run` before its first await: this flag is the execution's, not a Map's.
  observeNextRun = true;
  // An execution that ends in a Fail state (the intake's catch) rejects: its path is still recorded.
  const output = await harness.run(event, { ...options, wrap }).catch((error: unknown) => {
    if (failing === undefined) throw error;
    return { outcome: 'FAILED' };
  });
  // The event log generator may still be draining the last events: let it finish.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const states = [...(stateLogs[logsBefore] ?? [])];
  const outcomes = outcomesOf(output);
  return {
    states,
    transitions: states.length,
    tasks: [...taskCalls],
    outcome: outcomes.length === 0 ? 'NONE' : outcomes.join('+'),
  };
}

function scenario(name: string, executions: RecordedExecution[]): RecordedScenario {
  return {
    scenario: name,
    transitions: executions.reduce((sum, execution) => sum + execution.transitions, 0),
    states: executions.flatMap((execution) => execution.states),
    tasks: executions.flatMap((execution) => execution.tasks),
    ...(executions.length > 1 ? { executions } : { outcome: executions[0]?.outcome ?? 'NONE' }),
  };
}

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';

function restFinding(apiId: string, controlId = 'APIGateway.1'): unknown {
  const event = fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
    [FIXTURE_API_ID]: apiId,
    [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
  });
  return JSON.parse(JSON.stringify(event).split('APIGateway.1').join(controlId)) as unknown;
}

function updateApiEvent(apiId: string): unknown {
  const event = fixtureEvent('cloudtrail-updaterestapi-enable-endpoint.json', {
    [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
  }) as { detail: Record<string, unknown> };
  return {
    ...event,
    detail: {
      ...event.detail,
      eventName: 'UpdateApi',
      requestParameters: { apiId, disableExecuteApiEndpoint: false },
    },
  };
}

/**
 * What the state machine does after `state` failed for good: the states and tasks after its last
 * attempt, from one run of `setup`'s scenario with that task failing.
 */
async function catchPathOf(
  state: TaskName,
  setup: () => Promise<{ harness: WorkflowHarness; event: unknown; options?: RunOptions }>,
): Promise<RecordedCatchPath> {
  const { harness, event, options } = await setup();
  const run = await execute(harness, event, options, state);
  const lastState = run.states.lastIndexOf(state);
  const lastTask = run.tasks.map((task) => task.state).lastIndexOf(state);
  if (lastState < 0 || lastTask < 0) throw new Error(`the run never reached ${state}`);
  return {
    failedState: state,
    states: run.states.slice(lastState + 1),
    tasks: run.tasks.slice(lastTask + 1),
  };
}

async function main(): Promise<void> {
  logger.setLogLevel('SILENT');
  installRecorder();
  const moto = await startMoto();
  const endpoint = moto.endpoint;
  const tagApprove = (apiId: string) =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint, credentials: motoCredentials }).send(
      new TagResourceCommand({
        resourceArn: `arn:aws:apigateway:${MOTO_REGION}::/restapis/${apiId}/stages/prod`,
        tags: { 'apigw-remediation:mode:APIGateway.1': 'approve' },
      }),
    );
  const scenarios: RecordedScenario[] = [];
  const catchPaths: RecordedCatchPath[] = [];
  try {
    startRecording();
    {
      await moto.reset();
      const seeded = await seedInsecureRestStage({ endpoint });
      const harness = await createWorkflowHarness({ endpoint });
      scenarios.push(scenario('auto', [await execute(harness, restFinding(seeded.ref.apiId))]));
    }
    {
      await moto.reset();
      const seeded = await seedInsecureHttpStage({ endpoint });
      const harness = await createWorkflowHarness({
        endpoint,
        emulateV2Writes: true,
        config: {
          controls: { 'Baseline.DefaultEndpoint': 'auto', 'Baseline.StageThrottling': 'auto' },
          allowUnattendedDeployments: true,
        },
      });
      scenarios.push(scenario('auto-redeploy', [await execute(harness, updateApiEvent(seeded.ref.apiId))]));
    }
    {
      await moto.reset();
      const seeded = await seedInsecureRestStage({ endpoint });
      // Fixed by a first run (not recorded); the same finding delivered again then finds it compliant.
      const harness = await createWorkflowHarness({ endpoint });
      await harness.run(restFinding(seeded.ref.apiId));
      scenarios.push(scenario('already-compliant', [await execute(harness, restFinding(seeded.ref.apiId))]));
    }
    {
      await moto.reset();
      const seeded = await seedInsecureRestStage({ endpoint });
      await tagApprove(seeded.ref.apiId);
      const harness = await createWorkflowHarness({ endpoint });
      scenarios.push(
        scenario('approval', [await execute(harness, restFinding(seeded.ref.apiId), { approval: APPROVED })]),
      );
    }
    {
      await moto.reset();
      const seeded = await seedInsecureRestStage({ endpoint });
      // Every REST control of the catalog with a Security Hub finding, each fixed unattended.
      const harness = await createWorkflowHarness({
        endpoint,
        config: { controls: { 'APIGateway.4': 'auto' } },
      });
      const executions: RecordedExecution[] = [];
      for (const controlId of [
        'APIGateway.1',
        'APIGateway.2',
        'APIGateway.3',
        'APIGateway.4',
        'APIGateway.5',
      ]) {
        executions.push(await execute(harness, restFinding(seeded.ref.apiId, controlId)));
      }
      scenarios.push(scenario('five-findings-one-stage', executions));
    }
    {
      await moto.reset();
      const seeded = await seedInsecureRestStage({ endpoint });
      const harness = await createWorkflowHarness({ endpoint });
      const drift = fixtureEvent('cloudtrail-updatestage-by-user.json', {
        [FIXTURE_API_ID]: seeded.ref.apiId,
        [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
      });
      scenarios.push(
        scenario('drift-whole-baseline', [await execute(harness, drift, { approval: APPROVED })]),
      );
    }
    // The catch path of every task the automatic paths run (REST, and V2 with a deployment).
    const restSetup = async () => {
      await moto.reset();
      const seeded = await seedInsecureRestStage({ endpoint });
      return { harness: await createWorkflowHarness({ endpoint }), event: restFinding(seeded.ref.apiId) };
    };
    const v2Setup = async () => {
      await moto.reset();
      const seeded = await seedInsecureHttpStage({ endpoint });
      const harness = await createWorkflowHarness({
        endpoint,
        emulateV2Writes: true,
        config: {
          controls: { 'Baseline.DefaultEndpoint': 'auto', 'Baseline.StageThrottling': 'auto' },
          allowUnattendedDeployments: true,
        },
      });
      return { harness, event: updateApiEvent(seeded.ref.apiId) };
    };
    const tasksOf = (name: string) => [
      ...new Set(scenarios.find((recorded) => recorded.scenario === name)?.tasks.map((task) => task.state)),
    ];
    for (const [name, setup] of [
      ['auto', restSetup],
      ['auto-redeploy', v2Setup],
    ] as const) {
      for (const state of tasksOf(name) as TaskName[]) {
        if (catchPaths.some((path) => path.failedState === state)) continue;
        catchPaths.push(await catchPathOf(state, setup));
      }
    }
    stopRecording();
  } finally {
    await moto.stop();
  }
  const path = new URL(`../${RECORDING_PATH}`, import.meta.url);
  mkdirSync(new URL('.', path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ scenarios, catchPaths }, null, 2)}\n`);
  for (const recorded of scenarios) {
    console.log(`${recorded.scenario}: ${recorded.transitions} transitions, ${recorded.tasks.length} tasks`);
  }
  for (const path of catchPaths)
    console.log(`after ${path.failedState} fails: ${path.states.join(' → ') || '(ends)'}`);
}

await main();
