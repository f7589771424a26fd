import { describe, expect, it } from 'vitest';
import { CATALOG, bindControls, type ControlSettings } from '../../../remediators/controls/catalog.js';
import { accessLogGroupArn } from '../../../remediators/controls/stage-settings.js';
import {
  mergeControlPlans,
  PlanConflictError,
  PlanOperationError,
  planStage,
  settingChanges,
} from '../../../remediators/core/plan.js';
import type {
  ControlId,
  ControlPlan,
  Operation,
  PlannedChange,
  Prerequisite,
} from '../../../remediators/core/types.js';
import {
  BASELINE,
  CLOUDWATCH_ROLE_EFFECT,
  logGroupEffect,
  mapping,
  restSnapshot,
  v2Snapshot,
} from '../controls/snapshots.js';
import type { StageSnapshot } from '../../../remediators/core/types.js';
import { EffectConflictError } from '../../../remediators/core/effects/effect.js';
import { rest, v2 } from './plan-kinds.js';

/** Plans with the production catalog's controls, bound to these settings. */
function planWith(snapshot: StageSnapshot, ids: readonly ControlId[], settings: ControlSettings) {
  return planStage(snapshot, bindControls(ids, settings));
}

const THROTTLING = BASELINE.parameters['Baseline.StageThrottling'] as {
  rateLimit: number;
  burstLimit: number;
};
const WEBSOCKET_FORMAT = (BASELINE.parameters['APIGateway.9'] as { webSocketFormat: string }).webSocketFormat;

const LOG_GROUP_ARN =
  'arn:aws:logs:us-east-1:111122223333:log-group:/aws/apigateway/access-logs/a1b2c3d4e5/prod';
const ALL_CONTROLS: readonly ControlId[] = CATALOG.map((control) => control.id);

/** A REST stage that fails every remediable control, with a per-method override. */
const insecureRest = restSnapshot({
  account: {},
  customDomains: [mapping('api.example.com')],
  stage: {
    cacheClusterEnabled: true,
    methodSettings: {
      '*/*': { loggingLevel: 'OFF', throttlingRateLimit: 10_000, throttlingBurstLimit: 5_000 },
      '~1pets/GET': { loggingLevel: 'OFF', cachingEnabled: true, cacheDataEncrypted: false },
    },
  },
});

function change(operation: Operation, setting = 'x'): PlannedChange {
  return { change: { setting, before: null, after: 'y' }, operation };
}

function controlPlan(
  controlId: ControlId,
  operations: readonly Operation[],
  extra: Partial<ControlPlan> = {},
) {
  return {
    controlId,
    changes: operations.map((operation) => change(operation)),
    prerequisites: [],
    redeploy: false,
    ...extra,
  };
}

const restPatch = (path: string, value: string): Operation => ({
  kind: 'restStagePatch',
  op: 'replace',
  path,
  value,
});

