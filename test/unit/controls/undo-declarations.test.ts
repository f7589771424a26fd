/**
 * Each fixing control's undo declaration, called directly (bound to the baseline settings): for
 * each setting it changes, what the stage holds now, whether that is still the fix's after value,
 * and the operations that set the recorded `before` back (or why they cannot). A setting the control
 * never changes, or a stage of an API type it does not fix, is not its to take back (undefined).
 * test/unit/ledger/undo-plan.test.ts covers the same declarations through planUndo.
 */
import { describe, expect, it } from 'vitest';
import type { BoundUndo, UndoStep } from '../../../remediators/controls/undo.js';
import type { StageSnapshot } from '../../../remediators/core/types.js';
import { bindUndoDeclarations } from '../../../remediators/ledger/undo-plan.js';
import {
  DEFAULT_HTTP_ACCESS_LOG_FORMAT as DEFAULT_HTTP,
  DEFAULT_WEBSOCKET_ACCESS_LOG_FORMAT as DEFAULT_WEBSOCKET,
} from '../../../remediators/controls/apigateway-9-v2-access-logging.js';
import {
  ACCOUNT,
  BASELINE,
  EXISTING_FIREHOSE_ARN,
  EXISTING_WEB_ACL_ARN,
  restSnapshot,
  v2Snapshot,
} from './snapshots.js';

const BOUND = bindUndoDeclarations(BASELINE);

function undoOf(controlId: string): BoundUndo {
  const bound = BOUND.get(controlId);
  if (bound === undefined) throw new Error(`${controlId} has no undo`);
  return bound;
}

function stepOf(controlId: string, setting: string, snapshot: StageSnapshot): UndoStep {
  const step = undoOf(controlId)(setting, snapshot);
  if (step === undefined) throw new Error(`${controlId} does not undo ${setting}`);
  return step;
}

