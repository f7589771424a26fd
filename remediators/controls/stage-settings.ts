/**
 * Pure helpers shared by the controls: method-settings keys and patch paths, the effective
 * value of a setting that a per-method key may inherit from `*\/*`, and access log naming.
 */
import * as z from 'zod';
import type { AccessLogGroupEffect, AccountCloudWatchRoleEffect } from '../core/effects/index.js';
import type { Protocol, StageRef, StageSnapshot } from '../core/types.js';
import type { ResourceSettings } from './resources.js';

/** The method-settings key that applies to every method of a REST stage. */
export const STAGE_WIDE_KEY = '*/*';

/** The levels that pass APIGateway.1 (the AWS Config rule api-gw-execution-logging-enabled). */
export const PASSING_LOG_LEVELS: readonly string[] = ['ERROR', 'INFO'];

/**
 * The key of one method in a stage's methodSettings: `{resourcePath}/{HTTP_METHOD}` with the
 * resource path escaped as a JSON Pointer token (RFC 6901: `~` as `~0`, `/` as `~1`), because
 * the key is also a segment of the UpdateStage patch path: `/pets/{id}` + GET → `~1pets~1{id}/GET`.
 */
export function methodSettingKey(resourcePath: string, httpMethod: string): string {
  const escaped = resourcePath.replaceAll('~', '~0').replaceAll('/', '~1');
  return `${escaped}/${httpMethod.toUpperCase()}`;
}

/** The part of an UpdateStage patch path below the method-settings key. */
export type MethodSettingField =
  'logging/loglevel' | 'caching/dataEncrypted' | 'throttling/rateLimit' | 'throttling/burstLimit';

/** `*\/*` + logging/loglevel → `/*\/*\/logging/loglevel`; `~1pets/GET` → `/~1pets/GET/logging/loglevel`. */
export function methodSettingPatchPath(key: string, field: MethodSettingField): string {
  return `/${key}/${field}`;
}

/** The per-method keys (every key but `*\/*`) in code-point order, so plans are deterministic. */
export function perMethodSettingKeys(methodSettings: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(methodSettings)
    .filter((key) => key !== STAGE_WIDE_KEY)
    .sort(compareCodePoints);
}

/** Locale-independent ordering (localeCompare would depend on the Lambda's ICU data). */
export function compareCodePoints(left: string, right: string): number {
  if (left < right) return -1;
  return left > right ? 1 : 0;
}

/** Human name of a method setting, as the approver and the auditor read it. */
export function methodSettingName(key: string, field: string): string {
  return `methodSettings[${key}].${field}`;
}

/**
 * Log group names allow only `[A-Za-z0-9_\-/.#]`; stage names allow only `[A-Za-z0-9_-]` except
 * the V2 `$default` stage. `$` becomes `#`, which no stage name can contain, so two stages can
 * never share a log group.
 */
function logGroupSegment(name: string): string {
  return name.replaceAll('$', '#');
}

/**
 * The prefix of the service's access log groups for a protocol. HTTP APIs deliver access logs
 * through CloudWatch Logs log delivery (the HTTP API logging guide asks for logs:CreateLogDelivery
 * and logs:PutResourcePolicy), which grants itself each destination in the account's CloudWatch
 * Logs resource policy, and a resource policy holds at most 5,120 characters. For log groups whose
 * names start with `/aws/vendedlogs/` CloudWatch Logs does not need a statement per group (the
 * Step Functions guide "Avoiding CloudWatch Logs resource policy size restrictions"; the Cognito
 * LogDeliveryConfiguration reference: "To send logs to log groups with a resource policy of a
 * size greater than 5120 characters, configure a log group with a path that starts with
 * /aws/vendedlogs"). So HTTP access log groups live under `accessLogs.httpLogGroupNamePrefix`
 * (default `/aws/vendedlogs/apigateway/access-logs`): thousands of HTTP stages in one account do
 * not fill the policy. REST and WebSocket stages write through the Region's API Gateway CloudWatch
 * role instead, with no resource policy involved, and keep `resources.accessLogGroups.namePrefix`.
 */
function accessLogGroupPrefix(resources: ResourceSettings, protocol: Protocol): string {
  return protocol === 'HTTP'
    ? resources.accessLogGroups.httpNamePrefix
    : resources.accessLogGroups.namePrefix;
}

/** The access log group of one stage: `{prefix for the protocol}/{apiId}/{stageName}`. */
export function accessLogGroupName(resources: ResourceSettings, ref: StageRef, protocol: Protocol): string {
  return `${accessLogGroupPrefix(resources, protocol)}/${ref.apiId}/${logGroupSegment(ref.stageName)}`;
}

/** The log group ARN API Gateway expects as access log destination (no trailing `:*`). */
export function accessLogGroupArn(resources: ResourceSettings, ref: StageRef, protocol: Protocol): string {
  return `arn:${ref.partition}:logs:${ref.region}:${ref.account}:log-group:${accessLogGroupName(resources, ref, protocol)}`;
}

/** The stage's access log group as an effect: created with the configured retention and tags. */
export function accessLogGroupEffect(
  resources: ResourceSettings,
  ref: StageRef,
  protocol: Protocol,
): AccessLogGroupEffect {
  return {
    kind: 'accessLogGroup',
    name: accessLogGroupName(resources, ref, protocol),
    retentionDays: resources.accessLogGroups.retentionDays,
    tags: resources.tags,
  };
}

/** The field every access log format must contain so a log line can be tied to a request. */
export const REQUIRED_ACCESS_LOG_FIELD = '$context.requestId';

/**
 * REST and WebSocket stages write execution and access logs to CloudWatch Logs through the
 * Region's API Gateway CloudWatch role (an account setting; HTTP APIs use log delivery instead).
 * It is a prerequisite unless the snapshot's 'account' part shows it is already set.
 */
export function cloudWatchRolePrerequisite(
  snapshot: StageSnapshot,
  resources: ResourceSettings,
): AccountCloudWatchRoleEffect[] {
  return snapshot.account?.cloudwatchRoleArn
    ? []
    : [{ kind: 'accountCloudWatchRole', roleName: resources.cloudWatchRole.name }];
}

/** An access log format parameter: it must carry `$context.requestId` (APIGateway.9, REST access logging). */
export const accessLogFormat = (fallback: string) =>
  z
    .string()
    .refine((format) => format.includes(REQUIRED_ACCESS_LOG_FIELD), {
      message: `the access log format must contain ${REQUIRED_ACCESS_LOG_FIELD}`,
    })
    .default(fallback);
