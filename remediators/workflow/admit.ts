/**
 * Pure: what the admit task decides about a batch's requests (docs/decisions/0036). The handler
 * (remediators/handlers/admit.ts) does the I/O around it: the duplicate-delivery markers, the
 * ownership calls, the stage listing, the reports.
 *
 * - Ownership is taken per Region and finding format in calls of at most 100 findings
 *   (BatchUpdateFindings and BatchUpdateFindingsV2 both take up to 100 identifiers:
 *   https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html,
 *   https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindingsV2.html).
 * - Stage items are grouped per stage: every fix request for one stage in one batch becomes ONE
 *   item, its controls the union, its primary request a finding's when there is one, the other
 *   findings `coalesced` (recorded with the run's outcome, as a joined finding is, each finding
 *   with its own controls' share of it: workflow/outcome.ts findingRecord). An undo and an
 *   operator's `fix` keep their own item: an undo names one remediation, and a `fix`'s confirmation
 *   approves only the controls the operator saw.
 */
import type { ControlId, StageRef } from '../core/types.js';
import { chunk, MAX_FINDINGS_PER_CALL } from '../securityhub/findings.js';
import { MAX_V2_FINDINGS_PER_CALL } from '../securityhub/findings-v2.js';
import { coalescingTrigger, findingsToRecord } from './join.js';
import type { JoinedFinding, RemediationRequest } from './state.js';

/** The version of the stage item the per-stage Map receives (an execution in flight keeps its own). */
export const STAGE_ITEM_VERSION = 2;

export interface StageItem {
  readonly v: typeof STAGE_ITEM_VERSION;
  readonly executionArn: string;
  readonly locksTable: string;
  readonly request: RemediationRequest;
  readonly stage: StageRef;
  /** The other findings of the batch for this stage (empty when none): the run records on each. */
  readonly coalesced: readonly JoinedFinding[];
}

export type FindingRequest = RemediationRequest & { readonly findingId: string };

export function hasFinding(request: RemediationRequest): request is FindingRequest {
  return request.findingId !== undefined;
}

/** The distinct event ids of the requests, in order (the duplicate-delivery markers to write). */
export function eventIds(requests: readonly RemediationRequest[]): string[] {
  return [
    ...new Set(requests.flatMap((request) => (request.eventId === undefined ? [] : [request.eventId]))),
  ];
}

export interface OwnershipCall {
  readonly region: string;
  readonly format: 'asff' | 'ocsf';
  readonly requests: readonly FindingRequest[];
}

