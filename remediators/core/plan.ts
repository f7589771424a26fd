/**
 * Pure: turns the selected controls' evaluations and plans for one stage into the calls the
 * shell makes — every stage change in ONE UpdateStage, every API change in one
 * UpdateRestApi / UpdateApi, at most one deployment, at most one AssociateWebACL.
 *
 * Two controls may touch the same setting (e.g. a method-settings path). The same value
 * twice is merged into one operation; different values are a contradiction in the
 * baseline and fail the plan with {@link PlanConflictError} instead of letting the last
 * control silently win.
 */
import { mergeEffects } from './effects/index.js';
import type {
  RestPatchOperation,
  RestPlan,
  StageChange,
  StagePlan,
  V2Plan,
  V2RouteSettingsInput,
  V2StageUpdate,
} from './stage-plan.js';
import type {
  Control,
  ControlId,
  ControlPlan,
  Evaluation,
  Operation,
  SettingChange,
  StageSnapshot,
  V2RouteSettings,
} from './types.js';

/** The plan types are the schema's (stage-plan.ts); plan.ts is where they are made. */
export type { RestPlan, StagePlan, V2Plan } from './stage-plan.js';

interface RouteSettingChange {
  /** Undefined for the stage's DefaultRouteSettings. */
  readonly routeKey: string | undefined;
  readonly field: keyof V2RouteSettingsInput;
  readonly value: string | number;
}

export class PlanConflictError extends Error {
  override readonly name = 'PlanConflictError';
}

/** A control produced an operation that cannot apply to this API type: a bug in the control. */
export class PlanOperationError extends Error {
  override readonly name = 'PlanOperationError';
}

/** The approver's and auditor's view of a plan: before → after per setting, with the control. */
export function settingChanges(
  plan: Pick<StagePlan, 'changes'>,
): (SettingChange & { controlId: ControlId })[] {
  return plan.changes.map(({ controlId, change }) => ({ controlId, ...change }));
}

/** Records each operation once per key, and fails when two controls want different values. */
class OperationSet<Value> {
  private readonly byKey = new Map<string, { readonly controlId: ControlId; readonly value: Value }>();

  constructor(private readonly describe: (value: Value) => string) {}

  add(key: string, controlId: ControlId, value: Value): void {
    const existing = this.byKey.get(key);
    if (existing === undefined) {
      this.byKey.set(key, { controlId, value });
      return;
    }
    if (this.describe(existing.value) !== this.describe(value)) {
      throw new PlanConflictError(
        `${existing.controlId} and ${controlId} both change ${key} on the same stage, to ` +
          `${this.describe(existing.value)} and ${this.describe(value)}; expected the baseline to ask for one value. ` +
          'Fix the baseline configuration or remediate the two controls separately.',
      );
    }
  }

  entries(): [string, Value][] {
    return [...this.byKey.entries()].map(([key, { value }]) => [key, value]);
  }

  get size(): number {
    return this.byKey.size;
  }
}

const ROUTE_SETTING_FIELDS = {
  loggingLevel: 'LoggingLevel',
  dataTraceEnabled: 'DataTraceEnabled',
  detailedMetricsEnabled: 'DetailedMetricsEnabled',
  throttlingRateLimit: 'ThrottlingRateLimit',
  throttlingBurstLimit: 'ThrottlingBurstLimit',
} as const satisfies Record<keyof V2RouteSettings, keyof V2RouteSettingsInput>;

/** Route settings as UpdateStage takes them (apigatewayv2 RouteSettings), the fields the stage has set. */
export function routeSettingsInput(
  settings: V2RouteSettings | undefined,
): Record<string, string | number | boolean> {
  const input: Record<string, string | number | boolean> = {};
  for (const [field, inputField] of Object.entries(ROUTE_SETTING_FIELDS)) {
    const value = settings?.[field as keyof V2RouteSettings];
    if (value !== undefined) input[inputField] = value;
  }
  return input;
}

