/**
 * Applies planned operations to a snapshot the way API Gateway would, so a test can re-evaluate
 * the after-state (plan idempotence). It rejects what AWS rejects: unknown patch paths, log
 * levels other than OFF/ERROR/INFO, booleans other than "true"/"false", non-numeric limits.
 */
import { expect } from 'vitest';
import type { ControlSettings } from '../../../remediators/controls/catalog.js';
import type { TestableControl } from './snapshots.js';
import type {
  ControlPlan,
  Operation,
  RestMethodSettings,
  RestStageSnapshot,
  StageSnapshot,
  V2RouteSettings,
  V2StageSnapshot,
} from '../../../remediators/core/types.js';

/** What AssociateWebACL leaves on the stage (the real ARN is resolved at apply time). */
export const ASSOCIATED_WEB_ACL_ARN =
  'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/apigw-remediation-baseline/11111111-2222-3333-4444-555555555555';

/** The deployment a planned CreateDeployment leaves on the stage. */
export const DEPLOYED_BY_REMEDIATION = 'remediation-deployment';

function parseBoolean(path: string, value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new Error(`${path}: "${value}" is not "true" or "false"`);
  return value === 'true';
}

function parseLimit(path: string, value: string): number {
  const limit = Number(value);
  if (value.trim() === '' || !Number.isFinite(limit)) throw new Error(`${path}: "${value}" is not a number`);
  return limit;
}

function parseLogLevel(path: string, value: string): string {
  if (!['OFF', 'ERROR', 'INFO'].includes(value))
    throw new Error(`${path}: "${value}" is not OFF, ERROR or INFO`);
  return value;
}

function patchMethodSetting(
  settings: RestMethodSettings,
  path: string,
  field: string,
  value: string,
): RestMethodSettings {
  switch (field) {
    case 'logging/loglevel':
      return { ...settings, loggingLevel: parseLogLevel(path, value) };
    case 'caching/dataEncrypted':
      return { ...settings, cacheDataEncrypted: parseBoolean(path, value) };
    case 'throttling/rateLimit':
      return { ...settings, throttlingRateLimit: parseLimit(path, value) };
    case 'throttling/burstLimit':
      return { ...settings, throttlingBurstLimit: parseLimit(path, value) };
    default:
      throw new Error(`unsupported method setting path ${path}`);
  }
}

function applyRestStagePatch(snapshot: RestStageSnapshot, path: string, value: string): RestStageSnapshot {
  const { stage } = snapshot;
  if (path === '/tracingEnabled')
    return { ...snapshot, stage: { ...stage, tracingEnabled: parseBoolean(path, value) } };
  if (path === '/accessLogSettings/destinationArn' || path === '/accessLogSettings/format') {
    const field = path === '/accessLogSettings/format' ? 'format' : 'destinationArn';
    return {
      ...snapshot,
      stage: { ...stage, accessLogSettings: { ...stage.accessLogSettings, [field]: value } },
    };
  }
  // `/{escaped resource path}/{HTTP method}/{group}/{setting}`: escaped keys contain no other `/`.
  const segments = path.split('/');
  const [empty, resource, method, group, setting] = segments;
  if (segments.length !== 5 || empty !== '' || !resource || !method || !group || !setting) {
    throw new Error(`unsupported stage patch path ${path}`);
  }
  const key = `${resource}/${method}`;
  const patched = patchMethodSetting(stage.methodSettings[key] ?? {}, path, `${group}/${setting}`, value);
  return { ...snapshot, stage: { ...stage, methodSettings: { ...stage.methodSettings, [key]: patched } } };
}

const V2_FIELD = {
  LoggingLevel: 'loggingLevel',
  ThrottlingRateLimit: 'throttlingRateLimit',
  ThrottlingBurstLimit: 'throttlingBurstLimit',
} as const;

