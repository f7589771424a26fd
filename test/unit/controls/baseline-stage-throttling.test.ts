import { describe, expect, it } from 'vitest';
import { baselineStageThrottling } from '../../../remediators/controls/baseline-stage-throttling.js';
import { expectPlanFixes } from './apply-plan.js';
import { BASELINE, baselineWith, restSnapshot, v2Snapshot, testable } from './snapshots.js';

const control = testable(baselineStageThrottling);

const restPatch = (path: string, value: string) => ({ kind: 'restStagePatch', op: 'replace', path, value });

describe('Baseline.StageThrottling', () => {
  describe('REST', () => {
    it('passes a stage-wide throttle at or below the baseline with lower per-method overrides', () => {
      const snapshot = restSnapshot({
        stage: {
          methodSettings: {
            '*/*': { throttlingRateLimit: 1000, throttlingBurstLimit: 2000 },
            '~1login/POST': { throttlingRateLimit: 5, throttlingBurstLimit: 10 },
          },
        },
      });
      expect(control.evaluate(snapshot, BASELINE)).toEqual({
        controlId: 'Baseline.StageThrottling',
        status: 'COMPLIANT',
        reason:
          'the stage-wide throttle and every override are at most 1000 requests per second with bursts of at most 2000',
      });
      expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
    });

    it('passes and keeps a throttle of 0, stage-wide or on a method switched off on purpose', () => {
      const snapshot = restSnapshot({
        stage: {
          methodSettings: {
            '*/*': { throttlingRateLimit: 0, throttlingBurstLimit: 0 },
            '~1admin/POST': { throttlingRateLimit: 0 },
          },
        },
      });
      const evaluation = control.evaluate(snapshot, BASELINE);
      expect(evaluation).toEqual({
        controlId: 'Baseline.StageThrottling',
        status: 'COMPLIANT',
        reason:
          'the stage-wide throttle and every override are at most 1000 requests per second with bursts of at most 2000; ' +
          'methodSettings[*/*].throttlingRateLimit, methodSettings[*/*].throttlingBurstLimit, ' +
          'methodSettings[~1admin/POST].throttlingRateLimit are 0, which blocks every request',
      });
      expect(evaluation.reason).not.toContain('no limit');
      expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
    });

    it('raises only the -1 (not set) stage-wide limit next to a method switched off with 0', () => {
      const snapshot = restSnapshot({
        stage: {
          methodSettings: {
            '*/*': { throttlingRateLimit: -1, throttlingBurstLimit: 100 },
            '~1admin/POST': { throttlingRateLimit: 0, throttlingBurstLimit: 0 },
          },
        },
      });
      expect(control.evaluate(snapshot, BASELINE).reason).toBe(
        'methodSettings[*/*].throttlingRateLimit is -1, which API Gateway shows for a limit that is not set, ' +
          'so the stage runs at the account limit; expected at most 1000 requests per second',
      );
      expect(control.plan(snapshot, BASELINE).changes).toEqual([
        {
          change: { setting: 'methodSettings[*/*].throttlingRateLimit', before: -1, after: 1000 },
          operation: restPatch('/*/*/throttling/rateLimit', '1000'),
        },
      ]);
      const after = expectPlanFixes(control, snapshot, BASELINE);
      expect(after.apiType === 'REST' && after.stage.methodSettings['~1admin/POST']).toEqual({
        throttlingRateLimit: 0,
        throttlingBurstLimit: 0,
      });
    });

    it('sets a missing stage-wide throttle to the baseline', () => {
      const snapshot = restSnapshot();
      expect(control.evaluate(snapshot, BASELINE).reason).toBe(
        'methodSettings[*/*].throttlingRateLimit is not set, so the stage runs at the account limit; ' +
          'expected at most 1000 requests per second; ' +
          'methodSettings[*/*].throttlingBurstLimit is not set, so the stage runs at the account limit; ' +
          'expected at most 2000 requests',
      );
      expect(control.plan(snapshot, BASELINE)).toEqual({
        controlId: 'Baseline.StageThrottling',
        changes: [
          {
            change: { setting: 'methodSettings[*/*].throttlingRateLimit', before: null, after: 1000 },
            operation: restPatch('/*/*/throttling/rateLimit', '1000'),
          },
          {
            change: { setting: 'methodSettings[*/*].throttlingBurstLimit', before: null, after: 2000 },
            operation: restPatch('/*/*/throttling/burstLimit', '2000'),
          },
        ],
        prerequisites: [],
        redeploy: false,
      });
      expectPlanFixes(control, snapshot, BASELINE);
    });

    it('lowers limits above the baseline and replaces an override of -1 (not set), stage-wide and per method', () => {
      const snapshot = restSnapshot({
        stage: {
          methodSettings: {
            '*/*': { throttlingRateLimit: 10000, throttlingBurstLimit: 2000 },
            '~1pets/GET': { throttlingRateLimit: 500, throttlingBurstLimit: 5000 },
            '~1pets/POST': { throttlingRateLimit: -1 },
            '~1toys/GET': { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
          },
        },
      });
      const baseline = baselineWith({
        parameters: { 'Baseline.StageThrottling': { rateLimit: 250.5, burstLimit: 3000 } },
      });
      expect(control.evaluate(snapshot, baseline).reason).toBe(
        'methodSettings[*/*].throttlingRateLimit is 10000, above the baseline; expected at most 250.5 requests per second; ' +
          'methodSettings[~1pets/GET].throttlingRateLimit is 500, above the baseline; expected at most 250.5 requests per second; ' +
          'methodSettings[~1pets/GET].throttlingBurstLimit is 5000, above the baseline; expected at most 3000 requests; ' +
          'methodSettings[~1pets/POST].throttlingRateLimit is -1, which API Gateway shows for a limit that is not set, ' +
          'so this override does not hold the method to the stage limit; expected at most 250.5 requests per second',
      );
      expect(control.plan(snapshot, baseline).changes).toEqual([
        {
          change: { setting: 'methodSettings[*/*].throttlingRateLimit', before: 10000, after: 250.5 },
          operation: restPatch('/*/*/throttling/rateLimit', '250.5'),
        },
        {
          change: { setting: 'methodSettings[~1pets/GET].throttlingRateLimit', before: 500, after: 250.5 },
          operation: restPatch('/~1pets/GET/throttling/rateLimit', '250.5'),
        },
        {
          change: { setting: 'methodSettings[~1pets/GET].throttlingBurstLimit', before: 5000, after: 3000 },
          operation: restPatch('/~1pets/GET/throttling/burstLimit', '3000'),
        },
        {
          change: { setting: 'methodSettings[~1pets/POST].throttlingRateLimit', before: -1, after: 250.5 },
          operation: restPatch('/~1pets/POST/throttling/rateLimit', '250.5'),
        },
      ]);
      expectPlanFixes(control, snapshot, baseline);
    });
  });

  describe.each(['HTTP', 'WEBSOCKET'] as const)('%s', (protocol) => {
    it('sets an unset (-1) default route throttle and lowers route overrides above the baseline; keeps a 0', () => {
      const snapshot = v2Snapshot(protocol, {
        stage: {
          defaultRouteSettings: { throttlingRateLimit: -1, throttlingBurstLimit: 100 },
          routeSettings: {
            'POST /orders': { throttlingBurstLimit: 9000 },
            'GET /orders': { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
            'DELETE /orders': { throttlingRateLimit: 0, throttlingBurstLimit: 0 },
          },
        },
      });
      expect(control.evaluate(snapshot, BASELINE).reason).toBe(
        'defaultRouteSettings.throttlingRateLimit is -1, which API Gateway shows for a limit that is not set, ' +
          'so the stage runs at the account limit; expected at most 1000 requests per second; ' +
          'routeSettings[POST /orders].throttlingBurstLimit is 9000, above the baseline; expected at most 2000 requests',
      );
      expect(control.plan(snapshot, BASELINE).changes).toEqual([
        {
          change: { setting: 'defaultRouteSettings.throttlingRateLimit', before: -1, after: 1000 },
          operation: { kind: 'v2RouteSetting', scope: 'default', field: 'ThrottlingRateLimit', value: 1000 },
        },
        {
          change: { setting: 'routeSettings[POST /orders].throttlingBurstLimit', before: 9000, after: 2000 },
          operation: {
            kind: 'v2RouteSetting',
            scope: { routeKey: 'POST /orders' },
            field: 'ThrottlingBurstLimit',
            value: 2000,
          },
        },
      ]);
      const after = expectPlanFixes(control, snapshot, BASELINE);
      expect(after.apiType === 'V2' && after.stage.routeSettings['DELETE /orders']).toEqual({
        throttlingRateLimit: 0,
        throttlingBurstLimit: 0,
      });
    });

    it('passes a default route throttle of 0: the stage blocks every request on purpose', () => {
      const snapshot = v2Snapshot(protocol, {
        stage: { defaultRouteSettings: { throttlingRateLimit: 0, throttlingBurstLimit: 0 } },
      });
      expect(control.evaluate(snapshot, BASELINE)).toEqual({
        controlId: 'Baseline.StageThrottling',
        status: 'COMPLIANT',
        reason:
          'the stage-wide throttle and every override are at most 1000 requests per second with bursts of at most 2000; ' +
          'defaultRouteSettings.throttlingRateLimit, defaultRouteSettings.throttlingBurstLimit are 0, which blocks every request',
      });
      expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
    });

    it('passes a default throttle within the baseline when routes set none of their own', () => {
      const snapshot = v2Snapshot(protocol, {
        stage: {
          defaultRouteSettings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
          routeSettings: { $default: { loggingLevel: 'ERROR' } },
        },
      });
      expect(control.evaluate(snapshot, BASELINE).status).toBe('COMPLIANT');
      expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
    });
  });
});
