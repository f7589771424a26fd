/**
 * Thin I/O: sends what ./findings.ts builds and fails loudly when Security Hub refuses part of
 * it (a partial update would leave the audit trail silently incomplete).
 */
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  type AwsSecurityFinding,
  type AwsSecurityFindingIdentifier,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { RetryTuning } from '../core/clients.js';
import type { ControlId } from '../core/types.js';
import type { OutcomeRecord } from '../workflow/outcome.js';
import type { RequestFailureRecord } from '../workflow/request-failure.js';
import {
  awsProductArn,
  buildNote,
  buildUserDefinedFields,
  chunk,
  MAX_FILTER_VALUES,
  MAX_FINDINGS_PER_CALL,
  outcomeUpdates,
  ownFindings,
  ownProductArn,
  ownershipUpdates,
  stagesUnlistedFinding,
  stagesUnlistedFindingId,
  workflowStatus,
  type ExistingFindings,
  type FirstSeen,
  type NoteSource,
} from './findings.js';
import { sendUntilProcessed } from './unprocessed.js';

export class SecurityHubWriteError extends Error {
  override readonly name = 'SecurityHubWriteError';
  /**
   * The identifiers Security Hub left unprocessed (the others of the call were processed): the
   * admit task reports exactly these as ownership not taken and lets the rest go on.
   */
  readonly unprocessed: readonly unknown[];
  constructor(message: string, unprocessed: readonly unknown[] = []) {
    super(message);
    this.unprocessed = unprocessed;
  }
}

/**
 * How often a finding BatchUpdateFindings left unprocessed for a passing reason is sent again:
 * 4 attempts, full-jitter backoff capped at 0.5, 1, 2 s (at most 3.5 s of waiting per call; a
 * record makes one call per distinct note, at most one per baseline control, so even all of them
 * retrying stay well inside the 60 s function timeout). Bounded: still unprocessed after that, the
 * write fails loudly.
 */
export const UNPROCESSED_RETRY: RetryTuning = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 2000 };

/**
 * BatchUpdateFindingsUnprocessedFinding.ErrorCode (Security Hub API Reference): FindingNotFound
 * (a finding imported a moment ago may not be visible to the home account yet),
 * ConcurrentUpdateError ("may also occur if you call BatchUpdateFindings and BatchImportFindings
 * at the same time", which a re-import followed by its update is) and InternalFailure pass; the
 * others (DuplicatedFindingIdentifier, FindingSizeExceeded, InvalidInput) would fail again.
 */
const RETRYABLE_UNPROCESSED = new Set(['FindingNotFound', 'ConcurrentUpdateError', 'InternalFailure']);

function unprocessedError(
  unprocessed: readonly {
    FindingIdentifier?: AwsSecurityFindingIdentifier;
    ErrorCode?: string;
    ErrorMessage?: string;
  }[],
  attempts: number,
): SecurityHubWriteError {
  return new SecurityHubWriteError(
    `BatchUpdateFindings left ${unprocessed.length} finding(s) unprocessed` +
      (attempts > 1 ? ` after ${attempts} attempts` : '') +
      ': ' +
      unprocessed
        .map(
          (finding) =>
            `${finding.FindingIdentifier?.Id ?? '?'} (${finding.ErrorCode}: ${finding.ErrorMessage})`,
        )
        .join('; '),
    unprocessed.flatMap((finding) =>
      finding.FindingIdentifier === undefined ? [] : [finding.FindingIdentifier],
    ),
  );
}

/** Sends each update; the findings left unprocessed for a passing reason are sent again (see UNPROCESSED_RETRY). */
async function batchUpdate(
  client: SecurityHubClient,
  inputs: ReturnType<typeof ownershipUpdates>,
  retry: RetryTuning = UNPROCESSED_RETRY,
): Promise<number> {
  let processed = 0;
  for (const input of inputs) {
    processed += await sendUntilProcessed(
      input.FindingIdentifiers,
      async (FindingIdentifiers) => {
        const response = await client.send(new BatchUpdateFindingsCommand({ ...input, FindingIdentifiers }));
        return {
          processed: response.ProcessedFindings?.length ?? 0,
          unprocessed: response.UnprocessedFindings ?? [],
        };
      },
      { retryable: RETRYABLE_UNPROCESSED, retry, failure: unprocessedError },
    );
  }
  return processed;
}

/** The finding a Security Hub trigger names: intake's ProductArn, else AWS's own product in the Region. */
export function findingIdentifier(
  stage: Pick<OutcomeRecord['stage'], 'partition' | 'region'>,
  findingId: string,
  productArn: string | undefined,
): AwsSecurityFindingIdentifier {
  return { Id: findingId, ProductArn: productArn ?? awsProductArn(stage.partition, stage.region) };
}