function wrongApiType(controlId: ControlId, operation: Operation, snapshot: StageSnapshot): never {
  throw new PlanOperationError(
    `${controlId} planned a ${operation.kind} operation for ${snapshot.apiType} stage ` +
      `${snapshot.ref.apiId}/${snapshot.ref.stageName}; expected only ` +
      (snapshot.apiType === 'REST'
        ? 'restStagePatch, restApiPatch or associateBaselineWebAcl'
        : 'v2RouteSetting, v2AccessLog, v2ApiUpdate or, without autoDeploy, createDeployment'),
  );
}

/** Merges plans already made (in the given order) into the stage's calls. */
export function mergeControlPlans(
  snapshot: StageSnapshot,
  evaluations: readonly Evaluation[],
  plans: readonly ControlPlan[],
): StagePlan {
  const restStagePatches = new OperationSet<string>((value) => JSON.stringify(value));
  const restApiPatches = new OperationSet<string>((value) => JSON.stringify(value));
  const v2RouteSettings = new OperationSet<RouteSettingChange>((change) => JSON.stringify(change.value));
  const v2AccessLogs = new OperationSet<{ destinationArn: string; format: string }>((value) =>
    JSON.stringify(value),
  );
  const v2ApiFields = new OperationSet<boolean>((value) => JSON.stringify(value));
  let associateWebAcl = false;
  let redeploy = false;
  const changes: StageChange[] = [];

  for (const plan of plans) {
    for (const planned of plan.changes) {
      changes.push({ controlId: plan.controlId, ...planned });
      const { operation } = planned;
      const isRest = snapshot.apiType === 'REST';
      switch (operation.kind) {
        case 'restStagePatch':
          if (!isRest) wrongApiType(plan.controlId, operation, snapshot);
          restStagePatches.add(operation.path, plan.controlId, operation.value);
          break;
        case 'restApiPatch':
          if (!isRest) wrongApiType(plan.controlId, operation, snapshot);
          restApiPatches.add(operation.path, plan.controlId, operation.value);
          break;
        case 'associateBaselineWebAcl':
          if (!isRest) wrongApiType(plan.controlId, operation, snapshot);
          associateWebAcl = true;
          break;
        case 'v2RouteSetting': {
          if (isRest) wrongApiType(plan.controlId, operation, snapshot);
          // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, ('default' as any).routeKey is undefined too
          const routeKey = operation.scope === 'default' ? undefined : operation.scope.routeKey;
          const scope = routeKey === undefined ? 'DefaultRouteSettings' : `RouteSettings[${routeKey}]`;
          v2RouteSettings.add(`${scope}.${operation.field}`, plan.controlId, {
            routeKey,
            field: operation.field,
            value: operation.value,
          });
          break;
        }
        case 'v2AccessLog':
          if (isRest) wrongApiType(plan.controlId, operation, snapshot);
          v2AccessLogs.add('AccessLogSettings', plan.controlId, {
            destinationArn: operation.destinationArn,
            format: operation.format,
          });
          break;
        case 'v2ApiUpdate':
          if (isRest) wrongApiType(plan.controlId, operation, snapshot);
          v2ApiFields.add(operation.field, plan.controlId, operation.value);
          break;
        case 'createDeployment':
          // REST stages take every change with the stage update: a deployment would only publish
          // the API's unreleased definition. V2 stages that deploy automatically need none either.
          if (isRest || snapshot.stage.autoDeploy) wrongApiType(plan.controlId, operation, snapshot);
          redeploy = true;
          break;
      }
    }
  }

  const common = {
    ref: snapshot.ref,
    evaluations,
    plans,
    changes,
    prerequisites: mergeEffects(plans.flatMap((plan) => plan.prerequisites)),
  };
  const patches = (set: OperationSet<string>): RestPatchOperation[] =>
    set.entries().map(([path, value]) => ({ op: 'replace', path, value }));

  if (snapshot.apiType === 'REST') {
    const stagePatchOperations = patches(restStagePatches);
    if (restApiPatches.size > 0 && stagePatchOperations.length === 0) {
      stagePatchOperations.push(stageUpdateThatChangesNothing(snapshot));
    }
    return {
      apiType: 'REST',
      ...common,
      stagePatchOperations,
      apiPatchOperations: patches(restApiPatches),
      associateWebAcl,
    } satisfies RestPlan;
  }

  const stageUpdate = buildV2StageUpdate(snapshot, v2RouteSettings, v2AccessLogs);
  // Stryker disable next-line ConditionalExpression: equivalent, DisableExecuteApiEndpoint is the only v2ApiUpdate field
  const disableEndpoint = v2ApiFields.entries().find(([field]) => field === 'DisableExecuteApiEndpoint');
  return {
    apiType: 'V2',
    ...common,
    ...(stageUpdate === undefined ? {} : { stageUpdate }),
    ...(disableEndpoint === undefined
      ? {}
      : { apiUpdate: { DisableExecuteApiEndpoint: disableEndpoint[1] } }),
    redeploy,
  } satisfies V2Plan;
}