describe('planStage (REST, every control)', () => {
  const plan = planWith(insecureRest, ALL_CONTROLS, BASELINE);

  it('puts every stage change of every control into one list of patch operations, each path once', () => {
    const paths = rest(plan).stagePatchOperations.map((operation) => operation.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(rest(plan).stagePatchOperations).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/*/*/logging/loglevel', value: 'ERROR' },
        { op: 'replace', path: '/~1pets/GET/logging/loglevel', value: 'ERROR' },
        { op: 'replace', path: '/tracingEnabled', value: 'true' },
        { op: 'replace', path: '/~1pets/GET/caching/dataEncrypted', value: 'true' },
        {
          op: 'replace',
          path: '/accessLogSettings/destinationArn',
          value: accessLogGroupArn(BASELINE.resources, insecureRest.ref, 'REST'),
        },
        { op: 'replace', path: '/*/*/throttling/rateLimit', value: String(THROTTLING.rateLimit) },
        { op: 'replace', path: '/*/*/throttling/burstLimit', value: String(THROTTLING.burstLimit) },
      ]),
    );
    const stageChanges = plan.changes.filter((planned) => planned.operation.kind === 'restStagePatch');
    expect(rest(plan).stagePatchOperations).toHaveLength(new Set(stageChanges.map((c) => c.operation)).size);
  });

  it('collects API changes, prerequisites (once each) and the web ACL association; REST never redeploys', () => {
    expect(rest(plan).apiPatchOperations).toEqual([
      { op: 'replace', path: '/disableExecuteApiEndpoint', value: 'true' },
    ]);
    expect(plan.prerequisites.map((effect) => effect.kind)).toEqual([
      'accessLogGroup',
      'accountCloudWatchRole',
      'webAcl',
    ]);
    expect(plan).not.toHaveProperty('redeploy');
    expect(rest(plan).associateWebAcl).toBe(true);
    expect(plan).not.toHaveProperty('stageUpdate');
  });

  it('keeps every change with its control, in catalog order, for the approver and the auditor', () => {
    const controls = [...new Set(plan.changes.map((planned) => planned.controlId))];
    expect(controls).toEqual([
      'APIGateway.1',
      'APIGateway.3',
      'APIGateway.4',
      'APIGateway.5',
      'Baseline.RestAccessLogging',
      'Baseline.StageThrottling',
      'Baseline.DefaultEndpoint',
    ]);
    expect(settingChanges(plan)).toContainEqual({
      controlId: 'APIGateway.3',
      setting: 'tracingEnabled',
      before: false,
      after: true,
    });
    expect(plan.evaluations.map((evaluation) => evaluation.controlId)).toEqual(
      CATALOG.map((control) => control.id),
    );
  });

  it('orders controls by the catalog whatever order the trigger gave', () => {
    const reversed = planWith(insecureRest, [...ALL_CONTROLS].reverse(), BASELINE);
    expect(reversed).toEqual(plan);
  });

  it('rejects an unknown control id', () => {
    expect(() => planWith(insecureRest, ['APIGateway.99' as ControlId], BASELINE)).toThrow(/APIGateway\.99/);
  });
});

describe('planStage (REST default endpoint: the stage update applies it, no deployment)', () => {
  it.each([true, false])(
    'adds a stage patch that rewrites tracingEnabled (%s) when no control changes the stage',
    (tracingEnabled) => {
      const snapshot = restSnapshot({
        customDomains: [mapping('api.example.com')],
        stage: { tracingEnabled },
      });

      const plan = planWith(snapshot, ['Baseline.DefaultEndpoint'], BASELINE);

      expect(plan).not.toHaveProperty('redeploy');
      expect(rest(plan).apiPatchOperations).toEqual([
        { op: 'replace', path: '/disableExecuteApiEndpoint', value: 'true' },
      ]);
      expect(rest(plan).stagePatchOperations).toEqual([
        { op: 'replace', path: '/tracingEnabled', value: String(tracingEnabled) },
      ]);
      // The approver reads only the real change: the rewrite changes nothing.
      expect(settingChanges(plan)).toEqual([
        {
          controlId: 'Baseline.DefaultEndpoint',
          setting: 'disableExecuteApiEndpoint',
          before: false,
          after: true,
        },
      ]);
    },
  );

  it('adds nothing when another control already updates the stage', () => {
    const snapshot = restSnapshot({ customDomains: [mapping('api.example.com')] });

    const plan = planWith(snapshot, ['APIGateway.3', 'Baseline.DefaultEndpoint'], BASELINE);

    expect(rest(plan).stagePatchOperations).toEqual([
      { op: 'replace', path: '/tracingEnabled', value: 'true' },
    ]);
    expect(plan).not.toHaveProperty('redeploy');
  });

  it('refuses a deployment planned for a REST stage or an auto-deploy V2 stage', () => {
    const deployment = controlPlan('Baseline.DefaultEndpoint', [{ kind: 'createDeployment' }]);
    expect(() => mergeControlPlans(restSnapshot(), [], [deployment])).toThrow(PlanOperationError);
    expect(() =>
      mergeControlPlans(v2Snapshot('HTTP', { stage: { autoDeploy: true } }), [], [deployment]),
    ).toThrow(PlanOperationError);
    expect(
      v2(mergeControlPlans(v2Snapshot('HTTP', { stage: { autoDeploy: false } }), [], [deployment])).redeploy,
    ).toBe(true);
  });
});