const REST_LOG_GROUP = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/apigateway/access-logs/a1b2c3d4e5/prod`;
const HTTP_LOG_GROUP = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/vendedlogs/apigateway/access-logs/z9y8x7w6v5/live`;
const WEBSOCKET_LOG_GROUP = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/apigateway/access-logs/z9y8x7w6v5/live`;

describe('APIGateway.1 undo: execution logging levels', () => {
  const control = 'APIGateway.1';

  it('reads a REST method key’s level and restores a recorded level with one replace of its loglevel path', () => {
    const snapshot = restSnapshot({ stage: { methodSettings: { '~1pets/GET': { loggingLevel: 'ERROR' } } } });
    const step = stepOf(control, 'methodSettings[~1pets/GET].loggingLevel', snapshot);
    expect(step.current).toBe('ERROR');
    expect(step.holds('ERROR')).toBe(true);
    expect(step.holds('INFO')).toBe(false);
    expect(step.restore('INFO')).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restStagePatch', op: 'replace', path: '/~1pets/GET/logging/loglevel', value: 'INFO' },
      ],
      restoredTo: 'INFO',
    });
  });

  it('restores a REST level that was not set as OFF, what API Gateway does without one', () => {
    const step = stepOf(control, 'methodSettings[*/*].loggingLevel', restSnapshot());
    expect(step.current).toBeNull();
    expect(step.restore(null)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'restStagePatch', op: 'replace', path: '/*/*/logging/loglevel', value: 'OFF' }],
      restoredTo: 'OFF',
    });
  });

  it('refuses a recorded value that is not a log level, quoting it', () => {
    const rest = stepOf(control, 'methodSettings[*/*].loggingLevel', restSnapshot());
    expect(rest.restore(true)).toStrictEqual({ possible: false, why: 'true is not a log level' });
    const v2 = stepOf(control, 'defaultRouteSettings.loggingLevel', v2Snapshot('WEBSOCKET'));
    expect(v2.restore(5)).toStrictEqual({ possible: false, why: '5 is not a log level' });
  });

  it('takes back only logging levels: another method field or setting is not its own', () => {
    const undo = undoOf(control);
    expect(undo('methodSettings[*/*].dataTraceEnabled', restSnapshot())).toBeUndefined();
    expect(undo('tracingEnabled', restSnapshot())).toBeUndefined();
    expect(undo('defaultRouteSettings.throttlingBurstLimit', v2Snapshot('WEBSOCKET'))).toBeUndefined();
    expect(undo('methodSettings[*/*].loggingLevel', v2Snapshot('WEBSOCKET'))).toBeUndefined();
  });

  it('reads the WebSocket default route level and restores it as a DefaultRouteSettings field', () => {
    const snapshot = v2Snapshot('WEBSOCKET', {
      stage: {
        defaultRouteSettings: { loggingLevel: 'INFO' },
        routeSettings: { $connect: { loggingLevel: 'ERROR' } },
      },
    });
    const step = stepOf(control, 'defaultRouteSettings.loggingLevel', snapshot);
    expect(step.current).toBe('INFO');
    expect(step.restore(null)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'v2RouteSetting', scope: 'default', field: 'LoggingLevel', value: 'OFF' }],
      restoredTo: 'OFF',
    });
  });

  it('reads a WebSocket route override’s level, null when the route has no override', () => {
    const snapshot = v2Snapshot('WEBSOCKET', {
      stage: {
        defaultRouteSettings: { loggingLevel: 'INFO' },
        routeSettings: { $connect: { loggingLevel: 'ERROR' } },
      },
    });
    const step = stepOf(control, 'routeSettings[$connect].loggingLevel', snapshot);
    expect(step.current).toBe('ERROR');
    expect(step.restore('INFO')).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'v2RouteSetting', scope: { routeKey: '$connect' }, field: 'LoggingLevel', value: 'INFO' },
      ],
      restoredTo: 'INFO',
    });
    expect(stepOf(control, 'routeSettings[$disconnect].loggingLevel', snapshot).current).toBeNull();
  });
});

describe('APIGateway.3 undo: X-Ray tracing', () => {
  const control = 'APIGateway.3';

  it('reads tracingEnabled and restores the recorded value with replace /tracingEnabled', () => {
    const step = stepOf(control, 'tracingEnabled', restSnapshot({ stage: { tracingEnabled: true } }));
    expect(step.current).toBe(true);
    expect(step.holds(true)).toBe(true);
    expect(step.restore(false)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'restStagePatch', op: 'replace', path: '/tracingEnabled', value: 'false' }],
      restoredTo: false,
    });
    expect(step.restore(true)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'restStagePatch', op: 'replace', path: '/tracingEnabled', value: 'true' }],
      restoredTo: true,
    });
  });

  it('restores tracing that was not set as false, and refuses a value that is not true or false', () => {
    const step = stepOf(control, 'tracingEnabled', restSnapshot());
    expect(step.restore(null)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'restStagePatch', op: 'replace', path: '/tracingEnabled', value: 'false' }],
      restoredTo: false,
    });
    expect(step.restore('yes')).toStrictEqual({ possible: false, why: '"yes" is not true or false' });
  });

  it('takes back only tracingEnabled on a REST stage', () => {
    const undo = undoOf(control);
    expect(undo('cacheClusterEnabled', restSnapshot())).toBeUndefined();
    expect(undo('tracingEnabled', v2Snapshot('HTTP'))).toBeUndefined();
  });
});

describe('APIGateway.4 undo: the baseline web ACL', () => {
  const control = 'APIGateway.4';
  const baselineAcl = `arn:aws:wafv2:us-east-1:${ACCOUNT}:regional/webacl/apigw-remediation-baseline/0a1b2c3d`;

  it('the stage still holds the fix when its web ACL is the baseline one of its own partition, Region and account', () => {
    const step = stepOf(control, 'webAclArn', restSnapshot({ stage: { webAclArn: baselineAcl } }));
    expect(step.current).toBe(baselineAcl);
    expect(step.holds('baseline web ACL (whatever the plan described)')).toBe(true);
    for (const other of [
      EXISTING_WEB_ACL_ARN,
      baselineAcl.replace('arn:aws:', 'arn:aws-cn:'),
      baselineAcl.replace('us-east-1', 'eu-west-1'),
      baselineAcl.replace(ACCOUNT, '444455556666'),
      baselineAcl.replace('apigw-remediation-baseline/', 'apigw-remediation-baseline-2/'),
    ]) {
      expect(
        stepOf(control, 'webAclArn', restSnapshot({ stage: { webAclArn: other } })).holds('x'),
        other,
      ).toBe(false);
    }
  });

  it('a stage without a web ACL holds nothing of the fix', () => {
    const step = stepOf(control, 'webAclArn', restSnapshot());
    expect(step.current).toBeNull();
    expect(step.holds(null)).toBe(false);
  });

  it('restores "no web ACL" by disassociating, and refuses to put back a web ACL the stage had', () => {
    const step = stepOf(control, 'webAclArn', restSnapshot({ stage: { webAclArn: baselineAcl } }));
    expect(step.restore(null)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'disassociateWebAcl' }],
      restoredTo: null,
    });
    expect(step.restore(EXISTING_WEB_ACL_ARN)).toStrictEqual({
      possible: false,
      why: `the stage had web ACL ${EXISTING_WEB_ACL_ARN} before, and this control never replaces one; associate it by hand`,
    });
  });

  it('takes back only webAclArn on a REST stage', () => {
    const undo = undoOf(control);
    expect(undo('tracingEnabled', restSnapshot())).toBeUndefined();
    expect(undo('webAclArn', v2Snapshot('HTTP'))).toBeUndefined();
  });
});

describe('APIGateway.5 undo: cache encryption', () => {
  const control = 'APIGateway.5';

  it('reads the key’s own cacheDataEncrypted and restores it with replace of its caching/dataEncrypted path', () => {
    const snapshot = restSnapshot({
      stage: { methodSettings: { '~1pets/GET': { cacheDataEncrypted: true } } },
    });
    const step = stepOf(control, 'methodSettings[~1pets/GET].cacheDataEncrypted', snapshot);
    expect(step.current).toBe(true);
    expect(step.restore(false)).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restStagePatch', op: 'replace', path: '/~1pets/GET/caching/dataEncrypted', value: 'false' },
      ],
      restoredTo: false,
    });
    expect(stepOf(control, 'methodSettings[*/*].cacheDataEncrypted', snapshot).current).toBeNull();
  });

  it('restores encryption that was not set as false, and refuses a value that is not true or false', () => {
    const step = stepOf(control, 'methodSettings[*/*].cacheDataEncrypted', restSnapshot());
    expect(step.restore(null)).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restStagePatch', op: 'replace', path: '/*/*/caching/dataEncrypted', value: 'false' },
      ],
      restoredTo: false,
    });
    expect(step.restore(true)).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restStagePatch', op: 'replace', path: '/*/*/caching/dataEncrypted', value: 'true' },
      ],
      restoredTo: true,
    });
    expect(step.restore(0)).toStrictEqual({ possible: false, why: '0 is not true or false' });
  });

  it('takes back only cacheDataEncrypted on a REST stage', () => {
    const undo = undoOf(control);
    expect(undo('methodSettings[*/*].cachingEnabled', restSnapshot())).toBeUndefined();
    expect(undo('tracingEnabled', restSnapshot())).toBeUndefined();
    expect(undo('methodSettings[*/*].cacheDataEncrypted', v2Snapshot('HTTP'))).toBeUndefined();
  });
});

describe('APIGateway.9 undo: V2 access logging', () => {
  const control = 'APIGateway.9';

  it('a destination the fix set (none before) is taken back by deleting the access log settings', () => {
    const snapshot = v2Snapshot('HTTP', {
      stage: { accessLogSettings: { destinationArn: HTTP_LOG_GROUP, format: DEFAULT_HTTP } },
    });
    const step = stepOf(control, 'accessLogSettings.destinationArn', snapshot);
    expect(step.current).toBe(HTTP_LOG_GROUP);
    expect(step.holds(HTTP_LOG_GROUP)).toBe(true);
    expect(step.restore(null)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'v2AccessLogDelete' }],
      restoredTo: null,
    });
  });

  it('a destination that was there before goes back with the format the stage holds', () => {
    const snapshot = v2Snapshot('HTTP', {
      stage: { accessLogSettings: { destinationArn: HTTP_LOG_GROUP, format: '$context.requestId x' } },
    });
    expect(
      stepOf(control, 'accessLogSettings.destinationArn', snapshot).restore(EXISTING_FIREHOSE_ARN),
    ).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'v2AccessLog', destinationArn: EXISTING_FIREHOSE_ARN, format: '$context.requestId x' },
      ],
      restoredTo: EXISTING_FIREHOSE_ARN,
    });
  });

  it('a destination put back on a stage without a format gets the baseline format of its API type', () => {
    const http = stepOf(control, 'accessLogSettings.destinationArn', v2Snapshot('HTTP'));
    expect(http.current).toBeNull();
    expect(http.restore(EXISTING_FIREHOSE_ARN)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'v2AccessLog', destinationArn: EXISTING_FIREHOSE_ARN, format: DEFAULT_HTTP }],
      restoredTo: EXISTING_FIREHOSE_ARN,
    });
    const webSocket = stepOf(control, 'accessLogSettings.destinationArn', v2Snapshot('WEBSOCKET'));
    expect(webSocket.restore(EXISTING_FIREHOSE_ARN)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'v2AccessLog', destinationArn: EXISTING_FIREHOSE_ARN, format: DEFAULT_WEBSOCKET }],
      restoredTo: EXISTING_FIREHOSE_ARN,
    });
  });

  it('a format the fix replaced goes back in the access log settings, with the destination the stage holds', () => {
    const snapshot = v2Snapshot('HTTP', {
      stage: { accessLogSettings: { destinationArn: EXISTING_FIREHOSE_ARN, format: DEFAULT_HTTP } },
    });
    const step = stepOf(control, 'accessLogSettings.format', snapshot);
    expect(step.current).toBe(DEFAULT_HTTP);
    expect(step.restore('$context.status')).toStrictEqual({
      possible: true,
      operations: [{ kind: 'v2AccessLog', destinationArn: EXISTING_FIREHOSE_ARN, format: '$context.status' }],
      restoredTo: '$context.status',
    });
  });

  it('a format that was not set, on the stage’s own destination, is taken back by turning access logging off', () => {
    for (const [protocol, destination] of [
      ['HTTP', HTTP_LOG_GROUP],
      ['WEBSOCKET', WEBSOCKET_LOG_GROUP],
    ] as const) {
      const snapshot = v2Snapshot(protocol, {
        stage: { accessLogSettings: { destinationArn: destination, format: 'f' } },
      });
      expect(stepOf(control, 'accessLogSettings.format', snapshot).restore(null), protocol).toStrictEqual({
        possible: true,
        operations: [{ kind: 'v2AccessLogDelete' }],
        restoredTo: null,
      });
    }
  });

  it('a format on a stage that now has no destination is taken back by turning access logging off', () => {
    const step = stepOf(control, 'accessLogSettings.format', v2Snapshot('HTTP'));
    expect(step.current).toBeNull();
    expect(step.restore('$context.status')).toStrictEqual({
      possible: true,
      operations: [{ kind: 'v2AccessLogDelete' }],
      restoredTo: null,
    });
    expect(step.restore(null)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'v2AccessLogDelete' }],
      restoredTo: null,
    });
  });

  it('a format that was not set cannot be unset while another destination stays', () => {
    const snapshot = v2Snapshot('HTTP', {
      stage: { accessLogSettings: { destinationArn: EXISTING_FIREHOSE_ARN, format: 'f' } },
    });
    expect(stepOf(control, 'accessLogSettings.format', snapshot).restore(null)).toStrictEqual({
      possible: false,
      why: `the stage's own destination ${EXISTING_FIREHOSE_ARN} stays, and a format cannot be unset while it does`,
    });
    // The WebSocket log group name is not the HTTP API's own destination.
    const httpOnWebSocketGroup = v2Snapshot('HTTP', {
      stage: { accessLogSettings: { destinationArn: WEBSOCKET_LOG_GROUP, format: 'f' } },
    });
    expect(stepOf(control, 'accessLogSettings.format', httpOnWebSocketGroup).restore(null).possible).toBe(
      false,
    );
  });

  it('takes back only the access log settings on a V2 stage', () => {
    const undo = undoOf(control);
    expect(undo('accessLogSettings', v2Snapshot('HTTP'))).toBeUndefined();
    expect(undo('defaultRouteSettings.loggingLevel', v2Snapshot('HTTP'))).toBeUndefined();
    expect(undo('accessLogSettings.destinationArn', restSnapshot())).toBeUndefined();
    expect(undo('accessLogSettings.format', restSnapshot())).toBeUndefined();
  });
});

