import { describe, expect, it } from 'vitest';
import { apiGateway1ExecutionLogging } from '../../../remediators/controls/apigateway-1-execution-logging.js';
import { expectPlanFixes } from './apply-plan.js';

const control = testable(apiGateway1ExecutionLogging);
import {
  BASELINE,
  CLOUDWATCH_ROLE_ARN,
  baselineWith,
  restSnapshot,
  snapshotOf,
  v2Snapshot,
  testable,
  CLOUDWATCH_ROLE_EFFECT,
} from './snapshots.js';

describe('APIGateway.1 execution logging', () => {
  it('does not apply to HTTP APIs, which have no execution logs', () => {
    const snapshot = snapshotOf('HTTP');
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.1',
      status: 'NOT_APPLICABLE',
      reason: "APIGateway.1 applies only to REST and WEBSOCKET stages; this stage's API protocol is HTTP",
    });
    expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
  });

  describe('REST', () => {
    it('passes when */* and every per-method key log at ERROR or INFO', () => {
      const snapshot = restSnapshot({
        stage: {
          methodSettings: { '*/*': { loggingLevel: 'ERROR' }, '~1pets/GET': { loggingLevel: 'INFO' } },
        },
      });
      expect(control.evaluate(snapshot, BASELINE)).toEqual({
        controlId: 'APIGateway.1',
        status: 'COMPLIANT',
        reason: 'execution logging is ERROR or INFO on every method setting (*/*, ~1pets/GET)',
      });
      expect(control.plan(snapshot, BASELINE)).toEqual({
        controlId: 'APIGateway.1',
        changes: [],
        prerequisites: [],
        redeploy: false,
      });
    });

    it('fails a stage without */* as OFF and creates */* at the baseline level', () => {
      const snapshot = restSnapshot({ account: {} });
      const evaluation = control.evaluate(snapshot, BASELINE);
      expect(evaluation.status).toBe('NON_COMPLIANT');
      expect(evaluation.reason).toBe(
        'methodSettings[*/*].loggingLevel is not set, so execution logging is OFF; expected ERROR or INFO',
      );
      expect(control.plan(snapshot, BASELINE)).toEqual({
        controlId: 'APIGateway.1',
        changes: [
          {
            change: { setting: 'methodSettings[*/*].loggingLevel', before: null, after: 'ERROR' },
            operation: {
              kind: 'restStagePatch',
              op: 'replace',
              path: '/*/*/logging/loglevel',
              value: 'ERROR',
            },
          },
        ],
        prerequisites: [CLOUDWATCH_ROLE_EFFECT],
        redeploy: false,
      });
      expectPlanFixes(control, snapshot, BASELINE);
    });

    it('fixes only the failing keys of a partially compliant stage, including per-method overrides', () => {
      const snapshot = restSnapshot({
        account: { cloudwatchRoleArn: CLOUDWATCH_ROLE_ARN },
        stage: {
          methodSettings: {
            '*/*': { loggingLevel: 'INFO' },
            '~1pets/GET': { loggingLevel: 'OFF' },
            '~1pets~1{petId}/DELETE': { loggingLevel: 'ERROR' },
            '~1orders/POST': { loggingLevel: 'OFF' },
          },
        },
      });
      const evaluation = control.evaluate(snapshot, BASELINE);
      expect(evaluation.reason).toBe(
        'methodSettings[~1orders/POST].loggingLevel is OFF; expected ERROR or INFO; ' +
          'methodSettings[~1pets/GET].loggingLevel is OFF; expected ERROR or INFO',
      );
      const plan = control.plan(snapshot, BASELINE);
      expect(plan.changes.map((change) => change.operation)).toEqual([
        { kind: 'restStagePatch', op: 'replace', path: '/~1orders/POST/logging/loglevel', value: 'ERROR' },
        { kind: 'restStagePatch', op: 'replace', path: '/~1pets/GET/logging/loglevel', value: 'ERROR' },
      ]);
      expect(plan.changes.map((change) => change.change)).toEqual([
        { setting: 'methodSettings[~1orders/POST].loggingLevel', before: 'OFF', after: 'ERROR' },
        { setting: 'methodSettings[~1pets/GET].loggingLevel', before: 'OFF', after: 'ERROR' },
      ]);
      // The account already has its CloudWatch role: nothing to set up first.
      expect(plan.prerequisites).toEqual([]);
      expectPlanFixes(control, snapshot, BASELINE);
    });

    it('treats a per-method key without its own level as inheriting */*, fixed once at */*', () => {
      const snapshot = restSnapshot({
        stage: {
          methodSettings: { '*/*': { loggingLevel: 'OFF' }, '~1pets/GET': { throttlingRateLimit: 100 } },
        },
      });
      expect(control.plan(snapshot, BASELINE).changes).toEqual([
        {
          change: { setting: 'methodSettings[*/*].loggingLevel', before: 'OFF', after: 'ERROR' },
          operation: { kind: 'restStagePatch', op: 'replace', path: '/*/*/logging/loglevel', value: 'ERROR' },
        },
      ]);
      expectPlanFixes(control, snapshot, BASELINE);
    });

    it('sets the level the baseline configures', () => {
      const snapshot = restSnapshot({ stage: { methodSettings: { '*/*': { loggingLevel: 'OFF' } } } });
      const [change] = control.plan(
        snapshot,
        baselineWith({ parameters: { 'APIGateway.1': { executionLogLevel: 'INFO' } } }),
      ).changes;
      expect(change?.operation).toEqual({
        kind: 'restStagePatch',
        op: 'replace',
        path: '/*/*/logging/loglevel',
        value: 'INFO',
      });
    });
  });

  describe('WebSocket', () => {
    it('passes when the default route settings log and no route turns logging off', () => {
      const snapshot = v2Snapshot('WEBSOCKET', {
        stage: {
          defaultRouteSettings: { loggingLevel: 'INFO' },
          routeSettings: { $connect: { loggingLevel: 'ERROR' } },
        },
      });
      expect(control.evaluate(snapshot, BASELINE)).toEqual({
        controlId: 'APIGateway.1',
        status: 'COMPLIANT',
        reason:
          'execution logging is ERROR or INFO on the default route settings and every route override (routes $connect)',
      });
    });

    it('sets the default route settings and every route that overrides logging to OFF', () => {
      const snapshot = v2Snapshot('WEBSOCKET', {
        stage: {
          defaultRouteSettings: {},
          routeSettings: {
            sendmessage: { loggingLevel: 'OFF' },
            $disconnect: { throttlingRateLimit: 50 },
            $connect: { loggingLevel: 'INFO' },
          },
        },
      });
      expect(control.evaluate(snapshot, BASELINE).reason).toBe(
        'defaultRouteSettings.loggingLevel is not set, so execution logging is OFF; expected ERROR or INFO; ' +
          'routeSettings[sendmessage].loggingLevel is OFF; expected ERROR or INFO',
      );
      const plan = control.plan(snapshot, BASELINE);
      expect(plan.changes).toEqual([
        {
          change: { setting: 'defaultRouteSettings.loggingLevel', before: null, after: 'ERROR' },
          operation: { kind: 'v2RouteSetting', scope: 'default', field: 'LoggingLevel', value: 'ERROR' },
        },
        {
          change: { setting: 'routeSettings[sendmessage].loggingLevel', before: 'OFF', after: 'ERROR' },
          operation: {
            kind: 'v2RouteSetting',
            scope: { routeKey: 'sendmessage' },
            field: 'LoggingLevel',
            value: 'ERROR',
          },
        },
      ]);
      // No account part was read: the shell must make sure the Region's CloudWatch role exists.
      expect(plan.prerequisites).toEqual([CLOUDWATCH_ROLE_EFFECT]);
      expectPlanFixes(control, snapshot, BASELINE);
    });
  });
});
