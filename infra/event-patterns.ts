/**
 * The EventBridge patterns that start a remediation, as pure functions so the stacks and the
 * tests (CDK assertions and moto_server) use exactly the same JSON.
 *
 * Shapes: ../shared/fixtures/events and design.md §4.
 */
import type { EventPattern } from 'aws-cdk-lib/aws-events';
import { CONTROL_IDS } from '../remediators/controls/catalog.js';
import { UNDO_ACTION_ID } from '../remediators/intake/undo.js';

/** An EventBridge pattern: nested objects whose leaves are arrays of values or filters. */
export interface EventPatternJson {
  readonly [field: string]: EventPatternJson | readonly unknown[];
}

/** The Security Hub control ids the service handles (the `Baseline.*` controls have no AWS finding). */
export const SECURITY_HUB_CONTROL_IDS: readonly string[] = CONTROL_IDS.filter((id) =>
  id.startsWith('APIGateway.'),
);

/**
 * The API Gateway calls after which a stage may have drifted (v1 and v2 share these names):
 * stage changes, v2's deletions of a stage's access logging or of one route's settings, API
 * changes, whole-API imports (REST PutRestApi, v2 ReimportApi: they can reset API-level settings
 * such as disableExecuteApiEndpoint), and UpdateAccount (the Region's CloudWatch role that
 * execution and WebSocket access logs are written through).
 */
export const DRIFT_EVENT_NAMES = [
  'UpdateStage',
  'CreateDeployment',
  'UpdateRestApi',
  'UpdateApi',
  'CreateStage',
  'DeleteAccessLogSettings',
  'DeleteRouteSettings',
  'PutRestApi',
  'ReimportApi',
  'UpdateAccount',
] as const;

/** The WAF (wafv2) calls that undo APIGateway.4: a web ACL taken off a stage. */
export const WAF_DRIFT_EVENT_NAMES = ['DisassociateWebACL'] as const;

/**
 * A web ACL is associated with an API Gateway REST stage by the stage's ARN,
 * `arn:{partition}:apigateway:{region}::/restapis/{id}/stages/{name}` (WAF API Reference,
 * DisassociateWebACL ResourceArn): ALB, AppSync, Cognito, App Runner and Verified Access
 * resources have other ARNs and are not this service's business.
 */
export const API_GATEWAY_ARN_PREFIXES = ['aws', 'aws-cn', 'aws-us-gov'].map(
  (partition) => `arn:${partition}:apigateway:`,
);

export const CUSTOM_ACTION_ID = 'ApigwRemediate';
/** Security Hub limits an action name to 20 characters: the full wording goes in the description. */
export const CUSTOM_ACTION_NAME = 'Remediate API stage';
export const CUSTOM_ACTION_DESCRIPTION =
  'Remediate API Gateway stage: run apigw-remediation on the selected findings now';

/** The intake tells this action from Remediate by its Id (remediators/intake/undo.ts). */
export { UNDO_ACTION_ID };
/** Exactly 20 characters, Security Hub's limit for an action name (CreateActionTarget). */
export const UNDO_ACTION_NAME = 'Undo API remediation';
export const UNDO_ACTION_DESCRIPTION =
  "Undo API Gateway remediation: take back the selected findings' latest remediation by apigw-remediation";

/**
 * Failing, active, untouched API Gateway findings. Workflow NEW only: the workflow sets
 * NOTIFIED first, so its own BatchUpdateFindings (which emit a new Imported event) do not
 * start it again. The control id is in Compliance.SecurityControlId (consolidated findings)
 * or only in ProductFields.ControlId (GovCloud and China have no consolidated view).
 */
export function securityHubFindingsPattern(): EventPatternJson {
  return {
    source: ['aws.securityhub'],
    'detail-type': ['Security Hub Findings - Imported'],
    detail: {
      findings: {
        Compliance: { Status: ['FAILED'] },
        RecordState: ['ACTIVE'],
        Workflow: { Status: ['NEW'] },
        $or: [
          { Compliance: { SecurityControlId: [...SECURITY_HUB_CONTROL_IDS] } },
          { ProductFields: { ControlId: [...SECURITY_HUB_CONTROL_IDS] } },
        ],
      },
    },
  };
}

