/**
 * APIGateway.1: REST and WebSocket stages must have execution logging at ERROR or INFO for
 * every method (AWS Config rule api-gw-execution-logging-enabled). HTTP APIs have no
 * execution logs, so the control does not apply to them.
 */
import * as z from 'zod';
import type { PlannedChange, RestStageSnapshot, StageSnapshot, V2StageSnapshot } from '../core/types.js';
import { defineControl, inspectionOf } from './define-control.js';
import type { ControlContext, ControlMeta, Inspection } from './define-control.js';
import { restStagePatchStatement, v2StagePatchStatement } from './iam.js';
import {
  PASSING_LOG_LEVELS,
  STAGE_WIDE_KEY,
  cloudWatchRolePrerequisite,
  compareCodePoints,
  methodSettingName,
  methodSettingPatchPath,
  perMethodSettingKeys,
} from './stage-settings.js';
import {
  notRestorable,
  parseMethodSetting,
  parseRouteSetting,
  restored,
  step,
  type SettingValue,
  type UndoStep,
} from './undo.js';

const EXPECTED = 'expected ERROR or INFO';
/** What API Gateway does when no level is set anywhere: no execution logs. */
const UNSET_LEVEL = 'OFF';

function passes(level: string): boolean {
  return PASSING_LOG_LEVELS.includes(level);
}

const Params = z
  .object({
    /** The execution log level to set (ERROR or INFO both pass the control). */
    executionLogLevel: z.enum(['ERROR', 'INFO']).default('ERROR'),
  })
  .strict();
type Context = ControlContext<z.output<typeof Params>>;

function inspectRest(snapshot: RestStageSnapshot, { params }: Context): Inspection {
  const { methodSettings } = snapshot.stage;
  const stageWideLevel = methodSettings[STAGE_WIDE_KEY]?.loggingLevel;
  const problems: string[] = [];
  const changes: PlannedChange[] = [];

  const fix = (key: string, before: string | undefined): void => {
    changes.push({
      change: {
        setting: methodSettingName(key, 'loggingLevel'),
        before: before ?? null,
        after: params.executionLogLevel,
      },
      operation: {
        kind: 'restStagePatch',
        op: 'replace',
        path: methodSettingPatchPath(key, 'logging/loglevel'),
        value: params.executionLogLevel,
      },
    });
  };

  // A missing `*/*` means no stage-wide logging at all: it fails as OFF and gets created.
  if (stageWideLevel === undefined || !passes(stageWideLevel)) {
    problems.push(
      stageWideLevel === undefined
        ? `${methodSettingName(STAGE_WIDE_KEY, 'loggingLevel')} is not set, so execution logging is ${UNSET_LEVEL}; ${EXPECTED}`
        : `${methodSettingName(STAGE_WIDE_KEY, 'loggingLevel')} is ${stageWideLevel}; ${EXPECTED}`,
    );
    fix(STAGE_WIDE_KEY, stageWideLevel);
  }

  // A per-method key without its own level inherits `*/*`, which is fixed above when it fails.
  const perMethodKeys = perMethodSettingKeys(methodSettings);
  for (const key of perMethodKeys) {
    // Stryker disable next-line OptionalChaining: equivalent, the key is one of methodSettings' own keys and every value is an object
    const ownLevel = methodSettings[key]?.loggingLevel;
    if (ownLevel === undefined || passes(ownLevel)) continue;
    problems.push(`${methodSettingName(key, 'loggingLevel')} is ${ownLevel}; ${EXPECTED}`);
    fix(key, ownLevel);
  }

  return inspectionOf(
    problems,
    changes,
    `execution logging is ERROR or INFO on every method setting (${[STAGE_WIDE_KEY, ...perMethodKeys].join(', ')})`,
  );
}

function inspectWebSocket(snapshot: V2StageSnapshot, { params }: Context): Inspection {
  const { defaultRouteSettings, routeSettings } = snapshot.stage;
  const defaultLevel = defaultRouteSettings.loggingLevel;
  const problems: string[] = [];
  const changes: PlannedChange[] = [];

  if (defaultLevel === undefined || !passes(defaultLevel)) {
    problems.push(
      defaultLevel === undefined
        ? `defaultRouteSettings.loggingLevel is not set, so execution logging is ${UNSET_LEVEL}; ${EXPECTED}`
        : `defaultRouteSettings.loggingLevel is ${defaultLevel}; ${EXPECTED}`,
    );
    changes.push({
      change: {
        setting: 'defaultRouteSettings.loggingLevel',
        before: defaultLevel ?? null,
        after: params.executionLogLevel,
      },
      operation: {
        kind: 'v2RouteSetting',
        scope: 'default',
        field: 'LoggingLevel',
        value: params.executionLogLevel,
      },
    });
  }

  const routeKeys = Object.keys(routeSettings).sort(compareCodePoints);
  for (const routeKey of routeKeys) {
    // Stryker disable next-line OptionalChaining: equivalent, the key is one of routeSettings' own keys and every value is an object
    const ownLevel = routeSettings[routeKey]?.loggingLevel;
    // A route without its own level inherits the default route settings, which are fixed above when they fail.
    if (ownLevel === undefined || passes(ownLevel)) continue;
    problems.push(`routeSettings[${routeKey}].loggingLevel is ${ownLevel}; ${EXPECTED}`);
    changes.push({
      change: {
        setting: `routeSettings[${routeKey}].loggingLevel`,
        before: ownLevel,
        after: params.executionLogLevel,
      },
      operation: {
        kind: 'v2RouteSetting',
        scope: { routeKey },
        field: 'LoggingLevel',
        value: params.executionLogLevel,
      },
    });
  }

  const routesNote = routeKeys.length === 0 ? 'no route overrides' : `routes ${routeKeys.join(', ')}`;
  return inspectionOf(
    problems,
    changes,
    `execution logging is ERROR or INFO on the default route settings and every route override (${routesNote})`,
  );
}

