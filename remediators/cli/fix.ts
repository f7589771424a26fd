/**
 * `apigw-remediation fix`: the service's own state machine, for the selected stages (docs/cli.md).
 * Never a second orchestrator: the CLI plans with `plan`'s pieces only to show what will change and
 * to ask for the confirmation; the change itself is made by the workflow, which plans again.
 *
 * - Deployed (the central stack exists in the Region): StartExecution on the stack's
 *   `StateMachineArn` output, one execution per stage, named after the CLI run, followed with
 *   DescribeExecution until it ends (the SDK has no waiter for executions: a poll with backoff).
 * - In-process (`--local`, or no stack while AWS_ENDPOINT_URL names an emulator): the same
 *   definition and handlers through remediators/local/workflow-runner.ts, with the same stage lock
 *   (a locks table on the emulator) and the ledger; Security Hub is answered in-process and its
 *   writes are reported as skipped ("moto has no Security Hub"), never as made.
 * - Modes: off/notify controls are never sent; approve controls with changes are sent only when the
 *   operator confirmed (`--yes`, or y at an interactive prompt). The confirmation is the approval,
 *   approver = the caller (intake/cli.ts, decision 0027).
 */
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RemediationConfig } from '../../config/schema.js';
import { parseStageArn } from '../core/arn.js';
import type { RemediationEntry } from '../ledger/entry.js';
import { ledgerStore, type LedgerStore } from '../ledger/store.js';
import { createInProcessWorkflow } from '../local/in-process-workflow.js';
import { LOCAL_LEDGER_TABLE } from '../local/local-service.js';
import { describeEmulatedWrite, emulatedWritesOf, type EmulatedWrite } from '../local/moto-gaps.js';
import type { SkippedWrite } from '../local/workflow-runner.js';
import type { Access } from './access.js';
import type { FixOptions, SelectionOptions } from './args.js';
import { AwsAccessError, withContext } from './aws-errors.js';
import {
  cliRequestEvent,
  controlsToFix,
  EMULATED_OUTCOME,
  endsCompliant,
  withEmulatedWrites,
  needsConfirmation,
  stageResults,
  type StageRequestPlan,
  type StageResult,
} from './fix-request.js';
import { planStages } from './inspect.js';
import { renderPlanTable } from './render.js';
import { findDeployedService } from './stack.js';

export interface FixTerminal {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Asks a yes/no question at the terminal; undefined when stdin is not a terminal. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

export interface FixContext {
  readonly access: Access;
  readonly selection: SelectionOptions;
  readonly config: RemediationConfig;
  readonly fix: FixOptions;
  /** `--local`: the embedded emulator this run started. */
  readonly local: boolean;
  readonly now: () => Date;
  /** Pause between DescribeExecution calls (milliseconds), given the attempt; tests shorten it. */
  readonly pollDelay?: (attempt: number) => number;
}

/** What each stage ended in, and whether every stage ends compliant. */
export interface FixResult {
  readonly runId: string;
  readonly stages: readonly (StageResult & { readonly stageArn: string })[];
  readonly compliant: boolean;
}

interface Runner {
  readonly kind: 'deployed' | 'in-process';
  /** The ledger the workflow writes: where the CLI reads each run's remediation id. */
  readonly ledger?: LedgerStore;
  run(event: unknown, name: string): Promise<{ readonly executionArn: string; readonly output: unknown }>;
  /** Security Hub writes an in-process run answered itself. */
  readonly skipped?: readonly SkippedWrite[];
  /** API Gateway V2 writes moto lacks that a `--local` run emulated (remediators/local/moto-gaps.ts). */
  readonly emulated?: readonly EmulatedWrite[];
}

/** Full jitter-free exponential backoff, 1 s doubling to 20 s: DescribeExecution is 200 per second per account. */
function defaultPollDelay(attempt: number): number {
  return Math.min(20_000, 1000 * 2 ** Math.min(attempt, 5));
}

function ledgerAt(region: string, table: string | undefined, endpoint?: string): LedgerStore | undefined {
  if (table === undefined) return undefined;
  return ledgerStore(
    DynamoDBDocumentClient.from(
      new DynamoDBClient({ region, ...(endpoint === undefined ? {} : { endpoint }) }),
    ),
    table,
  );
}

function deployedRunner(
  region: string,
  stateMachineArn: string,
  ledgerTable: string | undefined,
  context: FixContext,
): Runner {
  const sfn = new SFNClient({ region });
  const delay = context.pollDelay ?? defaultPollDelay;
  const ledger = ledgerAt(region, context.fix.ledgerTable ?? ledgerTable);
  return {
    kind: 'deployed',
    ...(ledger === undefined ? {} : { ledger }),
    async run(event, name) {
      const { executionArn } = await withContext(
        {
          operation: 'SFN.StartExecution',
          iamAction: 'states:StartExecution',
          resource: stateMachineArn,
          region,
        },
        () => sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(event) })),
      );
      if (executionArn === undefined)
        throw new AwsAccessError(`StartExecution on ${stateMachineArn} returned no executionArn`);
      for (let attempt = 0; ; attempt += 1) {
        const execution = await withContext(
          {
            operation: 'SFN.DescribeExecution',
            iamAction: 'states:DescribeExecution',
            resource: executionArn,
            region,
          },
          () => sfn.send(new DescribeExecutionCommand({ executionArn })),
        );
        if (execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
          if (execution.status !== 'SUCCEEDED') {
            return {
              executionArn,
              output: {
                failed: { status: execution.status, error: execution.error, cause: execution.cause },
              },
            };
          }
          return { executionArn, output: JSON.parse(execution.output ?? '{}') as unknown };
        }
        await new Promise((resolve) => setTimeout(resolve, delay(attempt)));
      }
    },
  };
}

