import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ACCESS_LOG_FORMAT,
  DEFAULT_HTTP_ACCESS_LOG_FORMAT,
  DEFAULT_WEBSOCKET_ACCESS_LOG_FORMAT,
} from '../../../config/schema.js';
import { apiGateway9V2AccessLogging } from '../../../remediators/controls/apigateway-9-v2-access-logging.js';
import { expectPlanFixes } from './apply-plan.js';

const control = testable(apiGateway9V2AccessLogging);
import {
  BASELINE,
  CLOUDWATCH_ROLE_ARN,
  EXISTING_FIREHOSE_ARN,
  baselineWith,
  snapshotOf,
  v2Snapshot,
  testable,
  CLOUDWATCH_ROLE_EFFECT,
  logGroupEffect,
} from './snapshots.js';

/** HTTP access logs go through log delivery: their log group lives under /aws/vendedlogs/. */
const STAGE_LOG_GROUP_ARN = {
  HTTP: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/vendedlogs/apigateway/access-logs/z9y8x7w6v5/live',
  WEBSOCKET: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/apigateway/access-logs/z9y8x7w6v5/live',
} as const;

describe('APIGateway.9 V2 access logging', () => {
  it('does not apply to REST stages (Baseline.RestAccessLogging covers them)', () => {
    const snapshot = snapshotOf('REST');
    expect(control.evaluate(snapshot, BASELINE).status).toBe('NOT_APPLICABLE');
    expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
  });

  it.each(['HTTP', 'WEBSOCKET'] as const)('passes a %s stage logging with $context.requestId', (protocol) => {
    const snapshot = v2Snapshot(protocol, {
      stage: {
        accessLogSettings: {
          destinationArn: EXISTING_FIREHOSE_ARN,
          format: '$context.requestId $context.status',
        },
      },
    });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.9',
      status: 'COMPLIANT',
      reason: `access logs go to ${EXISTING_FIREHOSE_ARN} in a format containing $context.requestId`,
    });
    expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
  });

  it.each(['HTTP', 'WEBSOCKET'] as const)(
    'sends a %s stage without access logs to its own log group in the baseline format',
    (protocol) => {
      const snapshot = v2Snapshot(protocol);
      expect(control.evaluate(snapshot, BASELINE).reason).toBe(
        'accessLogSettings.destinationArn is not set, so the stage writes no access logs; expected a destination; ' +
          'accessLogSettings.format is not set; expected a format containing $context.requestId',
      );
      const format =
        protocol === 'WEBSOCKET' ? DEFAULT_WEBSOCKET_ACCESS_LOG_FORMAT : DEFAULT_HTTP_ACCESS_LOG_FORMAT;
      const operation = {
        kind: 'v2AccessLog',
        destinationArn: STAGE_LOG_GROUP_ARN[protocol],
        format,
      };
      expect(control.plan(snapshot, BASELINE)).toEqual({
        controlId: 'APIGateway.9',
        changes: [
          {
            change: {
              setting: 'accessLogSettings.destinationArn',
              before: null,
              after: STAGE_LOG_GROUP_ARN[protocol],
            },
            operation,
          },
          {
            change: { setting: 'accessLogSettings.format', before: null, after: format },
            operation,
          },
        ],
        // WebSocket APIs write through the Region's CloudWatch role (not read here); HTTP APIs use log delivery.
        prerequisites:
          protocol === 'WEBSOCKET'
            ? [logGroupEffect(STAGE_LOG_GROUP_ARN.WEBSOCKET), CLOUDWATCH_ROLE_EFFECT]
            : [logGroupEffect(STAGE_LOG_GROUP_ARN.HTTP)],
        redeploy: false,
      });
      expectPlanFixes(control, snapshot, BASELINE);
    },
  );

  it('keeps an existing destination when only the format lacks $context.requestId', () => {
    const snapshot = v2Snapshot('HTTP', {
      stage: { accessLogSettings: { destinationArn: EXISTING_FIREHOSE_ARN, format: '$context.status' } },
    });
    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'accessLogSettings.format "$context.status" lacks $context.requestId; expected a format containing it',
    );
    expect(control.plan(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.9',
      changes: [
        {
          change: {
            setting: 'accessLogSettings.format',
            before: '$context.status',
            after: DEFAULT_HTTP_ACCESS_LOG_FORMAT,
          },
          operation: {
            kind: 'v2AccessLog',
            destinationArn: EXISTING_FIREHOSE_ARN,
            format: DEFAULT_HTTP_ACCESS_LOG_FORMAT,
          },
        },
      ],
      // The existing destination stays: no log group to create.
      prerequisites: [],
      redeploy: false,
    });
    expectPlanFixes(control, snapshot, BASELINE);
  });

  it('keeps a good format when only the destination is missing, and names $default safely', () => {
    const format = '{"id":"$context.requestId"}';
    const snapshot = v2Snapshot('HTTP', {
      ref: { stageName: '$default' },
      stage: { accessLogSettings: { format } },
    });
    const baseline = baselineWith({
      resources: { accessLogGroups: { httpNamePrefix: '/aws/vendedlogs/org/apigw' } },
    });
    const destinationArn =
      'arn:aws:logs:us-east-1:111122223333:log-group:/aws/vendedlogs/org/apigw/z9y8x7w6v5/#default';
    expect(control.plan(snapshot, baseline).changes).toEqual([
      {
        change: { setting: 'accessLogSettings.destinationArn', before: null, after: destinationArn },
        operation: { kind: 'v2AccessLog', destinationArn, format },
      },
    ]);
    expectPlanFixes(control, snapshot, baseline);
  });

  it('builds the log group ARN in the stage partition and Region', () => {
    const snapshot = v2Snapshot('WEBSOCKET', { ref: { partition: 'aws-us-gov', region: 'us-gov-west-1' } });
    const [first] = control.plan(snapshot, BASELINE).changes;
    expect(first?.change.after).toBe(
      'arn:aws-us-gov:logs:us-gov-west-1:111122223333:log-group:/aws/apigateway/access-logs/z9y8x7w6v5/live',
    );
  });

  it.each([
    ['WEBSOCKET', [CLOUDWATCH_ROLE_EFFECT]],
    ['HTTP', []],
  ] as const)(
    'a %s stage that keeps its destination and gets a new format needs %j (WebSocket logs through the account role)',
    (protocol, expected) => {
      const snapshot = v2Snapshot(protocol, {
        stage: {
          accessLogSettings: { destinationArn: STAGE_LOG_GROUP_ARN.WEBSOCKET, format: '$context.status' },
        },
      });
      expect(control.plan(snapshot, BASELINE).prerequisites).toEqual(expected);
    },
  );

  it('does not ask for the CloudWatch role of a WebSocket stage whose account already has one', () => {
    const snapshot = v2Snapshot('WEBSOCKET', { account: { cloudwatchRoleArn: CLOUDWATCH_ROLE_ARN } });
    expect(control.plan(snapshot, BASELINE).prerequisites).toEqual([
      logGroupEffect(STAGE_LOG_GROUP_ARN.WEBSOCKET),
    ]);
  });

  /**
   * The context variables each API type accepts in an access log format (API Gateway developer
   * guide: "Customize HTTP API access logs", "Customize WebSocket API access logs"); a stage update
   * with any other variable is refused ("The following context variables are not supported").
   * Only the variables the defaults use are listed.
   */
  const SUPPORTED = {
    HTTP: [
      '$context.requestId',
      '$context.identity.sourceIp',
      '$context.requestTime',
      '$context.httpMethod',
      '$context.routeKey',
      '$context.status',
      '$context.protocol',
      '$context.responseLength',
      '$context.error.message',
    ],
    WEBSOCKET: [
      '$context.requestId',
      '$context.identity.sourceIp',
      '$context.identity.caller',
      '$context.identity.user',
      '$context.requestTime',
      '$context.eventType',
      '$context.routeKey',
      '$context.status',
      '$context.connectionId',
      '$context.error.message',
    ],
  } as const;

  it.each(['HTTP', 'WEBSOCKET'] as const)(
    'writes a %s stage format with only that API type’s context variables, never the REST format',
    (protocol) => {
      const change = control
        .plan(v2Snapshot(protocol), BASELINE)
        .changes.find((planned) => planned.change.setting === 'accessLogSettings.format');
      const format = String(change?.change.after);
      const variables = format.match(/\$context\.[\w.]+/g) ?? [];
      expect(variables).toContain('$context.requestId');
      for (const variable of variables) expect(SUPPORTED[protocol]).toContain(variable);
      // REST-only variables the REST baseline format carries.
      expect(format).not.toContain('$context.resourcePath');
      expect(format).not.toBe(DEFAULT_ACCESS_LOG_FORMAT);
    },
  );

  it('takes the configured per-type formats', () => {
    const baseline = baselineWith({
      parameters: {
        'APIGateway.9': { httpFormat: '$context.requestId http', webSocketFormat: '$context.requestId ws' },
      },
    });
    const formatFor = (protocol: 'HTTP' | 'WEBSOCKET') =>
      control
        .plan(v2Snapshot(protocol), baseline)
        .changes.find((planned) => planned.change.setting === 'accessLogSettings.format')?.change.after;
    expect(formatFor('HTTP')).toBe('$context.requestId http');
    expect(formatFor('WEBSOCKET')).toBe('$context.requestId ws');
  });
});
