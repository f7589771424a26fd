/**
 * What mergeControlPlans promises at its edges (issue 16): which calls a plan asks for and which it
 * leaves out, which operations each API type takes, and when two controls contradict each other.
 * Plans are compared whole (toStrictEqual) where a key that is absent must not be present as undefined.
 */
import { describe, expect, it } from 'vitest';
import { mergeControlPlans, PlanConflictError, PlanOperationError } from '../../../remediators/core/plan.js';
import type { ControlId, ControlPlan, Operation } from '../../../remediators/core/types.js';
import { restSnapshot, v2Snapshot } from '../controls/snapshots.js';
import { rest, v2 } from './plan-kinds.js';

function controlPlan(controlId: ControlId, operations: readonly Operation[]): ControlPlan {
  return {
    controlId,
    changes: operations.map((operation) => ({
      change: { setting: 'x', before: null, after: 'y' },
      operation,
    })),
    prerequisites: [],
    redeploy: false,
  };
}

const restStagePatch = (path: string, value: string): Operation => ({
  kind: 'restStagePatch',
  op: 'replace',
  path,
  value,
});
const restApiPatch = (path: string, value: string): Operation => ({
  kind: 'restApiPatch',
  op: 'replace',
  path,
  value,
});
const accessLog = (format: string): Operation => ({
  kind: 'v2AccessLog',
  destinationArn: 'arn:aws:logs:us-east-1:111122223333:log-group:access',
  format,
});
const defaultRouteSetting = (value: string): Operation => ({
  kind: 'v2RouteSetting',
  scope: 'default',
  field: 'LoggingLevel',
  value,
});

describe('mergeControlPlans: the REST web ACL association', () => {
  it('does not associate a web ACL when no control asks for one', () => {
    const plan = mergeControlPlans(
      restSnapshot(),
      [],
      [controlPlan('APIGateway.3', [restStagePatch('/tracingEnabled', 'true')])],
    );

    expect(rest(plan).associateWebAcl).toBe(false);
  });

  it('associates the baseline web ACL when a control asks for it', () => {
    const plan = mergeControlPlans(
      restSnapshot(),
      [],
      [controlPlan('APIGateway.4', [{ kind: 'associateBaselineWebAcl' }])],
    );

    expect(rest(plan).associateWebAcl).toBe(true);
  });
});

describe('mergeControlPlans: the REST stage and API updates', () => {
  it('plans no call at all for plans without changes', () => {
    const snapshot = restSnapshot();
    const plan = mergeControlPlans(snapshot, [], [controlPlan('APIGateway.3', [])]);

    expect(plan).toStrictEqual({
      apiType: 'REST',
      ref: snapshot.ref,
      evaluations: [],
      plans: [controlPlan('APIGateway.3', [])],
      changes: [],
      prerequisites: [],
      stagePatchOperations: [],
      apiPatchOperations: [],
      associateWebAcl: false,
    });
  });

  it('adds a stage update that rewrites tracingEnabled with its current value when only the API changes', () => {
    const snapshot = restSnapshot({ stage: { tracingEnabled: true } });
    const plan = rest(
      mergeControlPlans(
        snapshot,
        [],
        [controlPlan('Baseline.DefaultEndpoint', [restApiPatch('/disableExecuteApiEndpoint', 'true')])],
      ),
    );

    expect(plan.stagePatchOperations).toStrictEqual([
      { op: 'replace', path: '/tracingEnabled', value: 'true' },
    ]);
    expect(plan.apiPatchOperations).toStrictEqual([
      { op: 'replace', path: '/disableExecuteApiEndpoint', value: 'true' },
    ]);
  });

  it('merges the same API patch from two controls into one operation', () => {
    const plan = rest(
      mergeControlPlans(
        restSnapshot(),
        [],
        [
          controlPlan('Baseline.DefaultEndpoint', [restApiPatch('/disableExecuteApiEndpoint', 'true')]),
          controlPlan('APIGateway.4', [restApiPatch('/disableExecuteApiEndpoint', 'true')]),
        ],
      ),
    );

    expect(plan.apiPatchOperations).toStrictEqual([
      { op: 'replace', path: '/disableExecuteApiEndpoint', value: 'true' },
    ]);
  });

  it('refuses two controls that patch one API path to different values, naming both and both values', () => {
    const conflicting = () =>
      mergeControlPlans(
        restSnapshot(),
        [],
        [
          controlPlan('Baseline.DefaultEndpoint', [restApiPatch('/disableExecuteApiEndpoint', 'true')]),
          controlPlan('APIGateway.4', [restApiPatch('/disableExecuteApiEndpoint', 'false')]),
        ],
      );

    expect(conflicting).toThrow(PlanConflictError);
    expect(conflicting).toThrow(
      'Baseline.DefaultEndpoint and APIGateway.4 both change /disableExecuteApiEndpoint on the same stage, to "true" and "false"; ' +
        'expected the baseline to ask for one value. Fix the baseline configuration or remediate the two controls separately.',
    );
  });
});

