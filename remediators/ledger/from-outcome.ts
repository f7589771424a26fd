/**
 * Pure: the ledger's REMEDIATION entry for one stage's run, from what the Record task writes to
 * Security Hub (the {@link OutcomeRecord}) and the state the execution carried. `history` prints
 * these and `undo` restores from them, so `changes` holds the exact machine values that were
 * applied, not the approver's descriptions:
 * - APIGateway.4 plans `webAclArn: null → "<the baseline web ACL's rules in words>"`; the entry
 *   holds the ARN the apply task associated (`applied.webAclArn`) as `after`.
 * - a deployment plans `deployment: <current id> → "publishes the API's current definition"`; the
 *   entry holds the id the Redeploy task created as `after`.
 * Where the run made no change (every other outcome) there is no applied value: the entry keeps
 * the planned changes as they were shown, which is what would have changed.
 */
import { formatStageArn } from '../core/arn.js';
import { DEPLOYMENT_SETTING } from '../core/types.js';
import type { OutcomeRecord } from '../workflow/outcome.js';
import type { ControlChange, StageWorkItem } from '../workflow/state.js';
import { RemediationEntrySchema, type RemediationEntry } from './entry.js';

/** The setting APIGateway.4's change names (remediators/controls/apigateway-4-waf.ts). */
const WEB_ACL_SETTING = 'webAclArn';

export interface RemediationEntryInput {
  /** What the Record task writes on this run's own finding (before any credit to another run). */
  readonly record: OutcomeRecord;
  readonly item: Pick<StageWorkItem, 'request' | 'applied'>;
  /** The deployment the Redeploy task created, when it made one. */
  readonly deploymentId?: string;
  /**
   * Every finding the run recorded its outcome on: its own and those of runs that joined it, each
   * once per record (an ASFF finding and its OCSF twin share the finding ARN and are both listed).
   */
  readonly findingIds: readonly string[];
}

function exactAfter(
  change: ControlChange,
  applied: { readonly webAclArn?: string; readonly deploymentId?: string },
): ControlChange {
  if (change.setting === WEB_ACL_SETTING && applied.webAclArn !== undefined) {
    return { ...change, after: applied.webAclArn };
  }
  if (change.setting === DEPLOYMENT_SETTING && applied.deploymentId !== undefined) {
    return { ...change, after: applied.deploymentId };
  }
  return change;
}

export function remediationEntry({
  record,
  item,
  deploymentId,
  findingIds,
}: RemediationEntryInput): RemediationEntry {
  const remediated = record.outcome === 'REMEDIATED';
  const applied = {
    ...(item.applied?.webAclArn === undefined ? {} : { webAclArn: item.applied.webAclArn }),
    ...(deploymentId === undefined ? {} : { deploymentId }),
  };
  return RemediationEntrySchema.parse({
    kind: 'REMEDIATION',
    entryId: record.remediationId,
    stageArn: formatStageArn(record.stage),
    account: record.stage.account,
    region: record.stage.region,
    partition: record.stage.partition,
    apiType: record.stage.apiType,
    apiId: record.stage.apiId,
    stageName: record.stage.stageName,
    recordedAt: record.recordedAt,
    actor: { kind: 'execution', executionArn: record.executionArn },
    outcome: record.outcome,
    controls: item.request.controls,
    changes: record.changes.map((change) => (remediated ? exactAfter(change, applied) : change)),
    prerequisitesCreated: item.applied?.prerequisitesCreated ?? [],
    approver: record.approver,
    reason: record.reason,
    findingIds: [...findingIds],
    trigger: record.trigger,
    ...(record.iac === undefined ? {} : { owner: record.iac.owner }),
  });
}
