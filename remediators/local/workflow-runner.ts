/**
 * The remediation state machine in-process: the REAL definition (state-machines/remediation.asl.json)
 * run by aws-local-stepfunctions, every Task state answered by the REAL handler of its Lambda, with
 * the deployed functions' dependencies composed against one endpoint (moto_server, or whatever
 * AWS_ENDPOINT_URL names). Product code: `apigw-remediation fix` runs it where no service is
 * deployed (docs/cli.md), and the workflow tests and benches build on it (test/workflow/harness.ts).
 * It is the same state machine, never a second orchestrator.
 *
 * What differs from Step Functions, and why:
 * - aws-local-stepfunctions has no task tokens (`$$.Task.Token`): the context carries a fixed one,
 *   and the approval Task (a Lambda that posts to Slack and waits for a human) is answered by the
 *   caller's `approval` behaviour; without one the approval fails, and the state machine records
 *   the stage FAILED with that error (the CLI never sends a control that would wait: docs/cli.md).
 * - It resolves TimeoutSecondsPath against the Task's Parameters output, where AWS reads it from the
 *   state input: the approval's path is dropped (test/workflow/definition.test.ts checks it).
 * - Security Hub is not in moto: {@link securityHubRecorder} answers its calls in-process and keeps
 *   them, and the run reports them as skipped with the reason, never as written.
 */