// Undo: a level that was not set is restored as OFF, which is what API Gateway does without one.

function levelOf(before: SettingValue): string | undefined {
  const level = before ?? UNSET_LEVEL;
  return typeof level === 'string' ? level : undefined;
}

function undo(setting: string, snapshot: StageSnapshot): UndoStep | undefined {
  if (snapshot.apiType === 'REST') {
    const method = parseMethodSetting(setting);
    if (method?.field !== 'loggingLevel') return undefined;
    return step(snapshot.stage.methodSettings[method.key]?.loggingLevel, (before) => {
      const level = levelOf(before);
      if (level === undefined) return notRestorable(`${JSON.stringify(before)} is not a log level`);
      return restored(
        [
          {
            kind: 'restStagePatch',
            op: 'replace',
            path: methodSettingPatchPath(method.key, 'logging/loglevel'),
            value: level,
          },
        ],
        level,
      );
    });
  }
  const route = parseRouteSetting(setting);
  if (route?.field !== 'loggingLevel') return undefined;
  const { scope } = route;
  const current =
    scope === 'default'
      ? snapshot.stage.defaultRouteSettings.loggingLevel
      : snapshot.stage.routeSettings[scope.routeKey]?.loggingLevel;
  return step(current, (before) => {
    const level = levelOf(before);
    if (level === undefined) return notRestorable(`${JSON.stringify(before)} is not a log level`);
    return restored([{ kind: 'v2RouteSetting', scope, field: 'LoggingLevel', value: level }], level);
  });
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const apiGateway1ExecutionLoggingMeta = {
  id: 'APIGateway.1',
  title: 'API Gateway REST and WebSocket API execution logging should be enabled',
  appliesTo: ['REST', 'WEBSOCKET'],
  kind: 'fixing',
  defaultMode: 'auto',
  params: Params,
} as const satisfies ControlMeta;

export const apiGateway1ExecutionLogging = /* @__PURE__ */ defineControl(apiGateway1ExecutionLoggingMeta, {
  needs: ['stage', 'api', 'account'],
  inspectRest,
  inspectV2: inspectWebSocket,
  effects: ['accountCloudWatchRole'],
  prerequisites: (snapshot, { resources }) => cloudWatchRolePrerequisite(snapshot, resources),
  redeploy: () => false,
  iam: (scope) => [restStagePatchStatement(scope), v2StagePatchStatement(scope)],
  docs: { redeploy: 'no', prerequisites: 'account CloudWatch role' },
  undo,
  // CloudFormation AWS::ApiGateway::Stage MethodSetting (ResourcePath "/*" and HttpMethod "*"
  // address every method; LoggingLevel OFF | ERROR | INFO) and AWS::ApiGatewayV2::Stage
  // RouteSettings LoggingLevel ("Supported only for WebSocket APIs"); aws-cdk-lib aws_apigateway
  // StageOptions.loggingLevel (MethodLoggingLevel) — the aws_apigatewayv2 WebSocketStage has no
  // logging option, so its CfnStage (node.defaultChild) takes defaultRouteSettings; Terraform
  // aws_api_gateway_method_settings settings.logging_level with method_path "*/*", and
  // aws_apigatewayv2_stage default_route_settings.logging_level.
  sourceFix: {
    REST: {
      cloudFormation:
        'AWS::ApiGateway::Stage MethodSettings: [{ ResourcePath: "/*", HttpMethod: "*", LoggingLevel: ERROR }] (ERROR or INFO; also on every per-method entry that sets its own level)',
      cdk: 'RestApi deployOptions: { loggingLevel: apigateway.MethodLoggingLevel.ERROR } (and in every methodOptions entry that sets its own level)',
      terraform:
        'aws_api_gateway_method_settings { method_path = "*/*", settings { logging_level = "ERROR" } }',
    },
    WEBSOCKET: {
      cloudFormation:
        'AWS::ApiGatewayV2::Stage DefaultRouteSettings: { LoggingLevel: ERROR } (ERROR or INFO; also on every RouteSettings entry that sets its own level)',
      cdk: "(webSocketStage.node.defaultChild as apigatewayv2.CfnStage).defaultRouteSettings = { loggingLevel: 'ERROR' } (WebSocketStage has no logging option)",
      terraform: 'aws_apigatewayv2_stage default_route_settings { logging_level = "ERROR" }',
    },
  },
});
