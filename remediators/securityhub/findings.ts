/**
 * Pure builders of what the service writes to Security Hub. The I/O is in ./records.ts.
 *
 * Limits (AWS Security Hub API reference, ASFF): BatchUpdateFindings and BatchImportFindings
 * take at most 100 findings per call; Note.Text and Note.UpdatedBy at most 512 characters;
 * UserDefinedFields at most 50 pairs, keys under 128 and values under 1,024 characters;
 * Title at most 256 and Description at most 1,024 characters; GetFindings filters take at most 20
 * values per attribute.
 */
import type {
  AwsSecurityFinding,
  AwsSecurityFindingIdentifier,
  BatchUpdateFindingsCommandInput,
} from '@aws-sdk/client-securityhub';
import type { ControlId, Partition, StageRef } from '../core/types.js';
import { formatApiArn, formatStageArn } from '../core/arn.js';
import type { OutcomeStatus } from '../workflow/state.js';
import { controlRecord, describeChange, driftEvaluations, type OutcomeRecord } from '../workflow/outcome.js';
import type { RequestFailureRecord } from '../workflow/request-failure.js';
import { describeOwner } from '../iac/owner.js';
import { describeSourceFix, type IacSummary } from '../iac/schema.js';

/** What a note and the user-defined fields are made of: a stage's record, one control's, or a request's failure. */
export type NoteSource = Pick<
  OutcomeRecord,
  'outcome' | 'approver' | 'reason' | 'changes' | 'executionArn' | 'remediationId' | 'serviceVersion'
> &
  Partial<Pick<OutcomeRecord, 'iac'>>;

export const MAX_FINDINGS_PER_CALL = 100;
export const MAX_NOTE_LENGTH = 512;
export const MAX_UDF_PAIRS = 50;
export const MAX_UDF_KEY_LENGTH = 127;
export const MAX_UDF_VALUE_LENGTH = 1023;
const MAX_TITLE_LENGTH = 256;
const MAX_DESCRIPTION_LENGTH = 1024;

/** Who the notes say made the update. */
export const NOTE_AUTHOR = 'apigw-remediation';

/** Resolved: nothing left to do. Notified: a human has to look (or the stage is still failing). */
const WORKFLOW_STATUS: Readonly<Record<OutcomeStatus, 'RESOLVED' | 'NOTIFIED'>> = {
  REMEDIATED: 'RESOLVED',
  ALREADY_COMPLIANT: 'RESOLVED',
  RESOURCE_GONE: 'RESOLVED',
  DRY_RUN: 'NOTIFIED',
  SKIPPED: 'NOTIFIED',
  REJECTED: 'NOTIFIED',
  EXPIRED: 'NOTIFIED',
  FAILED: 'NOTIFIED',
  // The joined run (workflow/join.ts) records the final outcome on this finding when it ends.
  JOINED: 'NOTIFIED',
  // The owner has to make the template change (docs/decisions/0029): a human's turn.
  DEFERRED_TO_OWNER: 'NOTIFIED',
};

export function chunk<T>(items: readonly T[], size: number = MAX_FINDINGS_PER_CALL): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * At most `max` UTF-16 code units, never splitting a surrogate pair: half an emoji (an approver's
 * Slack name, an error message) is not UTF-8 text, which every Security Hub string field must be.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** The product of AWS's own control findings in a Region. */
export function awsProductArn(partition: Partition, region: string): string {
  return `arn:${partition}:securityhub:${region}::product/aws/securityhub`;
}

