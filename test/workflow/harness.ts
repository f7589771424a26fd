/**
 * Runs the REAL state machine definition (state-machines/remediation.asl.json) with
 * aws-local-stepfunctions, every Task overridden by the REAL handler talking to moto_server, on
 * the product's in-process runner (remediators/local/workflow-runner.ts), which the CLI's `fix`
 * uses too. What the harness adds is for tests:
 *
 * - Security Hub is not in moto: its client is stubbed with aws-sdk-client-mock and every
 *   call is kept for assertions.
 * - The approval Task's Lambda posts to Slack and waits for a human: each test supplies what
 *   the human does (the approvals package has its own tests of the token path).
 * - Retry pauses are shortened (the deployment slot's too); what is retried is unchanged.
 * - `wrap` lets a test inject a fault around one Task or one step of a coarse task (throttling, a
 *   deleted stage, a failure).
 * - aws-local-stepfunctions resolves TimeoutSecondsPath against the Task's Parameters output,
 *   where AWS reads it from the state input: the approval's path is dropped here (the test's
 *   approval behaviour simulates the timeout) and definition.test.ts checks it separately.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type AwsSecurityFinding,
  type GetFindingsCommandInput,
  BatchUpdateFindingsCommand,
  BatchUpdateFindingsV2Command,
  SecurityHubClient,
  type BatchUpdateFindingsV2CommandInput,
  type BatchImportFindingsCommandInput,
  type BatchUpdateFindingsCommandInput,
} from '@aws-sdk/client-securityhub';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CreateTopicCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { ConfigSchema, type RemediationConfig } from '../../config/schema.js';
import { ApprovalRequestSchema } from '../../remediators/approvals/record.js';
import {
  OfferUndoEventSchema,
  SettleTimeoutEventSchema,
} from '../../remediators/handlers/request-approval.js';
import type { RecordOutput } from '../../remediators/handlers/record.js';
import { handler as enrichPipeBatch } from '../../remediators/handlers/intake-enrichment.js';
import { createFlapGuardDeps } from '../../remediators/iac/deps.js';
import { FLAP_TABLE_ENV, FLAP_TABLE_KEY } from '../../remediators/iac/flap-store.js';
import type { DeferralEntry } from '../../remediators/ledger/entry.js';
import { CATALOG } from '../../remediators/controls/catalog.js';
import type { ControlMode } from '../../remediators/controls/define-control.js';
import { ApiCallCounter, type ApiCallCounts, type CountedService } from '../../remediators/core/clients.js';
import type { ControlId, StageRef } from '../../remediators/core/types.js';
import { ledgerStore, type LedgerStore } from '../../remediators/ledger/store.js';
import { createLedgerTable } from '../../remediators/ledger/table.js';
import { createLocksTable } from '../../remediators/local/local-service.js';
import {
  createLocalStateMachine,
  createTaskHandlers,
  createWorkflowDeps as createLocalWorkflowDeps,
  DEFINITION_PATH,
  LOCAL_KILL_SWITCH_PARAMETER,
  LOCAL_LEDGER_TABLE,
  LOCAL_LOCKS_TABLE,
  stateHandlers,
  substitutedDefinition as localSubstitutedDefinition,
  type ExecutionEvent,
  type TaskHandler,
  type TaskName,
  type WorkflowDeps,
} from '../../remediators/local/workflow-runner.js';
import { emulateMotoV2StageWrites } from '../../remediators/local/moto-gaps.js';
import type { OutcomeRecord } from '../../remediators/workflow/outcome.js';
import type { ReportingDeps } from '../../remediators/workflow/deps/reporting.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials } from '../helpers/moto.js';
import { mockClientUnderStrictModel } from '../strict-aws/mock-client.js';
import { asTask, asTestHarness } from '../strict-aws/recorder.js';

// The in-process runner is product code (remediators/local/workflow-runner.ts); the tests build on it.
export { DEFINITION_PATH };
export type { ExecutionEvent, TaskHandler, TaskName, WorkflowDeps };
export const LOCKS_TABLE = LOCAL_LOCKS_TABLE;
/** The ledger table the harness creates; the Record task writes it (LEDGER_TABLE_NAME in AWS). */
export const LEDGER_TABLE = LOCAL_LEDGER_TABLE;
export const FLAP_TABLE = 'apigw-remediation-iac-flap';
/** The kill switch parameter the harness creates (value `off` unless a test says otherwise). */
export const KILL_SWITCH_PARAMETER = LOCAL_KILL_SWITCH_PARAMETER;

