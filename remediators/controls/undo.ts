/**
 * Undo as data (issue 12): how a fixing control takes back each change it made. Every fixing
 * control declares, beside its inspection and plan, for each setting it changes, how to read that
 * setting's current value from a snapshot (in the words of the plan's before → after, so an undo
 * can tell "still holds the remediation's after value" from "changed since"), and the operations
 * that set it back to the ledger's `before`. The pure undo planner (remediators/ledger/undo-plan.ts)
 * merges them into one UpdateStage and, where that was the change, one UpdateRestApi / UpdateApi and
 * one wafv2 DisassociateWebACL.
 *
 * The API references the operations follow:
 * - REST UpdateStage takes JSON-Patch operations on the stage (API Gateway API reference, UpdateStage
 *   and "Patch Operations": `op` add | remove | replace | copy; "Not all valid operations are
 *   supported for a given resource"): `replace` of a method setting path
 *   `/{resourcePath~1}/{METHOD}/logging/loglevel` (the MethodSetting reference lists the paths),
 *   `replace /tracingEnabled`, `replace /accessLogSettings/format`, and `remove /accessLogSettings`
 *   to turn access logging off.
 * - apigatewayv2 UpdateStage takes DefaultRouteSettings / RouteSettings / AccessLogSettings objects;
 *   access logging is turned off with DeleteAccessLogSettings ("To disable access logging for a
 *   Stage, delete its AccessLogSettings", apigatewayv2 API reference, /v2/apis/{apiId}/stages/{stageName}/accesslogsettings DELETE).
 * - REST UpdateRestApi `replace /disableExecuteApiEndpoint false`; V2 UpdateApi DisableExecuteApiEndpoint.
 * - wafv2 DisassociateWebACL with the stage ARN `arn:partition:apigateway:region::/restapis/api-id/stages/stage-name`
 *   ("Disassociates the specified resource from its web ACL association, if it has one").
 */
import type { SettingChange, StageSnapshot } from '../core/types.js';

export type SettingValue = SettingChange['before'];

/** One operation that sets a setting back. */
export type UndoOperation =
  /** One REST UpdateStage patch operation; all of a stage's go into ONE UpdateStage call. */
  | { readonly kind: 'restStagePatch'; readonly op: 'replace'; readonly path: string; readonly value: string }
  | { readonly kind: 'restStagePatch'; readonly op: 'remove'; readonly path: string }
  /** One field of V2 route settings, merged with the stage's current settings into ONE UpdateStage. */
  | {
      readonly kind: 'v2RouteSetting';
      /** 'default' = DefaultRouteSettings, otherwise RouteSettings[routeKey]. */
      readonly scope: 'default' | { readonly routeKey: string };
      readonly field: 'LoggingLevel' | 'ThrottlingRateLimit' | 'ThrottlingBurstLimit';
      readonly value: string | number;
    }
  /** V2 AccessLogSettings as a whole (UpdateStage replaces the object). */
  | { readonly kind: 'v2AccessLog'; readonly destinationArn: string; readonly format: string }
  /** apigatewayv2 DeleteAccessLogSettings: access logging off. */
  | { readonly kind: 'v2AccessLogDelete' }
  | { readonly kind: 'restApiPatch'; readonly op: 'replace'; readonly path: string; readonly value: string }
  | { readonly kind: 'v2ApiUpdate'; readonly field: 'DisableExecuteApiEndpoint'; readonly value: boolean }
  /** wafv2 DisassociateWebACL of the stage. */
  | { readonly kind: 'disassociateWebAcl' };

/**
 * How one setting of a stage is taken back: what the stage holds now, and either the operations
 * that restore a `before` value or why it cannot be restored.
 */
export interface UndoStep {
  /** The value the stage holds now, as the plan words it (null: not set). */
  readonly current: SettingValue;
  /**
   * Whether the stage still holds the remediation's after value. Most settings compare equal; the
   * web ACL's after value is a description of the baseline web ACL while the stage holds its ARN.
   */
  readonly holds: (after: SettingValue) => boolean;
  /** The operations that set the setting back to `before`, or why they cannot. */
  readonly restore: (before: SettingValue) => Restoration;
}

export type Restoration =
  | {
      readonly possible: true;
      readonly operations: readonly UndoOperation[];
      readonly restoredTo: SettingValue;
    }
  | { readonly possible: false; readonly why: string };

/**
 * A fixing control's undo: the step for one of the settings it changes, undefined for a setting
 * it never changes (a ledger entry naming one is not this control's to take back).
 */
export type UndoDeclaration<Context> = (
  setting: string,
  snapshot: StageSnapshot,
  context: Context,
) => UndoStep | undefined;

/** The control's undo bound to its parameters and resources (CatalogControl.bindUndo). */
export type BoundUndo = (setting: string, snapshot: StageSnapshot) => UndoStep | undefined;

export function equalTo(current: SettingValue): (after: SettingValue) => boolean {
  return (after) => after === current;
}

export function restored(operations: readonly UndoOperation[], restoredTo: SettingValue): Restoration {
  return { possible: true, operations, restoredTo };
}

export function notRestorable(why: string): Restoration {
  return { possible: false, why };
}

/** The common step: the current value compares equal to the after value. */
export function step(current: SettingValue | undefined, restore: UndoStep['restore']): UndoStep {
  const value = current ?? null;
  return { current: value, holds: equalTo(value), restore };
}

/** `methodSettings[~1pets/GET].loggingLevel` → key `~1pets/GET`, field `loggingLevel`. */
export function parseMethodSetting(setting: string): { key: string; field: string } | undefined {
  const match = /^methodSettings\[(.+)\]\.(\w+)$/.exec(setting);
  if (
    match?.[1] === undefined ||
    // Stryker disable next-line ConditionalExpression: equivalent, both groups take part in every match of the expression, so group 2 is defined whenever group 1 is (the check narrows the type)
    match[2] === undefined
  )
    return undefined;
  return { key: match[1], field: match[2] };
}

/** `defaultRouteSettings.loggingLevel` or `routeSettings[GET /pets].loggingLevel` → scope and field. */
export function parseRouteSetting(
  setting: string,
): { scope: 'default' | { routeKey: string }; field: string } | undefined {
  const defaults = /^defaultRouteSettings\.(\w+)$/.exec(setting);
  if (defaults?.[1] !== undefined) return { scope: 'default', field: defaults[1] };
  const route = /^routeSettings\[(.+)\]\.(\w+)$/.exec(setting);
  if (
    route?.[1] === undefined ||
    // Stryker disable next-line ConditionalExpression: equivalent, both groups take part in every match of the expression, so group 2 is defined whenever group 1 is (the check narrows the type)
    route[2] === undefined
  )
    return undefined;
  return { scope: { routeKey: route[1] }, field: route[2] };
}

/** Why a "not set" limit is not restored: no UpdateStage operation documents unsetting it. */
export const UNSET_LIMIT_NOT_RESTORABLE =
  'it was not set before, and API Gateway documents no UpdateStage operation that unsets a limit ' +
  '(GetStage shows -1 for one that is not set); set it by hand if the stage must run unthrottled';
