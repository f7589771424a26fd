/**
 * APIGateway.9: HTTP and WebSocket stages must have access logging configured (AWS Config
 * rule api-gwv2-access-logs-enabled), and the baseline asks for a format that carries
 * `$context.requestId`. An existing destination is kept when only the format is wrong.
 */
import * as z from 'zod';
import type { Effect } from '../core/effects/index.js';
import type { PlannedChange, StageSnapshot, V2StageSnapshot } from '../core/types.js';
import { defineControl, protocolOf } from './define-control.js';
import type { ControlContext, ControlMeta, Inspection } from './define-control.js';
import { v2StagePatchStatement } from './iam.js';
import {
  REQUIRED_ACCESS_LOG_FIELD,
  accessLogFormat,
  accessLogGroupArn,
  accessLogGroupEffect,
  cloudWatchRolePrerequisite,
} from './stage-settings.js';
import { notRestorable, restored, step, type Restoration, type UndoStep } from './undo.js';

/**
 * HTTP and WebSocket APIs accept only their own context variables in an access log format and
 * refuse the stage update otherwise ("The following context variables are not supported"):
 * `$context.resourcePath`, for one, exists only for REST APIs. These are the API Gateway console's
 * JSON defaults for each API type, plus the error message.
 */
export const DEFAULT_HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  errorMessage: '$context.error.message',
});

export const DEFAULT_WEBSOCKET_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  requestTime: '$context.requestTime',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  status: '$context.status',
  connectionId: '$context.connectionId',
  errorMessage: '$context.error.message',
});

const Params = z
  .object({
    /** HTTP API stages: only HTTP API context variables. */
    httpFormat: accessLogFormat(DEFAULT_HTTP_ACCESS_LOG_FORMAT),
    /** WebSocket API stages: only WebSocket API context variables. */
    webSocketFormat: accessLogFormat(DEFAULT_WEBSOCKET_ACCESS_LOG_FORMAT),
  })
  .strict();
type Context = ControlContext<z.output<typeof Params>>;

/** The baseline format for the stage's API type: HTTP and WebSocket APIs each refuse the other's (and REST's) variables. */
function baselineFormat(snapshot: V2StageSnapshot, { params }: Context): string {
  return protocolOf(snapshot) === 'WEBSOCKET' ? params.webSocketFormat : params.httpFormat;
}

function inspectV2(snapshot: V2StageSnapshot, context: Context): Inspection {
  const { destinationArn, format } = snapshot.stage.accessLogSettings ?? {};
  const formatPasses = format?.includes(REQUIRED_ACCESS_LOG_FIELD) ?? false;
  if (destinationArn && formatPasses) {
    return {
      compliant: true,
      reason: `access logs go to ${destinationArn} in a format containing ${REQUIRED_ACCESS_LOG_FIELD}`,
    };
  }

  // V2 UpdateStage replaces AccessLogSettings as a whole, so one operation carries both fields;
  // each changed field is still shown to the approver as its own before → after.
  const operation = {
    kind: 'v2AccessLog',
    destinationArn:
      destinationArn || accessLogGroupArn(context.resources, snapshot.ref, protocolOf(snapshot)),
    format: formatPasses && format ? format : baselineFormat(snapshot, context),
  } as const;
  const problems: string[] = [];
  const changes: PlannedChange[] = [];

  if (!destinationArn) {
    problems.push(
      'accessLogSettings.destinationArn is not set, so the stage writes no access logs; expected a destination',
    );
    changes.push({
      change: { setting: 'accessLogSettings.destinationArn', before: null, after: operation.destinationArn },
      operation,
    });
  }
  if (!formatPasses) {
    problems.push(
      format
        ? `accessLogSettings.format ${JSON.stringify(format)} lacks ${REQUIRED_ACCESS_LOG_FIELD}; expected a format containing it`
        : `accessLogSettings.format is not set; expected a format containing ${REQUIRED_ACCESS_LOG_FIELD}`,
    );
    changes.push({
      change: { setting: 'accessLogSettings.format', before: format ?? null, after: operation.format },
      operation,
    });
  }
  return { compliant: false, problems, changes };
}

/**
 * Only a stage that gets the service's destination needs the log group. HTTP APIs deliver access
 * logs through CloudWatch Logs log delivery and need nothing else. WebSocket APIs write access logs
 * through the Region's API Gateway CloudWatch role, like REST, so that role is a prerequisite of
 * every WebSocket access logging fix, an existing destination included: without it the stage logs
 * nothing. 'account' is not in `needs` so HTTP stages skip GetAccount: without that part the role
 * is listed, and the shell reads the account setting fresh and sets it only when it is missing.
 */
