/**
 * Builds a {@link Control} from what differs between controls: which stages it applies to and
 * how it inspects one. Applicability, reasons, report-only and empty plans are decided here,
 * once, so every control behaves the same way at those edges.
 */
import type { BaselineConfig } from '../../config/schema.js';
import { DEPLOYMENT_AFTER, DEPLOYMENT_SETTING } from '../core/types.js';
import type {
  Control,
  ControlId,
  ControlPlan,
  Evaluation,
  PlannedChange,
  Prerequisite,
  Protocol,
  RestStageSnapshot,
  SnapshotPart,
  StageSnapshot,
  V2StageSnapshot,
} from '../core/types.js';

/** What a control found on a stage it applies to. */
export type Inspection =
  | { readonly compliant: true; readonly reason: string }
  | {
      readonly compliant: false;
      /** One sentence per failing setting, naming the setting, its value and what is expected. */
      readonly problems: readonly string[];
      /** The fixes, each a human before → after plus the machine operation; empty for report-only controls. */
      readonly changes: readonly PlannedChange[];
    };

/** The usual ending of an inspection that walks several settings: compliant when nothing failed. */
export function inspectionOf(
  problems: readonly string[],
  changes: readonly PlannedChange[],
  passReason: string,
): Inspection {
  return problems.length === 0
    ? { compliant: true, reason: passReason }
    : { compliant: false, problems, changes };
}

export interface ControlDefinition {
  readonly id: ControlId;
  readonly title: string;
  readonly appliesTo: readonly Protocol[];
  readonly remediation: 'auto-fixable' | 'report';
  readonly needs: readonly SnapshotPart[];
  /** Required when appliesTo contains REST. */
  readonly inspectRest?: (snapshot: RestStageSnapshot, baseline: BaselineConfig) => Inspection;
  /** Required when appliesTo contains HTTP or WEBSOCKET. */
  readonly inspectV2?: (
    snapshot: V2StageSnapshot,
    baseline: BaselineConfig,
    protocol: Protocol,
  ) => Inspection;
  /** Resources the changes depend on (only asked when there are changes). */
  readonly prerequisites?: (snapshot: StageSnapshot) => readonly Prerequisite[];
  /**
   * Whether the changes take effect only after a deployment (only asked when there are changes).
   * Only a V2 stage without autoDeploy can need one: REST stages take API-level changes with the
   * stage update (see baseline-default-endpoint.ts).
   */
  readonly redeploy?: (snapshot: StageSnapshot) => boolean;
}

/**
 * The protocol of the snapshot's API. A V2 stage ARN does not say HTTP or WEBSOCKET, so V2
 * snapshots must carry the 'api' part (snapshotPartsFor always asks for it).
 */
export function protocolOf(snapshot: StageSnapshot): Protocol {
  if (snapshot.apiType === 'REST') return 'REST';
  if (snapshot.api === undefined) {
    const { apiId, stageName } = snapshot.ref;
    throw new Error(
      `V2 stage ${apiId}/${stageName}: the snapshot has parts [${snapshot.parts.join(', ')}] but no 'api'; ` +
        'the protocol (HTTP or WEBSOCKET) is read from GetApi, so the snapshot must include the api part',
    );
  }
  return snapshot.api.protocol;
}

/**
 * A part the control declared in `needs`: the shell must have read it. Failing loudly beats
 * evaluating an unread part as empty (no custom domains, no routes) and passing a stage.
 */
export function requirePart<T>(
  controlId: ControlId,
  snapshot: StageSnapshot,
  part: SnapshotPart,
  value: T | undefined,
): T {
  if (value === undefined) {
    const { apiId, stageName } = snapshot.ref;
    throw new Error(
      `${controlId} needs the '${part}' part of stage ${apiId}/${stageName}, but the snapshot has only [${snapshot.parts.join(', ')}]`,
    );
  }
  return value;
}

function describeProtocols(protocols: readonly Protocol[]): string {
  return protocols.length === 1
    ? `${protocols[0]}`
    : `${protocols.slice(0, -1).join(', ')} and ${protocols.at(-1)}`;
}

/**
 * A deployment is a change of its own, listed with the control's changes so the approver, the
 * note and the notification all say it: `deployment: {current deployment id} → publishes the
 * API's current definition` (CreateDeployment snapshots the API as it is, including changes
 * nobody has released yet).
 */
function deploymentChange(snapshot: StageSnapshot): PlannedChange {
  return {
    change: {
      setting: DEPLOYMENT_SETTING,
      before: snapshot.stage.deploymentId ?? null,
      after: DEPLOYMENT_AFTER,
    },
    operation: { kind: 'createDeployment' },
  };
}

export function defineControl(definition: ControlDefinition): Control {
  const { id, title, appliesTo, remediation, needs } = definition;
  const needsRest = appliesTo.includes('REST');
  const needsV2 = appliesTo.some((protocol) => protocol !== 'REST');
  if ((needsRest && !definition.inspectRest) || (needsV2 && !definition.inspectV2)) {
    throw new Error(`${id} applies to [${appliesTo.join(', ')}] but lacks an inspector for one of them`);
  }

  /** Undefined when the control does not apply to the snapshot's protocol. */
  function inspect(snapshot: StageSnapshot, baseline: BaselineConfig): Inspection | undefined {
    const protocol = protocolOf(snapshot);
    if (!appliesTo.includes(protocol)) return undefined;
    return snapshot.apiType === 'REST'
      ? definition.inspectRest?.(snapshot, baseline)
      : definition.inspectV2?.(snapshot, baseline, protocol);
  }

  function evaluate(snapshot: StageSnapshot, baseline: BaselineConfig): Evaluation {
    const inspection = inspect(snapshot, baseline);
    if (inspection === undefined) {
      return {
        controlId: id,
        status: 'NOT_APPLICABLE',
        reason: `${id} applies only to ${describeProtocols(appliesTo)} stages; this stage's API protocol is ${protocolOf(snapshot)}`,
      };
    }
    if (inspection.compliant) {
      return { controlId: id, status: 'COMPLIANT', reason: inspection.reason };
    }
    return { controlId: id, status: 'NON_COMPLIANT', reason: inspection.problems.join('; ') };
  }

  function plan(snapshot: StageSnapshot, baseline: BaselineConfig): ControlPlan {
    const inspection = inspect(snapshot, baseline);
    const changes =
      inspection === undefined || inspection.compliant || remediation === 'report' ? [] : inspection.changes;
    if (changes.length === 0) {
      return { controlId: id, changes: [], prerequisites: [], redeploy: false };
    }
    const redeploy = definition.redeploy?.(snapshot) ?? false;
    return {
      controlId: id,
      changes: redeploy ? [...changes, deploymentChange(snapshot)] : changes,
      prerequisites: definition.prerequisites?.(snapshot) ?? [],
      redeploy,
    };
  }

  return { id, title, appliesTo, remediation, needs, evaluate, plan };
}
