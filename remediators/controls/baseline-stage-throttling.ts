/**
 * Baseline.StageThrottling: every stage needs a stage-wide throttle no higher than the
 * baseline, and no per-method (REST) or per-route (V2) override may raise it.
 *
 * Unset, zero and negative limits (API Gateway shows -1 for "no limit") fail on the stage-wide
 * setting: the stage then runs at the account's Regional limit. On an override, an unset field
 * inherits the stage-wide value (fixed there when it fails), while an explicit -1 or 0 lifts the
 * method out of the stage limit and is lowered like a limit above the baseline.
 */
import type { BaselineConfig } from '../../config/schema.js';
import type { PlannedChange, RestStageSnapshot, V2StageSnapshot } from '../core/types.js';
import { defineControl, inspectionOf } from './define-control.js';
import type { Inspection } from './define-control.js';
import {
  STAGE_WIDE_KEY,
  compareCodePoints,
  methodSettingName,
  methodSettingPatchPath,
  perMethodSettingKeys,
} from './stage-settings.js';

type LimitKind = 'rate' | 'burst';

const LIMITS: readonly LimitKind[] = ['rate', 'burst'];
const FIELD_OF = { rate: 'throttlingRateLimit', burst: 'throttlingBurstLimit' } as const;
const REST_PATH_OF = { rate: 'throttling/rateLimit', burst: 'throttling/burstLimit' } as const;
const V2_FIELD_OF = { rate: 'ThrottlingRateLimit', burst: 'ThrottlingBurstLimit' } as const;
const UNIT_OF = { rate: 'requests per second', burst: 'requests' } as const;

function maximumOf(kind: LimitKind, baseline: BaselineConfig): number {
  return kind === 'rate' ? baseline.throttling.rateLimit : baseline.throttling.burstLimit;
}

/**
 * The problem with one limit, or undefined when it passes. `inherits` marks an override, whose
 * unset value falls back to the stage-wide one.
 */
function limitProblem(
  setting: string,
  value: number | undefined,
  kind: LimitKind,
  baseline: BaselineConfig,
  inherits: boolean,
): string | undefined {
  const maximum = maximumOf(kind, baseline);
  const expected = `expected at most ${maximum} ${UNIT_OF[kind]}`;
  if (value === undefined) {
    return inherits
      ? undefined
      : `${setting} is not set, so the stage runs at the account limit; ${expected}`;
  }
  if (value <= 0) return `${setting} is ${value}, which means no limit; ${expected}`;
  if (value > maximum) return `${setting} is ${value}, above the baseline; ${expected}`;
  return undefined;
}

function passReason(baseline: BaselineConfig): string {
  const { rateLimit, burstLimit } = baseline.throttling;
  return `the stage-wide throttle and every override are at most ${rateLimit} requests per second with bursts of at most ${burstLimit}`;
}

function inspectRest(snapshot: RestStageSnapshot, baseline: BaselineConfig): Inspection {
  const { methodSettings } = snapshot.stage;
  const problems: string[] = [];
  const changes: PlannedChange[] = [];

  const keys = [STAGE_WIDE_KEY, ...perMethodSettingKeys(methodSettings)];
  for (const key of keys) {
    for (const kind of LIMITS) {
      const setting = methodSettingName(key, FIELD_OF[kind]);
      const value = methodSettings[key]?.[FIELD_OF[kind]];
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
  return inspectionOf(problems, changes, passReason(baseline));
}

function inspectV2(snapshot: V2StageSnapshot, baseline: BaselineConfig): Inspection {
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

  for (const { scope, name, settings, inherits } of scopes) {
    for (const kind of LIMITS) {
      const setting = `${name}.${FIELD_OF[kind]}`;
      const value = settings[FIELD_OF[kind]];
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
  return inspectionOf(problems, changes, passReason(baseline));
}

export const baselineStageThrottling = defineControl({
  id: 'Baseline.StageThrottling',
  title: 'API Gateway stages should throttle requests at or below the baseline',
  appliesTo: ['REST', 'HTTP', 'WEBSOCKET'],
  remediation: 'auto-fixable',
  needs: ['stage', 'api'],
  inspectRest,
  inspectV2,
});