describe('planStage on a compliant stage', () => {
  it('plans nothing', () => {
    const plan = planWith(restSnapshot({ stage: { tracingEnabled: true } }), ['APIGateway.3'], BASELINE);
    expect(plan.changes).toEqual([]);
    expect(rest(plan).stagePatchOperations).toEqual([]);
    expect(rest(plan).apiPatchOperations).toEqual([]);
    expect(rest(plan).associateWebAcl).toBe(false);
    expect(plan.prerequisites).toEqual([]);
  });
});

describe('planStage (V2)', () => {
  it('merges route-setting changes with the current settings into one UpdateStage input', () => {
    const snapshot = v2Snapshot('WEBSOCKET', {
      account: { cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/cw' },
      customDomains: [],
      routes: [],
      integrations: [],
      stage: {
        defaultRouteSettings: { loggingLevel: 'OFF', dataTraceEnabled: false, detailedMetricsEnabled: true },
        routeSettings: { $connect: { loggingLevel: 'OFF' }, sendMessage: { throttlingRateLimit: 5 } },
      },
    });

    const plan = planWith(snapshot, ALL_CONTROLS, BASELINE);

    expect(plan).not.toHaveProperty('stagePatchOperations');
    expect(v2(plan).stageUpdate?.DefaultRouteSettings).toEqual({
      LoggingLevel: 'ERROR',
      DataTraceEnabled: false,
      DetailedMetricsEnabled: true,
      ThrottlingRateLimit: THROTTLING.rateLimit,
      ThrottlingBurstLimit: THROTTLING.burstLimit,
    });
    // The whole map is sent: the untouched route keeps its settings whether AWS merges or replaces.
    expect(v2(plan).stageUpdate?.RouteSettings).toEqual({
      $connect: { LoggingLevel: 'ERROR' },
      sendMessage: { ThrottlingRateLimit: 5 },
    });
    expect(v2(plan).stageUpdate?.AccessLogSettings).toEqual({
      DestinationArn: accessLogGroupArn(BASELINE.resources, snapshot.ref, 'WEBSOCKET'),
      Format: WEBSOCKET_FORMAT,
    });
  });

  it('turns the default endpoint fix into an UpdateApi field', () => {
    const snapshot = v2Snapshot('HTTP', { customDomains: [mapping('api.example.com')] });

    const plan = planWith(snapshot, ['Baseline.DefaultEndpoint'], BASELINE);

    expect(v2(plan).apiUpdate).toEqual({ DisableExecuteApiEndpoint: true });
    expect(v2(plan).stageUpdate).toBeUndefined();
    expect(v2(plan).redeploy).toBe(true);
    expect(settingChanges(plan)).toContainEqual({
      controlId: 'Baseline.DefaultEndpoint',
      setting: 'deployment',
      before: 'def456',
      after: "publishes the API's current definition",
    });
  });
});

describe('mergeControlPlans', () => {
  const snapshot = restSnapshot();

  it('merges the same value on one path from two controls into one operation', () => {
    const plan = mergeControlPlans(
      snapshot,
      [],
      [
        controlPlan('APIGateway.1', [restPatch('/*/*/logging/loglevel', 'ERROR')]),
        controlPlan('Baseline.StageThrottling', [restPatch('/*/*/logging/loglevel', 'ERROR')]),
      ],
    );

    expect(rest(plan).stagePatchOperations).toEqual([
      { op: 'replace', path: '/*/*/logging/loglevel', value: 'ERROR' },
    ]);
    expect(plan.changes.map((planned) => planned.controlId)).toEqual([
      'APIGateway.1',
      'Baseline.StageThrottling',
    ]);
  });

  it('refuses two controls that want different values on one path, naming both', () => {
    const conflicting = () =>
      mergeControlPlans(
        snapshot,
        [],
        [
          controlPlan('APIGateway.1', [restPatch('/*/*/logging/loglevel', 'ERROR')]),
          controlPlan('Baseline.StageThrottling', [restPatch('/*/*/logging/loglevel', 'INFO')]),
        ],
      );

    expect(conflicting).toThrow(PlanConflictError);
    expect(conflicting).toThrow(
      'APIGateway.1 and Baseline.StageThrottling both change /*/*/logging/loglevel on the same stage, to "ERROR" and "INFO"',
    );
  });

  it('refuses conflicting V2 route settings and conflicting API updates', () => {
    const v2 = v2Snapshot('WEBSOCKET');
    const setting = (value: string): Operation => ({
      kind: 'v2RouteSetting',
      scope: { routeKey: '$connect' },
      field: 'LoggingLevel',
      value,
    });
    expect(() =>
      mergeControlPlans(
        v2,
        [],
        [controlPlan('APIGateway.1', [setting('ERROR')]), controlPlan('APIGateway.9', [setting('INFO')])],
      ),
    ).toThrow('RouteSettings[$connect].LoggingLevel');

    const endpoint = (value: boolean): Operation => ({
      kind: 'v2ApiUpdate',
      field: 'DisableExecuteApiEndpoint',
      value,
    });
    expect(() =>
      mergeControlPlans(
        v2,
        [],
        [
          controlPlan('Baseline.DefaultEndpoint', [endpoint(true)]),
          controlPlan('APIGateway.9', [endpoint(false)]),
        ],
      ),
    ).toThrow(PlanConflictError);
  });

  it('refuses an operation that does not exist for the API type', () => {
    expect(() =>
      mergeControlPlans(
        snapshot,
        [],
        [
          controlPlan('APIGateway.9', [
            { kind: 'v2AccessLog', destinationArn: 'arn:x', format: '$context.requestId' },
          ]),
        ],
      ),
    ).toThrow(PlanOperationError);
    expect(() =>
      mergeControlPlans(
        v2Snapshot('HTTP'),
        [],
        [controlPlan('APIGateway.4', [{ kind: 'associateBaselineWebAcl' }])],
      ),
    ).toThrow('APIGateway.4 planned a associateBaselineWebAcl operation for V2 stage');
  });

  /** APIGateway.1 needs the account role; Baseline.RestAccessLogging the log group and this role. */
  const loggingPlans = (roleOfSecond: Prerequisite) => [
    controlPlan('APIGateway.1', [restPatch('/*/*/logging/loglevel', 'ERROR')], {
      prerequisites: [CLOUDWATCH_ROLE_EFFECT],
    }),
    controlPlan(
      'Baseline.RestAccessLogging',
      [restPatch('/accessLogSettings/format', '$context.requestId')],
      {
        prerequisites: [logGroupEffect(LOG_GROUP_ARN), roleOfSecond],
      },
    ),
  ];

  it('asks for a deployment only when a control with changes needs one, and dedupes prerequisites', () => {
    const plan = mergeControlPlans(
      snapshot,
      [],
      [
        ...loggingPlans(CLOUDWATCH_ROLE_EFFECT),
        controlPlan('Baseline.DefaultEndpoint', [], { redeploy: true }),
      ],
    );

    // Each resource once, in the order they are applied (the log group before the account setting).
    expect(plan.prerequisites).toEqual([logGroupEffect(LOG_GROUP_ARN), CLOUDWATCH_ROLE_EFFECT]);
    expect(plan).not.toHaveProperty('redeploy');
    // A V2 stage without autoDeploy: a control that asks for a deployment but changes nothing gets none.
    const idle = controlPlan('Baseline.DefaultEndpoint', [], { redeploy: true });
    expect(
      v2(mergeControlPlans(v2Snapshot('HTTP', { stage: { autoDeploy: false } }), [], [idle])).redeploy,
    ).toBe(false);
  });

  it('fails the plan when two controls ask for one resource with different inputs', () => {
    expect(() =>
      mergeControlPlans(
        snapshot,
        [],
        loggingPlans({ kind: 'accountCloudWatchRole', roleName: 'another-role' }),
      ),
    ).toThrow(EffectConflictError);
  });
});
