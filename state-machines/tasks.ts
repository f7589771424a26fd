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
 * - locksTableDeliveries: PutItem only on that table (the admit task's conditional `event#{id}`
 *   marker that drops a redelivered event, docs/decisions/0036).
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
 * - pacing: dynamodb:UpdateItem on the locks table's `pace#…` items only (env PACING_TABLE_NAME): the
 *   function's API Gateway and Security Hub calls take their place in the shared schedules
 *   (remediators/workflow/pacing.ts, docs/decisions/0038).
 */
export type TaskNeed =
  | 'config'
  | 'memberRole'
  | 'locksTable'
  | 'locksTableDeliveries'
  | 'securityHub'
  | 'notifyTopic'
  | 'approvals'
  | 'killSwitch'
  | 'ledgerExemptions'
  | 'ledgerWrite'
  | 'flapTableRead'
  | 'flapTableWrite'
  | 'ledgerUndo'
  | 'pacing';

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
    substitution: 'AdmitFunctionArn',
    entry: 'remediators/handlers/admit.ts',
    description:
      'Drops redeliveries, takes ownership of a batch in calls of up to 100 findings, lists stages, one item per stage',
    // The stages of an API-level request are listed in the member account (memberRole, config);
    // what stops before its stages is reported as report-failure does (securityHub, notifyTopic).
    needs: ['config', 'memberRole', 'securityHub', 'notifyTopic', 'locksTableDeliveries', 'pacing'],
  },
  {
    substitution: 'PrepareFunctionArn',
    entry: 'remediators/handlers/prepare.ts',
    description:
      'Decides the modes (config, tags, kill switch, exemptions), takes the stage lock or joins its holder, reads and plans',
    // The union of its steps' needs: decide, acquire-lock, snapshot (docs/decisions/0035).
    needs: [
      'config',
      'memberRole',
      'killSwitch',
      'ledgerExemptions',
      'locksTable',
      'flapTableRead',
      'pacing',
    ],
  },
  {
    substitution: 'AcquireLockFunctionArn',
    entry: 'remediators/handlers/acquire-lock.ts',
    description: 'Takes the per-stage lock for an undo (DynamoDB conditional write with expiry)',
    needs: ['locksTable'],
  },
  {
    substitution: 'RequestApprovalFunctionArn',
    entry: 'remediators/handlers/request-approval.ts',
    description: 'Posts the approval request to Slack and keeps the task token server-side',
    needs: ['approvals'],
  },
  {
    substitution: 'RemediateFunctionArn',
    entry: 'remediators/handlers/remediate.ts',
    description:
      'Rechecks after an approval, claims the deployment slot, checks the brakes, applies prerequisites and API changes, deploys, updates the stage',
    // The union of its steps' needs: recheck, deploy-slot, apply (locksTable: also the blast-radius
    // cap's hourly counter; killSwitch: read again right before changing anything), redeploy, update-stage.
    needs: ['config', 'memberRole', 'locksTable', 'killSwitch', 'pacing'],
  },
  {
    substitution: 'VerifyFunctionArn',
    entry: 'remediators/handlers/verify.ts',
    description: 'Re-reads the stage and checks that the remediated controls now pass',
    needs: ['config', 'memberRole', 'pacing'],
  },
  {
    substitution: 'FinishFunctionArn',
    entry: 'remediators/handlers/finish.ts',
    description:
      'Records the outcome (Security Hub, ledger, flap guard), notifies, offers Undo after an approved remediation, releases the lock',
    // The union of its steps' needs: record (BatchImportFindings only accepts findings of the calling
    // account: own findings are imported as the member role),
    // notify, the Undo offer (request-approval's), release-lock.
    needs: [
      'memberRole',
      'securityHub',
      'locksTable',
      'ledgerWrite',
      'flapTableWrite',
      'notifyTopic',
      'approvals',
      'pacing',
    ],
  },
  {
    substitution: 'ReportFailureFunctionArn',
    entry: 'remediators/handlers/report-failure.ts',
    description:
      'Reports what stopped before the per-stage path (intake rejections, ownership refused, stages not listed)',
    // Like the record task: own findings (stages not listed after drift) are imported as the member role.
    needs: ['memberRole', 'securityHub', 'notifyTopic', 'pacing'],
  },
  {
    substitution: 'UndoFunctionArn',
    entry: 'remediators/handlers/undo.ts',
    description:
      'Takes a remediation back (Security Hub action Undo API remediation, Slack undo): restores, reads back, records',
    needs: ['config', 'memberRole', 'ledgerUndo', 'pacing'],
  },
  {
    substitution: 'ReportUndoFunctionArn',
    entry: 'remediators/handlers/report-undo.ts',
    description:
      'Notes the undone remediation on its findings (SUPPRESSED) and publishes the outcome of the undo',
    needs: ['securityHub', 'notifyTopic', 'pacing'],
  },
  {
    substitution: 'ReleaseLockFunctionArn',
    entry: 'remediators/handlers/release-lock.ts',
    description:
      "Releases the per-stage lock if this execution still holds it (an undo; a failed Finish); with requests queued on it, opens the holder's next round (PendingRequests)",
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
