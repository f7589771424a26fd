/**
 * Baseline.RestAccessLogging: REST stages must write access logs, in a format that carries
 * `$context.requestId` so every line can be tied to a request. An existing destination
 * (CloudWatch Logs or Firehose) is kept; only a missing one is set to the stage's log group.
 */
import * as z from 'zod';
import type { Effect } from '../core/effects/index.js';
import type { PlannedChange, RestStageSnapshot, StageSnapshot } from '../core/types.js';
import { defineControl, inspectionOf } from './define-control.js';
import type { ControlContext, ControlMeta, Inspection } from './define-control.js';
import { restStagePatchStatement } from './iam.js';
import {
  REQUIRED_ACCESS_LOG_FIELD,
  accessLogFormat,
  accessLogGroupArn,
  accessLogGroupEffect,
  cloudWatchRolePrerequisite,
} from './stage-settings.js';
import { notRestorable, restored, step, type Restoration, type UndoStep } from './undo.js';

/** The seeds' JSON access log format; `$context.requestId` is mandatory. */
export const DEFAULT_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  errorMessage: '$context.error.message',
});

const Params = z
  .object({
    /** The access log format of REST stages (and of the service's own approval API). */
    format: accessLogFormat(DEFAULT_ACCESS_LOG_FORMAT),
  })
  .strict();
type Context = ControlContext<z.output<typeof Params>>;

function inspectRest(snapshot: RestStageSnapshot, { params, resources }: Context): Inspection {
  const { destinationArn, format } = snapshot.stage.accessLogSettings ?? {};
  const problems: string[] = [];
  const changes: PlannedChange[] = [];

  if (!destinationArn) {
    // Stryker disable next-line StringLiteral: equivalent, every protocol but HTTP takes the REST log group prefix (stage-settings.ts)
    const destination = accessLogGroupArn(resources, snapshot.ref, 'REST');
    problems.push(
      'accessLogSettings.destinationArn is not set, so the stage writes no access logs; expected a destination',
    );
    changes.push({
      change: { setting: 'accessLogSettings.destinationArn', before: null, after: destination },
      operation: {
        kind: 'restStagePatch',
        op: 'replace',
        path: '/accessLogSettings/destinationArn',
        value: destination,
      },
    });
  }
  if (!format?.includes(REQUIRED_ACCESS_LOG_FIELD)) {
    problems.push(
      format
        ? `accessLogSettings.format ${JSON.stringify(format)} lacks ${REQUIRED_ACCESS_LOG_FIELD}; expected a format containing it`
        : `accessLogSettings.format is not set; expected a format containing ${REQUIRED_ACCESS_LOG_FIELD}`,
    );
    changes.push({
      change: {
        setting: 'accessLogSettings.format',
        before: format ?? null,
        after: params.format,
      },
      operation: {
        kind: 'restStagePatch',
        op: 'replace',
        path: '/accessLogSettings/format',
        value: params.format,
      },
    });
  }

  return inspectionOf(
    problems,
    changes,
    `access logs go to ${destinationArn ?? ''} in a format containing ${REQUIRED_ACCESS_LOG_FIELD}`,
  );
}

/**
 * Only a stage that gets the service's destination needs the log group, and the Region's
 * CloudWatch role through which API Gateway writes to it. A kept destination already works.
 */
function prerequisites(snapshot: StageSnapshot, { resources }: Context): Effect[] {
  if (snapshot.stage.accessLogSettings?.destinationArn) return [];
  return [
    // Stryker disable next-line StringLiteral: equivalent, every protocol but HTTP takes the REST log group prefix (stage-settings.ts)
    accessLogGroupEffect(resources, snapshot.ref, 'REST'),
    ...cloudWatchRolePrerequisite(snapshot, resources),
  ];
}

/**
 * Undo: a destination the fix set (none before) is taken back with `remove /accessLogSettings`,
 * which turns access logging off (the format goes with it); a format the fix replaced goes back
 * with `replace /accessLogSettings/format`. A format that was not set while the stage's own
 * destination stays cannot be unset on its own.
 */
function undo(setting: string, snapshot: StageSnapshot, { resources }: Context): UndoStep | undefined {
  if (snapshot.apiType !== 'REST') return undefined;
  const settings = snapshot.stage.accessLogSettings;
  const accessLoggingOff: Restoration = restored(
    [{ kind: 'restStagePatch', op: 'remove', path: '/accessLogSettings' }],
    null,
  );
  if (setting === 'accessLogSettings.destinationArn') {
    return step(settings?.destinationArn, (before) =>
      before === null
        ? accessLoggingOff
        : restored(
            [
              {
                kind: 'restStagePatch',
                op: 'replace',
                path: '/accessLogSettings/destinationArn',
                value: String(before),
              },
            ],
            before,
          ),
    );
  }
  if (setting !== 'accessLogSettings.format') return undefined;
  // Stryker disable next-line StringLiteral: equivalent, every protocol but HTTP takes the REST log group prefix (stage-settings.ts)
  const ownDestination = accessLogGroupArn(resources, snapshot.ref, 'REST');
  return step(settings?.format, (before) => {
    if (before !== null) {
      return restored(
        [{ kind: 'restStagePatch', op: 'replace', path: '/accessLogSettings/format', value: String(before) }],
        before,
      );
    }
    return settings?.destinationArn === ownDestination
      ? accessLoggingOff
      : notRestorable(
          `the stage's own destination ${settings?.destinationArn ?? '(none)'} stays, and a format cannot be unset while it does`,
        );
  });
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const baselineRestAccessLoggingMeta = {
  id: 'Baseline.RestAccessLogging',
  title: 'API Gateway REST API stages should write access logs that identify each request',
  appliesTo: ['REST'],
  kind: 'fixing',
  defaultMode: 'auto',
  params: Params,
} as const satisfies ControlMeta;

export const baselineRestAccessLogging = /* @__PURE__ */ defineControl(baselineRestAccessLoggingMeta, {
  needs: ['stage', 'api', 'account'],
  inspectRest,
  effects: ['accessLogGroup', 'accountCloudWatchRole'],
  prerequisites,
  iam: (scope) => [restStagePatchStatement(scope)],
  docs: { redeploy: 'no', prerequisites: 'access log group, account CloudWatch role' },
  undo,
  // CloudFormation AWS::ApiGateway::Stage AccessLogSetting (DestinationArn, Format); aws-cdk-lib
  // aws_apigateway StageOptions.accessLogDestination + accessLogFormat ("The format must include
  // either AccessLogFormat.contextRequestId() or AccessLogFormat.contextExtendedRequestId()");
  // Terraform aws_api_gateway_stage access_log_settings (destination_arn, format).
  sourceFix: {
    REST: {
      cloudFormation:
        'AWS::ApiGateway::Stage AccessLogSetting: { DestinationArn: <log group ARN>, Format: <format containing $context.requestId> }',
      cdk: 'RestApi deployOptions: { accessLogDestination: new apigateway.LogGroupLogDestination(logGroup), accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields() }',
      terraform:
        'aws_api_gateway_stage access_log_settings { destination_arn = aws_cloudwatch_log_group.<group>.arn, format = <format containing $context.requestId> }',
    },
  },
});
