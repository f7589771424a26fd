/**
 * Baseline.StageThrottling: every stage needs a stage-wide throttle no higher than the
 * baseline, and no per-method (REST) or per-route (V2) override may raise it.
 *
 * What the values mean in API Gateway (REST MethodSetting throttlingRateLimit/BurstLimit,
 * V2 RouteSettings ThrottlingRateLimit/BurstLimit):
 * - 0 blocks every request: a method or route deliberately switched off. The console sets it that
 *   way, and aws-cdk#10071 (fixed in aws-cdk#10088) was the bug of CDK dropping a 0 as "not set".
 *   0 is the strictest limit there is, so it PASSES and is never raised to the baseline.
 * - A negative value (GetStage shows -1, see aws-cdk#21358: "-1 is how they are reported from AWS
 *   CLI when throttling is disabled") and an absent field both mean "not set".
 * - Stage-wide (REST `*\/*`, V2 DefaultRouteSettings): not set means the stage has no throttle of
 *   its own and runs at the account's Regional limit (10,000 rps, burst 5,000 by default;
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html):
 *   it fails and is set to the baseline.
 * - Per method / per route: an ABSENT field inherits the stage-wide value (which this control fixes
 *   there). A per-method or per-route setting overrides the stage-wide one for that method (the
 *   throttling guide above), and AWS documents no inheritance for an explicit -1 there; so an
 *   explicit negative value is read as "this method has no throttle of its own" and lowered to the
 *   baseline, like a limit above it (lowering a limit never opens anything up).
 * The text an approver or auditor reads says what a value means: 0 "blocks every request", -1 "is
 * not set"; it never calls either "no limit".
 */
import * as z from 'zod';
import type { PlannedChange, RestStageSnapshot, StageSnapshot, V2StageSnapshot } from '../core/types.js';
import { defineControl, inspectionOf } from './define-control.js';
import type { ControlContext, ControlMeta, Inspection } from './define-control.js';
import { restStagePatchStatement, v2StagePatchStatement } from './iam.js';
import {
  STAGE_WIDE_KEY,
  compareCodePoints,
  methodSettingName,
  methodSettingPatchPath,
  perMethodSettingKeys,
} from './stage-settings.js';
import {
  UNSET_LIMIT_NOT_RESTORABLE,
  notRestorable,
  parseMethodSetting,
  parseRouteSetting,
  restored,
  step,
  type SettingValue,
  type UndoStep,
} from './undo.js';

type LimitKind = 'rate' | 'burst';

const LIMITS: readonly LimitKind[] = ['rate', 'burst'];
const FIELD_OF = { rate: 'throttlingRateLimit', burst: 'throttlingBurstLimit' } as const;
const REST_PATH_OF = { rate: 'throttling/rateLimit', burst: 'throttling/burstLimit' } as const;
const V2_FIELD_OF = { rate: 'ThrottlingRateLimit', burst: 'ThrottlingBurstLimit' } as const;
const UNIT_OF = { rate: 'requests per second', burst: 'requests' } as const;

const Params = z
  .object({
    /** Requests per second; a stage or method above this (or unset) fails. */
    rateLimit: z.number().positive().max(10_000).default(1000),
    burstLimit: z.number().int().positive().max(5_000).default(2000),
  })
  .strict();
type Throttling = z.output<typeof Params>;

function maximumOf(kind: LimitKind, baseline: Throttling): number {
  return kind === 'rate' ? baseline.rateLimit : baseline.burstLimit;
}

/**
 * The problem with one limit, or undefined when it passes. `inherits` marks an override, whose
 * unset value falls back to the stage-wide one.
 */
function limitProblem(
  setting: string,
  value: number | undefined,
  kind: LimitKind,
  baseline: Throttling,
  inherits: boolean,
): string | undefined {
  const maximum = maximumOf(kind, baseline);
  const expected = `expected at most ${maximum} ${UNIT_OF[kind]}`;
  if (value === undefined) {
    return inherits
      ? undefined
      : `${setting} is not set, so the stage runs at the account limit; ${expected}`;
  }
  if (value < 0) {
    return inherits
      ? `${setting} is ${value}, which API Gateway shows for a limit that is not set, so this override does not hold the method to the stage limit; ${expected}`
      : `${setting} is ${value}, which API Gateway shows for a limit that is not set, so the stage runs at the account limit; ${expected}`;
  }
  // 0 blocks every request on purpose (a switched-off method): stricter than any baseline.
  if (value > maximum) return `${setting} is ${value}, above the baseline; ${expected}`;
  return undefined;
}