export async function takeOwnership(
  client: SecurityHubClient,
  findings: readonly AwsSecurityFindingIdentifier[],
  executionArn: string,
  retry: RetryTuning = UNPROCESSED_RETRY,
): Promise<number> {
  return batchUpdate(client, ownershipUpdates(findings, executionArn), retry);
}

export interface SecurityHubClients {
  /** The home (administrator) account: updates findings of every member account. */
  readonly home: SecurityHubClient;
  /** The stage's own account: BatchImportFindings only accepts findings of the calling account. */
  readonly member: SecurityHubClient;
}

export interface RecordResult {
  readonly imported: number;
  /** Findings whose Workflow/Note/fields BatchUpdateFindings set (a new own finding gets them in its import). */
  readonly updated: number;
}

async function batchImport(
  client: SecurityHubClient,
  findings: readonly AwsSecurityFinding[],
): Promise<number> {
  let imported = 0;
  for (const batch of chunk(findings)) {
    const response = await client.send(new BatchImportFindingsCommand({ Findings: batch }));
    if ((response.FailedCount ?? 0) > 0) {
      throw new SecurityHubWriteError(
        `BatchImportFindings refused ${response.FailedCount} finding(s): ` +
          (response.FailedFindings ?? [])
            .map((failed) => `${failed.Id} (${failed.ErrorCode}: ${failed.ErrorMessage})`)
            .join('; '),
      );
    }
    imported += response.SuccessCount ?? batch.length;
  }
  return imported;
}

/**
 * The CreatedAt/FirstObservedAt of the own findings already imported under these Ids, read in the
 * account that imports them (the stage's: its own findings are readable there whatever the
 * administrator setup, and it is the account whose role already writes them). One GetFindings call
 * per record (Id EQUALS each, ProductArn EQUALS; the 3 requests/s quota): the baseline's controls
 * fit the 20 values a filter takes, so more calls happen only past 20 Ids. A failed read is not
 * caught: the record fails loudly like any Security Hub error (throttling retried by the Record
 * task, anything else notified as NOT recorded and alarmed) rather than importing with CreatedAt =
 * now, which would overwrite when the problem was first seen — history an auditor cannot get back,
 * whereas a failed record is seen at once and the next run records it again.
 */
export async function readExistingFindings(
  client: SecurityHubClient,
  findings: readonly Pick<AwsSecurityFinding, 'Id' | 'ProductArn'>[],
): Promise<ExistingFindings> {
  const existing = new Map<string, FirstSeen>();
  const productArns = [...new Set(findings.map((finding) => finding.ProductArn))];
  for (const batch of chunk(
    findings.map((finding) => finding.Id),
    MAX_FILTER_VALUES,
  )) {
    const response = await client.send(
      new GetFindingsCommand({
        Filters: {
          Id: batch.map((id) => ({ Value: id, Comparison: 'EQUALS' })),
          ProductArn: productArns.map((arn) => ({ Value: arn, Comparison: 'EQUALS' })),
        },
        MaxResults: MAX_FINDINGS_PER_CALL,
      }),
    );
    for (const finding of response.Findings ?? []) {
      if (finding.Id === undefined || finding.CreatedAt === undefined) continue;
      existing.set(finding.Id, {
        createdAt: finding.CreatedAt,
        ...(finding.FirstObservedAt === undefined ? {} : { firstObservedAt: finding.FirstObservedAt }),
      });
    }
  }
  return existing;
}

/** Workflow, note and fields per finding; findings that get the very same update share calls. */
async function updateEach(
  client: SecurityHubClient,
  updates: readonly {
    readonly identifier: AwsSecurityFindingIdentifier;
    readonly source: NoteSource;
    readonly status: 'RESOLVED' | 'NOTIFIED';
  }[],
  retry: RetryTuning,
): Promise<number> {
  const groups = new Map<
    string,
    { source: NoteSource; status: 'RESOLVED' | 'NOTIFIED'; ids: AwsSecurityFindingIdentifier[] }
  >();
  for (const { identifier, source, status } of updates) {
    const key = JSON.stringify([status, buildNote(source), buildUserDefinedFields(source)]);
    const group = groups.get(key) ?? { source, status, ids: [] };
    group.ids.push(identifier);
    groups.set(key, group);
  }
  let updated = 0;
  for (const { source, status, ids } of groups.values()) {
    updated += await batchUpdate(client, outcomeUpdates(source, ids, status), retry);
  }
  return updated;
}

/** A finding of another product (AWS's control findings) that a run records its outcome on. */
export interface RecordedFinding {
  readonly findingId: string;
  readonly productArn?: string | undefined;
}