describe('mergeControlPlans: operations for the wrong API type', () => {
  const v2Operations: readonly Operation[] = [
    defaultRouteSetting('ERROR'),
    accessLog('$context.requestId'),
    { kind: 'v2ApiUpdate', field: 'DisableExecuteApiEndpoint', value: true },
  ];
  const restOperations: readonly Operation[] = [
    restStagePatch('/tracingEnabled', 'true'),
    restApiPatch('/disableExecuteApiEndpoint', 'true'),
    { kind: 'associateBaselineWebAcl' },
  ];

  it.each(restOperations.map((operation) => [operation.kind, operation] as const))(
    'refuses a REST %s operation on a V2 stage',
    (kind, operation) => {
      const snapshot = v2Snapshot('HTTP');
      expect(() => mergeControlPlans(snapshot, [], [controlPlan('APIGateway.3', [operation])])).toThrow(
        new PlanOperationError(
          `APIGateway.3 planned a ${kind} operation for V2 stage ${snapshot.ref.apiId}/${snapshot.ref.stageName}; ` +
            'expected only v2RouteSetting, v2AccessLog, v2ApiUpdate or, without autoDeploy, createDeployment',
        ),
      );
    },
  );

  it.each(
    [...v2Operations, { kind: 'createDeployment' } as const].map(
      (operation) => [operation.kind, operation] as const,
    ),
  )('refuses a V2 %s operation on a REST stage', (kind, operation) => {
    const snapshot = restSnapshot();
    expect(() => mergeControlPlans(snapshot, [], [controlPlan('APIGateway.9', [operation])])).toThrow(
      new PlanOperationError(
        `APIGateway.9 planned a ${kind} operation for REST stage ${snapshot.ref.apiId}/${snapshot.ref.stageName}; ` +
          'expected only restStagePatch, restApiPatch or associateBaselineWebAcl',
      ),
    );
  });

  it('refuses a deployment on a V2 stage that deploys automatically', () => {
    const snapshot = v2Snapshot('HTTP', { stage: { autoDeploy: true } });
    expect(() =>
      mergeControlPlans(
        snapshot,
        [],
        [controlPlan('Baseline.DefaultEndpoint', [{ kind: 'createDeployment' }])],
      ),
    ).toThrow(PlanOperationError);
  });

  it('asks for a deployment on a V2 stage without autoDeploy when a change is a deployment', () => {
    const snapshot = v2Snapshot('HTTP', { stage: { autoDeploy: false } });
    const plan = v2(
      mergeControlPlans(
        snapshot,
        [],
        [controlPlan('Baseline.DefaultEndpoint', [{ kind: 'createDeployment' }])],
      ),
    );

    expect(plan.redeploy).toBe(true);
  });
});