async function ledgerTableReady(dynamo: DynamoDBClient, name: string): Promise<boolean> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

async function inProcessRunner(
  region: string,
  endpoint: string,
  context: FixContext,
): Promise<Runner & { ledgerTable: string }> {
  const ledgerTable = context.fix.ledgerTable ?? LOCAL_LEDGER_TABLE;
  // The embedded emulator is this run's own: its ledger is created with it.
  const create = context.fix.createLedgerTable || context.local;
  if (!create && !(await ledgerTableReady(new DynamoDBClient({ region, endpoint }), ledgerTable))) {
    throw new AwsAccessError(
      `ledger table ${ledgerTable} does not exist at ${endpoint}: pass --create-ledger-table to create it, or --ledger-table NAME`,
    );
  }
  // The V2 writes moto lacks are emulated on the embedded emulator only (`--local`): an endpoint
  // someone else started may implement them, and an AWS account never gets here.
  const workflow = await createInProcessWorkflow({
    endpoint,
    region,
    config: context.config,
    account: context.access.caller.account,
    ledgerTable,
    createLedgerTable: create,
    emulateMotoGaps: context.local,
  });
  return { kind: 'in-process', ...workflow, run: (event, name) => workflow.run(event, name) };
}

async function chooseRunner(region: string, context: FixContext, terminal: FixTerminal): Promise<Runner> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!context.local) {
    const service = await findDeployedService(region, context.fix.stackName);
    if (service?.stateMachineArn !== undefined) {
      terminal.stderr.write(
        `fix: the deployed workflow ${service.stateMachineArn} (stack ${service.stackName})\n`,
      );
      return deployedRunner(region, service.stateMachineArn, service.ledgerTable, context);
    }
    if (endpoint === undefined || endpoint === '') {
      throw new AwsAccessError(
        `no deployed apigw-remediation in ${region} (stack ${service?.stackName ?? context.fix.stackName ?? `ApigwRemediation-${region}`} ` +
          `${service === undefined ? 'does not exist' : 'has no StateMachineArn output'}): deploy it (docs/deploy.md), ` +
          'name it with --stack-name, or run on an emulator (--local, or AWS_ENDPOINT_URL); ' +
          'an in-process fix does not run against an AWS account, whose Security Hub it could not record in',
      );
    }
  }
  const runner = await inProcessRunner(region, endpoint ?? '', context);
  terminal.stderr.write(
    `fix: no deployed workflow; running the state machine in-process at ${endpoint ?? ''} (ledger table ${runner.ledgerTable})\n`,
  );
  return runner;
}

/** The run's REMEDIATION entry, which the Record task wrote (the execution names it). */
async function remediationOf(
  ledger: LedgerStore | undefined,
  stageArn: string,
  since: string,
  executionArn: string,
): Promise<RemediationEntry | undefined> {
  if (ledger === undefined) return undefined;
  const entries = await ledger.listByStage(stageArn, since);
  return entries.find(
    (entry): entry is RemediationEntry =>
      entry.kind === 'REMEDIATION' &&
      entry.actor.kind === 'execution' &&
      entry.actor.executionArn === executionArn,
  );
}

function describePlan(plan: StageRequestPlan): string[] {
  const held = plan.heldForDeployment ?? [];
  return [
    ...(plan.unconfirmed.length === 0
      ? []
      : [`  not changed (mode approve, not confirmed): ${plan.unconfirmed.join(', ')}`]),
    ...(held.length === 0
      ? []
      : [
          `  not changed (needs a deployment; allowUnattendedDeployments is false, so the workflow creates none for a CLI run): ${held.join(', ')}`,
        ]),
    ...plan.leftAlone.map(({ controlId, mode }) => `  not changed (mode ${mode}): ${controlId}`),
  ];
}