/**
 * One record on many findings of other products (the findings coalesced into or joined to a run):
 * the same Workflow, Note and UserDefinedFields (the note names no finding), so one
 * BatchUpdateFindings per 100 findings instead of one per finding
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html).
 */
export async function recordOutcomeOnFindings(
  home: SecurityHubClient,
  record: OutcomeRecord,
  findings: readonly RecordedFinding[],
  retry: RetryTuning = UNPROCESSED_RETRY,
): Promise<number> {
  if (findings.length === 0) return 0;
  const identifiers = findings.map((finding) =>
    findingIdentifier(record.stage, finding.findingId, finding.productArn),
  );
  return batchUpdate(home, outcomeUpdates(record, identifiers), retry);
}

/** Whether a finding is one the service imported itself (its record is an import, not an update). */
export function isOwnFinding(record: Pick<OutcomeRecord, 'stage'>, productArn: string | undefined): boolean {
  const { stage } = record;
  return productArn === ownProductArn(stage.partition, stage.region, stage.account);
}

/**
 * A Security Hub trigger on an AWS finding: update that finding (Security Hub re-checks its own
 * compliance). Drift, or a manual run on one of the service's own findings: import the service's
 * own findings (at most 100 per call) with each control's compliance after the run — nobody else
 * re-checks them — keeping the CreatedAt/FirstObservedAt of those already imported (read first, see
 * {@link readExistingFindings}). Each gets its control's own outcome and note, so every outcome
 * reads alike in Security Hub: a new finding in the import itself (the only time an import may set
 * them, see creationFields), an existing one by BatchUpdateFindings from the home account after the
 * import, retried while Security Hub leaves it unprocessed for a passing reason.
 */
export async function recordOutcome(
  clients: SecurityHubClients,
  record: OutcomeRecord,
  titles: Readonly<Partial<Record<ControlId, string>>>,
  retry: RetryTuning = UNPROCESSED_RETRY,
): Promise<RecordResult> {
  const onOwnFinding = isOwnFinding(record, record.findingProductArn);
  if (record.findingId !== undefined && !onOwnFinding) {
    const finding = { findingId: record.findingId, productArn: record.findingProductArn };
    return { imported: 0, updated: await recordOutcomeOnFindings(clients.home, record, [finding], retry) };
  }
  const evaluations = onOwnFinding ? record.evaluations : undefined;
  const ids = ownFindings(record, titles, evaluations).map(({ finding }) => finding);
  if (ids.length === 0) return { imported: 0, updated: 0 };
  const existing = await readExistingFindings(clients.member, ids);
  const own = ownFindings(record, titles, evaluations, existing);
  const imported = await batchImport(
    clients.member,
    own.map(({ finding }) => finding),
  );
  const updated = await updateEach(
    clients.home,
    own
      .filter(({ created }) => !created)
      .map(({ finding, control }) => ({
        identifier: { Id: finding.Id, ProductArn: finding.ProductArn },
        source: control,
        status: workflowStatus(control.outcome, control.evaluations[0]?.compliance),
      })),
    retry,
  );
  return { imported, updated };
}

/**
 * A request that stopped before its stages were known (EXPAND_FAILED): FAILED on its finding
 * (Workflow NOTIFIED, a note with the error), or, for drift without a finding, a finding of the
 * service's own on the API saying the stages could not be listed, with the same Workflow and note
 * (in the import when it is new, by BatchUpdateFindings when it exists).
 */
export async function recordRequestFailure(
  clients: Pick<SecurityHubClients, 'home'> & { readonly member: () => Promise<SecurityHubClient> },
  record: RequestFailureRecord,
  retry: RetryTuning = UNPROCESSED_RETRY,
): Promise<RecordResult> {
  const { request } = record;
  if (request.findingId !== undefined) {
    const updated = await batchUpdate(
      clients.home,
      outcomeUpdates(record, [findingIdentifier(request, request.findingId, request.productArn)], 'NOTIFIED'),
      retry,
    );
    return { imported: 0, updated };
  }
  const member = await clients.member();
  const existing = await readExistingFindings(member, [stagesUnlistedFinding(record)]);
  const finding = stagesUnlistedFinding(record, existing);
  const imported = await batchImport(member, [finding]);
  // A new finding got its Workflow and Note in the import; only an existing one needs the update.
  const updated = existing.has(stagesUnlistedFindingId(record))
    ? await batchUpdate(
        clients.home,
        outcomeUpdates(record, [{ Id: finding.Id, ProductArn: finding.ProductArn }], 'NOTIFIED'),
        retry,
      )
    : 0;
  return { imported, updated };
}
