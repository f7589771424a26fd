/**
 * API Gateway and WAF calls seen in CloudTrail ("AWS API Call via CloudTrail") to remediation requests (pure).
 *
 * A call that changes a stage (UpdateStage, CreateStage, CreateDeployment, v2 DeleteAccessLogSettings
 * and DeleteRouteSettings, WAF DisassociateWebACL on a REST stage) asks for that stage to be checked
 * against the whole baseline of its API type; a call that changes the API (UpdateRestApi, UpdateApi,
 * and the whole-API imports PutRestApi and v2 ReimportApi) asks for every stage of it. UpdateAccount
 * changes the Region's CloudWatch role, not one stage: see {@link accountOutcome}. Failed calls
 * changed nothing, and calls made by the service's own roles are its own fixes: both are ignored,
 * so a remediation never triggers itself.
 *
 * API Gateway v1 and v2 log the same event names: v1 names the API `restApiId` and wraps request
 * bodies in `<operation>Input`, v2 names it `apiId` and keeps bodies flat (and URL-encodes
 * `$default` as `%24default` in `stageName`).
 */
import * as z from 'zod';
import { describeIssues, describeValue } from '../../config/issues.js';
import { AccountIdSchema } from '../../config/schema.js';
import { baselineControlIds } from '../controls/catalog.js';
import { parseStageArn, partitionOfRegion } from '../core/arn.js';
import type { ApiType } from '../core/types.js';
import type { CallerInfo } from '../iac/owner.js';
import { RegionSchema } from './fields.js';
import type { IntakeSettings, Outcome } from './types.js';

const API_ID = /^[a-z0-9]{1,64}$/i;
/** Letters, digits, - and _ (REST and V2), or `$default` (V2). */
const STAGE_NAME = /^(?:[\w-]{1,128}|\$default)$/;

const DetailSchema = z.object({
  eventSource: z.string().min(1).optional(),
  eventName: z.string().min(1),
  eventTime: z.string().min(1),
  eventID: z.string().min(1).optional(),
  awsRegion: RegionSchema.optional(),
  recipientAccountId: AccountIdSchema.optional(),
  errorCode: z.string().nullish(),
  // Who made the call for the principal (docs/decisions/0029): a deployment by CloudFormation shows
  // `userIdentity.invokedBy` and `sourceIPAddress` cloudformation.amazonaws.com, Terraform its
  // user agent (CloudTrail user guide, "CloudTrail record contents", "CloudTrail userIdentity element").
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  userIdentity: z.object({
    type: z.string().optional(),
    invokedBy: z.string().optional(),
    arn: z.string().optional(),
    principalId: z.string().optional(),
    sessionContext: z
      .object({ sessionIssuer: z.object({ arn: z.string().optional() }).optional() })
      .optional(),
  }),
  requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
  responseElements: z.record(z.string(), z.unknown()).nullable().optional(),
});

type Detail = z.infer<typeof DetailSchema>;

export interface CloudTrailEnvelope {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly detail: unknown;
}

/** Events that can take a stage out of the baseline, and whether they name one stage or the whole API. */
const STAGE_EVENTS = new Set([
  'UpdateStage',
  'CreateStage',
  'CreateDeployment',
  'DeleteAccessLogSettings',
  'DeleteRouteSettings',
]);
const API_EVENTS = new Set(['UpdateRestApi', 'UpdateApi', 'PutRestApi', 'ReimportApi']);
const ACCOUNT_EVENT = 'UpdateAccount';
const API_GATEWAY_SOURCE = 'apigateway.amazonaws.com';
const WAF_SOURCE = 'wafv2.amazonaws.com';
const WAF_EVENT = 'DisassociateWebACL';

/** `arn:aws:iam::111122223333:role/some/path/name` → `name` (the IAM path is not part of the name). */
function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

function ownRoleReason(detail: Detail, settings: IntakeSettings): string | undefined {
  const issuer = detail.userIdentity.sessionContext?.sessionIssuer?.arn;
  if (issuer === undefined || !issuer.includes(':role/')) return undefined;
  const own = roleNameOf(issuer) === settings.memberRoleName || settings.serviceRoleArns.includes(issuer);
  return own ? `made by the service's own role (sessionIssuer.arn = ${issuer})` : undefined;
}

function stringAt(
  record: Readonly<Record<string, unknown>> | null | undefined,
  key: string,
): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' ? value : undefined;
}

