/**
 * The contract between the workflow's approval state and the Slack approvals package.
 *
 * The state machine calls the request-approval Lambda with `.waitForTaskToken`, passing an
 * {@link ApprovalRequest}. The approvals package keeps the task token server-side and, when a
 * human decides, calls:
 * - SendTaskSuccess with output = {@link ApprovalDecision} (decision APPROVED), or
 * - SendTaskFailure with error = {@link APPROVAL_REJECTED_ERROR} and cause = JSON of an
 *   {@link ApprovalDecision} (decision REJECTED).
 * When nobody decides in time the state times out (States.Timeout) and the workflow takes
 * the configured `approval.onTimeout` action.
 */
import type { ControlId, SettingChange } from '../core/types.js';

export const APPROVAL_REJECTED_ERROR = 'ApprovalRejected';

export interface ApprovalRequest {
  /** Step Functions task token (up to 2,048 chars): stored server-side, never sent to Slack. */
  readonly taskToken: string;
  /** `undo` (undo.mode approve): the message says so and the changes read now → restored to. */
  readonly kind?: 'undo';
  /** The remediation id (also the Security Hub UserDefinedFields remediationId). */
  readonly remediationId: string;
  readonly executionArn: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly apiType: 'REST' | 'V2';
  readonly apiId: string;
  readonly apiName: string;
  readonly stageName: string;
  readonly controls: readonly ControlId[];
  /** The exact changes awaiting approval. */
  readonly changes: readonly (SettingChange & { readonly controlId: ControlId })[];
  /** ISO-8601 times. */
  readonly requestedAt: string;
  readonly expiresAt: string;
  /**
   * Who deploys the stage and the template change that makes each fix permanent
   * (docs/decisions/0029): an approver should know the fix lasts only until the next deployment.
   */
  readonly iac?: ApprovalIac;
}

export interface ApprovalIac {
  readonly ownerText: string;
  /** CloudFormation: the in-place fix makes the stack drift. */
  readonly drift?: string;
  readonly sourceFixes: readonly {
    readonly controlId: ControlId;
    readonly tool: string;
    readonly change: string;
  }[];
}

export interface Approver {
  /** Slack user id (e.g. U024BE7LH), or "link" when decided through a signed link without a known user. */
  readonly id: string;
  readonly name: string;
}

export interface ApprovalDecision {
  readonly decision: 'APPROVED' | 'REJECTED';
  readonly approver: Approver;
  /** ISO-8601 */
  readonly decidedAt: string;
  readonly comment?: string;
  /** Which way the decision came: Slack interactivity or a signed link. */
  readonly channel: 'slack' | 'link';
}
