/**
 * Pure: the undo of one REMEDIATION entry on the stage as it is now (issue 12, `undo`).
 *
 * Every recorded change is handed to the control that made it (its undo declaration,
 * controls/undo.ts). A setting is restored to its recorded `before` only when the stage still holds
 * the remediation's `after`; a setting changed since is refused, with the value the stage holds, and
 * so is one that no operation can take back (a deployment, a limit that was not set, ...). The
 * restorations are merged as the fix's plan is merged (core/plan.ts): every stage change in ONE
 * UpdateStage, the API's in one UpdateRestApi / UpdateApi, and the web ACL association the fix made
 * taken back with one DisassociateWebACL. Prerequisites the remediation created (log group, web ACL,
 * the account's CloudWatch role) are kept: other stages may use them, and they change nothing alone.
 */
import { CATALOG, type Catalog, type ControlSettings } from '../controls/catalog.js';
import type { BoundUndo, UndoOperation } from '../controls/undo.js';
import { DEPLOYMENT_SETTING } from '../core/types.js';
import { routeSettingsInput } from '../core/plan.js';
import type { SnapshotPart, StageRef, StageSnapshot } from '../core/types.js';
import type { V2RouteSettingsInput, V2StageUpdate } from '../core/stage-plan.js';
import type { ControlChange } from '../workflow/state.js';
import type { CreatedPrerequisite, RefusedSetting, RemediationEntry } from './entry.js';

export interface PatchOperation {
  readonly op: 'replace' | 'remove';
  readonly path: string;
  readonly value?: string;
}

export type UndoCalls =
  | {
      readonly apiType: 'REST';
      /** ONE UpdateStage; empty when nothing on the stage is restored. */
      readonly stagePatchOperations: readonly PatchOperation[];
      /** ONE UpdateRestApi; empty when the API is not changed. */
      readonly apiPatchOperations: readonly PatchOperation[];
      /** wafv2 DisassociateWebACL of the stage (the fix had associated the baseline web ACL). */
      readonly disassociateWebAcl: boolean;
    }
  | {
      readonly apiType: 'V2';
      /** ONE UpdateStage input; absent when nothing on the stage is restored this way. */
      readonly stageUpdate?: V2StageUpdate;
      readonly apiUpdate?: { readonly DisableExecuteApiEndpoint: boolean };
      /** apigatewayv2 DeleteAccessLogSettings: the fix had turned access logging on. */
      readonly deleteAccessLogSettings: boolean;
    };

export interface UndoPlan {
  readonly ref: StageRef;
  readonly remediationId: string;
  /** Settings set back: before = what the stage holds now, after = the value restored. */
  readonly restored: readonly ControlChange[];
  /** Settings left as they are, with the remediation's before → after, what the stage holds, and why. */
  readonly refused: readonly RefusedSetting[];
  readonly kept: readonly CreatedPrerequisite[];
  /** Controls with at least one setting restored (each gets an exemption, so it is not fixed again). */
  readonly undoneControls: readonly string[];
  readonly calls: UndoCalls;
}

/** Two restorations want different values for one path: the ledger entry contradicts itself. */
export class UndoConflictError extends Error {
  override readonly name = 'UndoConflictError';
}

/** The controls' undo declarations, bound to the configuration's parameters and resources. */
export type UndoDeclarations = ReadonlyMap<string, BoundUndo>;

export function bindUndoDeclarations(settings: ControlSettings): UndoDeclarations {
  const bound = new Map<string, BoundUndo>();
  const catalog: Catalog = CATALOG;
  for (const control of catalog) {
    const undo = control.bindUndo(
      control.params.parse(settings.parameters[control.id] ?? {}),
      settings.resources,
    );
    if (undo !== undefined) bound.set(control.id, undo);
  }
  return bound;
}

/** The snapshot parts an undo of these controls reads. */
export function undoSnapshotParts(controlIds: readonly string[]): SnapshotPart[] {
  const parts = new Set<SnapshotPart>(['stage']);
  for (const control of CATALOG) {
    if (controlIds.includes(control.id)) for (const part of control.undoNeeds) parts.add(part);
  }
  return [...parts];
}

function show(value: ControlChange['before']): string {
  return value === null ? '(unset)' : JSON.stringify(value);
}

/** One value per key; the same value twice is one operation, different values are a contradiction. */
function addOnce<Value>(map: Map<string, Value>, key: string, value: Value): void {
  const existing = map.get(key);
  if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(value)) {
    throw new UndoConflictError(
      `the undo would set ${key} to both ${JSON.stringify(existing)} and ${JSON.stringify(value)}; the ledger entry contradicts itself`,
    );
  }
  map.set(key, value);
}

