/**
 * APIGateway.5: every REST method that caches responses must encrypt its cache (AWS Config
 * rule api-gw-cache-enabled-and-encrypted as used by Security Hub: only methods with caching
 * on are evaluated).
 *
 * Inheritance: a per-method key that does not set cachingEnabled or cacheDataEncrypted takes
 * the value from `*\/*`. A method fails when its effective caching is on and its effective
 * encryption is not true, and the fix goes where the failing encryption value lives: the key's
 * own `cacheDataEncrypted: false`, or `*\/*` when the key inherits it. So a method that caches
 * on its own but inherits `cacheDataEncrypted: false` from a non-caching `*\/*` gets `*\/*`
 * fixed, which also covers every other method inheriting from it.
 */
import type { PlannedChange, RestMethodSettings, RestStageSnapshot, StageSnapshot } from '../core/types.js';
import { restStagePatchStatement } from './iam.js';
import { NO_PARAMS, defineControl, inspectionOf } from './define-control.js';
import type { ControlMeta, Inspection } from './define-control.js';
import {
  STAGE_WIDE_KEY,
  methodSettingName,
  methodSettingPatchPath,
  perMethodSettingKeys,
} from './stage-settings.js';
import { notRestorable, parseMethodSetting, restored, step, type UndoStep } from './undo.js';

const EXPECTED = 'expected true for every method with caching enabled';

function inspectRest(snapshot: RestStageSnapshot): Inspection {
  const { methodSettings } = snapshot.stage;
  const stageWide: RestMethodSettings = methodSettings[STAGE_WIDE_KEY] ?? {};
  const problems: string[] = [];
  /** Keys to fix, each once, in the order found (`*\/*` first). */
  const keysToFix = new Map<string, boolean | undefined>();

  if (stageWide.cachingEnabled === true && stageWide.cacheDataEncrypted !== true) {
    problems.push(
      `${methodSettingName(STAGE_WIDE_KEY, 'cacheDataEncrypted')} is ${String(stageWide.cacheDataEncrypted ?? 'not set')} ` +
        `while ${methodSettingName(STAGE_WIDE_KEY, 'cachingEnabled')} is true; ${EXPECTED}`,
    );
    keysToFix.set(STAGE_WIDE_KEY, stageWide.cacheDataEncrypted);
  }

  for (const key of perMethodSettingKeys(methodSettings)) {
    const own: RestMethodSettings = methodSettings[key] ?? {};
    const caching = own.cachingEnabled ?? stageWide.cachingEnabled ?? false;
    const encrypted = own.cacheDataEncrypted ?? stageWide.cacheDataEncrypted ?? false;
    if (!caching || encrypted) continue;
    const cachingSource = own.cachingEnabled === undefined ? ` (inherited from ${STAGE_WIDE_KEY})` : '';
    if (own.cacheDataEncrypted === undefined) {
      problems.push(
        `${methodSettingName(key, 'cacheDataEncrypted')} is not set and inherits ${stageWide.cacheDataEncrypted === undefined ? 'no encryption' : 'false'} from ${STAGE_WIDE_KEY} ` +
          `while ${methodSettingName(key, 'cachingEnabled')} is true${cachingSource}; ${EXPECTED}`,
      );
      if (!keysToFix.has(STAGE_WIDE_KEY)) keysToFix.set(STAGE_WIDE_KEY, stageWide.cacheDataEncrypted);
    } else {
      problems.push(
        `${methodSettingName(key, 'cacheDataEncrypted')} is false while ${methodSettingName(key, 'cachingEnabled')} ` +
          `is true${cachingSource}; ${EXPECTED}`,
      );
      keysToFix.set(key, own.cacheDataEncrypted);
    }
  }

  // `*/*` sorts first whichever method revealed it, so plans do not depend on discovery order.
  const orderedKeys = [...keysToFix.keys()].sort((left, right) =>
    left === STAGE_WIDE_KEY
      ? -1
      : // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, V8's sort (TimSort) only asks whether the result is negative, and 1 and 0 both keep */* first
        right === STAGE_WIDE_KEY
        ? 1
        : 0,
  );
  const changes: PlannedChange[] = orderedKeys.map((key) => ({
    change: {
      setting: methodSettingName(key, 'cacheDataEncrypted'),
      before: keysToFix.get(key) ?? null,
      after: true,
    },
    operation: {
      kind: 'restStagePatch',
      op: 'replace',
      path: methodSettingPatchPath(key, 'caching/dataEncrypted'),
      value: 'true',
    },
  }));

  return inspectionOf(
    problems,
    changes,
    'every method with caching enabled encrypts its cache (or none caches)',
  );
}

/** Undo: the key's own cacheDataEncrypted back to the recorded value (not set: false, unencrypted). */
function undo(setting: string, snapshot: StageSnapshot): UndoStep | undefined {
  const method = parseMethodSetting(setting);
  if (method?.field !== 'cacheDataEncrypted' || snapshot.apiType !== 'REST') return undefined;
  return step(snapshot.stage.methodSettings[method.key]?.cacheDataEncrypted, (before) => {
    const value = before ?? false;
    if (typeof value !== 'boolean') return notRestorable(`${JSON.stringify(before)} is not true or false`);
    return restored(
      [
        {
          kind: 'restStagePatch',
          op: 'replace',
          path: methodSettingPatchPath(method.key, 'caching/dataEncrypted'),
          value: String(value),
        },
      ],
      value,
    );
  });
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const apiGateway5CacheEncryptionMeta = {
  id: 'APIGateway.5',
  title: 'API Gateway REST API cache data should be encrypted at rest',
  appliesTo: ['REST'],
  kind: 'fixing',
  defaultMode: 'auto',
  params: NO_PARAMS,
} as const satisfies ControlMeta;

export const apiGateway5CacheEncryption = /* @__PURE__ */ defineControl(apiGateway5CacheEncryptionMeta, {
  needs: ['stage', 'api'],
  inspectRest,
  iam: (scope) => [restStagePatchStatement(scope)],
  docs: { redeploy: 'no', prerequisites: '—' },
  undo,
  // CloudFormation AWS::ApiGateway::Stage MethodSetting CacheDataEncrypted; aws-cdk-lib
  // aws_apigateway StageOptions.cacheDataEncrypted (MethodDeploymentOptions, also per methodOptions
  // entry); Terraform aws_api_gateway_method_settings settings.cache_data_encrypted.
  sourceFix: {
    REST: {
      cloudFormation:
        'AWS::ApiGateway::Stage MethodSettings: [{ ResourcePath: "/*", HttpMethod: "*", CacheDataEncrypted: true }] (and on every per-method entry with CachingEnabled: true)',
      cdk: 'RestApi deployOptions: { cacheDataEncrypted: true } (and in every methodOptions entry with cachingEnabled: true)',
      terraform:
        'aws_api_gateway_method_settings { method_path = "*/*", settings { cache_data_encrypted = true } }',
    },
  },
});
