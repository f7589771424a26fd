/**
 * The Lambda functions behind the remediation state machine's Task states.
 *
 * The CDK app creates one function per entry (handler export `handler`) and passes its ARN
 * to the definition as `${substitution}`. The definition's other substitutions are listed in
 * {@link DEFINITION_SUBSTITUTIONS}. `needs` says what each function must be allowed to reach.
 */

/**
 * What a task's function needs from its environment:
 * - config: the service configuration (config/load.ts loadConfig).
 * - memberRole: sts:AssumeRole on the member role in every account (API Gateway, WAF, Logs calls there).
 * - locksTable: read/write on the locks table (stage locks and per-account deployment slots); the
 *   table name reaches the function in its input (`${LocksTableName}`), not through the environment.
 * - locksTableClose: GetItem and UpdateItem only on that table (the record task reads a stage's
 *   "recently remediated" marker and closes the stage lock item; it never puts or deletes items).
 * - securityHub: securityhub:BatchUpdateFindings in the central account; the member role must allow
 *   securityhub:BatchImportFindings (the service's own findings are imported in the stage's account).
 * - notifyTopic: sns:Publish on the topic in env NOTIFY_TOPIC_ARN.
 * - killSwitch: ssm:GetParameter on the kill switch parameter in env KILL_SWITCH_PARAMETER only.
 * - approvals: whatever the Slack approvals package declares for its request-approval function.
 * - ledgerExemptions: dynamodb:BatchGetItem only, on the ledger table in env LEDGER_TABLE_NAME (the
 *   decide task reads a stage's exemptions, remediators/ledger/exemption.ts).
 * - ledgerWrite: dynamodb:PutItem and GetItem only, on that table (the record task writes the run's
 *   REMEDIATION entry with the store's idempotent put, which reads back on a conditional failure,
 *   and the exemption a rejected approval leaves, remediators/ledger/exemption-rejection.ts).
 * - flapTableRead: dynamodb:GetItem on the flap guard's table (env IAC_FLAP_TABLE_NAME), the snapshot
 *   task's read of each stage-control's revert count and deferral (docs/decisions/0029).
 * - flapTableWrite: dynamodb:GetItem and PutItem on that table: the record task writes the state.
 * - ledgerUndo: dynamodb:GetItem and PutItem on the ledger table and Query on its byStage index: the
 *   undo task reads the remediation and the stage's earlier undos, and writes the UNDO entry and
 *   the exemptions (remediators/ledger/undo.ts).
 */
export type TaskNeed =
  | 'config'
  | 'memberRole'
  | 'locksTable'
  | 'locksTableClose'
  | 'securityHub'
  | 'notifyTopic'
  | 'approvals'
  | 'killSwitch'
  | 'ledgerExemptions'
  | 'ledgerWrite'
  | 'flapTableRead'
  | 'flapTableWrite'
  | 'ledgerUndo';

export interface TaskDefinition {
  readonly substitution: string;
  readonly entry: string;
  readonly description: string;
  readonly needs: readonly TaskNeed[];
}

