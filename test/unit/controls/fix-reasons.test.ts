/**
 * What a fixing control says, word for word (issue 16): the reason is what the approver, the
 * Security Hub note and the notification show, so it must tell a value that is set but wrong from
 * one that is not set, name what it checked, and agree in number with what it lists.
 */
import { describe, expect, it } from 'vitest';
import { apiGateway1ExecutionLogging } from '../../../remediators/controls/apigateway-1-execution-logging.js';
import { apiGateway5CacheEncryption } from '../../../remediators/controls/apigateway-5-cache-encryption.js';
import { baselineDefaultEndpoint } from '../../../remediators/controls/baseline-default-endpoint.js';
import { baselineRestAccessLogging } from '../../../remediators/controls/baseline-rest-access-logging.js';
import { baselineStageThrottling } from '../../../remediators/controls/baseline-stage-throttling.js';
import { describeBaselineWebAcl } from '../../../remediators/controls/baseline-web-acl.js';
import { BASELINE, baselineWith, mapping, restSnapshot, testable, v2Snapshot } from './snapshots.js';

describe('APIGateway.1 reasons', () => {
  const control = testable(apiGateway1ExecutionLogging);

  it('names the level */* is set to when it is set but does not log', () => {
    const snapshot = restSnapshot({ stage: { methodSettings: { '*/*': { loggingLevel: 'OFF' } } } });

    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'methodSettings[*/*].loggingLevel is OFF; expected ERROR or INFO',
    );
  });

  it('names the level the WebSocket default route settings are set to when they do not log', () => {
    const snapshot = v2Snapshot('WEBSOCKET', { stage: { defaultRouteSettings: { loggingLevel: 'OFF' } } });

    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'defaultRouteSettings.loggingLevel is OFF; expected ERROR or INFO',
    );
  });

  it('says a passing WebSocket stage has no route overrides when it has none', () => {
    const snapshot = v2Snapshot('WEBSOCKET', { stage: { defaultRouteSettings: { loggingLevel: 'ERROR' } } });

    expect(control.evaluate(snapshot, BASELINE)).toStrictEqual({
      controlId: 'APIGateway.1',
      status: 'COMPLIANT',
      reason:
        'execution logging is ERROR or INFO on the default route settings and every route override (no route overrides)',
    });
  });
});

describe('APIGateway.5 reasons', () => {
  const control = testable(apiGateway5CacheEncryption);

  it('says */* encryption is not set when */* caches without a cacheDataEncrypted value', () => {
    const snapshot = restSnapshot({ stage: { methodSettings: { '*/*': { cachingEnabled: true } } } });

    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'methodSettings[*/*].cacheDataEncrypted is not set while methodSettings[*/*].cachingEnabled is true; ' +
        'expected true for every method with caching enabled',
    );
  });

  it('passes a method that sets no caching under a */* that sets none: only caching methods are evaluated', () => {
    const snapshot = restSnapshot({
      stage: { methodSettings: { '*/*': {}, '~1pets/GET': { cacheDataEncrypted: false } } },
    });

    expect(control.evaluate(snapshot, BASELINE)).toStrictEqual({
      controlId: 'APIGateway.5',
      status: 'COMPLIANT',
      reason: 'every method with caching enabled encrypts its cache (or none caches)',
    });
  });

  it('fails a caching method when neither it nor */* sets encryption, and fixes it at */*', () => {
    const snapshot = restSnapshot({ stage: { methodSettings: { '~1pets/GET': { cachingEnabled: true } } } });

    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'methodSettings[~1pets/GET].cacheDataEncrypted is not set and inherits no encryption from */* ' +
        'while methodSettings[~1pets/GET].cachingEnabled is true; expected true for every method with caching enabled',
    );
    expect(control.plan(snapshot, BASELINE).changes).toStrictEqual([
      {
        change: { setting: 'methodSettings[*/*].cacheDataEncrypted', before: null, after: true },
        operation: {
          kind: 'restStagePatch',
          op: 'replace',
          path: '/*/*/caching/dataEncrypted',
          value: 'true',
        },
      },
    ]);
  });
});

describe('Baseline.RestAccessLogging reasons', () => {
  it('says both the destination and the format are missing on a stage without access logs', () => {
    expect(testable(baselineRestAccessLogging).evaluate(restSnapshot(), BASELINE)).toStrictEqual({
      controlId: 'Baseline.RestAccessLogging',
      status: 'NON_COMPLIANT',
      reason:
        'accessLogSettings.destinationArn is not set, so the stage writes no access logs; expected a destination; ' +
        'accessLogSettings.format is not set; expected a format containing $context.requestId',
    });
  });
});

describe('Baseline.StageThrottling reasons', () => {
  const control = testable(baselineStageThrottling);

  it('says "is 0" for the one limit that blocks every request', () => {
    const snapshot = restSnapshot({
      stage: {
        methodSettings: {
          '*/*': { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
          '~1admin/POST': { throttlingRateLimit: 0 },
        },
      },
    });

    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'the stage-wide throttle and every override are at most 1000 requests per second with bursts of at most 2000; ' +
        'methodSettings[~1admin/POST].throttlingRateLimit is 0, which blocks every request',
    );
  });

  it.each(['HTTP', 'WEBSOCKET'] as const)(
    'names no blocked limit on a %s stage whose limits are set and above 0',
    (protocol) => {
      const snapshot = v2Snapshot(protocol, {
        stage: {
          defaultRouteSettings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
          routeSettings: { 'GET /orders': { throttlingRateLimit: 50 } },
        },
      });

      expect(control.evaluate(snapshot, BASELINE).reason).toBe(
        'the stage-wide throttle and every override are at most 1000 requests per second with bursts of at most 2000',
      );
    },
  );
});

describe('Baseline.DefaultEndpoint reasons', () => {
  const control = testable(baselineDefaultEndpoint);

  it('speaks of one custom domain in the singular', () => {
    const snapshot = v2Snapshot('HTTP', { customDomains: [mapping('api.example.com')] });

    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'disableExecuteApiEndpoint is false while custom domain api.example.com maps this API, ' +
        'so clients can bypass the domain through execute-api; expected true',
    );
  });

  it("refuses a snapshot without the 'api' part, naming it", () => {
    const snapshot = { ...restSnapshot({ customDomains: [] }), api: undefined, parts: ['stage' as const] };

    expect(() => control.evaluate(snapshot, BASELINE)).toThrow(
      "Baseline.DefaultEndpoint needs the 'api' part of stage a1b2c3d4e5/prod, but the snapshot has only [stage]",
    );
  });
});

describe('the baseline web ACL as the approver reads it', () => {
  it('says no rule group only counts when every configured group is set to block', () => {
    const { webAcl } = baselineWith({
      resources: {
        webAcl: {
          managedRuleGroups: ['AWSManagedRulesCommonRuleSet'],
          ruleGroupActions: { AWSManagedRulesCommonRuleSet: 'block' },
        },
      },
    }).resources;

    expect(describeBaselineWebAcl(webAcl)).toBe(
      'baseline web ACL apigw-remediation-baseline; blocks: AWSManagedRulesCommonRuleSet, ' +
        'RateLimitPerIp (more than 2000 requests in 5 minutes from one IP); counts only, blocks nothing: none ' +
        '(as the service creates it; an existing web ACL of that name is associated as it is)',
    );
  });
});