/**
 * The same narrowing for the new Security Hub's OCSF findings ("Findings Imported V2", one finding
 * per event; see remediators/intake/ocsf.ts for where each field lives): Compliance Findings
 * (class_uid 2003) of Security Hub's own controls product (`…::productv2/aws/securityhub`, any
 * partition and Region) for the API Gateway controls, failing (compliance.status_id 3), New
 * (status_id 1: the workflow sets In Progress first, so its own BatchUpdateFindingsV2 calls do not
 * start it again) and not closed (activity_id 3 is Close). Intake re-checks every field.
 */
export function securityHubOcsfFindingsPattern(): EventPatternJson {
  return {
    source: ['aws.securityhub'],
    'detail-type': ['Findings Imported V2'],
    detail: {
      findings: {
        class_uid: [2003],
        metadata: { product: { uid: [{ suffix: '::productv2/aws/securityhub' }] } },
        compliance: { control: [...SECURITY_HUB_CONTROL_IDS], status_id: [3] },
        status_id: [1],
        activity_id: [{ 'anything-but': [3] }],
      },
    },
  };
}

/**
 * A human chose "Remediate API Gateway stage" on findings in the Security Hub console. No
 * status filter: the choice is deliberate, and the intake still checks each finding.
 */
export function securityHubCustomActionPattern(actionTargetArn: string): EventPatternJson {
  return {
    source: ['aws.securityhub'],
    'detail-type': ['Security Hub Findings - Custom Action'],
    resources: [actionTargetArn],
  };
}

/**
 * Successful API Gateway and WAF calls that may have changed a stage, except those made by the
 * service's own roles (a remediation must never trigger itself).
 *
 * The exclusion is on the session issuer's role NAME: the member role has the same name in
 * every account, so its ARN cannot be listed, and the central roles are named per Region.
 * Calls by IAM users and root have no `sessionContext` at all, and a pattern field only
 * matches events that have it, so the exclusion is an `$or` (issuer absent, or issuer not
 * ours); a plain anything-but would silently drop every IAM user's drift.
 *
 * API Gateway calls come from `aws.apigateway` (eventSource apigateway.amazonaws.com), WAF
 * calls from `aws.wafv2` (eventSource wafv2.amazonaws.com; EventBridge User Guide, events from
 * AWS services via CloudTrail), so each source has its own branch of a top-level `$or`, the WAF
 * one only for API Gateway resources; the exclusion applies to both.
 */
export function cloudTrailDriftPattern(ownRoleNames: readonly string[]): EventPatternJson {
  if (ownRoleNames.length === 0) {
    throw new Error(
      'cloudTrailDriftPattern needs the names of the service roles to exclude (got an empty list); ' +
        'without them every remediation would trigger another one',
    );
  }
  return {
    'detail-type': ['AWS API Call via CloudTrail'],
    $or: [
      {
        source: ['aws.apigateway'],
        detail: { eventSource: ['apigateway.amazonaws.com'], eventName: [...DRIFT_EVENT_NAMES] },
      },
      {
        source: ['aws.wafv2'],
        detail: {
          eventSource: ['wafv2.amazonaws.com'],
          eventName: [...WAF_DRIFT_EVENT_NAMES],
          requestParameters: {
            resourceArn: API_GATEWAY_ARN_PREFIXES.map((prefix) => ({ prefix })),
          },
        },
      },
    ],
    detail: {
      errorCode: [{ exists: false }],
      $or: [
        { userIdentity: { sessionContext: { sessionIssuer: { userName: [{ exists: false }] } } } },
        {
          userIdentity: {
            sessionContext: { sessionIssuer: { userName: [{ 'anything-but': [...ownRoleNames] }] } },
          },
        },
      ],
    },
  };
}

/** The CDK's EventPattern spells `detail-type` as `detailType`; everything else passes through. */
export function asCdkEventPattern(pattern: EventPatternJson): EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType === undefined ? {} : { detailType }) } as EventPattern;
}
