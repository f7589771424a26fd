/**
 * APIGateway.9: HTTP and WebSocket stages must have access logging configured (AWS Config
 * rule api-gwv2-access-logs-enabled), and the baseline asks for a format that carries
 * `$context.requestId`. An existing destination is kept when only the format is wrong.
 */
import type { BaselineConfig } from '../../config/schema.js';
import type { PlannedChange, Prerequisite, StageSnapshot, V2StageSnapshot } from '../core/types.js';
import { defineControl, protocolOf } from './define-control.js';
import type { Inspection } from './define-control.js';
import {
  REQUIRED_ACCESS_LOG_FIELD,
  accessLogGroupArn,
  cloudWatchRolePrerequisite,
} from './stage-settings.js';

/** The baseline format for the stage's API type: HTTP and WebSocket APIs each refuse the other's (and REST's) variables. */
function baselineFormat(snapshot: V2StageSnapshot, baseline: BaselineConfig): string {
  return protocolOf(snapshot) === 'WEBSOCKET'
    ? baseline.accessLogs.webSocketFormat
    : baseline.accessLogs.httpFormat;
}

function inspectV2(snapshot: V2StageSnapshot, baseline: BaselineConfig): Inspection {
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
    destinationArn: destinationArn || accessLogGroupArn(baseline, snapshot.ref, protocolOf(snapshot)),
    format: formatPasses && format ? format : baselineFormat(snapshot, baseline),
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
function prerequisites(snapshot: StageSnapshot): Prerequisite[] {
  const logGroup: Prerequisite[] = snapshot.stage.accessLogSettings?.destinationArn ? [] : ['accessLogGroup'];
  return protocolOf(snapshot) === 'WEBSOCKET'
    ? [...logGroup, ...cloudWatchRolePrerequisite(snapshot)]
    : logGroup;
}

export const apiGateway9V2AccessLogging = defineControl({
  id: 'APIGateway.9',
  title: 'Access logging should be configured for API Gateway V2 Stages',
  appliesTo: ['HTTP', 'WEBSOCKET'],
  remediation: 'auto-fixable',
  needs: ['stage', 'api'],
  inspectV2,
  prerequisites,
});
