/**
 * The service's state machine composed for one in-process session on an emulator: what the central
 * stack would have created (locks table, kill switch, topic, ledger: local-service.ts), the real
 * task handlers against that endpoint (workflow-runner.ts), Security Hub answered in-process and
 * kept as skipped writes, and, on the embedded emulator only, the V2 writes moto lacks emulated and
 * kept (moto-gaps.ts). `fix` (no deployed service) and `npm run demo` both run the workflow through
 * this, so there is one composition of the in-process service, not one per caller.
 *
 * The approval Task is a Lambda that posts to Slack and waits for a human: the caller says what
 * answers it (`approval`); without one it fails with NoApproverInProcess, and the state machine
 * records the stage FAILED (the CLI never sends a control that would wait: docs/cli.md).
 */
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RemediationConfig } from '../../config/schema.js';
import { ledgerStore, type LedgerStore } from '../ledger/store.js';
import { prepareLocalService } from './local-service.js';
import { emulateMotoV2StageWrites, type EmulatedWrite } from './moto-gaps.js';
import {
  createLocalStateMachine,
  createTaskHandlers,
  createWorkflowDeps,
  securityHubRecorder,
  stateHandlers,
  type SkippedWrite,
  type TaskHandler,
} from './workflow-runner.js';

/** What answers the approval states of an in-process run (request-approval's two entry points). */
export interface InProcessApproval {
  /** The RequestApproval Task (`lambda:invoke.waitForTaskToken`): receives `{Payload}`, answers the decision. */
  readonly request: TaskHandler;
  /** The SettleApprovalTimeout Task. */
  readonly settle: TaskHandler;
  /** The OfferUndo step of Finish (after an approved remediation): the Undo button on the message; none by default. */
  readonly offerUndo?: TaskHandler;
}

/** An in-process run without a Slack message to offer Undo on. */
const noUndoOffer: TaskHandler = async () => ({ offered: false, reason: 'no Slack message in process' });

export interface InProcessWorkflowOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly config: RemediationConfig;
  /** The account the stages live in (the caller's: STS GetCallerIdentity). */
  readonly account: string;
  readonly ledgerTable: string;
  /** Create the ledger table when absent (the embedded emulator's own session always does). */
  readonly createLedgerTable: boolean;
  /** Emulate the V2 writes moto lacks: on the embedded emulator only (docs/decisions/0031). */
  readonly emulateMotoGaps: boolean;
  readonly approval?: InProcessApproval;
  /** The name executions are listed under in their ARN (default apigw-remediation-local). */
  readonly stateMachineName?: string;
  /** Receives each Record step's output, in order (the demo prints the records). */
  readonly onRecord?: (output: unknown) => void;
}

export interface InProcessWorkflow {
  readonly ledgerTable: string;
  readonly ledger: LedgerStore;
  /** Security Hub writes the run answered itself instead of sending them. */
  readonly skipped: readonly SkippedWrite[];
  /** API Gateway V2 writes moto lacks that the run emulated. */
  readonly emulated: readonly EmulatedWrite[];
  run(event: unknown, name: string): Promise<{ readonly executionArn: string; readonly output: unknown }>;
}

/** Why an in-process approval state fails when nobody was given to answer it. */
export function noApprover(): InProcessApproval {
  return {
    request: async () => {
      const error = new Error(
        'an in-process run has no Slack approver: the CLI sends a control in mode approve only once confirmed',
      );
      error.name = 'NoApproverInProcess';
      throw error;
    },
    settle: async () => ({ outcome: 'EXPIRED' }),
  };
}

export async function createInProcessWorkflow(options: InProcessWorkflowOptions): Promise<InProcessWorkflow> {
  const { endpoint, region, ledgerTable } = options;
  const service = await prepareLocalService({
    endpoint,
    region,
    ...(options.createLedgerTable ? { createLedgerTable: ledgerTable } : {}),
  });
  const recorder = securityHubRecorder();
  const base = createWorkflowDeps({
    endpoint,
    config: options.config,
    homeAccount: options.account,
    notifyTopicArn: service.notifyTopicArn,
    ledgerTable,
    killSwitchParameter: service.killSwitchParameter,
  });
  const emulated: EmulatedWrite[] = [];
  const plainV2 = new ApiGatewayV2Client({ region, endpoint });
  const deps = {
    ...base,
    homeSecurityHub: (hubRegion: string) => recorder.client(hubRegion),
    memberSecurityHub: async (target: { region: string }) => recorder.client(target.region),
    ...(options.emulateMotoGaps
      ? {
          coreClients: async (target: Parameters<typeof base.coreClients>[0]) => {
            const clients = await base.coreClients(target);
            emulateMotoV2StageWrites(clients.apiGatewayV2, plainV2, { emulated });
            return clients;
          },
        }
      : {}),
  };
  const real = createTaskHandlers(deps, { endpoint, killSwitchParameter: service.killSwitchParameter });
  const approval = options.approval ?? noApprover();
  const onRecord = options.onRecord;
  const handlers = stateHandlers(
    {
      ...real,
      ...(onRecord === undefined
        ? {}
        : {
            Record: async (input: unknown) => {
              const output = await real.Record(input);
              onRecord(output);
              return output;
            },
          }),
      RequestApproval: approval.request,
      SettleApprovalTimeout: approval.settle,
      // undo.mode approve: the undo's approval states, the same function.
      RequestUndoApproval: approval.request,
      SettleUndoApprovalTimeout: approval.settle,
      OfferUndo: approval.offerUndo ?? noUndoOffer,
    },
    deps,
  );
  const stateMachine = createLocalStateMachine({
    partition: 'aws',
    region,
    account: options.account,
    locksTable: service.locksTable,
  });
  const machineName = options.stateMachineName ?? 'apigw-remediation-local';
  return {
    ledgerTable,
    ledger: ledgerStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region, endpoint })), ledgerTable),
    skipped: recorder.skipped,
    emulated,
    async run(event, name) {
      const executionArn = `arn:aws:states:${region}:${options.account}:execution:${machineName}:${name}`;
      return { executionArn, output: await stateMachine.run(event, { executionArn, name, handlers }) };
    },
  };
}