describe('mergeControlPlans: the V2 stage update', () => {
  it('keeps the stage update for route-setting changes without an access-log change', () => {
    const snapshot = v2Snapshot('HTTP', { stage: { defaultRouteSettings: { dataTraceEnabled: false } } });
    const plan = v2(
      mergeControlPlans(snapshot, [], [controlPlan('APIGateway.1', [defaultRouteSetting('ERROR')])]),
    );

    expect(plan.stageUpdate).toStrictEqual({
      DefaultRouteSettings: { DataTraceEnabled: false, LoggingLevel: 'ERROR' },
    });
  });

  it('sends only the access-log settings when nothing else on the stage changes', () => {
    const plan = v2(
      mergeControlPlans(
        v2Snapshot('HTTP'),
        [],
        [controlPlan('APIGateway.9', [accessLog('$context.requestId')])],
      ),
    );

    expect(plan.stageUpdate).toStrictEqual({
      AccessLogSettings: {
        DestinationArn: 'arn:aws:logs:us-east-1:111122223333:log-group:access',
        Format: '$context.requestId',
      },
    });
  });

  it('plans neither a stage update nor an API update when no control changes anything', () => {
    const snapshot = v2Snapshot('HTTP');
    const plan = mergeControlPlans(snapshot, [], []);

    expect(plan).toStrictEqual({
      apiType: 'V2',
      ref: snapshot.ref,
      evaluations: [],
      plans: [],
      changes: [],
      prerequisites: [],
      redeploy: false,
    });
  });

  it('sends every route of the stage with its current settings when one route changes', () => {
    const snapshot = v2Snapshot('WEBSOCKET', {
      stage: {
        routeSettings: {
          $connect: { loggingLevel: 'OFF', dataTraceEnabled: true },
          $default: { throttlingBurstLimit: 7 },
        },
      },
    });
    const routeSetting: Operation = {
      kind: 'v2RouteSetting',
      scope: { routeKey: '$connect' },
      field: 'LoggingLevel',
      value: 'ERROR',
    };
    const plan = v2(mergeControlPlans(snapshot, [], [controlPlan('APIGateway.1', [routeSetting])]));

    expect(plan.stageUpdate).toStrictEqual({
      RouteSettings: {
        $connect: { LoggingLevel: 'ERROR', DataTraceEnabled: true },
        $default: { ThrottlingBurstLimit: 7 },
      },
    });
  });

  it('merges the same access-log settings from two controls', () => {
    const plan = v2(
      mergeControlPlans(
        v2Snapshot('HTTP'),
        [],
        [
          controlPlan('APIGateway.9', [accessLog('$context.requestId')]),
          controlPlan('Baseline.RestAccessLogging', [accessLog('$context.requestId')]),
        ],
      ),
    );

    expect(plan.stageUpdate?.AccessLogSettings?.Format).toBe('$context.requestId');
  });

  it('refuses two controls that want different access-log settings, naming both', () => {
    expect(() =>
      mergeControlPlans(
        v2Snapshot('HTTP'),
        [],
        [
          controlPlan('APIGateway.9', [accessLog('$context.requestId')]),
          controlPlan('Baseline.RestAccessLogging', [accessLog('$context.extendedRequestId')]),
        ],
      ),
    ).toThrow(
      new PlanConflictError(
        'APIGateway.9 and Baseline.RestAccessLogging both change AccessLogSettings on the same stage, to ' +
          '{"destinationArn":"arn:aws:logs:us-east-1:111122223333:log-group:access","format":"$context.requestId"} and ' +
          '{"destinationArn":"arn:aws:logs:us-east-1:111122223333:log-group:access","format":"$context.extendedRequestId"}; ' +
          'expected the baseline to ask for one value. Fix the baseline configuration or remediate the two controls separately.',
      ),
    );
  });

  it('sends the API update only when a control changes the default endpoint', () => {
    const plan = v2(
      mergeControlPlans(
        v2Snapshot('HTTP'),
        [],
        [
          controlPlan('Baseline.DefaultEndpoint', [
            { kind: 'v2ApiUpdate', field: 'DisableExecuteApiEndpoint', value: true },
          ]),
        ],
      ),
    );

    expect(plan.apiUpdate).toStrictEqual({ DisableExecuteApiEndpoint: true });
    expect(plan).not.toHaveProperty('stageUpdate');
  });
});

describe('mergeControlPlans: more than one V2 route-setting change', () => {
  it('keeps every route change when controls change two routes of the stage', () => {
    const snapshot = v2Snapshot('WEBSOCKET', {
      stage: { routeSettings: { $connect: { loggingLevel: 'OFF' } } },
    });
    const plan = v2(
      mergeControlPlans(
        snapshot,
        [],
        [
          controlPlan('APIGateway.1', [
            {
              kind: 'v2RouteSetting',
              scope: { routeKey: '$connect' },
              field: 'LoggingLevel',
              value: 'ERROR',
            },
          ]),
          controlPlan('Baseline.StageThrottling', [
            {
              kind: 'v2RouteSetting',
              scope: { routeKey: '$default' },
              field: 'ThrottlingBurstLimit',
              value: 5,
            },
          ]),
        ],
      ),
    );

    expect(plan.stageUpdate).toStrictEqual({
      RouteSettings: { $connect: { LoggingLevel: 'ERROR' }, $default: { ThrottlingBurstLimit: 5 } },
    });
  });

  it('names the default route settings in a conflict over them', () => {
    expect(() =>
      mergeControlPlans(
        v2Snapshot('HTTP'),
        [],
        [
          controlPlan('APIGateway.1', [defaultRouteSetting('ERROR')]),
          controlPlan('APIGateway.9', [defaultRouteSetting('INFO')]),
        ],
      ),
    ).toThrow(
      'APIGateway.1 and APIGateway.9 both change DefaultRouteSettings.LoggingLevel on the same stage, to "ERROR" and "INFO"',
    );
  });

  it('starts the default route settings from nothing when the stage has none', () => {
    const snapshot = v2Snapshot('HTTP', { stage: { defaultRouteSettings: undefined } });
    const plan = v2(
      mergeControlPlans(snapshot, [], [controlPlan('APIGateway.1', [defaultRouteSetting('ERROR')])]),
    );

    expect(plan.stageUpdate).toStrictEqual({ DefaultRouteSettings: { LoggingLevel: 'ERROR' } });
  });
});

describe('plan errors', () => {
  it('name themselves, so a log or a Step Functions catch can tell a conflict from a control bug', () => {
    expect(new PlanConflictError('x').name).toBe('PlanConflictError');
    expect(new PlanOperationError('x').name).toBe('PlanOperationError');
  });
});
