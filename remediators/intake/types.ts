/**
 * What intake hands the workflow: one list of requests, and for every input item it did not turn
 * into a request, the reason (ignored: a valid event that needs no work) or the error (rejected:
 * an event that could not be read). Every input item (a finding, a CloudTrail call) ends in exactly
 * one of the three lists.
 */
import type { FindingFormat } from '../../config/schema.js';
import type { ApiType, ControlId, Partition } from '../core/types.js';
import type { CallerInfo } from '../iac/owner.js';

/**
 * securityhub: a Security Hub "Findings - Imported" event (FAILED + ACTIVE + Workflow NEW);
 * manual: a Security Hub custom action a person chose on findings;
 * cloudtrail: a change to an API or stage seen in CloudTrail (drift);
 * cli: an operator's `apigw-remediation fix` (./cli.ts);
 * undo: take a remediation back (docs/decisions/0030): the Security Hub custom action "Undo API
 * remediation" on a finding, or the Undo button of a Slack message (./undo.ts).
 */
export type Trigger = 'securityhub' | 'manual' | 'cloudtrail' | 'cli' | 'undo';

/** Where an undo was asked for. */
export type UndoSource = 'securityhub-action' | 'slack';

export interface RemediationRequest {
  readonly trigger: Trigger;
  /** The account that owns the API (the finding's AwsAccountId, or CloudTrail's recipientAccountId). */
  readonly account: string;
  readonly region: string;
  readonly partition: Partition;
  readonly apiType: ApiType;
  readonly apiId: string;
  /** null: every stage of the API (an API-level change such as UpdateRestApi). */
  readonly stageName: string | null;
  readonly controls: readonly ControlId[];
  /** Security Hub finding Id (securityhub, manual). */
  readonly findingId?: string;
  /** Security Hub ProductArn of the finding, needed with the Id for BatchUpdateFindings (securityhub, manual). */
  readonly productArn?: string;
  /** The EventBridge event id, or the CloudTrail eventID, to trace a request back to its event. */
  readonly eventId: string;
  /** ISO-8601 time of the event (CloudTrail: when the call was made). */
  readonly eventTime: string;
  /** CloudTrail: the API call that drifted the stage, e.g. UpdateStage. */
  readonly eventName?: string;
  /** CloudTrail: who made the call (IAM ARN, else principal id). */
  readonly actor?: string;
  /** CloudTrail: the service that made the call for the principal and the user agent (docs/decisions/0029). */
  readonly caller?: CallerInfo;
  /** Custom action: the name of the Security Hub action a person chose. */
  readonly actionName?: string;
  /**
   * `ocsf` for a finding of the new Security Hub (absent: ASFF). With it, `findingId` is the
   * finding's `finding_info.uid`, `productArn` its `metadata.product.uid` and `account` its
   * `cloud.account.uid`: together the OcsfFindingIdentifier BatchUpdateFindingsV2 takes.
   */
  readonly findingFormat?: 'ocsf';
  /** OCSF: the finding's `metadata.uid`, to trace the request back to the finding. */
  readonly metadataUid?: string;
  /** CLI: the caller's ARN (STS GetCallerIdentity). */
  readonly requestedBy?: string;
  /** CLI: the operator confirmed the changes, which approves the controls in mode approve. */
  readonly confirmedApproval?: true;
  /** Undo: where it was asked for. */
  readonly undoSource?: UndoSource;
  /**
   * Undo: the remediation (ledger entry id) to take back; absent for the custom action, which names
   * a finding: the undo task finds the stage's newest REMEDIATED entry of the finding's control.
   */
  readonly remediationId?: string;
}

export interface IgnoredItem {
  readonly reason: string;
}

export interface RejectedItem {
  readonly error: string;
}

export interface IntakeResult {
  readonly requests: readonly RemediationRequest[];
  readonly ignored: readonly IgnoredItem[];
  readonly rejected: readonly RejectedItem[];
}

/** What intake needs to know beyond the event: how to recognise the service's own API calls. */
export interface IntakeSettings {
  /** Role the service assumes in member accounts (config crossAccount.memberRoleName). */
  readonly memberRoleName: string;
  /** ARNs of the service's central roles (env SERVICE_ROLE_ARNS, set by the CDK app). */
  readonly serviceRoleArns: readonly string[];
  /** Which Security Hubs' findings start work (config securityHub.formats); absent: both. */
  readonly securityHubFormats?: readonly FindingFormat[];
}

/** The fate of one input item. */
export type Outcome =
  | { readonly kind: 'request'; readonly request: RemediationRequest }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly error: string };