/**
 * The definition with every `${...}` substitution filled in, as the CDK app would; `partition`
 * stands for the stack's `Aws.PARTITION` (moto and the local runner are `aws`).
 */
export function substitutedDefinition(partition = 'aws'): Record<string, unknown> {
  return localSubstitutedDefinition({
    partition,
    region: MOTO_REGION,
    account: MOTO_ACCOUNT,
    locksTable: LOCKS_TABLE,
  });
}

export type ApprovalBehaviour = (request: Record<string, unknown>) => Promise<unknown>;

/**
 * Task state or step → its function (state-machines/tasks.ts entry basename), whose role makes its
 * calls: a step's calls are its coarse task's (docs/decisions/0035).
 */
export const TASK_FUNCTIONS: Readonly<Record<TaskName, string>> = {
  Normalize: 'intake',
  Admit: 'admit',
  ReportAdmitFailure: 'report-failure',
  Gather: 'prepare',
  Decide: 'prepare',
  AcquireLock: 'prepare',
  Snapshot: 'prepare',
  Recheck: 'remediate',
  ClaimDeploySlot: 'remediate',
  Apply: 'remediate',
  Redeploy: 'remediate',
  UpdateStage: 'remediate',
  Verify: 'verify',
  Record: 'finish',
  Notify: 'finish',
  ReleaseLock: 'finish',
  DecideUndo: 'undo',
  AcquireUndoLock: 'acquire-lock',
  PlanUndo: 'undo',
  Undo: 'undo',
  RecordUndoFailure: 'undo',
  ReleaseUndoLock: 'release-lock',
  ReportUndo: 'report-undo',
};

/** Task or step → the Task state it runs in: a step runs inside its coarse task (docs/decisions/0035). */
export const STATE_OF_TASK: Readonly<Record<TaskName, string>> = {
  ...(Object.fromEntries(Object.keys(TASK_FUNCTIONS).map((name) => [name, name])) as Record<
    TaskName,
    string
  >),
  Gather: 'Prepare',
  Decide: 'Prepare',
  AcquireLock: 'Prepare',
  Snapshot: 'Prepare',
  Recheck: 'Remediate',
  ClaimDeploySlot: 'Remediate',
  Apply: 'Remediate',
  Redeploy: 'Remediate',
  UpdateStage: 'Remediate',
  Record: 'Finish',
  Notify: 'Finish',
  ReleaseLock: 'Finish',
};