function objectAt(
  record: Readonly<Record<string, unknown>> | null | undefined,
  key: string,
): Readonly<Record<string, unknown>> | undefined {
  // Stryker disable next-line OptionalChaining: equivalent, the one caller runs after apiOf found an API id in `record`, so it is never null here
  const value = record?.[key];
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, stringAt reads only a string under its key, which a string, array or null in place of the body never holds
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Where each event names its stage, in the order to look (v1 wrapped body, then v2 flat, then response). */
function stageNameCandidates(
  detail: Detail,
): { readonly field: string; readonly value: string | undefined }[] {
  const request = detail.requestParameters;
  const response = detail.responseElements;
  const wrapped =
    detail.eventName === 'CreateStage'
      ? 'createStageInput'
      : detail.eventName === 'CreateDeployment'
        ? 'createDeploymentInput'
        : undefined;
  return [
    ...(wrapped === undefined
      ? // Stryker disable next-line ArrayDeclaration: equivalent, a candidate without a string value is passed over
        []
      : [
          {
            field: `requestParameters.${wrapped}.stageName`,
            value: stringAt(objectAt(request, wrapped), 'stageName'),
          },
        ]),
    { field: 'requestParameters.stageName', value: stringAt(request, 'stageName') },
    ...(detail.eventName === 'CreateDeployment'
      ? // Stryker disable next-line ArrayDeclaration: equivalent, a candidate without a string value is passed over
        []
      : [{ field: 'responseElements.stageName', value: stringAt(response, 'stageName') }]),
  ];
}

type StageLookup =
  | { readonly kind: 'found'; readonly stageName: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly error: string };

function stageNameOf(detail: Detail): StageLookup {
  const candidate = stageNameCandidates(detail).find(({ value }) => value !== undefined && value !== '');
  if (candidate?.value === undefined) return { kind: 'none' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(candidate.value);
  } catch {
    return {
      kind: 'invalid',
      error: `${candidate.field}: got ${describeValue(candidate.value)}; expected a stage name (invalid URL encoding)`,
    };
  }
  if (!STAGE_NAME.test(decoded)) {
    return {
      kind: 'invalid',
      error: `${candidate.field}: got ${describeValue(candidate.value)}; expected a stage name (letters, digits, - and _, or $default)`,
    };
  }
  // Stryker disable next-line StringLiteral: equivalent, the caller tells the kinds apart by 'invalid' and 'none' only
  return { kind: 'found', stageName: decoded };
}

function apiOf(
  detail: Detail,
): { readonly apiType: ApiType; readonly apiId: string } | { readonly error: string } {
  const request = detail.requestParameters;
  const restApiId = stringAt(request, 'restApiId');
  const apiId = stringAt(request, 'apiId');
  const [field, value, apiType]: [string, string | undefined, ApiType] =
    restApiId !== undefined ? ['restApiId', restApiId, 'REST'] : ['apiId', apiId, 'V2'];
  if (value === undefined) {
    return {
      error: `requestParameters: has neither restApiId (REST API) nor apiId (HTTP/WebSocket API); got ${describeValue(request)}`,
    };
  }
  if (!API_ID.test(value)) {
    return {
      error: `requestParameters.${field}: got ${describeValue(value)}; expected an API id (letters and digits)`,
    };
  }
  return { apiType, apiId: value };
}

function requestOf(
  envelope: CloudTrailEnvelope,
  detail: Detail,
  target: { readonly apiType: ApiType; readonly apiId: string; readonly stageName: string | null },
): Outcome {
  const region = detail.awsRegion ?? envelope.region;
  return {
    kind: 'request',
    request: {
      trigger: 'cloudtrail',
      account: detail.recipientAccountId ?? envelope.account,
      region,
      partition: partitionOfRegion(region),
      apiType: target.apiType,
      apiId: target.apiId,
      stageName: target.stageName,
      controls: [...baselineControlIds(target.apiType)],
      eventId: detail.eventID ?? envelope.id,
      eventTime: detail.eventTime,
      eventName: detail.eventName,
      actor:
        detail.userIdentity.arn ?? detail.userIdentity.principalId ?? detail.userIdentity.type ?? 'unknown',
      ...callerOf(detail),
    },
  };
}

/** The caller fields the owner detection and the flap guard read, when the event has any. */
function callerOf(detail: Detail): { readonly caller?: CallerInfo } {
  const caller: CallerInfo = {
    ...(nonEmpty(detail.userIdentity.invokedBy) ? { invokedBy: detail.userIdentity.invokedBy } : {}),
    ...(nonEmpty(detail.sourceIPAddress) ? { sourceIPAddress: detail.sourceIPAddress } : {}),
    ...(nonEmpty(detail.userAgent) ? { userAgent: detail.userAgent } : {}),
  };
  return Object.keys(caller).length === 0 ? {} : { caller };
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/**
 * WAF DisassociateWebACL: the web ACL was taken off `requestParameters.resourceArn`. Only an
 * API Gateway stage is this service's business (a REST stage: HTTP and WebSocket APIs take no
 * web ACL); an Application Load Balancer, AppSync API, Cognito user pool… is ignored.
 */
function wafOutcome(envelope: CloudTrailEnvelope, detail: Detail, label: string): Outcome {
  const resourceArn = stringAt(detail.requestParameters, 'resourceArn');
  if (resourceArn === undefined) {
    return {
      kind: 'rejected',
      error: `${label}: requestParameters.resourceArn: got ${describeValue(detail.requestParameters?.['resourceArn'])}; expected the ARN of the resource the web ACL was taken off`,
    };
  }
  if (!/^arn:[\w-]+:apigateway:/.test(resourceArn)) {
    return {
      kind: 'ignored',
      reason: `${label}: the web ACL was taken off ${resourceArn}, not an API Gateway stage`,
    };
  }
  let stage: ReturnType<typeof parseStageArn>;
  try {
    stage = parseStageArn(resourceArn);
  } catch (error) {
    return {
      kind: 'rejected',
      error: `${label}: requestParameters.resourceArn: ${error instanceof Error ? error.message : describeValue(error)}`,
    };
  }
  return requestOf(envelope, detail, stage);
}

/**
 * UpdateAccount changes the Region's API Gateway account settings, among them cloudwatchRoleArn,
 * the role execution logs (REST, WebSocket) and WebSocket access logs are written through. It
 * names no API, and checking every stage of the Region would start one run per API — thousands
 * in a large account — for a setting that is one value. So (docs/decisions/0011):
 * - the call left a CloudWatch role set (`responseElements.cloudwatchRoleArn`, the account after
 *   the call): an owner's choice, ignored with the reason; the next run on any stage re-reads it;
 * - the call removed it (or the response does not show one): logs of every such stage in the
 *   Region stop, so the item is rejected, which notifies the team and counts in the Rejected
 *   metric (alarmed) with what to do. The service itself restores the role (UpdateAccount, once
 *   per Region) as the prerequisite of the next execution-logging fix.
 */
function accountOutcome(envelope: CloudTrailEnvelope, detail: Detail, label: string): Outcome {
  const account = detail.recipientAccountId ?? envelope.account;
  const region = detail.awsRegion ?? envelope.region;
  const roleArn = stringAt(detail.responseElements, 'cloudwatchRoleArn');
  if (roleArn !== undefined && roleArn !== '') {
    return {
      kind: 'ignored',
      reason: `${label}: the API Gateway account settings of ${account}/${region} now name CloudWatch role ${roleArn}; an owner's choice, read again by the next run`,
    };
  }
  return {
    kind: 'rejected',
    error:
      `${label}: the API Gateway CloudWatch role of ${account}/${region} was removed by ${detail.userIdentity.arn ?? detail.userIdentity.principalId ?? 'unknown'}: ` +
      'execution logs (REST, WebSocket) and WebSocket access logs of every stage in the Region stop. ' +
      'No run was started (the setting is one per Region, not per stage): set it again ' +
      '(aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role ARN>), ' +
      'or the next execution-logging fix of a stage there restores the baseline role',
  };
}

/** The fate of one CloudTrail event. */
export function cloudTrailOutcome(envelope: CloudTrailEnvelope, settings: IntakeSettings): Outcome {
  const parsed = DetailSchema.safeParse(envelope.detail);
  if (!parsed.success) {
    return {
      kind: 'rejected',
      error: `CloudTrail event ${envelope.id}: ${describeIssues(DetailSchema, parsed.error.issues, envelope.detail, ['detail']).join('; ')}`,
    };
  }
  const detail = parsed.data;
  const label = `CloudTrail ${detail.eventName} ${detail.eventID ?? envelope.id}`;

  if (detail.errorCode !== undefined && detail.errorCode !== null) {
    return {
      kind: 'ignored',
      reason: `${label}: the call failed (errorCode ${detail.errorCode}), so nothing changed`,
    };
  }
  const own = ownRoleReason(detail, settings);
  if (own !== undefined) {
    return { kind: 'ignored', reason: `${label}: ${own}` };
  }
  const eventSource = detail.eventSource ?? API_GATEWAY_SOURCE;
  if (eventSource === WAF_SOURCE) {
    if (detail.eventName !== WAF_EVENT) {
      return {
        kind: 'ignored',
        reason: `${label}: the only WAF call that can take a stage out of the baseline is ${WAF_EVENT}`,
      };
    }
    return wafOutcome(envelope, detail, label);
  }
  if (eventSource !== API_GATEWAY_SOURCE) {
    return {
      kind: 'rejected',
      error: `${label}: eventSource ${describeValue(eventSource)} is not handled; expected ${API_GATEWAY_SOURCE} or ${WAF_SOURCE}`,
    };
  }
  if (detail.eventName === ACCOUNT_EVENT) return accountOutcome(envelope, detail, label);
  const changesStage = STAGE_EVENTS.has(detail.eventName);
  if (!changesStage && !API_EVENTS.has(detail.eventName)) {
    return {
      kind: 'ignored',
      reason: `${label}: not a call that can change a stage's baseline (${[...STAGE_EVENTS, ...API_EVENTS, ACCOUNT_EVENT].join(', ')})`,
    };
  }

  const api = apiOf(detail);
  if ('error' in api) return { kind: 'rejected', error: `${label}: ${api.error}` };

  let stageName: string | null = null;
  if (changesStage) {
    const stage = stageNameOf(detail);
    if (stage.kind === 'invalid') return { kind: 'rejected', error: `${label}: ${stage.error}` };
    if (stage.kind === 'none') {
      if (detail.eventName === 'CreateDeployment') {
        return { kind: 'ignored', reason: `${label}: a deployment without stageName changes no stage` };
      }
      return {
        kind: 'rejected',
        error: `${label}: no stage name in requestParameters or responseElements; expected stageName`,
      };
    }
    stageName = stage.stageName;
  }

  return requestOf(envelope, detail, { ...api, stageName });
}