describe('Baseline.RestAccessLogging undo: REST access logging', () => {
  const control = 'Baseline.RestAccessLogging';

  it('a destination the fix set (none before) is taken back with remove /accessLogSettings', () => {
    const snapshot = restSnapshot({
      stage: { accessLogSettings: { destinationArn: REST_LOG_GROUP, format: 'f' } },
    });
    const step = stepOf(control, 'accessLogSettings.destinationArn', snapshot);
    expect(step.current).toBe(REST_LOG_GROUP);
    expect(step.restore(null)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'restStagePatch', op: 'remove', path: '/accessLogSettings' }],
      restoredTo: null,
    });
  });

  it('a destination that was there before goes back with replace /accessLogSettings/destinationArn', () => {
    const step = stepOf(control, 'accessLogSettings.destinationArn', restSnapshot());
    expect(step.current).toBeNull();
    expect(step.restore(EXISTING_FIREHOSE_ARN)).toStrictEqual({
      possible: true,
      operations: [
        {
          kind: 'restStagePatch',
          op: 'replace',
          path: '/accessLogSettings/destinationArn',
          value: EXISTING_FIREHOSE_ARN,
        },
      ],
      restoredTo: EXISTING_FIREHOSE_ARN,
    });
  });

  it('a format the fix replaced goes back with replace /accessLogSettings/format', () => {
    const snapshot = restSnapshot({
      stage: { accessLogSettings: { destinationArn: EXISTING_FIREHOSE_ARN, format: 'new' } },
    });
    const step = stepOf(control, 'accessLogSettings.format', snapshot);
    expect(step.current).toBe('new');
    expect(step.restore('old')).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restStagePatch', op: 'replace', path: '/accessLogSettings/format', value: 'old' },
      ],
      restoredTo: 'old',
    });
  });

  it('a format that was not set, on the stage’s own destination, is taken back by turning access logging off', () => {
    const snapshot = restSnapshot({
      stage: { accessLogSettings: { destinationArn: REST_LOG_GROUP, format: 'f' } },
    });
    expect(stepOf(control, 'accessLogSettings.format', snapshot).restore(null)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'restStagePatch', op: 'remove', path: '/accessLogSettings' }],
      restoredTo: null,
    });
  });

  it('a format that was not set cannot be unset while another destination, or none, stays', () => {
    const other = restSnapshot({
      stage: { accessLogSettings: { destinationArn: EXISTING_FIREHOSE_ARN, format: 'f' } },
    });
    expect(stepOf(control, 'accessLogSettings.format', other).restore(null)).toStrictEqual({
      possible: false,
      why: `the stage's own destination ${EXISTING_FIREHOSE_ARN} stays, and a format cannot be unset while it does`,
    });
    expect(stepOf(control, 'accessLogSettings.format', restSnapshot()).restore(null)).toStrictEqual({
      possible: false,
      why: "the stage's own destination (none) stays, and a format cannot be unset while it does",
    });
  });

  it('takes back only the access log settings on a REST stage', () => {
    const undo = undoOf(control);
    expect(undo('accessLogSettings', restSnapshot())).toBeUndefined();
    expect(undo('tracingEnabled', restSnapshot())).toBeUndefined();
    expect(undo('accessLogSettings.destinationArn', v2Snapshot('HTTP'))).toBeUndefined();
  });
});