/** The account's default product: where an account imports findings of its own. */
export function ownProductArn(partition: Partition, region: string, account: string): string {
  return `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;
}

/** At most this many Ids in one GetFindings filter (AwsSecurityFindingFilters: 20 values per attribute). */
export const MAX_FILTER_VALUES = 20;

/** What an earlier import of an own finding said about when the problem was first seen. */
export interface FirstSeen {
  readonly createdAt: string;
  readonly firstObservedAt?: string;
}

/** The existing own findings' first-seen times, by finding Id (absent: never imported). */
export type ExistingFindings = ReadonlyMap<string, FirstSeen>;

/**
 * ASFF timestamps of an own finding imported at `now`: CreatedAt and FirstObservedAt are when the
 * problem was first seen, so a re-import keeps the existing finding's (an older finding without
 * FirstObservedAt was first seen at its CreatedAt); only UpdatedAt and LastObservedAt move to now.
 */
export function findingTimes(
  now: string,
  existing: FirstSeen | undefined,
): Pick<AwsSecurityFinding, 'CreatedAt' | 'FirstObservedAt' | 'LastObservedAt' | 'UpdatedAt'> {
  return {
    CreatedAt: existing?.createdAt ?? now,
    FirstObservedAt: existing?.firstObservedAt ?? existing?.createdAt ?? now,
    LastObservedAt: now,
    UpdatedAt: now,
  };
}

/** One finding per control and stage, updated in place by every later import. */
export function ownFindingId(stage: StageRef, controlId: ControlId): string {
  return `apigw-remediation/${controlId}/${formatStageArn(stage)}`;
}

/** Taking ownership: Workflow NOTIFIED, so the rule (Workflow NEW only) does not start again. */
export function ownershipUpdates(
  findings: readonly AwsSecurityFindingIdentifier[],
  executionArn: string,
): BatchUpdateFindingsCommandInput[] {
  return chunk(findings).map((identifiers) => ({
    FindingIdentifiers: identifiers,
    Workflow: { Status: 'NOTIFIED' },
    Note: {
      Text: truncate(
        `apigw-remediation is working on this finding. Execution: ${executionArn}`,
        MAX_NOTE_LENGTH,
      ),
      UpdatedBy: NOTE_AUTHOR,
    },
  }));
}

/**
 * `OUTCOME (approver): reason. Changes: a → b; c → d (+N more). Execution: arn`, at most 512
 * characters: the execution ARN is kept whole (it is how an auditor drills in), the reason and
 * the change list give way first.
 */
export function buildNote(record: NoteSource): string {
  const head = `${record.outcome} (${record.approver}): `;
  const tail = ` Execution: ${record.executionArn}`;
  const room = MAX_NOTE_LENGTH - head.length - tail.length;
  if (room <= 0) return truncate(`${head}${tail}`, MAX_NOTE_LENGTH);
  // The owner and the template change come before the change list: the reason keeps at least
  // REASON_ROOM characters, the changes give way first.
  const owner = ownerSentence(record.iac, room - REASON_ROOM);
  const budget = room - owner.length;

  const reason = truncate(`${record.reason}.`, Math.max(1, Math.floor(budget / 2)));
  let changes = '';
  const described = record.changes.map(describeChange);
  for (let shown = described.length; shown > 0; shown -= 1) {
    const more = described.length - shown;
    const candidate = ` ${record.outcome === 'REMEDIATED' ? 'Changed' : 'Would change'}: ${described
      .slice(0, shown)
      .join('; ')}${more > 0 ? ` (+${more} more)` : ''}.`;
    if (reason.length + candidate.length <= budget) {
      changes = candidate;
      break;
    }
  }
  return `${head}${reason}${changes}${owner}${tail}`;
}

/**
 * ` Owner: CloudFormation stack orders (AWS CDK), logical id …; an in-place fix makes the stack
 * drift …; fix at the source: APIGateway.3: RestApi deployOptions: { tracingEnabled: true }.`,
 * at most `max` characters; empty for an unmanaged stage (there is no source to fix).
 */
const REASON_ROOM = 120;

function ownerSentence(iac: IacSummary | undefined, max: number): string {
  if (iac === undefined || iac.owner.kind === 'unmanaged' || max <= 1) return '';
  // The note names the stack; the logical id is in the plan, the approval and the CLI.
  const owner = describeOwner(iac.owner, { logicalId: false });
  const fixes =
    iac.sourceFixes.length === 0
      ? ''
      : `; fix at the source: ${iac.sourceFixes.map(describeSourceFix).join('; ')}`;
  const drift = iac.drift === undefined ? '' : `; ${iac.drift}`;
  return truncate(` Owner: ${owner}${drift}${fixes}.`, max);
}

/** Remediation id, execution, actions, approver, outcome, service version: within the UDF limits. */
export function buildUserDefinedFields(record: NoteSource): Record<string, string> {
  const actions = record.changes.length === 0 ? 'none' : record.changes.map(describeChange).join('; ');
  const fields: Record<string, string> = {
    remediationId: record.remediationId,
    executionArn: record.executionArn,
    actions,
    approver: record.approver,
    outcome: record.outcome,
    serviceVersion: record.serviceVersion,
  };
  return Object.fromEntries(
    // Stryker disable next-line MethodExpression: equivalent today, six fields are under the 50-pair limit; the slice keeps the limit if fields are added
    Object.entries(fields)
      .slice(0, MAX_UDF_PAIRS)
      .map(([key, value]) => [
        truncate(key, MAX_UDF_KEY_LENGTH),
        truncate(value === '' ? '-' : value, MAX_UDF_VALUE_LENGTH),
      ]),
  );
}

/**
 * The Workflow status a finding gets: by outcome, except that a finding of the service's own whose
 * control still fails (a report-only control, say) stays NOTIFIED even when the stage was remediated.
 */
export function workflowStatus(
  outcome: OutcomeStatus,
  compliance?: OutcomeRecord['evaluations'][number]['compliance'],
): 'RESOLVED' | 'NOTIFIED' {
  return compliance === 'FAILED' ? 'NOTIFIED' : WORKFLOW_STATUS[outcome];
}

/** The outcome on the given findings: Workflow, Note and UserDefinedFields, 100 findings per call. */
export function outcomeUpdates(
  record: NoteSource,
  findings: readonly AwsSecurityFindingIdentifier[],
  status: 'RESOLVED' | 'NOTIFIED' = workflowStatus(record.outcome),
): BatchUpdateFindingsCommandInput[] {
  const note = buildNote(record);
  const userDefinedFields = buildUserDefinedFields(record);
  return chunk(findings).map((identifiers) => ({
    FindingIdentifiers: identifiers,
    Workflow: { Status: status },
    Note: { Text: note, UpdatedBy: NOTE_AUTHOR },
    UserDefinedFields: userDefinedFields,
  }));
}

/**
 * What a NEW own finding carries from its first import: Workflow, Note and UserDefinedFields.
 * Security Hub User Guide, "BatchImportFindings for finding providers", restricted fields: for an
 * EXISTING finding a provider cannot set Note, UserDefinedFields, VerificationState or Workflow
 * with BatchImportFindings ("any content in those fields and objects is ignored"; only
 * BatchUpdateFindings changes them), so only a finding being created gets them this way. Setting
 * them at creation means a new finding needs no BatchUpdateFindings at all: nothing waits for a
 * finding just imported to become visible to the home account. VerificationState is left unset:
 * the service does not judge the finding's veracity. ASFF Note requires UpdatedAt.
 */
export function creationFields(
  source: NoteSource,
  status: 'RESOLVED' | 'NOTIFIED',
  now: string,
): Pick<AwsSecurityFinding, 'Workflow' | 'Note' | 'UserDefinedFields'> {
  return {
    Workflow: { Status: status },
    Note: { Text: buildNote(source), UpdatedBy: NOTE_AUTHOR, UpdatedAt: now },
    UserDefinedFields: buildUserDefinedFields(source),
  };
}

/**
 * Findings of the service's own for drift seen in CloudTrail (no AWS finding exists for it): one
 * per control that failed when the stage was read (or per requested control when it was never
 * read, see {@link driftEvaluations}), each with that control's own outcome (see
 * {@link controlRecord}). Compliance says how the control stands after the workflow; importing
 * again later updates the same finding (stable Id), keeping the CreatedAt/FirstObservedAt it had
 * (`existing`, read before the import; see {@link findingTimes}); a finding not yet existing gets
 * its Workflow, Note and fields in the import itself ({@link creationFields}). By default the drifted controls;
 * a manual run on one of these findings passes its control(s) so the finding it started from is
 * brought up to date.
 */
export function ownFindings(
  record: OutcomeRecord,
  titles: Readonly<Partial<Record<ControlId, string>>>,
  evaluations: readonly OutcomeRecord['evaluations'][number][] = driftEvaluations(record),
  existing: ExistingFindings = new Map(),
): {
  readonly finding: AwsSecurityFinding;
  readonly control: OutcomeRecord;
  /** No finding had this Id: the import creates it, with its Workflow, Note and fields. */
  readonly created: boolean;
}[] {
  const { stage } = record;
  const productArn = ownProductArn(stage.partition, stage.region, stage.account);
  return evaluations.map((evaluation) => {
    const control = controlRecord(record, evaluation);
    const id = ownFindingId(stage, evaluation.controlId);
    const finding: AwsSecurityFinding = {
      SchemaVersion: '2018-10-08',
      Id: id,
      ProductArn: productArn,
      GeneratorId: `apigw-remediation/${evaluation.controlId}`,
      AwsAccountId: stage.account,
      Region: stage.region,
      Types: ['Software and Configuration Checks/AWS Security Best Practices'],
      ...findingTimes(record.recordedAt, existing.get(id)),
      Severity: { Label: evaluation.compliance === 'FAILED' ? 'MEDIUM' : 'INFORMATIONAL' },
      Title: truncate(
        `${evaluation.controlId} ${titles[evaluation.controlId] ?? ''}`.trim(),
        MAX_TITLE_LENGTH,
      ),
      Description: truncate(
        `${control.reason} (checked after ${record.trigger} drift; outcome ${control.outcome})`,
        MAX_DESCRIPTION_LENGTH,
      ),
      Resources: [
        {
          Type: stage.apiType === 'REST' ? 'AwsApiGatewayStage' : 'AwsApiGatewayV2Stage',
          Id: formatStageArn(stage),
          Partition: stage.partition,
          Region: stage.region,
        },
      ],
      Compliance: { Status: evaluation.compliance },
      // A deleted stage's findings are archived, as Security Hub does with its own.
      RecordState: record.outcome === 'RESOURCE_GONE' ? 'ARCHIVED' : 'ACTIVE',
      ProductFields: {
        'apigw-remediation/ControlId': evaluation.controlId,
        'apigw-remediation/RemediationId': truncate(record.remediationId, MAX_UDF_VALUE_LENGTH),
      },
      ...(existing.has(id)
        ? {}
        : creationFields(control, workflowStatus(control.outcome, evaluation.compliance), record.recordedAt)),
    };
    return { finding, control, created: !existing.has(id) };
  });
}

/** The finding of the service's own that says the stages of an API could not be listed (one per API). */
export function stagesUnlistedFindingId(record: RequestFailureRecord): string {
  return `apigw-remediation/stages-unlisted/${formatApiArn(record.request)}`;
}

/**
 * CloudTrail drift on an API whose stages could not be listed: nothing was checked, so the API
 * itself gets a finding of the service's own, Compliance WARNING (ASFF: the check could not be
 * completed), saying why. The same Id is updated by every later failure on that API, keeping the
 * CreatedAt/FirstObservedAt of the existing one (`existing`, see {@link findingTimes}); a new one
 * gets its Workflow NOTIFIED, Note and fields in the import ({@link creationFields}).
 */
export function stagesUnlistedFinding(
  record: RequestFailureRecord,
  existing: ExistingFindings = new Map(),
): AwsSecurityFinding {
  const { request } = record;
  const id = stagesUnlistedFindingId(record);
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: ownProductArn(request.partition, request.region, request.account),
    GeneratorId: 'apigw-remediation/stages-unlisted',
    AwsAccountId: request.account,
    Region: request.region,
    Types: ['Software and Configuration Checks/AWS Security Best Practices'],
    ...findingTimes(record.recordedAt, existing.get(id)),
    Severity: { Label: 'MEDIUM' },
    Title: truncate(`API Gateway API ${request.apiId}: stages could not be checked`, MAX_TITLE_LENGTH),
    Description: truncate(
      `${record.reason}. Controls not checked: ${request.controls.join(', ')} (after ${request.trigger} drift). ` +
        `Execution: ${record.executionArn}`,
      MAX_DESCRIPTION_LENGTH,
    ),
    Resources: [
      {
        Type: request.apiType === 'REST' ? 'AwsApiGatewayRestApi' : 'AwsApiGatewayV2Api',
        Id: formatApiArn(request),
        Partition: request.partition,
        Region: request.region,
      },
    ],
    Compliance: { Status: 'WARNING' },
    RecordState: 'ACTIVE',
    ProductFields: {
      'apigw-remediation/RemediationId': truncate(record.remediationId, MAX_UDF_VALUE_LENGTH),
    },
    ...(existing.has(id) ? {} : creationFields(record, 'NOTIFIED', record.recordedAt)),
  };
}