/** Limits of 0 pass, and the pass reason names them so nobody mistakes a switched-off method for an oversight. */
function passReason(baseline: Throttling, blocked: readonly string[]): string {
  const { rateLimit, burstLimit } = baseline;
  const blocking =
    blocked.length === 0
      ? ''
      : `; ${blocked.join(', ')} ${blocked.length === 1 ? 'is' : 'are'} 0, which blocks every request`;
  return `the stage-wide throttle and every override are at most ${rateLimit} requests per second with bursts of at most ${burstLimit}${blocking}`;
}

function inspectRest(
  snapshot: RestStageSnapshot,
  { params: baseline }: ControlContext<Throttling>,
): Inspection {
  const { methodSettings } = snapshot.stage;
  const problems: string[] = [];
  const changes: PlannedChange[] = [];
  const blocked: string[] = [];

  const keys = [STAGE_WIDE_KEY, ...perMethodSettingKeys(methodSettings)];
  for (const key of keys) {
    for (const kind of LIMITS) {
      const setting = methodSettingName(key, FIELD_OF[kind]);
      const value = methodSettings[key]?.[FIELD_OF[kind]];
      if (value === 0) blocked.push(setting);
      const problem = limitProblem(setting, value, kind, baseline, key !== STAGE_WIDE_KEY);
      if (problem === undefined) continue;
      const maximum = maximumOf(kind, baseline);
      problems.push(problem);
      changes.push({
        change: { setting, before: value ?? null, after: maximum },
        operation: {
          kind: 'restStagePatch',
          op: 'replace',
          path: methodSettingPatchPath(key, REST_PATH_OF[kind]),
          value: String(maximum),
        },
      });
    }
  }
  return inspectionOf(problems, changes, passReason(baseline, blocked));
}

function inspectV2(snapshot: V2StageSnapshot, { params: baseline }: ControlContext<Throttling>): Inspection {
  const { defaultRouteSettings, routeSettings } = snapshot.stage;
  const scopes = [
    {
      scope: 'default' as const,
      name: 'defaultRouteSettings',
      settings: defaultRouteSettings,
      inherits: false,
    },
    ...Object.keys(routeSettings)
      .sort(compareCodePoints)
      .map((routeKey) => ({
        scope: { routeKey },
        name: `routeSettings[${routeKey}]`,
        settings: routeSettings[routeKey] ?? {},
        inherits: true,
      })),
  ];
  const problems: string[] = [];
  const changes: PlannedChange[] = [];
  const blocked: string[] = [];

  for (const { scope, name, settings, inherits } of scopes) {
    for (const kind of LIMITS) {
      const setting = `${name}.${FIELD_OF[kind]}`;
      const value = settings[FIELD_OF[kind]];
      if (value === 0) blocked.push(setting);
      const problem = limitProblem(setting, value, kind, baseline, inherits);
      if (problem === undefined) continue;
      const maximum = maximumOf(kind, baseline);
      problems.push(problem);
      changes.push({
        change: { setting, before: value ?? null, after: maximum },
        operation: { kind: 'v2RouteSetting', scope, field: V2_FIELD_OF[kind], value: maximum },
      });
    }
  }
  return inspectionOf(problems, changes, passReason(baseline, blocked));
}

function kindOfField(field: string): LimitKind | undefined {
  return LIMITS.find((kind) => FIELD_OF[kind] === field);
}

/** A recorded limit that can be set again: a number (a limit that was not set cannot, see undo.ts). */
function limitBefore(before: SettingValue): number | string {
  if (before === null) return UNSET_LIMIT_NOT_RESTORABLE;
  return typeof before === 'number' ? before : `${JSON.stringify(before)} is not a limit`;
}