export const TASKS = [
  {
    substitution: 'IntakeFunctionArn',
    entry: 'remediators/handlers/intake.ts',
    description: 'Normalizes a Security Hub or CloudTrail event into remediation requests',
    needs: ['config'],
  },
  {
    substitution: 'TakeOwnershipFunctionArn',
    entry: 'remediators/handlers/take-ownership.ts',
    description:
      'Sets the finding Workflow to NOTIFIED before any other work so the rule does not fire again',
    needs: ['securityHub'],
  },
  {
    substitution: 'ExpandStagesFunctionArn',
    entry: 'remediators/handlers/expand-stages.ts',
    description: 'Lists the stages a request covers (every stage of the API when the request names none)',
    needs: ['config', 'memberRole'],
  },
  {
    substitution: 'DecideFunctionArn',
    entry: 'remediators/handlers/decide.ts',
    description:
      'Resolves the mode of every requested control from config, account and API/stage tags, and the kill switch',
    needs: ['config', 'memberRole', 'killSwitch', 'ledgerExemptions'],
  },
  {
    substitution: 'AcquireLockFunctionArn',
    entry: 'remediators/handlers/acquire-lock.ts',
    description: 'Takes the per-stage lock (DynamoDB conditional write with expiry)',
    needs: ['locksTable'],
  },
  {
    substitution: 'SnapshotFunctionArn',
    entry: 'remediators/handlers/snapshot.ts',
    description: 'Reads the stage and plans the changes of the controls that may change it',
    needs: ['config', 'memberRole', 'flapTableRead'],
  },
  {
    substitution: 'RequestApprovalFunctionArn',
    entry: 'remediators/handlers/request-approval.ts',
    description: 'Posts the approval request to Slack and keeps the task token server-side',
    needs: ['approvals'],
  },
  {
    substitution: 'RecheckFunctionArn',
    entry: 'remediators/handlers/recheck.ts',
    description:
      'After the approval wait: re-reads the stage and applies only what is still what the approver saw',
    needs: ['config', 'memberRole'],
  },
  {
    substitution: 'ApplyFunctionArn',
    entry: 'remediators/handlers/apply.ts',
    description:
      'Checks the brakes, creates missing prerequisites and applies API-level changes (UpdateRestApi / UpdateApi)',
    // locksTable: the blast-radius cap's hourly counter; killSwitch: read again right before changing anything.
    needs: ['config', 'memberRole', 'locksTable', 'killSwitch'],
  },
  {
    substitution: 'DeploySlotFunctionArn',
    entry: 'remediators/handlers/deploy-slot.ts',
    description: 'Claims the per-account deployment slot (CreateDeployment: 1 per 5 s per account)',
    needs: ['locksTable'],
  },
  {
    substitution: 'RedeployFunctionArn',
    entry: 'remediators/handlers/redeploy.ts',
    description: 'Creates a deployment of the API onto the stage',
    needs: ['config', 'memberRole'],
  },
  {
    substitution: 'UpdateStageFunctionArn',
    entry: 'remediators/handlers/update-stage.ts',
    description: 'Applies every stage change in one UpdateStage call and associates the baseline web ACL',
    needs: ['config', 'memberRole'],
  },
  {
    substitution: 'VerifyFunctionArn',
    entry: 'remediators/handlers/verify.ts',
    description: 'Re-reads the stage and checks that the remediated controls now pass',
    needs: ['config', 'memberRole'],
  },
  {
    substitution: 'RecordFunctionArn',
    entry: 'remediators/handlers/record.ts',
    description: 'Records the outcome in Security Hub (finding workflow, note, user-defined fields)',
    // BatchImportFindings only accepts findings of the calling account: own findings are imported as the member role.
    needs: ['memberRole', 'securityHub', 'locksTableClose', 'ledgerWrite', 'flapTableWrite'],
  },
  {
    substitution: 'NotifyFunctionArn',
    entry: 'remediators/handlers/notify.ts',
    description: 'Publishes the outcome to the notification topic (Slack through AWS Chatbot)',
    needs: ['notifyTopic'],
  },
  {
    substitution: 'ReportFailureFunctionArn',
    entry: 'remediators/handlers/report-failure.ts',
    description:
      'Reports what stopped before the per-stage path (intake rejections, ownership refused, stages not listed)',
    // Like the record task: own findings (stages not listed after drift) are imported as the member role.
    needs: ['memberRole', 'securityHub', 'notifyTopic'],
  },
  {
    substitution: 'UndoFunctionArn',
    entry: 'remediators/handlers/undo.ts',
    description:
      'Takes a remediation back (Security Hub action Undo API remediation, Slack undo): restores, reads back, records',
    needs: ['config', 'memberRole', 'ledgerUndo'],
  },
  {
    substitution: 'ReportUndoFunctionArn',
    entry: 'remediators/handlers/report-undo.ts',
    description:
      'Notes the undone remediation on its findings (SUPPRESSED) and publishes the outcome of the undo',
    needs: ['securityHub', 'notifyTopic'],
  },
  {
    substitution: 'ReleaseLockFunctionArn',
    entry: 'remediators/handlers/release-lock.ts',
    description: 'Releases the per-stage lock if this execution still holds it',
    needs: ['locksTable'],
  },
] as const satisfies readonly TaskDefinition[];

/** Definition substitutions that are not function ARNs. */
export const DEFINITION_SUBSTITUTIONS = {
  /** DynamoDB table (partition key `pk` string, TTL attribute `expiresAt`) for stage locks and deploy slots. */
  LocksTableName: 'LocksTableName',
  /**
   * The partition of the stack (`aws`, `aws-cn`, `aws-us-gov`): every ARN the definition spells
   * out itself (the service integration of the approval wait) is built with it, never hard-coded.
   */
  Partition: 'Partition',
} as const;

export { LOCKS_TABLE_KEY, LOCKS_TABLE_TTL_ATTRIBUTE } from '../remediators/workflow/lock.js';
