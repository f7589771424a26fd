/**
 * What `scan` and `plan` report for one stage (pure): the controls' own evaluations and plans,
 * made by the core from the snapshot the workflow reads, turned into the CLI's shapes (docs/cli.md).
 *
 * - `apiType` is the protocol as the service names it for users: REST, HTTP or WEBSOCKET (the
 *   API Gateway console's and GetApi's ProtocolType words). The core's own `REST | V2` says only
 *   which API Gateway API manages the stage, and the stage ARN shows it (`/restapis/` or `/apis/`).
 * - Statuses are Security Hub's words: COMPLIANT → PASSED, NON_COMPLIANT → FAILED.
 * - `mode` is the mode the configuration, account overrides and API and stage tags give the control
 *   on this stage (config/modes.ts, as the decide task resolves it).
 */
import { resolveModes, type ResolvedMode } from '../../config/modes.js';
import type { ControlMode, RemediationConfig } from '../../config/schema.js';
import { subjectSummary, changeSections, DEPLOYMENT_WARNING, ownerLines } from '../approvals/messages.js';
import type { Owner } from '../iac/owner.js';
import type { IacSummary, SourceFixLine } from '../iac/schema.js';
import { formatStageArn } from '../core/arn.js';
import { settingChanges, type StagePlan } from '../core/plan.js';
import type {
  ControlId,
  Evaluation,
  EvaluationStatus,
  Prerequisite,
  Protocol,
  StageSnapshot,
} from '../core/types.js';

export type ScanStatus = 'PASSED' | 'FAILED' | 'NOT_APPLICABLE';

const STATUS: Readonly<Record<EvaluationStatus, ScanStatus>> = {
  COMPLIANT: 'PASSED',
  NON_COMPLIANT: 'FAILED',
  NOT_APPLICABLE: 'NOT_APPLICABLE',
};

export interface ControlReport {
  readonly controlId: ControlId;
  readonly status: ScanStatus;
  readonly mode: ControlMode;
  readonly reason: string;
}

export interface StageReport {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly apiType: Protocol;
  readonly apiId: string;
  readonly apiName: string;
  readonly stageName: string;
  readonly stageArn: string;
  readonly controls: readonly ControlReport[];
}

export interface ScanResult {
  readonly stages: readonly StageReport[];
  readonly summary: { readonly stages: number; readonly failing: number };
}

/** The modes of the given controls on this stage, from its account and its API's and stage's tags. */
export function stageModes(
  config: RemediationConfig,
  snapshot: StageSnapshot,
  controlIds: readonly ControlId[],
): Readonly<Record<ControlId, ResolvedMode>> {
  return resolveModes(
    config,
    { account: snapshot.ref.account, apiTags: snapshot.api?.tags ?? {}, stageTags: snapshot.stage.tags },
    controlIds,
  );
}

function protocolOf(snapshot: StageSnapshot): Protocol {
  return snapshot.api?.protocol ?? (snapshot.apiType === 'REST' ? 'REST' : 'HTTP');
}

export function stageReport(
  snapshot: StageSnapshot,
  evaluations: readonly Evaluation[],
  modes: Readonly<Record<ControlId, ResolvedMode>>,
): StageReport {
  const { ref } = snapshot;
  return {
    account: ref.account,
    region: ref.region,
    partition: ref.partition,
    apiType: protocolOf(snapshot),
    apiId: ref.apiId,
    apiName: snapshot.api?.name ?? '',
    stageName: ref.stageName,
    stageArn: formatStageArn(ref),
    controls: evaluations.map((evaluation) => ({
      controlId: evaluation.controlId,
      status: STATUS[evaluation.status],
      mode: modes[evaluation.controlId]?.mode ?? 'off',
      reason: evaluation.reason,
    })),
  };
}

/** `failing` counts the stages with at least one FAILED control. */
export function scanResult(stages: readonly StageReport[]): ScanResult {
  return {
    stages,
    summary: {
      stages: stages.length,
      failing: stages.filter((stage) => stage.controls.some((control) => control.status === 'FAILED')).length,
    },
  };
}

// ---------------------------------------------------------------------------------------
// plan

/** The modes in which the service changes a stage; notify and off never do. */
const FIXING_MODES: ReadonlySet<ControlMode> = new Set(['auto', 'approve']);

export function fixingControlIds(
  controlIds: readonly ControlId[],
  modes: Readonly<Record<ControlId, ResolvedMode>>,
): ControlId[] {
  return controlIds.filter((id) => {
    const mode = modes[id]?.mode;
    return mode !== undefined && FIXING_MODES.has(mode);
  });
}

export interface PrerequisiteReport {
  readonly kind: Prerequisite['kind'];
  readonly name: string;
  readonly detail: string;
}

/** A prerequisite as the operator reads it: what it is and that it is created only when absent. */
export function prerequisiteReport(prerequisite: Prerequisite): PrerequisiteReport {
  switch (prerequisite.kind) {
    case 'accessLogGroup':
      return {
        kind: prerequisite.kind,
        name: prerequisite.name,
        detail: `CloudWatch Logs log group with ${prerequisite.retentionDays} days retention, created if absent`,
      };
    case 'accountCloudWatchRole':
      return {
        kind: prerequisite.kind,
        name: prerequisite.roleName,
        detail:
          "the Region's API Gateway account setting cloudwatchRoleArn, set to this member-stack role if the account has none",
      };
    case 'webAcl':
      return {
        kind: prerequisite.kind,
        name: prerequisite.name,
        detail: `REGIONAL WAF web ACL (${prerequisite.summary}), created if absent`,
      };
  }
}