function mergeCalls(snapshot: StageSnapshot, operations: readonly UndoOperation[]): UndoCalls {
  if (snapshot.apiType === 'REST') {
    const stage = new Map<string, PatchOperation>();
    const api = new Map<string, PatchOperation>();
    let disassociateWebAcl = false;
    for (const operation of operations) {
      switch (operation.kind) {
        case 'restStagePatch':
          addOnce(
            stage,
            operation.path,
            operation.op === 'remove'
              ? { op: 'remove', path: operation.path }
              : { op: 'replace', path: operation.path, value: operation.value },
          );
          break;
        case 'restApiPatch':
          addOnce(api, operation.path, { op: 'replace', path: operation.path, value: operation.value });
          break;
        case 'disassociateWebAcl':
          disassociateWebAcl = true;
          break;
        default:
          throw new UndoConflictError(`a ${operation.kind} operation cannot apply to a REST stage`);
      }
    }
    // Access logging off takes the destination and the format with it: no replace below it is sent.
    const accessLoggingOff = stage.get('/accessLogSettings')?.op === 'remove';
    const stagePatchOperations = [...stage.values()].filter(
      (operation) => !(accessLoggingOff && operation.path.startsWith('/accessLogSettings/')),
    );
    if (api.size > 0 && stagePatchOperations.length === 0) {
      // An API-level change takes effect "when you update any setting on any stage" (API Gateway
      // developer guide, rest-api-disable-default-endpoint): the value the stage has, rewritten,
      // as the fix did (core/plan.ts, docs/decisions/0009). Never a deployment.
      stagePatchOperations.push({
        op: 'replace',
        path: '/tracingEnabled',
        value: String(snapshot.stage.tracingEnabled),
      });
    }
    return {
      apiType: 'REST',
      stagePatchOperations,
      apiPatchOperations: [...api.values()],
      disassociateWebAcl,
    };
  }

  let defaultRouteSettings: Record<string, string | number | boolean> | undefined;
  let routeSettings: Record<string, Record<string, string | number | boolean>> | undefined;
  let accessLog: { DestinationArn: string; Format: string } | undefined;
  let deleteAccessLogSettings = false;
  const fields = new Map<string, string | number>();
  let apiUpdate: { DisableExecuteApiEndpoint: boolean } | undefined;
  for (const operation of operations) {
    switch (operation.kind) {
      case 'v2RouteSetting': {
        const routeKey = operation.scope === 'default' ? undefined : operation.scope.routeKey;
        addOnce(fields, `${routeKey ?? '(default)'}.${operation.field}`, operation.value);
        if (routeKey === undefined) {
          defaultRouteSettings ??= routeSettingsInput(snapshot.stage.defaultRouteSettings);
          defaultRouteSettings[operation.field] = operation.value;
        } else {
          routeSettings ??= Object.fromEntries(
            Object.entries(snapshot.stage.routeSettings).map(([key, value]) => [
              key,
              routeSettingsInput(value),
            ]),
          );
          routeSettings[routeKey] = { ...routeSettings[routeKey], [operation.field]: operation.value };
        }
        break;
      }
      case 'v2AccessLog':
        // The fix changes a kept destination's format or sets both fields: one object either way.
        accessLog = { DestinationArn: operation.destinationArn, Format: operation.format };
        break;
      case 'v2AccessLogDelete':
        deleteAccessLogSettings = true;
        break;
      case 'v2ApiUpdate':
        apiUpdate = { DisableExecuteApiEndpoint: operation.value };
        break;
      default:
        throw new UndoConflictError(
          `a ${operation.kind} operation cannot apply to an HTTP or WebSocket stage`,
        );
    }
  }
  const stageUpdate: V2StageUpdate = {
    ...(defaultRouteSettings === undefined
      ? {}
      : { DefaultRouteSettings: defaultRouteSettings as V2RouteSettingsInput }),
    ...(routeSettings === undefined
      ? {}
      : { RouteSettings: routeSettings as Record<string, V2RouteSettingsInput> }),
    // Access logging off wins over a format put back: the settings are deleted as a whole.
    ...(accessLog === undefined || deleteAccessLogSettings ? {} : { AccessLogSettings: accessLog }),
  };
  return {
    apiType: 'V2',
    ...(Object.keys(stageUpdate).length === 0 ? {} : { stageUpdate }),
    ...(apiUpdate === undefined ? {} : { apiUpdate }),
    deleteAccessLogSettings,
  };
}

/** Why a deployment is never taken back. */
export const DEPLOYMENT_NOT_UNDONE =
  "a deployment is not taken back: pointing the stage at the earlier deployment would unpublish whatever the API's definition held then and now";

export function planUndo(
  entry: RemediationEntry,
  snapshot: StageSnapshot,
  declarations: UndoDeclarations,
): UndoPlan {
  const restored: ControlChange[] = [];
  const refused: RefusedSetting[] = [];
  const operations: UndoOperation[] = [];
  const undone = new Set<string>();
  for (const change of entry.changes) {
    if (change.setting === DEPLOYMENT_SETTING) {
      refused.push({ ...change, current: snapshot.stage.deploymentId ?? null, why: DEPLOYMENT_NOT_UNDONE });
      continue;
    }
    const step = declarations.get(change.controlId)?.(change.setting, snapshot);
    if (step === undefined) {
      refused.push({
        ...change,
        current: null,
        why: `${change.setting} is not a setting ${change.controlId} changes, so it has no undo`,
      });
      continue;
    }
    if (!step.holds(change.after)) {
      refused.push({
        ...change,
        current: step.current,
        why: `changed since the remediation: the stage holds ${show(step.current)}, the remediation set ${show(change.after)}`,
      });
      continue;
    }
    const restoration = step.restore(change.before);
    if (!restoration.possible) {
      refused.push({ ...change, current: step.current, why: restoration.why });
      continue;
    }
    operations.push(...restoration.operations);
    restored.push({
      controlId: change.controlId,
      setting: change.setting,
      before: step.current,
      after: restoration.restoredTo,
    });
    undone.add(change.controlId);
  }
  return {
    ref: snapshot.ref,
    remediationId: entry.entryId,
    restored,
    refused,
    kept: entry.prerequisitesCreated,
    undoneControls: entry.controls.filter((controlId) => undone.has(controlId)),
    calls: mergeCalls(snapshot, operations),
  };
}

/** Whether the plan changes anything at all. */
export function undoChangesSomething(calls: UndoCalls): boolean {
  return calls.apiType === 'REST'
    ? calls.stagePatchOperations.length > 0 || calls.apiPatchOperations.length > 0 || calls.disassociateWebAcl
    : calls.stageUpdate !== undefined || calls.apiUpdate !== undefined || calls.deleteAccessLogSettings;
}