/**
 * A REST API-level change (disableExecuteApiEndpoint) takes effect "when you update any setting on
 * any stage" (API Gateway developer guide, rest-api-disable-default-endpoint). When no control
 * changes the stage, the one UpdateStage rewrites `tracingEnabled` with the value the stage has:
 * a real update of a stage setting, which API Gateway accepts on any REST stage, that changes
 * nothing about how the stage behaves (the value was read with the plan, and a plan that waited
 * for approval is re-read and re-made before it is applied). The alternatives were worse: a
 * deployment publishes the API's current definition, and a description or variable rewrite
 * would need parts of the stage the snapshot does not read. See docs/decisions/0009.
 */
function stageUpdateThatChangesNothing(
  snapshot: Extract<StageSnapshot, { apiType: 'REST' }>,
): RestPatchOperation {
  return { op: 'replace', path: '/tracingEnabled', value: String(snapshot.stage.tracingEnabled) };
}

function buildV2StageUpdate(
  snapshot: Extract<StageSnapshot, { apiType: 'V2' }>,
  routeSettingChanges: OperationSet<RouteSettingChange>,
  accessLogChanges: OperationSet<{ destinationArn: string; format: string }>,
): V2StageUpdate | undefined {
  let defaultRouteSettings: Record<string, string | number | boolean> | undefined;
  const routeSettings: Record<string, Record<string, string | number | boolean>> = {};
  let routeSettingsChanged = false;
  for (const [, { routeKey, field, value }] of routeSettingChanges.entries()) {
    if (routeKey === undefined) {
      defaultRouteSettings ??= routeSettingsInput(snapshot.stage.defaultRouteSettings);
      defaultRouteSettings[field] = value;
    } else {
      if (!routeSettingsChanged) {
        for (const [existingKey, existing] of Object.entries(snapshot.stage.routeSettings)) {
          routeSettings[existingKey] = routeSettingsInput(existing);
        }
        routeSettingsChanged = true;
      }
      routeSettings[routeKey] = { ...routeSettings[routeKey], [field]: value };
    }
  }
  const accessLog = accessLogChanges.entries()[0]?.[1];
  if (defaultRouteSettings === undefined && !routeSettingsChanged && accessLog === undefined)
    return undefined;
  // Field names come from ROUTE_SETTING_FIELDS and operation fields, values from the stage and the controls.
  return {
    ...(defaultRouteSettings === undefined
      ? {}
      : { DefaultRouteSettings: defaultRouteSettings as V2RouteSettingsInput }),
    ...(routeSettingsChanged ? { RouteSettings: routeSettings as Record<string, V2RouteSettingsInput> } : {}),
    ...(accessLog === undefined
      ? {}
      : { AccessLogSettings: { DestinationArn: accessLog.destinationArn, Format: accessLog.format } }),
  };
}

/**
 * Evaluates and plans the given controls on a snapshot, then merges the plans, in the order the
 * controls are given (the catalog's: plans merge and report in a stable order).
 */
export function planStage(snapshot: StageSnapshot, controls: readonly Control[]): StagePlan {
  const evaluations = controls.map((control) => control.evaluate(snapshot));
  const plans = controls.map((control) => control.plan(snapshot));
  return mergeControlPlans(snapshot, evaluations, plans);
}