function applyV2(snapshot: V2StageSnapshot, operation: Operation): V2StageSnapshot {
  const { stage } = snapshot;
  switch (operation.kind) {
    case 'v2RouteSetting': {
      const field = V2_FIELD[operation.field];
      if (field === 'loggingLevel') parseLogLevel(operation.field, String(operation.value));
      else if (typeof operation.value !== 'number') throw new Error(`${operation.field} must be a number`);
      const patch = (settings: V2RouteSettings): V2RouteSettings => ({
        ...settings,
        [field]: operation.value,
      });
      if (operation.scope === 'default') {
        return { ...snapshot, stage: { ...stage, defaultRouteSettings: patch(stage.defaultRouteSettings) } };
      }
      const { routeKey } = operation.scope;
      const routeSettings = {
        ...stage.routeSettings,
        [routeKey]: patch(stage.routeSettings[routeKey] ?? {}),
      };
      return { ...snapshot, stage: { ...stage, routeSettings } };
    }
    case 'v2AccessLog':
      return {
        ...snapshot,
        stage: {
          ...stage,
          accessLogSettings: { destinationArn: operation.destinationArn, format: operation.format },
        },
      };
    case 'v2ApiUpdate':
      if (snapshot.api === undefined) throw new Error('UpdateApi on a snapshot without the api part');
      return { ...snapshot, api: { ...snapshot.api, disableExecuteApiEndpoint: operation.value } };
    case 'createDeployment':
      if (stage.autoDeploy) throw new Error('CreateDeployment planned for an auto-deploy stage');
      return { ...snapshot, stage: { ...stage, deploymentId: DEPLOYED_BY_REMEDIATION } };
    default:
      throw new Error(`${operation.kind} does not apply to a V2 stage`);
  }
}

function applyRest(snapshot: RestStageSnapshot, operation: Operation): RestStageSnapshot {
  switch (operation.kind) {
    case 'restStagePatch':
      return applyRestStagePatch(snapshot, operation.path, operation.value);
    case 'restApiPatch':
      if (operation.path !== '/disableExecuteApiEndpoint' || snapshot.api === undefined) {
        throw new Error(`unsupported REST API patch ${operation.path}`);
      }
      return {
        ...snapshot,
        api: { ...snapshot.api, disableExecuteApiEndpoint: parseBoolean(operation.path, operation.value) },
      };
    case 'associateBaselineWebAcl':
      return { ...snapshot, stage: { ...snapshot.stage, webAclArn: ASSOCIATED_WEB_ACL_ARN } };
    default:
      throw new Error(`${operation.kind} does not apply to a REST stage`);
  }
}

export function applyOperation(snapshot: StageSnapshot, operation: Operation): StageSnapshot {
  return snapshot.apiType === 'REST' ? applyRest(snapshot, operation) : applyV2(snapshot, operation);
}

export function applyPlan(snapshot: StageSnapshot, plan: ControlPlan): StageSnapshot {
  return plan.changes.reduce((current, { operation }) => applyOperation(current, operation), snapshot);
}

/** Plans, applies, re-evaluates: the after-state must be compliant and need no further change. */
export function expectPlanFixes(
  control: TestableControl,
  snapshot: StageSnapshot,
  baseline: ControlSettings,
): StageSnapshot {
  const plan = control.plan(snapshot, baseline);
  expect(plan.changes.length).toBeGreaterThan(0);
  const after = applyPlan(snapshot, plan);
  expect(control.evaluate(after, baseline).status).toBe('COMPLIANT');
  expect(control.plan(after, baseline)).toEqual({
    controlId: control.id,
    changes: [],
    prerequisites: [],
    redeploy: false,
  });
  return after;
}

/** Report-only: a failing stage is reported, and the plan stays empty whatever the findings. */
export function expectReportedNotChanged(
  control: TestableControl,
  snapshot: StageSnapshot,
  baseline: ControlSettings,
  reason: string,
): void {
  expect(control.evaluate(snapshot, baseline)).toEqual({
    controlId: control.id,
    status: 'NON_COMPLIANT',
    reason,
  });
  expect(control.plan(snapshot, baseline)).toEqual({
    controlId: control.id,
    changes: [],
    prerequisites: [],
    redeploy: false,
  });
}