describe('Baseline.StageThrottling undo: limits', () => {
  const control = 'Baseline.StageThrottling';

  it('restores a REST method’s rate and burst limits with replace of their throttling paths', () => {
    const snapshot = restSnapshot({
      stage: { methodSettings: { '~1pets/GET': { throttlingRateLimit: 100, throttlingBurstLimit: 200 } } },
    });
    const rate = stepOf(control, 'methodSettings[~1pets/GET].throttlingRateLimit', snapshot);
    expect(rate.current).toBe(100);
    expect(rate.restore(5000)).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restStagePatch', op: 'replace', path: '/~1pets/GET/throttling/rateLimit', value: '5000' },
      ],
      restoredTo: 5000,
    });
    const burst = stepOf(control, 'methodSettings[~1pets/GET].throttlingBurstLimit', snapshot);
    expect(burst.current).toBe(200);
    expect(burst.restore(-1)).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restStagePatch', op: 'replace', path: '/~1pets/GET/throttling/burstLimit', value: '-1' },
      ],
      restoredTo: -1,
    });
    expect(stepOf(control, 'methodSettings[*/*].throttlingRateLimit', snapshot).current).toBeNull();
  });

  it('refuses a limit that was not set (no operation unsets one) and a value that is not a number', () => {
    const step = stepOf(control, 'methodSettings[*/*].throttlingRateLimit', restSnapshot());
    expect(step.restore(null)).toStrictEqual({
      possible: false,
      why:
        'it was not set before, and API Gateway documents no UpdateStage operation that unsets a limit ' +
        '(GetStage shows -1 for one that is not set); set it by hand if the stage must run unthrottled',
    });
    expect(step.restore('100')).toStrictEqual({ possible: false, why: '"100" is not a limit' });
    const v2 = stepOf(control, 'defaultRouteSettings.throttlingBurstLimit', v2Snapshot('HTTP'));
    expect(v2.restore(null).possible).toBe(false);
    expect(v2.restore(true)).toStrictEqual({ possible: false, why: 'true is not a limit' });
  });

  it('restores V2 default route and route override limits as route setting fields', () => {
    const snapshot = v2Snapshot('HTTP', {
      stage: {
        defaultRouteSettings: { throttlingRateLimit: 10, throttlingBurstLimit: 20 },
        routeSettings: { 'GET /pets': { throttlingBurstLimit: 30 } },
      },
    });
    const rate = stepOf(control, 'defaultRouteSettings.throttlingRateLimit', snapshot);
    expect(rate.current).toBe(10);
    expect(rate.restore(50)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'v2RouteSetting', scope: 'default', field: 'ThrottlingRateLimit', value: 50 }],
      restoredTo: 50,
    });
    expect(stepOf(control, 'defaultRouteSettings.throttlingBurstLimit', snapshot).current).toBe(20);
    const route = stepOf(control, 'routeSettings[GET /pets].throttlingBurstLimit', snapshot);
    expect(route.current).toBe(30);
    expect(route.restore(60)).toStrictEqual({
      possible: true,
      operations: [
        {
          kind: 'v2RouteSetting',
          scope: { routeKey: 'GET /pets' },
          field: 'ThrottlingBurstLimit',
          value: 60,
        },
      ],
      restoredTo: 60,
    });
    expect(stepOf(control, 'routeSettings[GET /pets].throttlingRateLimit', snapshot).current).toBeNull();
    expect(stepOf(control, 'routeSettings[POST /pets].throttlingRateLimit', snapshot).current).toBeNull();
  });

  it('takes back only the throttling limits', () => {
    const undo = undoOf(control);
    expect(undo('methodSettings[*/*].loggingLevel', restSnapshot())).toBeUndefined();
    expect(undo('tracingEnabled', restSnapshot())).toBeUndefined();
    expect(undo('defaultRouteSettings.loggingLevel', v2Snapshot('HTTP'))).toBeUndefined();
    expect(undo('routeSettings[GET /pets].loggingLevel', v2Snapshot('HTTP'))).toBeUndefined();
    expect(undo('methodSettings[*/*].throttlingRateLimit', v2Snapshot('HTTP'))).toBeUndefined();
  });
});