function prerequisites(snapshot: StageSnapshot, { resources }: Context): Effect[] {
  const protocol = protocolOf(snapshot);
  const logGroup: Effect[] = snapshot.stage.accessLogSettings?.destinationArn
    ? []
    : [accessLogGroupEffect(resources, snapshot.ref, protocol)];
  return protocol === 'WEBSOCKET'
    ? [...logGroup, ...cloudWatchRolePrerequisite(snapshot, resources)]
    : logGroup;
}

/**
 * Undo: a destination the fix set (none before) is taken back with apigatewayv2
 * DeleteAccessLogSettings ("To disable access logging for a Stage, delete its AccessLogSettings");
 * a format the fix replaced goes back in the AccessLogSettings object of the one UpdateStage, with
 * the destination the stage holds. A format that was not set while the stage's own destination
 * stays cannot be unset on its own.
 */
function undo(setting: string, snapshot: StageSnapshot, context: Context): UndoStep | undefined {
  if (snapshot.apiType !== 'V2') return undefined;
  const settings = snapshot.stage.accessLogSettings;
  const accessLoggingOff: Restoration = restored([{ kind: 'v2AccessLogDelete' }], null);
  if (setting === 'accessLogSettings.destinationArn') {
    return step(settings?.destinationArn, (before) =>
      before === null
        ? accessLoggingOff
        : restored(
            [
              {
                kind: 'v2AccessLog',
                destinationArn: String(before),
                format: settings?.format ?? baselineFormat(snapshot, context),
              },
            ],
            before,
          ),
    );
  }
  if (setting !== 'accessLogSettings.format') return undefined;
  const ownDestination = accessLogGroupArn(context.resources, snapshot.ref, protocolOf(snapshot));
  return step(settings?.format, (before) => {
    const destination = settings?.destinationArn;
    if (before !== null && destination !== undefined) {
      return restored([{ kind: 'v2AccessLog', destinationArn: destination, format: String(before) }], before);
    }
    return destination === ownDestination || destination === undefined
      ? accessLoggingOff
      : notRestorable(
          `the stage's own destination ${destination} stays, and a format cannot be unset while it does`,
        );
  });
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const apiGateway9V2AccessLoggingMeta = {
  id: 'APIGateway.9',
  title: 'Access logging should be configured for API Gateway V2 Stages',
  appliesTo: ['HTTP', 'WEBSOCKET'],
  kind: 'fixing',
  defaultMode: 'auto',
  params: Params,
} as const satisfies ControlMeta;

export const apiGateway9V2AccessLogging = /* @__PURE__ */ defineControl(apiGateway9V2AccessLoggingMeta, {
  needs: ['stage', 'api'],
  inspectV2,
  effects: ['accessLogGroup', 'accountCloudWatchRole'],
  prerequisites,
  iam: (scope) => [
    v2StagePatchStatement(scope),
    {
      // The caller of a V2 UpdateStage with AccessLogSettings needs these (API Gateway developer
      // guide, "Permissions to activate logging" for HTTP APIs); they have no resource type.
      sid: 'V2AccessLogDelivery',
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
      ],
      resources: ['*'],
    },
  ],
  docs: { redeploy: 'no', prerequisites: 'access log group (+ account CloudWatch role for WebSocket)' },
  undo,
  // The format's destination and the baseline format (HTTP or WebSocket) come from GetApi.
  undoNeeds: ['api'],
  // CloudFormation AWS::ApiGatewayV2::Stage AccessLogSettings (DestinationArn, Format); aws-cdk-lib
  // aws_apigatewayv2 StageOptions.accessLogSettings (HttpStage, WebSocketStage: IAccessLogSettings
  // destination + format); Terraform aws_apigatewayv2_stage access_log_settings (destination_arn,
  // format).
  sourceFix: {
    HTTP: {
      cloudFormation:
        'AWS::ApiGatewayV2::Stage AccessLogSettings: { DestinationArn: <log group ARN>, Format: <HTTP API format containing $context.requestId> }',
      cdk: 'HttpStage accessLogSettings: { destination: new apigatewayv2.LogGroupLogDestination(logGroup), format: apigateway.AccessLogFormat.custom(<format containing $context.requestId>) }',
      terraform:
        'aws_apigatewayv2_stage access_log_settings { destination_arn = aws_cloudwatch_log_group.<group>.arn, format = <format containing $context.requestId> }',
    },
    WEBSOCKET: {
      cloudFormation:
        'AWS::ApiGatewayV2::Stage AccessLogSettings: { DestinationArn: <log group ARN>, Format: <WebSocket API format containing $context.requestId> }',
      cdk: 'WebSocketStage accessLogSettings: { destination: new apigatewayv2.LogGroupLogDestination(logGroup), format: apigateway.AccessLogFormat.custom(<format containing $context.requestId>) }',
      terraform:
        'aws_apigatewayv2_stage access_log_settings { destination_arn = aws_cloudwatch_log_group.<group>.arn, format = <format containing $context.requestId> }',
    },
  },
});
