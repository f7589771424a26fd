import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCESS_LOG_FORMAT } from '../../../config/schema.js';
import { baselineRestAccessLogging } from '../../../remediators/controls/baseline-rest-access-logging.js';
import { expectPlanFixes } from './apply-plan.js';

const control = testable(baselineRestAccessLogging);
import {
  BASELINE,
  CLOUDWATCH_ROLE_ARN,
  EXISTING_FIREHOSE_ARN,
  restSnapshot,
  snapshotOf,
  testable,
  CLOUDWATCH_ROLE_EFFECT,
  logGroupEffect,
} from './snapshots.js';

const STAGE_LOG_GROUP_ARN =
  'arn:aws:logs:us-east-1:111122223333:log-group:/aws/apigateway/access-logs/a1b2c3d4e5/prod';

describe('Baseline.RestAccessLogging', () => {
  it.each(['HTTP', 'WEBSOCKET'] as const)(
    'does not apply to %s stages (APIGateway.9 covers them)',
    (protocol) => {
      const snapshot = snapshotOf(protocol);
      expect(control.evaluate(snapshot, BASELINE).status).toBe('NOT_APPLICABLE');
      expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
    },
  );

  it('passes a stage logging with $context.requestId', () => {
    const snapshot = restSnapshot({
      stage: {
        accessLogSettings: { destinationArn: STAGE_LOG_GROUP_ARN, format: DEFAULT_ACCESS_LOG_FORMAT },
      },
    });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'Baseline.RestAccessLogging',
      status: 'COMPLIANT',
      reason: `access logs go to ${STAGE_LOG_GROUP_ARN} in a format containing $context.requestId`,
    });
    expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
  });

  it('patches destination and format of a stage without access logs', () => {
    const snapshot = restSnapshot();
    expect(control.plan(snapshot, BASELINE)).toEqual({
      controlId: 'Baseline.RestAccessLogging',
      changes: [
        {
          change: { setting: 'accessLogSettings.destinationArn', before: null, after: STAGE_LOG_GROUP_ARN },
          operation: {
            kind: 'restStagePatch',
            op: 'replace',
            path: '/accessLogSettings/destinationArn',
            value: STAGE_LOG_GROUP_ARN,
          },
        },
        {
          change: { setting: 'accessLogSettings.format', before: null, after: DEFAULT_ACCESS_LOG_FORMAT },
          operation: {
            kind: 'restStagePatch',
            op: 'replace',
            path: '/accessLogSettings/format',
            value: DEFAULT_ACCESS_LOG_FORMAT,
          },
        },
      ],
      // REST access logs reach CloudWatch Logs through the Region's CloudWatch role (not read here).
      prerequisites: [logGroupEffect(STAGE_LOG_GROUP_ARN), CLOUDWATCH_ROLE_EFFECT],
      redeploy: false,
    });
    expectPlanFixes(control, snapshot, BASELINE);
  });

  it('keeps an existing destination and replaces only a format without $context.requestId', () => {
    const snapshot = restSnapshot({
      stage: {
        accessLogSettings: { destinationArn: EXISTING_FIREHOSE_ARN, format: '$context.identity.sourceIp' },
      },
    });
    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'accessLogSettings.format "$context.identity.sourceIp" lacks $context.requestId; expected a format containing it',
    );
    const plan = control.plan(snapshot, BASELINE);
    expect(plan.changes.map((change) => change.operation)).toEqual([
      {
        kind: 'restStagePatch',
        op: 'replace',
        path: '/accessLogSettings/format',
        value: DEFAULT_ACCESS_LOG_FORMAT,
      },
    ]);
    expect(plan.prerequisites).toEqual([]);
    expectPlanFixes(control, snapshot, BASELINE);
  });

  it('needs only the log group when the account already has its CloudWatch role', () => {
    const snapshot = restSnapshot({ account: { cloudwatchRoleArn: CLOUDWATCH_ROLE_ARN } });
    expect(control.plan(snapshot, BASELINE).prerequisites).toEqual([logGroupEffect(STAGE_LOG_GROUP_ARN)]);
  });
});