describe('Baseline.DefaultEndpoint undo: the execute-api endpoint', () => {
  const control = 'Baseline.DefaultEndpoint';

  it('a REST API’s endpoint is enabled again with UpdateRestApi replace /disableExecuteApiEndpoint', () => {
    const step = stepOf(
      control,
      'disableExecuteApiEndpoint',
      restSnapshot({ api: { disableExecuteApiEndpoint: true } }),
    );
    expect(step.current).toBe(true);
    expect(step.holds(true)).toBe(true);
    expect(step.restore(false)).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restApiPatch', op: 'replace', path: '/disableExecuteApiEndpoint', value: 'false' },
      ],
      restoredTo: false,
    });
    expect(step.restore(null)).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restApiPatch', op: 'replace', path: '/disableExecuteApiEndpoint', value: 'false' },
      ],
      restoredTo: false,
    });
    expect(step.restore(true)).toStrictEqual({
      possible: true,
      operations: [
        { kind: 'restApiPatch', op: 'replace', path: '/disableExecuteApiEndpoint', value: 'true' },
      ],
      restoredTo: true,
    });
    expect(step.restore('no')).toStrictEqual({ possible: false, why: '"no" is not true or false' });
  });

  it('a V2 API’s endpoint is enabled again with UpdateApi only on a stage that deploys automatically', () => {
    const auto = stepOf(
      control,
      'disableExecuteApiEndpoint',
      v2Snapshot('HTTP', { api: { disableExecuteApiEndpoint: true }, stage: { autoDeploy: true } }),
    );
    expect(auto.restore(false)).toStrictEqual({
      possible: true,
      operations: [{ kind: 'v2ApiUpdate', field: 'DisableExecuteApiEndpoint', value: false }],
      restoredTo: false,
    });
    const manual = stepOf(
      control,
      'disableExecuteApiEndpoint',
      v2Snapshot('HTTP', { stage: { autoDeploy: false } }),
    );
    expect(manual.restore(false)).toStrictEqual({
      possible: false,
      why:
        "the stage does not deploy automatically, so the API's endpoint setting would take effect only with a deployment, " +
        "which publishes the API's current definition and which an undo never makes",
    });
  });

  it('refuses a snapshot without the api part, naming the part it needs', () => {
    const snapshot = { ...restSnapshot(), api: undefined, parts: ['stage'] } as unknown as StageSnapshot;
    expect(() => undoOf(control)('disableExecuteApiEndpoint', snapshot)).toThrow(
      "Baseline.DefaultEndpoint needs the 'api' part of stage a1b2c3d4e5/prod, but the snapshot has only [stage]",
    );
  });

  it('takes back only disableExecuteApiEndpoint', () => {
    expect(undoOf(control)('tracingEnabled', restSnapshot())).toBeUndefined();
  });
});
