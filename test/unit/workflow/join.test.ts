import { describe, expect, it } from 'vitest';
import { findingsToRecord, joinDecision, type JoinedFinding } from '../../../remediators/workflow/join.js';

const NOW = Date.parse('2026-11-21T10:00:00Z');
const HOLDER_ITEM = {
  pk: 'stage#aws#111122223333#us-east-1#REST#a1b2c3d4e5#prod',
  owner: 'exec-a/rem-a',
  expiresAt: NOW / 1000 + 3600,
  controls: ['APIGateway.1', 'APIGateway.4'],
  remediationId: 'rem-a',
  executionArn: 'exec-a',
};
const FINDING: JoinedFinding = {
  findingId: 'finding-b',
  findingFormat: 'ocsf',
  executionArn: 'exec-b',
  remediationId: 'rem-b',
};
const REQUEST = { owner: 'exec-b/rem-b', controls: ['APIGateway.1'] as const, finding: FINDING };

describe('joinDecision', () => {
  it('joins a holder that was asked about every control of the request, naming the holder', () => {
    expect(joinDecision(HOLDER_ITEM, REQUEST, NOW)).toEqual({
      join: true,
      holder: { remediationId: 'rem-a', executionArn: 'exec-a' },
      holderOwner: 'exec-a/rem-a',
      finding: FINDING,
    });
  });

  it('never joins a drift request (no finding of its own to record on)', () => {
    const drift = { owner: REQUEST.owner, controls: REQUEST.controls };
    expect(joinDecision(HOLDER_ITEM, drift, NOW)).toEqual({
      join: false,
      why: 'a request without a finding waits',
    });
  });

  it('does not join for a control the holder was not asked about', () => {
    expect(
      joinDecision(HOLDER_ITEM, { ...REQUEST, controls: ['APIGateway.1', 'APIGateway.8'] }, NOW),
    ).toEqual({ join: false, why: 'the holder was not asked about APIGateway.8' });
  });

  it('does not join a closed item, an expired lease, its own lock or an item that says nothing of its holder', () => {
    expect(joinDecision({ ...HOLDER_ITEM, closed: true }, REQUEST, NOW)).toMatchObject({ join: false });
    expect(joinDecision({ ...HOLDER_ITEM, expiresAt: NOW / 1000 - 1 }, REQUEST, NOW)).toMatchObject({
      join: false,
      why: "the holder's lease has run out",
    });
    expect(joinDecision(HOLDER_ITEM, { ...REQUEST, owner: 'exec-a/rem-a' }, NOW)).toMatchObject({
      join: false,
    });
    const older = { pk: HOLDER_ITEM.pk, owner: HOLDER_ITEM.owner, expiresAt: HOLDER_ITEM.expiresAt };
    expect(joinDecision(older, REQUEST, NOW)).toMatchObject({ join: false });
    expect(joinDecision(undefined, REQUEST, NOW)).toMatchObject({ join: false });
    expect(joinDecision({ ...HOLDER_ITEM, controls: ['APIGateway.99'] }, REQUEST, NOW)).toMatchObject({
      join: false,
    });
  });
});

describe('findingsToRecord', () => {
  it('records each joined finding once and never the holder’s own finding again', () => {
    // The same finding id in the other format is the other Security Hub's finding: recorded too.
    const asff: JoinedFinding = {
      findingId: FINDING.findingId,
      executionArn: FINDING.executionArn,
      remediationId: FINDING.remediationId,
    };
    expect(findingsToRecord([FINDING, FINDING, asff], { findingId: 'finding-a' })).toEqual([FINDING, asff]);
    expect(findingsToRecord([FINDING, asff], { findingId: 'finding-b', findingFormat: 'ocsf' })).toEqual([
      asff,
    ]);
    expect(findingsToRecord([FINDING], { findingId: undefined })).toEqual([FINDING]);
  });
});