/** Undo: each limit the fix lowered back to its recorded value (an explicit -1 included). */
function undo(setting: string, snapshot: StageSnapshot): UndoStep | undefined {
  if (snapshot.apiType === 'REST') {
    const method = parseMethodSetting(setting);
    const kind = method === undefined ? undefined : kindOfField(method.field);
    if (
      kind === undefined ||
      // Stryker disable next-line ConditionalExpression: equivalent, kind is undefined whenever method is (the line above); the check narrows the type
      method === undefined
    )
      return undefined;
    return step(snapshot.stage.methodSettings[method.key]?.[FIELD_OF[kind]], (before) => {
      const value = limitBefore(before);
      if (typeof value === 'string') return notRestorable(value);
      return restored(
        [
          {
            kind: 'restStagePatch',
            op: 'replace',
            path: methodSettingPatchPath(method.key, REST_PATH_OF[kind]),
            value: String(value),
          },
        ],
        value,
      );
    });
  }
  const route = parseRouteSetting(setting);
  const kind = route === undefined ? undefined : kindOfField(route.field);
  if (
    kind === undefined ||
    // Stryker disable next-line ConditionalExpression: equivalent, kind is undefined whenever route is (the line above); the check narrows the type
    route === undefined
  )
    return undefined;
  const { scope } = route;
  const settings =
    scope === 'default' ? snapshot.stage.defaultRouteSettings : snapshot.stage.routeSettings[scope.routeKey];
  return step(settings?.[FIELD_OF[kind]], (before) => {
    const value = limitBefore(before);
    if (typeof value === 'string') return notRestorable(value);
    return restored([{ kind: 'v2RouteSetting', scope, field: V2_FIELD_OF[kind], value }], value);
  });
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const baselineStageThrottlingMeta = {
  id: 'Baseline.StageThrottling',
  title: 'API Gateway stages should throttle requests at or below the baseline',
  appliesTo: ['REST', 'HTTP', 'WEBSOCKET'],
  kind: 'fixing',
  // A throttle may reject a client's requests: a human decides.
  defaultMode: 'approve',
  params: Params,
} as const satisfies ControlMeta;

export const baselineStageThrottling = /* @__PURE__ */ defineControl(baselineStageThrottlingMeta, {
  needs: ['stage', 'api'],
  inspectRest,
  inspectV2,
  iam: (scope) => [restStagePatchStatement(scope), v2StagePatchStatement(scope)],
  docs: { redeploy: 'no', prerequisites: '—' },
  undo,
  // CloudFormation AWS::ApiGateway::Stage MethodSetting ThrottlingRateLimit / ThrottlingBurstLimit
  // and AWS::ApiGatewayV2::Stage RouteSettings (DefaultRouteSettings) ThrottlingRateLimit /
  // ThrottlingBurstLimit; aws-cdk-lib aws_apigateway StageOptions.throttlingRateLimit /
  // throttlingBurstLimit and aws_apigatewayv2 StageOptions.throttle (ThrottleSettings rateLimit,
  // burstLimit); Terraform aws_api_gateway_method_settings settings.throttling_rate_limit /
  // throttling_burst_limit and aws_apigatewayv2_stage default_route_settings.
  sourceFix: {
    REST: {
      cloudFormation:
        'AWS::ApiGateway::Stage MethodSettings: [{ ResourcePath: "/*", HttpMethod: "*", ThrottlingRateLimit: <at most the baseline rate>, ThrottlingBurstLimit: <at most the baseline burst> }] (and no per-method entry above them)',
      cdk: 'RestApi deployOptions: { throttlingRateLimit: <at most the baseline rate>, throttlingBurstLimit: <at most the baseline burst> }',
      terraform:
        'aws_api_gateway_method_settings { method_path = "*/*", settings { throttling_rate_limit = <at most the baseline rate>, throttling_burst_limit = <at most the baseline burst> } }',
    },
    HTTP: {
      cloudFormation:
        'AWS::ApiGatewayV2::Stage DefaultRouteSettings: { ThrottlingRateLimit: <at most the baseline rate>, ThrottlingBurstLimit: <at most the baseline burst> } (and no RouteSettings entry above them)',
      cdk: 'HttpStage throttle: { rateLimit: <at most the baseline rate>, burstLimit: <at most the baseline burst> }',
      terraform:
        'aws_apigatewayv2_stage default_route_settings { throttling_rate_limit = <at most the baseline rate>, throttling_burst_limit = <at most the baseline burst> }',
    },
    WEBSOCKET: {
      cloudFormation:
        'AWS::ApiGatewayV2::Stage DefaultRouteSettings: { ThrottlingRateLimit: <at most the baseline rate>, ThrottlingBurstLimit: <at most the baseline burst> } (and no RouteSettings entry above them)',
      cdk: 'WebSocketStage throttle: { rateLimit: <at most the baseline rate>, burstLimit: <at most the baseline burst> }',
      terraform:
        'aws_apigatewayv2_stage default_route_settings { throttling_rate_limit = <at most the baseline rate>, throttling_burst_limit = <at most the baseline burst> }',
    },
  },
});
