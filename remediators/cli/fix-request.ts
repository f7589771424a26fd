/**
 * Pure parts of `fix`: which controls of a planned stage the CLI asks the workflow to fix, the
 * request event it starts the workflow with (intake/cli.ts reads it), and what each stage ended in,
 * read from the execution's output.
 */
import { CLI_REQUEST, CLI_SOURCE, type CliRequestDetail } from '../intake/cli.js';
import { formatStageArn } from '../core/arn.js';
import { DEPLOYMENT_SETTING, type ControlId } from '../core/types.js';
import { StageRefSchema } from '../workflow/state.js';
import type { StagePlanDetail } from './report.js';

export interface StageRequestPlan {
  readonly stageArn: string;
  readonly account: string;
  readonly region: string;
  /** The controls sent to the workflow: those with changes in mode auto, and in approve when confirmed. */
  readonly controls: readonly ControlId[];
  /** Controls with changes in mode approve left out because nobody confirmed them. */
  readonly unconfirmed: readonly ControlId[];
  /** Failing controls the configuration leaves alone (notify, off): never sent, never changed. */
  readonly leftAlone: readonly { readonly controlId: ControlId; readonly mode: string }[];
  /**
   * Controls whose fix needs a deployment that the workflow would hold (allowUnattendedDeployments
   * false): not sent, and said so, instead of being sent and silently left failing. Absent when none.
   */
  readonly heldForDeployment?: readonly ControlId[];
}

export interface ControlsToFixOptions {
  /** config.allowUnattendedDeployments: whether the workflow may create a deployment nobody approved in Slack. */
  readonly allowUnattendedDeployments?: boolean;
}

/**
 * The controls with changes, by their mode on the stage. A control whose plan has the `deployment`
 * change (a V2 stage without auto-deploy) is held back unless the configuration allows unattended
 * deployments: the workflow treats a CLI-confirmed control like an `auto` one, and mode auto never
 * creates a deployment unattended (workflow/plan-summary.ts, docs/decisions/0027 and 0034).
 */
export function controlsToFix(
  detail: StagePlanDetail,
  confirmed: boolean,
  options: ControlsToFixOptions = {},
): StageRequestPlan {
  const changed = [...new Set(detail.plan.changes.map((change) => change.controlId))];
  const modeOf = (controlId: ControlId) => detail.plannedModes?.[controlId];
  const approve = changed.filter((controlId) => modeOf(controlId) === 'approve');
  const sendable = changed.filter((controlId) => modeOf(controlId) !== 'approve' || confirmed);
  const deploying = new Set(
    detail.plan.changes
      .filter((change) => change.setting === DEPLOYMENT_SETTING)
      .map((change) => change.controlId),
  );
  const held =
    options.allowUnattendedDeployments === true
      ? []
      : sendable.filter((controlId) => deploying.has(controlId));
  return {
    stageArn: detail.plan.stageArn,
    account: detail.stage.account,
    region: detail.stage.region,
    controls: sendable.filter((controlId) => !held.includes(controlId)),
    unconfirmed: confirmed ? [] : approve,
    leftAlone: detail.notPlanned,
    ...(held.length === 0 ? {} : { heldForDeployment: held }),
  };
}

/** Whether any stage has a change in mode approve (the CLI then asks for a confirmation). */
export function needsConfirmation(details: readonly StagePlanDetail[]): boolean {
  return details.some((detail) => controlsToFix(detail, false).unconfirmed.length > 0);
}

export interface CliRequestEvent {
  readonly id: string;
  readonly 'detail-type': typeof CLI_REQUEST;
  readonly source: typeof CLI_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: CliRequestDetail;
}

/** The event the workflow is started with for one stage (an EventBridge envelope, as intake expects). */
export function cliRequestEvent(input: {
  readonly id: string;
  readonly plan: StageRequestPlan;
  readonly requestedBy: string;
  readonly confirmedApproval: boolean;
  readonly now: Date;
}): CliRequestEvent {
  return {
    id: input.id,
    'detail-type': CLI_REQUEST,
    source: CLI_SOURCE,
    account: input.plan.account,
    time: input.now.toISOString(),
    region: input.plan.region,
    resources: [input.plan.stageArn],
    detail: {
      account: input.plan.account,
      stageArn: input.plan.stageArn,
      controls: [...input.plan.controls],
      requestedBy: input.requestedBy,
      ...(input.confirmedApproval ? { confirmedApproval: true } : {}),
    },
  };
}

/** What one stage ended in, as the execution's output says (the per-stage Map's results). */
export interface StageResult {
  readonly stageArn?: string;
  readonly outcome: string;
  /** Security Hub took the record (false: it refused; an in-process run answers it itself). */
  readonly recorded?: boolean;
  /** The run's remediation id, from its ledger entry. */
  readonly remediationId?: string;
  readonly reason?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every stage result of an execution's output, in order: the per-stage Map's items
 * (`{stage, outcome, recorded}`, state-machines/remediation.asl.json).
 */
export function stageResults(output: unknown): StageResult[] {
  const results: StageResult[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isRecord(value)) return;
    const stage = StageRefSchema.safeParse(value['stage']);
    if (stage.success && typeof value['outcome'] === 'string') {
      results.push({
        stageArn: formatStageArn(stage.data),
        outcome: value['outcome'],
        ...(typeof value['recorded'] === 'boolean' ? { recorded: value['recorded'] } : {}),
      });
      return;
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(output);
  return results;
}

/**
 * The CLI's outcome for a stage the workflow recorded REMEDIATED while some of its writes were
 * emulated in-process because moto lacks them (remediators/local/moto-gaps.ts, `fix --local` only):
 * the stage holds the after values when read back, but the emulator's API did not take them.
 */
export const EMULATED_OUTCOME = 'EMULATED';

/** A stage that ends compliant: changed and verified (on the emulator: partly by emulated writes), or found passing. */
export function endsCompliant(result: StageResult): boolean {
  return (
    result.outcome === 'REMEDIATED' ||
    result.outcome === 'ALREADY_COMPLIANT' ||
    result.outcome === EMULATED_OUTCOME
  );
}

/**
 * What the CLI reports for a stage, given how many of its writes were emulated in-process: a
 * REMEDIATED run with emulated writes is EMULATED (docs/cli.md, "fix"), never presented as the
 * emulator's own; any other outcome stays what the workflow recorded. Pure.
 */
export function withEmulatedWrites(result: StageResult, emulatedWrites: number): StageResult {
  if (emulatedWrites === 0 || result.outcome !== 'REMEDIATED') return result;
  return {
    ...result,
    outcome: EMULATED_OUTCOME,
    reason:
      `the workflow recorded REMEDIATED; ${emulatedWrites} of its write(s) moto lacks ` +
      'were emulated in-process (skipped above), and the stage holds the after values when read back',
  };
}
