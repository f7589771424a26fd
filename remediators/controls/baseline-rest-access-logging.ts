/**
 * Baseline.RestAccessLogging: REST stages must write access logs, in a format that carries
 * `$context.requestId` so every line can be tied to a request. An existing destination
 * (CloudWatch Logs or Firehose) is kept; only a missing one is set to the stage's log group.
 */
import type { BaselineConfig } from '../../config/schema.js';
import type { PlannedChange, Prerequisite, RestStageSnapshot, StageSnapshot } from '../core/types.js';
import { defineControl, inspectionOf } from './define-control.js';
import type { Inspection } from './define-control.js';
import {
  REQUIRED_ACCESS_LOG_FIELD,
  accessLogGroupArn,
  cloudWatchRolePrerequisite,
} from './stage-settings.js';

function inspectRest(snapshot: RestStageSnapshot, baseline: BaselineConfig): Inspection {
  const { destinationArn, format } = snapshot.stage.accessLogSettings ?? {};
  const problems: string[] = [];
  const changes: PlannedChange[] = [];

  if (!destinationArn) {
    const destination = accessLogGroupArn(baseline, snapshot.ref, 'REST');
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
        after: baseline.accessLogs.format,
      },
      operation: {
        kind: 'restStagePatch',
        op: 'replace',
        path: '/accessLogSettings/format',
        value: baseline.accessLogs.format,
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
function prerequisites(snapshot: StageSnapshot): Prerequisite[] {
  if (snapshot.stage.accessLogSettings?.destinationArn) return [];
  return ['accessLogGroup', ...cloudWatchRolePrerequisite(snapshot)];
}

export const baselineRestAccessLogging = defineControl({
  id: 'Baseline.RestAccessLogging',
  title: 'API Gateway REST API stages should write access logs that identify each request',
  appliesTo: ['REST'],
  remediation: 'auto-fixable',
  needs: ['stage', 'api', 'account'],
  inspectRest,
  prerequisites,
});
