/**
 * The order of what a fixing control lists is part of its contract (issue 16): problems are joined
 * into the reason written to notes and notifications, and changes become the plan an approver
 * reads and the operations sent to AWS. So they come in code-point order, not in the order AWS
 * returned the keys; REST `*\/*` comes before the per-method keys it applies to.
 */
import { describe, expect, it } from 'vitest';
import { apiGateway1ExecutionLogging } from '../../../remediators/controls/apigateway-1-execution-logging.js';
import { apiGateway5CacheEncryption } from '../../../remediators/controls/apigateway-5-cache-encryption.js';
import { baselineDefaultEndpoint } from '../../../remediators/controls/baseline-default-endpoint.js';
import { baselineStageThrottling } from '../../../remediators/controls/baseline-stage-throttling.js';
import { compareCodePoints } from '../../../remediators/controls/stage-settings.js';
import { BASELINE, mapping, restSnapshot, testable, v2Snapshot } from './snapshots.js';

describe('compareCodePoints', () => {
  it('orders by code point: negative before, positive after, zero for the same string', () => {
    expect(compareCodePoints('a', 'b')).toBe(-1);
    expect(compareCodePoints('b', 'a')).toBe(1);
    expect(compareCodePoints('a', 'a')).toBe(0);
  });

  it('puts upper case before lower case and $ before letters, whatever the locale says', () => {
    expect(['sendmessage', 'Zulu', '$connect', 'alpha'].sort(compareCodePoints)).toStrictEqual([
      '$connect',
      'Zulu',
      'alpha',
      'sendmessage',
    ]);
  });
});

describe('fixing controls list in a stable order', () => {
  it('APIGateway.1 fixes WebSocket route overrides by route key whatever order they were read in', () => {
    const snapshot = v2Snapshot('WEBSOCKET', {
      stage: {
        defaultRouteSettings: { loggingLevel: 'ERROR' },
        routeSettings: {
          sendmessage: { loggingLevel: 'OFF' },
          $disconnect: { loggingLevel: 'OFF' },
          chat: { loggingLevel: 'OFF' },
        },
      },
    });
    const control = testable(apiGateway1ExecutionLogging);

    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'routeSettings[$disconnect].loggingLevel is OFF; expected ERROR or INFO; ' +
        'routeSettings[chat].loggingLevel is OFF; expected ERROR or INFO; ' +
        'routeSettings[sendmessage].loggingLevel is OFF; expected ERROR or INFO',
    );
    expect(control.plan(snapshot, BASELINE).changes.map((change) => change.change.setting)).toStrictEqual([
      'routeSettings[$disconnect].loggingLevel',
      'routeSettings[chat].loggingLevel',
      'routeSettings[sendmessage].loggingLevel',
    ]);
  });

  it('APIGateway.1 names the WebSocket route overrides it checked by route key, comma-separated', () => {
    const snapshot = v2Snapshot('WEBSOCKET', {
      stage: {
        defaultRouteSettings: { loggingLevel: 'INFO' },
        routeSettings: { sendmessage: { loggingLevel: 'ERROR' }, $connect: { throttlingRateLimit: 10 } },
      },
    });

    expect(testable(apiGateway1ExecutionLogging).evaluate(snapshot, BASELINE).reason).toBe(
      'execution logging is ERROR or INFO on the default route settings and every route override ' +
        '(routes $connect, sendmessage)',
    );
  });

  it('APIGateway.5 puts */* first and keeps the per-method keys in key order, whichever method revealed */*', () => {
    const snapshot = restSnapshot({
      stage: {
        methodSettings: {
          '*/*': { cacheDataEncrypted: false },
          '~1a/GET': { cachingEnabled: true, cacheDataEncrypted: false },
          '~1b/GET': { cachingEnabled: true },
          '~1c/GET': { cachingEnabled: true, cacheDataEncrypted: false },
        },
      },
    });

    expect(
      testable(apiGateway5CacheEncryption)
        .plan(snapshot, BASELINE)
        .changes.map((change) => change.change.setting),
    ).toStrictEqual([
      'methodSettings[*/*].cacheDataEncrypted',
      'methodSettings[~1a/GET].cacheDataEncrypted',
      'methodSettings[~1c/GET].cacheDataEncrypted',
    ]);
  });

  it.each(['HTTP', 'WEBSOCKET'] as const)(
    'Baseline.StageThrottling lowers %s route overrides by route key whatever order they were read in',
    (protocol) => {
      const snapshot = v2Snapshot(protocol, {
        stage: {
          defaultRouteSettings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
          routeSettings: {
            'POST /orders': { throttlingRateLimit: 5000 },
            'GET /orders': { throttlingRateLimit: 5000 },
          },
        },
      });

      expect(
        testable(baselineStageThrottling)
          .plan(snapshot, BASELINE)
          .changes.map((change) => change.change.setting),
      ).toStrictEqual([
        'routeSettings[GET /orders].throttlingRateLimit',
        'routeSettings[POST /orders].throttlingRateLimit',
      ]);
    },
  );

  it('Baseline.DefaultEndpoint names the mapped custom domains by name whatever order they were read in', () => {
    const snapshot = restSnapshot({
      customDomains: [
        mapping('z.example.com'),
        mapping('a.example.com'),
        mapping('z.example.com', 'TLS_1_2', 'v2'),
      ],
    });

    expect(testable(baselineDefaultEndpoint).evaluate(snapshot, BASELINE).reason).toBe(
      'disableExecuteApiEndpoint is false while custom domains a.example.com, z.example.com map this API, ' +
        'so clients can bypass the domain through execute-api; expected true',
    );
  });
});