/** One count the handlers published (WorkflowDeps.metric). */
export interface PublishedMetric {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface RunOptions {
  readonly approval?: ApprovalBehaviour;
  /**
   * What the approvals table says when the approval state timed out (the SettleApprovalTimeout
   * task, request-approval's settlement): by default the timeout wins ({outcome: 'EXPIRED'}).
   */
  readonly timeoutSettlement?: (event: Record<string, unknown>) => Promise<unknown>;
  /** What answers Finish's OfferUndo step (request-approval's Undo offer); by default nothing is offered. */
  readonly offerUndo?: (event: Record<string, unknown>) => Promise<unknown>;
  /** Wrap a task's or a step's real handler (a step inside its coarse task), e.g. to throw before calling it. */
  readonly wrap?: Partial<Record<TaskName, (real: TaskHandler) => TaskHandler>>;
  /**
   * Wrap a Task state's whole handler (a coarse task with its steps), e.g. to end it as a Lambda
   * timeout does: the state machine's Catch, not the task, sees the error.
   */
  readonly wrapState?: Readonly<Record<string, (real: TaskHandler) => TaskHandler>>;
  /**
   * Fail the member-account clients of this run's tasks with this error (e.g. the member role
   * cannot be assumed): a fault inside a task that does more than one thing, such as admit's listing.
   */
  readonly coreClientsFault?: () => Error;
  readonly executionName?: string;
  /** Receives every event of the execution's log, in order (bench:workflow counts the states entered). */
  readonly onEvent?: (event: ExecutionEvent) => void;
}

export interface WorkflowHarness {
  readonly deps: WorkflowDeps;
  readonly securityHub: AwsClientStub<SecurityHubClient>;
  readonly published: PublishCommandInput[];
  /** Every task and step invocation (steps by name, not their coarse task), in order, across runs. */
  readonly calls: TaskName[];
  /**
   * Every Task state invocation (the approval's included) with its execution's name, in order,
   * across runs; the AWS calls an invocation makes are recorded (test/strict-aws/recorder.ts) with
   * its index here as their `step`.
   */
  readonly invocations: { readonly state: string; readonly execution: string }[];
  readonly approvalRequests: Record<string, unknown>[];
  /** What the Record task wrote, per stage, across runs. */
  readonly records: OutcomeRecord[];
  /** Every metric the workflow's handlers published, across runs (the intake's own are not here). */
  readonly metrics: PublishedMetric[];
  /**
   * Calls per `Service.Operation` that the tasks made through the core's clients, across runs:
   * the sum of the call counters of every client set `coreClients` handed out.
   */
  coreCalls(): Record<string, number>;
  run(event: unknown, options?: RunOptions): Promise<unknown>;
  batchUpdates(): BatchUpdateFindingsCommandInput[];
  /** The new Security Hub's updates (OCSF findings), in call order. */
  batchUpdatesV2(): BatchUpdateFindingsV2CommandInput[];
  batchImports(): BatchImportFindingsCommandInput[];
  /** Items left in the locks table whose key starts with `prefix`. */
  lockItems(prefix: string): Promise<Record<string, unknown>[]>;
  /** The ledger table the Record task writes (read back from moto). */
  readonly ledger: LedgerStore;
  /** The DEFERRAL entries the Record task wrote in the ledger, oldest first. */
  readonly deferrals: () => Promise<DeferralEntry[]>;
}

export interface HarnessOptions {
  readonly endpoint: string;
  readonly config?: unknown;
  /** Answer the V2 UpdateStage/CreateDeployment moto lacks (remediators/local/moto-gaps.ts). */
  readonly emulateV2Writes?: boolean;
  /** The kill switch parameter's value (default `off`). */
  readonly killSwitch?: string;
  /** Create the flap guard's table and give it to the snapshot and record tasks (docs/decisions/0029). */
  readonly flapGuard?: boolean;
}

export interface WorkflowDepsOptions {
  readonly endpoint: string;
  readonly config: RemediationConfig;
  readonly homeAccount: string;
  readonly notifyTopicArn?: string;
  readonly metric?: ReportingDeps['metric'];
  /** The ledger table the Record task writes; default none (a test that does not look at it). */
  readonly ledgerTable?: string;
}

/** The deployed functions' factories, all composed, against moto_server (the kill switch as the harness creates it). */
export function createWorkflowDeps(options: WorkflowDepsOptions): WorkflowDeps {
  return createLocalWorkflowDeps({
    ...options,
    killSwitchParameter: KILL_SWITCH_PARAMETER,
    killSwitchClientConfig: { region: MOTO_REGION, credentials: motoCredentials },
  });
}

export function testConfig(overrides: unknown = {}): RemediationConfig {
  return ConfigSchema.parse(overrides);
}

let executionCounter = 0;

export async function createWorkflowHarness(options: HarnessOptions): Promise<WorkflowHarness> {
  const dynamo = new DynamoDBClient({
    region: MOTO_REGION,
    endpoint: options.endpoint,
    credentials: motoCredentials,
  });
  // A second harness on the same moto_server (every function cold again) shares the first one's tables.
  await createLocksTable(dynamo, LOCKS_TABLE);
  await createLedgerTable(dynamo, LEDGER_TABLE);
  const ledger = ledgerStore(DynamoDBDocumentClient.from(dynamo), LEDGER_TABLE);
  // The central stack creates the kill switch with the value `off`.
  await new SSMClient({ region: MOTO_REGION, endpoint: options.endpoint, credentials: motoCredentials }).send(
    new PutParameterCommand({
      Name: KILL_SWITCH_PARAMETER,
      Type: 'String',
      Value: options.killSwitch ?? 'off',
      Overwrite: true,
    }),
  );
  const sns = new SNSClient({
    region: MOTO_REGION,
    endpoint: options.endpoint,
    credentials: motoCredentials,
  });
  const topic = await sns.send(new CreateTopicCommand({ Name: 'apigw-remediation-notifications' }));
  const published: PublishCommandInput[] = [];
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PublishCommand') published.push(args.input as PublishCommandInput);
      return next(args);
    },
    { step: 'initialize', name: 'recordPublishedNotifications' },
  );

  // Recorded like a real client, so the strict AWS model checks the tasks' Security Hub calls too.
  const securityHub = mockClientUnderStrictModel(SecurityHubClient);
  securityHub.on(BatchUpdateFindingsCommand).callsFake((input: BatchUpdateFindingsCommandInput) => ({
    ProcessedFindings: input.FindingIdentifiers,
    UnprocessedFindings: [],
  }));
  securityHub.on(BatchUpdateFindingsV2Command).callsFake((input: BatchUpdateFindingsV2CommandInput) => ({
    ProcessedFindings: (input.FindingIdentifiers ?? []).map((identifier) => ({
      FindingIdentifier: identifier,
    })),
    UnprocessedFindings: [],
  }));
  // Imported findings are kept as sent (as Security Hub keeps a provider's timestamps), so a later
  // GetFindings by Id (the filter records.ts sends; moto lacks it) returns what an earlier run imported.
  const stored = new Map<string, AwsSecurityFinding>();
  securityHub.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsCommandInput) => {
    for (const finding of input.Findings ?? []) stored.set(finding.Id ?? '', finding);
    return { FailedCount: 0, SuccessCount: input.Findings?.length ?? 0, FailedFindings: [] };
  });
  securityHub.on(GetFindingsCommand).callsFake((input: GetFindingsCommandInput) => ({
    Findings: (input.Filters?.Id ?? []).flatMap((filter) => {
      const finding = stored.get(filter.Value ?? '');
      return filter.Comparison === 'EQUALS' && finding !== undefined ? [finding] : [];
    }),
  }));

  const metrics: PublishedMetric[] = [];
  const base = createWorkflowDeps({
    metric: (name, dimensions, value = 1) => metrics.push({ name, dimensions, value }),
    endpoint: options.endpoint,
    config: testConfig(options.config),
    notifyTopicArn: topic.TopicArn ?? '',
    // The seeded APIs live in moto's default account: the stage account is the home account.
    homeAccount: MOTO_ACCOUNT,
    ledgerTable: LEDGER_TABLE,
  });
  const plainV2 = new ApiGatewayV2Client({
    region: MOTO_REGION,
    endpoint: options.endpoint,
    credentials: motoCredentials,
  });
  const counters: ApiCallCounter[] = [];
  let coreClientsFault: (() => Error) | undefined;
  const deps: WorkflowDeps = {
    ...base,
    sns: () => sns,
    coreClients: async (target) => {
      if (coreClientsFault !== undefined) throw coreClientsFault();
      const clients = await base.coreClients(target);
      counters.push(clients.counter);
      if (options.emulateV2Writes === true)
        emulateMotoV2StageWrites(clients.apiGatewayV2, plainV2, { outsideService: asTestHarness });
      return clients;
    },
  };
  if (options.flapGuard === true) {
    try {
      await dynamo.send(
        new CreateTableCommand({
          TableName: FLAP_TABLE,
          AttributeDefinitions: [{ AttributeName: FLAP_TABLE_KEY, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: FLAP_TABLE_KEY, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    Object.assign(
      deps,
      createFlapGuardDeps({ [FLAP_TABLE_ENV]: FLAP_TABLE }, { endpoint: options.endpoint }),
    );
  }
  const records: OutcomeRecord[] = [];
  const real = createTaskHandlers(deps, {
    endpoint: options.endpoint,
    killSwitchParameter: KILL_SWITCH_PARAMETER,
    killSwitchClientConfig: { region: MOTO_REGION, credentials: motoCredentials },
  });
  const handlers: Record<TaskName, TaskHandler> = {
    ...real,
    Record: async (input) => {
      const output = (await real.Record(input)) as RecordOutput;
      records.push(output.record);
      return output;
    },
  };
  const calls: TaskName[] = [];
  const invocations: { state: string; execution: string }[] = [];
  const approvalRequests: Record<string, unknown>[] = [];
  const stateMachine = createLocalStateMachine({
    partition: 'aws',
    region: MOTO_REGION,
    account: MOTO_ACCOUNT,
    locksTable: LOCKS_TABLE,
  });

  return {
    deps,
    securityHub,
    published,
    calls,
    invocations,
    approvalRequests,
    records,
    metrics,
    ledger,
    coreCalls() {
      const total: Record<string, number> = {};
      for (const counter of counters) {
        for (const [operation, count] of Object.entries(counter.counts().byOperation)) {
          total[operation] = (total[operation] ?? 0) + count;
        }
      }
      return total;
    },
    async run(event, runOptions = {}) {
      executionCounter += 1;
      const name = runOptions.executionName ?? `test-${process.pid}-${executionCounter}`;
      const overrides: Record<string, TaskHandler> = {};
      for (const [taskName, real] of Object.entries(handlers) as [TaskName, TaskHandler][]) {
        const wrap = runOptions.wrap?.[taskName];
        overrides[taskName] = async (input) => {
          calls.push(taskName);
          const step = invocations.push({ state: taskName, execution: name }) - 1;
          // The real handler's calls are made by the task's own central role (test/strict-aws checks
          // them); what a test wraps around it (an injected fault) is the test's own.
          const scoped: TaskHandler = (taskInput) =>
            asTask(TASK_FUNCTIONS[taskName], () => real(taskInput), step);
          const wrapped = wrap?.(scoped) ?? scoped;
          return asTestHarness(() => wrapped(input));
        };
      }
      // The fix path's approval states and the undo's (undo.mode approve): one function, one test behaviour.
      const requestApproval = (state: string) => async (input: unknown) => {
        invocations.push({ state, execution: name });
        // What the request-approval Lambda receives (lambda:invoke Payload), checked against its own schema.
        const { Payload: payload } = input as { Payload: unknown };
        ApprovalRequestSchema.parse(payload);
        const request = payload as Record<string, unknown>;
        approvalRequests.push(request);
        if (runOptions.approval === undefined)
          throw new Error('this test did not expect an approval request');
        return runOptions.approval(request);
      };
      overrides.RequestApproval = requestApproval('RequestApproval');
      overrides.RequestUndoApproval = requestApproval('RequestUndoApproval');
      const settleTimeout = (state: string) => async (input: unknown) => {
        invocations.push({ state, execution: name });
        // What request-approval receives for a settlement, checked against its own schema.
        const settle = SettleTimeoutEventSchema.parse(input);
        return runOptions.timeoutSettlement?.(settle) ?? { outcome: 'EXPIRED' };
      };
      overrides.SettleApprovalTimeout = settleTimeout('SettleApprovalTimeout');
      overrides.SettleUndoApprovalTimeout = settleTimeout('SettleUndoApprovalTimeout');
      overrides.OfferUndo = async (input) => {
        invocations.push({ state: 'OfferUndo', execution: name });
        // What request-approval receives for the Undo offer, checked against its own schema.
        const offer = OfferUndoEventSchema.parse(input);
        return runOptions.offerUndo?.(offer) ?? { offered: false, reason: 'not offered in this test' };
      };
      coreClientsFault = runOptions.coreClientsFault;
      // A Pipe batch reaches the state machine as the Pipe delivers it: read by its enrichment first
      // (the real intake-enrichment handler, docs/decisions/0042).
      const input = isPipeBatch(event) ? await enrichPipeBatch(event) : event;
      const running = stateMachine.run(input, {
        executionArn: `arn:aws:states:${MOTO_REGION}:${MOTO_ACCOUNT}:execution:apigw-remediation:${name}`,
        name,
        handlers: Object.fromEntries(
          Object.entries(stateHandlers(overrides, deps)).map(([state, handler]) => [
            state,
            runOptions.wrapState?.[state]?.(handler) ?? handler,
          ]),
        ),
        // Per retrier of the state, in order: Prepare's StageLocked and Remediate's DeploySlotBusy keep a
        // pause; their CallsPaced and throttling retriers (the second and third), and Prepare's
        // StageGathering (its fourth, docs/decisions/0039), retry at once.
        retryIntervalOverrides: {
          Prepare: [50, 0, 0, 0],
          AcquireUndoLock: 50,
          PlanUndo: 0,
          Undo: 0,
          RecordUndoFailure: 0,
          ReleaseUndoLock: 0,
          ReportUndo: 0,
          Remediate: [250, 0, 0],
          Verify: 0,
          Finish: 0,
          ReleaseLock: 0,
          Admit: 0,
          ReportAdmitFailure: 0,
        },
        ...(runOptions.onEvent === undefined ? {} : { onEvent: runOptions.onEvent }),
      });
      try {
        return await running;
      } finally {
        coreClientsFault = undefined;
      }
    },
    batchUpdates() {
      return securityHub.commandCalls(BatchUpdateFindingsCommand).map((call) => call.args[0].input);
    },
    batchUpdatesV2() {
      return securityHub.commandCalls(BatchUpdateFindingsV2Command).map((call) => call.args[0].input);
    },
    batchImports() {
      return securityHub.commandCalls(BatchImportFindingsCommand).map((call) => call.args[0].input);
    },
    async lockItems(prefix) {
      const scan = await dynamo.send(new ScanCommand({ TableName: LOCKS_TABLE }));
      return (scan.Items ?? [])
        .filter((item) => item.pk?.S?.startsWith(prefix) === true)
        .map((item) => ({
          pk: item.pk?.S,
          owner: item.owner?.S,
          // Requests queued for the holder's next round (docs/decisions/0037), when there are any.
          ...(item.pending?.L === undefined ? {} : { pending: item.pending.L.length }),
        }));
    },
    deferrals: async () =>
      (await ledger.list()).filter((entry): entry is DeferralEntry => entry.kind === 'DEFERRAL'),
  };
}

/**
 * A fixture event with its account, API id and stage swapped for the seeded ones. Each call is a
 * NEW event, as EventBridge sends it: a fresh event `id` (and CloudTrail `eventID`), so the admit
 * task does not drop it as a redelivery of an earlier run's; the same object run twice is one.
 */
export function fixtureEvent(file: string, replacements: Readonly<Record<string, string>>): unknown {
  let text = readFileSync(new URL(`../../../shared/fixtures/events/${file}`, import.meta.url), 'utf8');
  for (const [from, to] of Object.entries(replacements)) text = text.split(from).join(to);
  const event = JSON.parse(text) as { id?: string; detail?: { eventID?: string } };
  event.id = randomUUID();
  if (event.detail?.eventID !== undefined) event.detail.eventID = randomUUID();
  return event;
}

/**
 * Config `controls` that check only `controlIds` (fixing controls in mode auto, reporting controls
 * in notify, the only modes they take) and turn every other control off: a drift event then runs
 * exactly these controls on the stage.
 */
export function onlyControls(controlIds: readonly ControlId[]): Record<string, ControlMode> {
  return Object.fromEntries(
    CATALOG.map((control) => [
      control.id,
      controlIds.includes(control.id) ? (control.kind === 'fixing' ? 'auto' : 'notify') : 'off',
    ]),
  );
}

/**
 * A person's change to the stage's API as CloudTrail reports it (UpdateStage on a REST stage, UpdateApi
 * on a V2 API, which covers its every stage): the workflow checks every control not off on the stage.
 */
export function stageDriftEvent(ref: StageRef): unknown {
  const event = fixtureEvent('cloudtrail-updatestage-by-user.json', { '111122223333': ref.account }) as {
    detail: Record<string, unknown>;
  };
  return {
    ...event,
    detail: {
      ...event.detail,
      ...(ref.apiType === 'REST'
        ? {
            requestParameters: {
              restApiId: ref.apiId,
              stageName: ref.stageName,
              updateStageInput: {
                patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'OFF' }],
              },
            },
          }
        : {
            eventSource: 'apigateway.amazonaws.com',
            eventName: 'UpdateApi',
            requestParameters: { apiId: ref.apiId, disableExecuteApiEndpoint: false },
          }),
      responseElements: null,
    },
  };
}

/** The core's calls across runs (WorkflowHarness.coreCalls) counted as reads, writes, stage updates and deployments. */
export function coreCallCounts(harness: Pick<WorkflowHarness, 'coreCalls'>): ApiCallCounts {
  const total = new ApiCallCounter();
  for (const [key, count] of Object.entries(harness.coreCalls())) {
    const dot = key.indexOf('.');
    for (let call = 0; call < count; call += 1) {
      total.record(key.slice(0, dot) as CountedService, key.slice(dot + 1));
    }
  }
  return total.counts();
}

/** Whether a run's input is a batch as the Pipe reads it from the intake queue (SQS records). */
function isPipeBatch(input: unknown): input is unknown[] {
  return (
    Array.isArray(input) &&
    input.length > 0 &&
    input.every(
      (record) =>
        typeof record === 'object' &&
        record !== null &&
        (record as { eventSource?: unknown }).eventSource === 'aws:sqs',
    )
  );
}

/**
 * Events as the EventBridge Pipe reads them from the intake queue: an array of SQS records, each
 * `body` the event as JSON text (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html).
 * A harness run delivers such a batch through the Pipe's enrichment.
 */
export function pipeBatch(events: readonly unknown[]): unknown[] {
  return events.map((event, index) => ({
    messageId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    receiptHandle: `receipt-${index}`,
    body: JSON.stringify(event),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000001',
    },
    messageAttributes: {},
    md5OfBody: '0'.repeat(32),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${MOTO_REGION}:${MOTO_ACCOUNT}:apigw-remediation-intake`,
    awsRegion: MOTO_REGION,
  }));
}