export async function runFix(context: FixContext, terminal: FixTerminal): Promise<FixResult> {
  const runId = `cli-${context.now().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const details = await planStages(
    context.access.targets,
    context.selection,
    context.config,
    () => undefined,
    context.now(),
  );
  // What will change, the deployment flag and the approver's text, before anything is confirmed.
  terminal.stdout.write(renderPlanTable(details));
  let confirmed = context.fix.yes;
  if (!confirmed && needsConfirmation(details)) {
    if (terminal.confirm === undefined) {
      terminal.stderr.write(
        'fix: controls in mode approve are left unchanged: stdin is not a terminal and --yes was not given\n',
      );
    } else {
      confirmed = await terminal.confirm('Apply the changes of the controls in mode approve? [y/N] ');
    }
  }
  const plans = details.map((detail) =>
    controlsToFix(detail, confirmed, {
      allowUnattendedDeployments: context.config.allowUnattendedDeployments,
    }),
  );
  const byRegion = new Map<string, Runner>();
  const results: (StageResult & { stageArn: string })[] = [];
  for (const [index, plan] of plans.entries()) {
    for (const line of describePlan(plan)) terminal.stdout.write(`${plan.stageArn}\n${line}\n`);
    const unchangedFailing =
      plan.unconfirmed.length + plan.leftAlone.length + (plan.heldForDeployment?.length ?? 0) > 0;
    if (plan.controls.length === 0) {
      results.push({
        stageArn: plan.stageArn,
        outcome: unchangedFailing ? 'NOT_CHANGED' : 'ALREADY_COMPLIANT',
      });
      continue;
    }
    let runner = byRegion.get(plan.region);
    if (runner === undefined) {
      runner = await chooseRunner(plan.region, context, terminal);
      byRegion.set(plan.region, runner);
    }
    const name = `${runId}-${index + 1}`;
    const event = cliRequestEvent({
      id: name,
      plan,
      requestedBy: context.access.caller.arn,
      confirmedApproval: confirmed,
      now: context.now(),
    });
    // Five minutes early: the Record task stamps the entry with its own clock, not this one.
    const startedAt = new Date(context.now().getTime() - 300_000).toISOString();
    const emulatedBefore = runner.emulated?.length ?? 0;
    const { executionArn, output } = await runner.run(event, name);
    const [result] = stageResults(output);
    const entry = await remediationOf(runner.ledger, plan.stageArn, startedAt, executionArn);
    const locator = parseStageArn(plan.stageArn);
    const emulated = emulatedWritesOf(
      runner.emulated?.slice(emulatedBefore) ?? [],
      locator.apiId,
      locator.stageName,
    );
    for (const write of emulated)
      terminal.stdout.write(`${plan.stageArn}\n  ${describeEmulatedWrite(write)}\n`);
    const stageResult: StageResult = withEmulatedWrites(
      {
        ...(result ?? { outcome: 'FAILED', reason: `execution ${executionArn}: ${JSON.stringify(output)}` }),
        ...(entry === undefined ? {} : { remediationId: entry.entryId, reason: entry.reason }),
      },
      emulated.length,
    );
    results.push({
      ...stageResult,
      stageArn: plan.stageArn,
      // A stage whose other failing controls were left alone is not compliant, whatever was fixed.
      ...(unchangedFailing && endsCompliant(stageResult)
        ? { reason: 'other failing controls were not changed' }
        : {}),
    });
    terminal.stdout.write(
      `${plan.stageArn}: ${stageResult.outcome}, remediation ${stageResult.remediationId ?? '(not in the ledger)'}, ` +
        `execution ${executionArn}\n`,
    );
    if (stageResult.reason !== undefined && !endsCompliant(stageResult))
      terminal.stdout.write(`  ${stageResult.reason}\n`);
  }
  for (const runner of byRegion.values()) {
    const skipped = runner.skipped ?? [];
    if (skipped.length === 0) continue;
    const counts = new Map<string, number>();
    for (const write of skipped) counts.set(write.operation, (counts.get(write.operation) ?? 0) + 1);
    terminal.stdout.write(
      `Security Hub: skipped (${skipped[0]?.reason ?? ''}): ${[...counts].map(([operation, count]) => `${operation} ×${count}`).join(', ')}; nothing was sent to Security Hub\n`,
    );
  }
  const compliant = results.every(
    (result, index) =>
      endsCompliant(result) &&
      (plans[index]?.unconfirmed.length ?? 0) === 0 &&
      (plans[index]?.leftAlone.length ?? 0) === 0 &&
      (plans[index]?.heldForDeployment?.length ?? 0) === 0,
  );
  const emulatedStages = results.filter((result) => result.outcome === EMULATED_OUTCOME).length;
  terminal.stdout.write(
    `fix ${runId}: ${results.length} stage(s), ${compliant ? 'every stage compliant' : 'not every stage compliant'}` +
      (emulatedStages === 0
        ? '\n'
        : ` (${emulatedStages} ${EMULATED_OUTCOME}: by writes moto lacks, emulated in-process)\n`),
  );
  return { runId, stages: results, compliant };
}
