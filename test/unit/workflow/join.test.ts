import { describe, expect, it } from 'vitest';
import {
  findingsToRecord,
  joinDecision,
  MAX_PENDING_REQUESTS,
  MAX_STAGE_ROUNDS,
  queueDecision,
  unlockDecision,
  type PendingRequest,
} from '../../../remediators/workflow/join.js';
import type { JoinedFinding, RemediationRequest } from '../../../remediators/workflow/state.js';
import { workItem } from './fixtures.js';

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
      findings: [FINDING],
    });
  });

  it('joins with the findings coalesced into the waiting run, after its own', () => {
    const coalesced = { ...FINDING, findingId: 'finding-c', findingFormat: undefined };
    const decision = joinDecision(HOLDER_ITEM, { ...REQUEST, coalesced: [coalesced] }, NOW);
    expect(decision.join && decision.findings).toEqual([FINDING, coalesced]);
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

const QUEUED_REQUEST: RemediationRequest = {
  ...workItem().request,
  controls: ['APIGateway.8'],
  findingId: 'finding-c',
};
const QUEUED: PendingRequest = { request: QUEUED_REQUEST, executionArn: 'exec-c', remediationId: 'rem-c' };

describe('queueDecision', () => {
  it('queues a request the holder does not cover, also on a closed holder, naming the holder', () => {
    const queued = {
      queue: true,
      holder: { remediationId: 'rem-a', executionArn: 'exec-a' },
      holderOwner: 'exec-a/rem-a',
    };
    expect(queueDecision(HOLDER_ITEM, 'exec-c/rem-c', QUEUED_REQUEST, NOW)).toEqual(queued);
    expect(queueDecision({ ...HOLDER_ITEM, closed: true }, 'exec-c/rem-c', QUEUED_REQUEST, NOW)).toEqual(
      queued,
    );
    const drift = { ...QUEUED_REQUEST, trigger: 'cloudtrail', findingId: undefined };
    expect(queueDecision(HOLDER_ITEM, 'exec-c/rem-c', drift, NOW)).toMatchObject({ queue: true });
  });

  it('refuses, saying why: own lock, lease out, undo holder, last round, full queue, a run of its own', () => {
    const why = (item: unknown, request = QUEUED_REQUEST, owner = 'exec-c/rem-c') => {
      const decision = queueDecision(item, owner, request, NOW);
      return decision.queue ? 'queued' : decision.why;
    };
    expect(why(HOLDER_ITEM, QUEUED_REQUEST, 'exec-a/rem-a')).toBe('this run holds the lock');
    expect(why({ ...HOLDER_ITEM, expiresAt: NOW / 1000 - 1 })).toBe("the holder's lease has run out");
    expect(why({ ...HOLDER_ITEM, controls: undefined })).toMatch(/runs no rounds/);
    expect(why({ ...HOLDER_ITEM, lastRound: true })).toBe(
      `the holder is in its last round (${MAX_STAGE_ROUNDS})`,
    );
    const full = Array.from({ length: MAX_PENDING_REQUESTS }, () => QUEUED);
    expect(why({ ...HOLDER_ITEM, pending: full })).toBe(
      `the holder has ${MAX_PENDING_REQUESTS} requests queued already`,
    );
    expect(why(HOLDER_ITEM, { ...QUEUED_REQUEST, trigger: 'undo' })).toBe('undo requests run on their own');
    expect(why(HOLDER_ITEM, { ...QUEUED_REQUEST, trigger: 'cli' })).toBe('cli requests run on their own');
    expect(why(undefined)).toBe('the lock item does not say what its holder covers');
  });
});

describe('unlockDecision', () => {
  const owner = HOLDER_ITEM.owner;
  it('opens the next round with what is queued, the last one at the limit', () => {
    expect(unlockDecision({ ...HOLDER_ITEM, pending: [QUEUED] }, owner, 1)).toEqual({
      kind: 'open-round',
      round: 2,
      requests: [QUEUED],
      last: false,
    });
    expect(
      unlockDecision(
        { ...HOLDER_ITEM, round: MAX_STAGE_ROUNDS - 1, pending: [QUEUED] },
        owner,
        MAX_STAGE_ROUNDS - 1,
      ),
    ).toMatchObject({
      kind: 'open-round',
      round: MAX_STAGE_ROUNDS,
      last: true,
    });
  });

  it('runs a round already opened (a retried unlock), releases an empty queue, leaves an item not its own', () => {
    expect(unlockDecision({ ...HOLDER_ITEM, round: 2, next: [QUEUED] }, owner, 1)).toEqual({
      kind: 'round-open',
      round: 2,
    });
    expect(unlockDecision({ ...HOLDER_ITEM, round: 2 }, owner, 2)).toEqual({ kind: 'release' });
    expect(unlockDecision({ ...HOLDER_ITEM, pending: [QUEUED] }, 'exec-z/rem-z', 1)).toEqual({
      kind: 'not-ours',
    });
    expect(unlockDecision(undefined, owner, 1)).toEqual({ kind: 'not-ours' });
  });
});
