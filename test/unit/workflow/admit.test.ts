/**
 * The admit task's pure decisions (remediators/workflow/admit.ts): ownership calls per Region and
 * format of at most 100 findings, and one stage item per stage for the requests that coalesce.
 */
import { describe, expect, it } from 'vitest';
import type { StageRef } from '../../../remediators/core/types.js';
import { eventIds, ownershipCalls, roundRequest, stageItems } from '../../../remediators/workflow/admit.js';
import type { RemediationRequest } from '../../../remediators/workflow/state.js';
import { EXECUTION_ARN, STAGE } from './fixtures.js';

const CONTEXT = { executionArn: EXECUTION_ARN, locksTable: 'locks' };

function request(overrides: Partial<RemediationRequest> = {}): RemediationRequest {
  return {
    trigger: 'securityhub',
    account: STAGE.account,
    region: STAGE.region,
    partition: 'aws',
    apiType: 'REST',
    apiId: STAGE.apiId,
    stageName: STAGE.stageName,
    controls: ['APIGateway.1'],
    findingId: 'f-1',
    eventId: 'e-1',
    ...overrides,
  };
}

describe('admit: ownership calls', () => {
  it('takes 250 findings of one Region in 3 calls of at most 100', () => {
    const requests = Array.from({ length: 250 }, (_, index) => request({ findingId: `f-${index}` }));
    expect(ownershipCalls(requests).map((call) => call.requests.length)).toEqual([100, 100, 50]);
  });

  it('groups per Region and format, and leaves requests without a finding out', () => {
    const calls = ownershipCalls([
      request({ findingId: 'a' }),
      request({ findingId: 'b', region: 'eu-west-1' }),
      request({ findingId: 'c', findingFormat: 'ocsf' }),
      request({ findingId: undefined, trigger: 'cloudtrail' }),
      request({ findingId: 'd' }),
    ]);
    expect(calls.map((call) => [call.format, call.region, call.requests.map((r) => r.findingId)])).toEqual([
      ['asff', 'us-east-1', ['a', 'd']],
      ['asff', 'eu-west-1', ['b']],
      ['ocsf', 'us-east-1', ['c']],
    ]);
  });

  it('names each event once', () => {
    expect(eventIds([request(), request({ findingId: 'f-2' }), request({ eventId: 'e-2' })])).toEqual([
      'e-1',
      'e-2',
    ]);
  });
});

describe('admit: one item per stage', () => {
  it('makes two findings and a drift for one stage one item: controls united, a finding primary, the other coalesced', () => {
    const drift = request({ trigger: 'cloudtrail', findingId: undefined, controls: ['APIGateway.9'] });
    const first = request({ findingId: 'f-1', controls: ['APIGateway.1'], productArn: 'p' });
    const second = request({ findingId: 'f-2', controls: ['APIGateway.5'], findingFormat: 'ocsf' });
    const items = stageItems(
      [drift, first, second].map((r) => ({ request: r, stages: [STAGE] })),
      CONTEXT,
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ v: 2, ...CONTEXT, stage: STAGE });
    expect(items[0]?.request.findingId).toBe('f-1');
    expect(items[0]?.request.controls).toEqual(['APIGateway.9', 'APIGateway.1', 'APIGateway.5']);
    // Each finding keeps its own controls, for its share of the outcome (workflow/outcome.ts findingRecord).
    expect(items[0]?.request.findingControls).toEqual(['APIGateway.1']);
    expect(items[0]?.coalesced).toEqual([
      {
        findingId: 'f-2',
        controls: ['APIGateway.5'],
        findingFormat: 'ocsf',
        executionArn: CONTEXT.executionArn,
        remediationId: `${CONTEXT.executionArn}/${STAGE.apiId}/prod`,
      },
    ]);
  });

  it('keeps one item per stage of an API-level request, grouped with the stage requests', () => {
    const dev: StageRef = { ...STAGE, stageName: 'dev' };
    const apiLevel = request({ trigger: 'cloudtrail', findingId: undefined, stageName: null });
    const items = stageItems(
      [
        { request: apiLevel, stages: [STAGE, dev] },
        { request: request({ findingId: 'f-1' }), stages: [dev] },
      ],
      CONTEXT,
    );
    expect(
      items.map((item) => [item.stage.stageName, item.request.findingId, item.coalesced.length]),
    ).toEqual([
      ['prod', undefined, 0],
      ['dev', 'f-1', 0],
    ]);
  });

  it('never coalesces an undo or an operator fix, nor a finding with itself', () => {
    const items = stageItems(
      [
        request({ trigger: 'undo' }),
        request({ trigger: 'cli', findingId: undefined }),
        request({ findingId: 'f-1' }),
        request({ findingId: 'f-1' }),
      ].map((r) => ({ request: r, stages: [STAGE] })),
      CONTEXT,
    );
    expect(items.map((item) => [item.request.trigger, item.coalesced.length])).toEqual([
      ['undo', 0],
      ['cli', 0],
      ['securityhub', 0],
    ]);
  });
});

describe("admit: a holder's round", () => {
  const joined = (findingId: string) => ({ findingId, executionArn: 'exec-b', remediationId: 'rem-b' });

  it("unites the round's requests and keeps each request's own coalesced findings, each once", () => {
    const round = roundRequest(
      [
        { request: request({ findingId: 'f-1', controls: ['APIGateway.1'] }), coalesced: [joined('f-1b')] },
        { request: request({ findingId: 'f-2', controls: ['APIGateway.3'] }), coalesced: [joined('f-1b')] },
        { request: request({ findingId: 'f-3', controls: ['APIGateway.4'] }) },
      ],
      STAGE,
      CONTEXT,
    );
    expect(round?.request).toMatchObject({
      findingId: 'f-1',
      controls: ['APIGateway.1', 'APIGateway.3', 'APIGateway.4'],
    });
    expect(round?.coalesced.map((finding) => finding.findingId)).toEqual(['f-1b', 'f-2', 'f-3']);
  });

  it('has no round without a request', () => {
    expect(roundRequest([], STAGE, CONTEXT)).toBeUndefined();
  });
});