/** The ownership calls for the requests' findings: per Region and format, ≤ 100 findings each. */
export function ownershipCalls(requests: readonly RemediationRequest[]): OwnershipCall[] {
  const groups = new Map<string, { region: string; format: 'asff' | 'ocsf'; requests: FindingRequest[] }>();
  for (const request of requests.filter(hasFinding)) {
    const format = request.findingFormat ?? 'asff';
    const key = `${format}#${request.region}`;
    const group = groups.get(key) ?? { region: request.region, format, requests: [] };
    group.requests.push(request);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap((group) =>
    chunk(group.requests, group.format === 'ocsf' ? MAX_V2_FINDINGS_PER_CALL : MAX_FINDINGS_PER_CALL).map(
      (requests) => ({ region: group.region, format: group.format, requests }),
    ),
  );
}

/** A request with the stages it covers (expand-stages' answer). */
export interface ExpandedRequest {
  readonly request: RemediationRequest;
  readonly stages: readonly StageRef[];
}

function stageKey(stage: StageRef): string {
  return [stage.partition, stage.account, stage.region, stage.apiType, stage.apiId, stage.stageName].join(
    '/',
  );
}

/** The controls of the finding a request names (its own, also once grouped into a union). */
export function findingControlsOf(request: RemediationRequest): readonly ControlId[] {
  return request.findingControls ?? request.controls;
}

/** A finding coalesced into or joined to another run: recorded by it, with its own controls' share. */
export function joinedFinding(
  request: FindingRequest,
  run: { readonly executionArn: string; readonly remediationId: string },
): JoinedFinding {
  return {
    findingId: request.findingId,
    controls: [...findingControlsOf(request)],
    ...(request.productArn === undefined ? {} : { productArn: request.productArn }),
    ...(request.findingFormat === undefined ? {} : { findingFormat: request.findingFormat }),
    ...(request.metadataUid === undefined ? {} : { metadataUid: request.metadataUid }),
    executionArn: run.executionArn,
    remediationId: run.remediationId,
  };
}

function findingKey(request: FindingRequest): string {
  return `${request.findingFormat ?? 'asff'}#${request.findingId}`;
}

/** One item per stage of the coalescing requests (union of controls), one per other request-stage. */
export function stageItems(
  expanded: readonly ExpandedRequest[],
  context: { readonly executionArn: string; readonly locksTable: string },
): StageItem[] {
  const groups = new Map<string, { stage: StageRef; requests: RemediationRequest[] }>();
  const order: (string | StageItem)[] = [];
  const single = (request: RemediationRequest, stage: StageRef): StageItem => ({
    v: STAGE_ITEM_VERSION,
    ...context,
    request,
    stage,
    coalesced: [],
  });
  for (const { request, stages } of expanded) {
    for (const stage of stages) {
      if (!coalescingTrigger(request.trigger)) {
        order.push(single(request, stage));
        continue;
      }
      const key = stageKey(stage);
      const group = groups.get(key);
      if (group === undefined) {
        groups.set(key, { stage, requests: [request] });
        order.push(key);
      } else group.requests.push(request);
    }
  }
  return order.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const { stage, requests } = groups.get(entry) as { stage: StageRef; requests: RemediationRequest[] };
    const primary = requests.find(hasFinding) ?? (requests[0] as RemediationRequest);
    const controls: ControlId[] = [...new Set(requests.flatMap((request) => request.controls))];
    const seen = new Set<string>(hasFinding(primary) ? [findingKey(primary)] : []);
    const coalesced = requests.filter(hasFinding).flatMap((request) => {
      const key = findingKey(request);
      if (seen.has(key)) return [];
      seen.add(key);
      return [
        joinedFinding(request, {
          executionArn: context.executionArn,
          // A placeholder: a coalesced finding is recorded with its run's record, which carries the
          // run's own id (workflow/stage-identity.ts remediationIdOf of the item's request).
          remediationId: `${context.executionArn}/${stage.apiId}/${stage.stageName}`,
        }),
      ];
    });
    // The primary finding keeps its own controls apart from the union: it is recorded with their share.
    const own = findingControlsOf(primary);
    const widened = controls.length !== own.length;
    return {
      ...single({ ...primary, controls, ...(widened ? { findingControls: [...own] } : {}) }, stage),
      coalesced,
    };
  });
}

/** A request a holder runs in one of its rounds, with the findings coalesced into its own run. */
export interface RoundRequest {
  readonly request: RemediationRequest;
  readonly coalesced?: readonly JoinedFinding[] | undefined;
}

/**
 * The request of a holder's round (docs/decisions/0037 and 0039): its requests grouped as a batch's
 * (one request, the union of the controls, the other findings coalesced), and every request's own
 * coalesced findings with them, each once. Undefined for no request.
 */
export function roundRequest(
  requests: readonly RoundRequest[],
  stage: StageRef,
  context: { readonly executionArn: string; readonly locksTable: string },
): Pick<StageItem, 'request' | 'coalesced'> | undefined {
  const [round] = stageItems(
    requests.map(({ request }) => ({ request, stages: [stage] })),
    context,
  );
  if (round === undefined) return undefined;
  const carried = requests.flatMap(({ coalesced }) => coalesced ?? []);
  return {
    request: round.request,
    coalesced: findingsToRecord([...carried, ...round.coalesced], round.request),
  };
}