export interface SettingChangeReport {
  readonly controlId: ControlId;
  readonly setting: string;
  readonly before: string | number | boolean | null;
  readonly after: string | number | boolean | null;
}

/**
 * Who deploys the stage and the template change per failing fixing control, in the owner's tool
 * (docs/decisions/0029): `kind` cloudformation (with `tool`, `stackName`, `logicalId`), terraform
 * (with `evidence`) or unmanaged (no source fixes).
 */
export type OwnerReport = Owner & {
  readonly description: string;
  readonly drift?: string;
  readonly sourceFixes: readonly SourceFixLine[];
};

/** A stage's plan as `plan --output json` prints it. */
export interface StagePlanReport {
  readonly stageArn: string;
  readonly changes: readonly SettingChangeReport[];
  readonly prerequisites: readonly PrerequisiteReport[];
  readonly deployment: boolean;
  readonly owner: OwnerReport;
}

export function ownerReport(iac: IacSummary): OwnerReport {
  return {
    ...iac.owner,
    description: iac.ownerText,
    ...(iac.drift === undefined ? {} : { drift: iac.drift }),
    sourceFixes: iac.sourceFixes,
  };
}

/** A control not planned because of its mode, while it fails: what the table says about it. */
export interface NotPlanned {
  readonly controlId: ControlId;
  readonly mode: ControlMode;
}

/** What the table adds to the JSON: the stage, the controls left alone, and the approver's view. */
export interface StagePlanDetail {
  readonly stage: Omit<StageReport, 'controls'>;
  readonly plan: StagePlanReport;
  readonly notPlanned: readonly NotPlanned[];
  /** Dry run (configuration or account): the service would record these changes, not make them. */
  readonly dryRun: boolean;
  /** The text of the Slack approval request, when a control with changes is in mode approve. */
  readonly approval?: readonly string[];
  /** The mode of each control with changes (`fix` asks for a confirmation of those in approve). */
  readonly plannedModes?: Readonly<Partial<Record<ControlId, ControlMode>>>;
}

export interface ApprovalWindow {
  readonly requestedAt: string;
  readonly expiresAt: string;
}

/** Stands in for the remediation id the workflow assigns when it runs; a plan has none yet. */
export const PLAN_REMEDIATION_ID = '(assigned when the fix runs)';

/**
 * The approver's view, made by the approval message builder itself (approvals/messages.ts): the
 * summary line, the numbered change sections and the deployment warning, as Slack mrkdwn.
 */
function approvalText(
  report: Omit<StageReport, 'controls'>,
  controls: readonly ControlId[],
  changes: readonly SettingChangeReport[],
  window: ApprovalWindow,
  iac: IacSummary,
): string[] {
  const subject = {
    remediationId: PLAN_REMEDIATION_ID,
    executionArn: '',
    account: report.account,
    region: report.region,
    partition: report.partition,
    apiType: report.apiType === 'REST' ? ('REST' as const) : ('V2' as const),
    apiId: report.apiId,
    apiName: report.apiName,
    stageName: report.stageName,
    controls,
    changes,
    requestedAt: window.requestedAt,
    expiresAt: window.expiresAt,
    iac,
  };
  const deployment = changes.some((change) => change.setting === 'deployment');
  const owner = ownerLines(subject);
  return [
    `Approval needed: ${subjectSummary(subject)}`,
    ...changeSections(subject),
    ...(deployment ? [DEPLOYMENT_WARNING] : []),
    ...(owner.length === 0 ? [] : [owner.join('\n')]),
  ];
}

export function stagePlanDetail(input: {
  readonly report: StageReport;
  readonly plan: StagePlan;
  readonly modes: Readonly<Record<ControlId, ResolvedMode>>;
  readonly window: ApprovalWindow;
  readonly iac: IacSummary;
}): StagePlanDetail {
  const { controls, ...stage } = input.report;
  const changes = settingChanges(input.plan);
  const planned = new Set(changes.map((change) => change.controlId));
  const deployment = input.plan.apiType === 'V2' ? input.plan.redeploy : false;
  const notPlanned = controls
    .filter((control) => control.status === 'FAILED' && !FIXING_MODES.has(control.mode))
    .map(({ controlId, mode }) => ({ controlId, mode }));
  const needsApproval = [...planned].some((id) => input.modes[id]?.mode === 'approve');
  const dryRun = Object.values(input.modes).some((mode) => mode.dryRun);
  return {
    stage,
    plan: {
      stageArn: stage.stageArn,
      changes,
      prerequisites: input.plan.prerequisites.map(prerequisiteReport),
      deployment,
      owner: ownerReport(input.iac),
    },
    notPlanned,
    dryRun,
    ...(needsApproval
      ? { approval: approvalText(stage, [...planned], changes, input.window, input.iac) }
      : {}),
    plannedModes: Object.fromEntries(
      [...planned].flatMap((id) => {
        const mode = input.modes[id]?.mode;
        return mode === undefined ? [] : [[id, mode]];
      }),
    ),
  };
}