import { readFileSync } from 'node:fs';
import {
  type AwsSecurityFinding,
  type BatchImportFindingsCommandInput,
  type BatchUpdateFindingsCommandInput,
  type BatchUpdateFindingsV2CommandInput,
  type GetFindingsCommandInput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { StateMachine } from 'aws-local-stepfunctions';
import type { RemediationConfig } from '../../config/schema.js';
import { handler as intakeHandler } from '../handlers/intake.js';
import { createAcquireLockHandler } from '../handlers/acquire-lock.js';
import { createAdmitHandler } from '../handlers/admit.js';
import { createApplyHandler } from '../handlers/apply.js';
import { createDecideHandler } from '../handlers/decide.js';
import { createDeploySlotHandler } from '../handlers/deploy-slot.js';
import { createNotifyHandler } from '../handlers/notify.js';
import { createRecordHandler } from '../handlers/record.js';
import { createRecheckHandler } from '../handlers/recheck.js';
import { createRedeployHandler } from '../handlers/redeploy.js';
import { createReportUndoHandler } from '../handlers/report-undo.js';
import { createUndoHandler } from '../handlers/undo.js';
import { createReleaseLockHandler } from '../handlers/release-lock.js';
import { createReportFailureHandler } from '../handlers/report-failure.js';
import { createSnapshotHandler } from '../handlers/snapshot.js';
import { createUpdateStageHandler } from '../handlers/update-stage.js';
import { createVerifyHandler, createVerifyTask } from '../handlers/verify.js';
import { createFinishTask } from '../handlers/finish.js';
import { createGatherHandler } from '../handlers/gather.js';
import { createPrepareTask } from '../handlers/prepare.js';
import { createRemediateTask } from '../handlers/remediate.js';
import { createLedgerDeps, type LedgerDeps } from '../ledger/deps.js';
import {
  createExemptionDaysDeps,
  createExemptionsDeps,
  type ExemptionDaysDeps,
  type ExemptionsDeps,
} from '../ledger/exemption-deps.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
import { createCoreClientsDeps, type CoreClientsDeps } from '../workflow/deps/core-clients.js';
import {
  createKillSwitchDeps,
  type KillSwitchDeps,
  type KillSwitchOptions as KillSwitchDepsOptions,
} from '../workflow/deps/kill-switch.js';
import { createLocksDeps, type LocksDeps } from '../workflow/deps/locks.js';
import { createDynamoPacer, type Pacer } from '../workflow/pacing.js';
import { asInvocation } from '../shared/handler.js';
import { createMemberAccountDeps, type MemberAccountDeps } from '../workflow/deps/member-account.js';
import { createNotificationDeps, type NotificationDeps } from '../workflow/deps/notifications.js';
import { createReportingDeps, type ReportingDeps } from '../workflow/deps/reporting.js';
import {
  createHomeSecurityHubDeps,
  createMemberSecurityHubDeps,
  type HomeSecurityHubDeps,
  type MemberSecurityHubDeps,
} from '../workflow/deps/security-hub.js';
import { TASKS, type DEFINITION_SUBSTITUTIONS } from '../../state-machines/tasks.js';

export const DEFINITION_PATH = new URL('../../state-machines/remediation.asl.json', import.meta.url);
/** The names an in-process run gives what the central stack would create. */
export const LOCAL_LOCKS_TABLE = 'apigw-remediation-locks';
export const LOCAL_LEDGER_TABLE = 'apigw-remediation-ledger';
export const LOCAL_KILL_SWITCH_PARAMETER = '/apigw-remediation/kill-switch';
export const LOCAL_NOTIFICATIONS_TOPIC = 'apigw-remediation-notifications';

/** Where the state machine's function ARNs point in-process (never called: every Task is overridden). */
export interface DefinitionTarget {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly locksTable: string;
}

/**
 * The definition with every `${...}` substitution filled in, as the CDK app would; `partition`
 * stands for the stack's `Aws.PARTITION`.
 */
export function substitutedDefinition(target: DefinitionTarget): Record<string, unknown> {
  const values: Readonly<Record<keyof typeof DEFINITION_SUBSTITUTIONS, string>> = {
    LocksTableName: target.locksTable,
    Partition: target.partition,
  };
  const text = readFileSync(DEFINITION_PATH, 'utf8').replace(/\$\{(\w+)\}/g, (_match, name: string) => {
    const value = (values as Record<string, string>)[name];
    if (value !== undefined) return value;
    if (TASKS.some((task) => task.substitution === name)) {
      return `arn:${target.partition}:lambda:${target.region}:${target.account}:function:apigw-remediation-${name.replace(/FunctionArn$/, '')}`;
    }
    throw new Error(`the definition uses an unknown substitution \${${name}}`);
  });
  return JSON.parse(text) as Record<string, unknown>;
}

interface StatesNode {
  States?: Record<string, StatesNode & { TimeoutSecondsPath?: string }>;
  ItemProcessor?: StatesNode;
}

/** See the module comment: aws-local-stepfunctions reads TimeoutSecondsPath from the wrong document. */
export function withoutApprovalTimeoutPath(definition: Record<string, unknown>): Record<string, unknown> {
  const visit = (node: StatesNode | undefined): void => {
    for (const [name, state] of Object.entries(node?.States ?? {})) {
      if (name === 'RequestApproval' || name === 'RequestUndoApproval') delete state.TimeoutSecondsPath;
      visit(state.ItemProcessor);
    }
  };
  visit(definition as StatesNode);
  return definition;
}

export type TaskHandler = (input: unknown) => Promise<unknown>;
/** One entry of aws-local-stepfunctions' event log (StateEntered, StateRetried, MapIterationStarted …). */
export type ExecutionEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;

/**
 * The steps of the coarse per-stage tasks (docs/decisions/0035), each by the name of the state it
 * once was: Prepare runs Gather (a burst's first round, docs/decisions/0039), Decide, AcquireLock,
 * Snapshot; Remediate runs Recheck, ClaimDeploySlot, Apply, Redeploy, UpdateStage; Verify runs
 * Verify; Finish runs Record, Notify, OfferUndo (supplied by the caller, like the approval states)
 * and ReleaseLock. A fault put into one step (a test's wrap) is a fault in that step of the real task.
 */
export type StepName =
  | 'Gather'
  | 'Decide'
  | 'AcquireLock'
  | 'Snapshot'
  | 'Recheck'
  | 'Apply'
  | 'ClaimDeploySlot'
  | 'Redeploy'
  | 'UpdateStage'
  | 'Verify'
  | 'Record'
  | 'Notify'
  | 'ReleaseLock';

/** Task state name, or step name (above) → the handler that runs it (the approval states excluded: a human answers them). */
export type TaskName =
  | StepName
  | 'Normalize'
  | 'Admit'
  | 'ReportAdmitFailure'
  | 'DecideUndo'
  | 'AcquireUndoLock'
  | 'PlanUndo'
  | 'Undo'
  | 'RecordUndoFailure'
  | 'ReleaseUndoLock'
  | 'ReportUndo';

/** Every dependency of the workflow's task handlers (each deployed function composes only its own). */
export type WorkflowDeps = ClockDeps &
  ReportingDeps &
  MemberAccountDeps &
  CoreClientsDeps &
  HomeSecurityHubDeps &
  MemberSecurityHubDeps &
  LocksDeps &
  LedgerDeps &
  ExemptionsDeps &
  ExemptionDaysDeps &
  KillSwitchDeps &
  NotificationDeps;

type KillSwitchClientConfig = NonNullable<KillSwitchDepsOptions['clientConfig']>;

export interface WorkflowDepsOptions {
  readonly endpoint?: string;
  readonly config: RemediationConfig;
  readonly homeAccount: string;
  readonly notifyTopicArn?: string;
  readonly metric?: ReportingDeps['metric'];
  /** The ledger table the Record task writes (absent: none, as a function without LEDGER_TABLE_NAME). */
  readonly ledgerTable?: string;
  readonly killSwitchParameter?: string;
  /** SDK client settings of the kill switch's SSM client (Region, credentials). */
  readonly killSwitchClientConfig?: KillSwitchClientConfig;
  /** The table of the paced calls' schedules (PACING_TABLE_NAME in AWS): default the locks table. */
  readonly pacingTable?: string;
}

type KillSwitchOptions = Pick<
  WorkflowDepsOptions,
  'endpoint' | 'killSwitchParameter' | 'killSwitchClientConfig' | 'pacingTable'
>;

/** The paced calls' schedules in the pacing table (the locks table unless told otherwise). */
function pacerFor(locks: LocksDeps, options: Pick<WorkflowDepsOptions, 'pacingTable'>): Pacer {
  return createDynamoPacer({ db: locks.dynamo, tableName: options.pacingTable ?? LOCAL_LOCKS_TABLE });
}

function killSwitchDeps(options: KillSwitchOptions, pacer: Pacer): KillSwitchDeps {
  return createKillSwitchDeps({
    pacer,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    parameterName: options.killSwitchParameter ?? LOCAL_KILL_SWITCH_PARAMETER,
    ...(options.killSwitchClientConfig === undefined ? {} : { clientConfig: options.killSwitchClientConfig }),
  });
}

/** The deployed functions' factories, all composed, against one endpoint. */
export function createWorkflowDeps(options: WorkflowDepsOptions): WorkflowDeps {
  const endpoint = options.endpoint === undefined ? {} : { endpoint: options.endpoint };
  const account = createMemberAccountDeps({
    ...endpoint,
    config: options.config,
    homeAccount: options.homeAccount,
  });
  const locks = createLocksDeps(endpoint);
  // The deployed functions pace their API Gateway and Security Hub calls (docs/decisions/0038): so do these.
  const pacer = pacerFor(locks, options);
  return {
    ...createClockDeps(),
    ...createReportingDeps(options.metric === undefined ? {} : { metric: options.metric }),
    ...account,
    ...createCoreClientsDeps(account, { ...endpoint, pacer }),
    ...createHomeSecurityHubDeps({ ...endpoint, pacer }),
    ...createMemberSecurityHubDeps(account, { ...endpoint, pacer }),
    ...locks,
    ...createLedgerDeps(locks, options.ledgerTable ?? ''),
    ...createExemptionsDeps(locks, options.ledgerTable ?? ''),
    ...createExemptionDaysDeps({ defaultDays: options.config.exemptions.defaultDays }),
    ...killSwitchDeps(options, pacer),
    ...createNotificationDeps(
      options.notifyTopicArn === undefined
        ? endpoint
        : { ...endpoint, notifyTopicArn: options.notifyTopicArn },
    ),
  };
}

/** The real handler of every Task state, composed from `deps` (the approval states excluded). */
export function createTaskHandlers(
  deps: WorkflowDeps,
  options: KillSwitchOptions,
): Record<TaskName, TaskHandler> {
  const reportFailure = createReportFailureHandler(deps);
  // One function, four states (docs/decisions/0030): the state's Parameters name the phase.
  const undo = createUndoHandler(deps);
  return {
    Normalize: intakeHandler,
    Admit: createAdmitHandler(deps),
    ReportAdmitFailure: reportFailure,
    Gather: createGatherHandler(deps),
    Decide: createDecideHandler(deps),
    AcquireLock: createAcquireLockHandler(deps),
    Snapshot: createSnapshotHandler(deps),
    Recheck: createRecheckHandler(deps),
    // Its own cache of the kill switch, as the apply function has in AWS (it reads it again after an approval wait).
    Apply: createApplyHandler({ ...deps, ...killSwitchDeps(options, pacerFor(deps, options)) }),
    ClaimDeploySlot: createDeploySlotHandler(deps),
    Redeploy: createRedeployHandler(deps),
    UpdateStage: createUpdateStageHandler(deps),
    Verify: createVerifyHandler(deps),
    Record: createRecordHandler(deps),
    Notify: createNotifyHandler(deps),
    ReleaseLock: createReleaseLockHandler(deps),
    DecideUndo: undo,
    AcquireUndoLock: createAcquireLockHandler(deps),
    PlanUndo: undo,
    Undo: undo,
    RecordUndoFailure: undo,
    ReleaseUndoLock: createReleaseLockHandler(deps),
    ReportUndo: createReportUndoHandler(deps),
  };
}

/**
 * The definition's Task states answered by `handlers` (steps and tasks by name, as
 * {@link createTaskHandlers} gives them, with the caller's approval states and OfferUndo): each
 * coarse task composed from the step handlers given, so whatever a caller wrapped around a step
 * runs inside the real task.
 */
export function stateHandlers(
  handlers: Readonly<Record<string, TaskHandler>>,
  deps: LocksDeps,
): Record<string, TaskHandler> {
  const step = (name: StepName | 'OfferUndo'): TaskHandler => {
    const found = handlers[name];
    if (found === undefined) throw new Error(`no handler for the step ${name}`);
    return found;
  };
  const tasks: Record<string, TaskHandler> = {
    ...handlers,
    Prepare: createPrepareTask(
      {
        gather: step('Gather'),
        decide: step('Decide'),
        acquireLock: step('AcquireLock'),
        snapshot: step('Snapshot'),
      },
      deps,
    ),
    Remediate: createRemediateTask({
      recheck: step('Recheck'),
      claimDeploySlot: step('ClaimDeploySlot'),
      apply: step('Apply'),
      redeploy: step('Redeploy'),
      updateStage: step('UpdateStage'),
    }),
    Verify: createVerifyTask(step('Verify')),
    Finish: createFinishTask({
      record: step('Record'),
      notify: step('Notify'),
      offerUndo: step('OfferUndo'),
      releaseLock: step('ReleaseLock'),
    }),
  };
  // Each Task state's run is one invocation, as a Lambda's is (shared/handler.ts).
  return Object.fromEntries(Object.entries(tasks).map(([state, handler]) => [state, asInvocation(handler)]));
}

export interface LocalExecution {
  readonly executionArn: string;
  readonly name: string;
  /** Every Task state's handler by state name (the approval states included): {@link stateHandlers}. */
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  /** Shorter retry pauses per state (milliseconds), e.g. in tests; default the definition's own. */
  readonly retryIntervalOverrides?: Readonly<Record<string, number | readonly number[]>>;
  readonly waitTimeOverrides?: Readonly<Record<string, number>>;
  readonly onEvent?: (event: ExecutionEvent) => void;
}

/** The definition, loaded once, run as many executions as asked. */
export function createLocalStateMachine(target: DefinitionTarget) {
  const stateMachine = new StateMachine(withoutApprovalTimeoutPath(substitutedDefinition(target)) as never);
  return {
    async run(event: unknown, execution: LocalExecution): Promise<unknown> {
      const running = stateMachine.run(event as never, {
        overrides: {
          taskResourceLocalHandlers: execution.handlers as never,
          ...(execution.retryIntervalOverrides === undefined
            ? {}
            : { retryIntervalOverrides: execution.retryIntervalOverrides as never }),
          ...(execution.waitTimeOverrides === undefined
            ? {}
            : { waitTimeOverrides: execution.waitTimeOverrides as never }),
        },
        context: {
          Execution: { Id: execution.executionArn, Name: execution.name },
          // aws-local-stepfunctions has no task tokens; the approval override receives this one.
          Task: { Token: `local-task-token-${execution.name}` },
        } as never,
      });
      const onEvent = execution.onEvent;
      if (onEvent === undefined) return running.result;
      const logged = (async () => {
        for await (const entry of running.eventLogs) onEvent(entry);
      })();
      const [result] = await Promise.all([running.result, logged]);
      return result;
    },
  };
}

/** A Security Hub write the in-process run answered itself instead of sending it. */
export interface SkippedWrite {
  readonly operation: string;
  readonly region: string;
  readonly input: unknown;
  readonly reason: string;
}

export const NO_SECURITY_HUB_REASON = 'moto has no Security Hub';

const SECURITY_HUB_WRITES = [
  'BatchUpdateFindingsCommand',
  'BatchUpdateFindingsV2Command',
  'BatchImportFindingsCommand',
];

/**
 * Security Hub for an in-process run on the emulator: SDK middleware (initialize step) that answers
 * every call itself, as Security Hub would answer a fully processed one, and keeps the writes, so the
 * run can say which records it did not send. Findings imported are kept as sent, so a later
 * GetFindings by Id (the filter securityhub/records.ts sends) returns them, as Security Hub keeps a
 * provider's timestamps. Nothing reaches the network.
 */
export function securityHubRecorder(reason = NO_SECURITY_HUB_REASON) {
  const skipped: SkippedWrite[] = [];
  const stored = new Map<string, AwsSecurityFinding>();
  const answer = (commandName: string, input: unknown): Record<string, unknown> => {
    switch (commandName) {
      case 'BatchUpdateFindingsCommand':
        return {
          ProcessedFindings: (input as BatchUpdateFindingsCommandInput).FindingIdentifiers ?? [],
          UnprocessedFindings: [],
        };
      case 'BatchUpdateFindingsV2Command':
        return {
          ProcessedFindings: ((input as BatchUpdateFindingsV2CommandInput).FindingIdentifiers ?? []).map(
            (identifier) => ({ FindingIdentifier: identifier }),
          ),
          UnprocessedFindings: [],
        };
      case 'BatchImportFindingsCommand': {
        const findings = (input as BatchImportFindingsCommandInput).Findings ?? [];
        for (const finding of findings) stored.set(finding.Id ?? '', finding);
        return { FailedCount: 0, SuccessCount: findings.length, FailedFindings: [] };
      }
      case 'GetFindingsCommand':
        return {
          Findings: ((input as GetFindingsCommandInput).Filters?.Id ?? []).flatMap((filter) => {
            const finding = stored.get(filter.Value ?? '');
            return filter.Comparison === 'EQUALS' && finding !== undefined ? [finding] : [];
          }),
        };
      default:
        throw new Error(
          `the in-process run answers no Security Hub ${commandName.replace(/Command$/, '')} (${reason})`,
        );
    }
  };
  const attach = (client: SecurityHubClient): SecurityHubClient => {
    client.middlewareStack.add(
      (_next, context) => async (args) => {
        const commandName = context.commandName ?? '';
        const input: unknown = args.input;
        const region = await client.config.region();
        if (SECURITY_HUB_WRITES.includes(commandName)) {
          skipped.push({ operation: commandName.replace(/Command$/, ''), region, input, reason });
        }
        return { output: { $metadata: {}, ...answer(commandName, input) } as never, response: {} };
      },
      { step: 'initialize', name: 'answerSecurityHubLocally' },
    );
    return client;
  };
  return {
    skipped,
    client: (region: string): SecurityHubClient =>
      attach(
        new SecurityHubClient({ region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      ),
  };
}
