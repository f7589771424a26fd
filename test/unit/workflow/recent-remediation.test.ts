/**
 * The "recently remediated" marker (pure): what a remediating run leaves, and when a later run's
 * compliant re-read is credited to it (docs/decisions/0015-ocsf-findings.md).
 */
import { describe, expect, it } from 'vitest';
import {
  creditRecentRemediation,
  RECENT_REMEDIATION_WINDOW_SECONDS,
  recentRemediationOf,
  type RecentRemediation,
} from '../../../remediators/workflow/recent-remediation.js';
import { EXECUTION_ARN, outcomeRecord, workItem } from './fixtures.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const OTHER_EXECUTION = 'arn:aws:states:us-east-1:999999999999:execution:apigw-remediation:second';

const remediated = workItem({
  terminal: { outcome: 'REMEDIATED' },
  applied: {
    redeploy: false,
    applied: [
      {
        controlId: 'APIGateway.1',
        setting: 'methodSettings[*/*].loggingLevel',
        before: 'OFF',
        after: 'ERROR',
      },
    ],
  },
});

function marker(overrides: Partial<RecentRemediation> = {}): RecentRemediation {
  const base = recentRemediationOf(remediated, NOW);
  if (base === undefined) throw new Error('a remediated item leaves a marker');
  return { ...base, ...overrides };
}

const compliant = outcomeRecord({
  outcome: 'ALREADY_COMPLIANT',
  remediationId: 'rem-2',
  executionArn: OTHER_EXECUTION,
  changes: [],
  reason: 'every control passes',
});
const ocsfRequest = {
  controls: ['APIGateway.1' as const],
  findingId: 'finding-1',
  findingFormat: 'ocsf' as const,
};

describe('recentRemediationOf', () => {
  it('describes what a REMEDIATED run fixed, with its changes, approver, finding and window', () => {
    expect(recentRemediationOf(remediated, NOW)).toEqual({
      remediationId: 'rem-1',
      executionArn: EXECUTION_ARN,
      controls: ['APIGateway.1'],
      changes: [
        {
          controlId: 'APIGateway.1',
          setting: 'methodSettings[*/*].loggingLevel',
          before: 'OFF',
          after: 'ERROR',
        },
      ],
      approver: 'automatic',
      remediatedAt: NOW.toISOString(),
      until: NOW.getTime() / 1000 + RECENT_REMEDIATION_WINDOW_SECONDS,
      findingId: 'finding-1',
      findingFormat: 'asff',
    });
  });

  it('leaves none after any other outcome', () => {
    for (const outcome of [
      'ALREADY_COMPLIANT',
      'DRY_RUN',
      'SKIPPED',
      'REJECTED',
      'EXPIRED',
      'RESOURCE_GONE',
      'FAILED',
    ] as const) {
      expect(recentRemediationOf(workItem({ terminal: { outcome } }), NOW), outcome).toBeUndefined();
    }
    expect(recentRemediationOf(workItem(), NOW)).toBeUndefined();
  });
});

describe('creditRecentRemediation', () => {
  it('records the other finding as fixed by the remediation, naming it, with its changes and execution', () => {
    const credited = creditRecentRemediation(compliant, ocsfRequest, marker(), NOW.getTime() + 60_000);
    expect(credited).toMatchObject({
      outcome: 'REMEDIATED',
      remediationId: 'rem-1',
      executionArn: EXECUTION_ARN,
      approver: 'automatic',
      changes: [{ controlId: 'APIGateway.1', before: 'OFF', after: 'ERROR' }],
    });
    expect(credited.reason).toMatch(/^fixed APIGateway\.1 by remediation rem-1 at 2026-11-21T10:00:00\.000Z/);
    expect(credited.evaluations).toEqual(compliant.evaluations);
  });

  it('says truly what started the crediting remediation: the twin finding, another finding, or drift', () => {
    const later = NOW.getTime() + 60_000;
    expect(creditRecentRemediation(compliant, ocsfRequest, marker(), later).reason).toContain(
      "started by this finding's twin in Security Hub CSPM;",
    );
    const asffOther = { controls: ['APIGateway.1' as const], findingId: 'finding-2' };
    expect(
      creditRecentRemediation(compliant, asffOther, marker({ findingFormat: 'ocsf' }), later).reason,
    ).toContain("started by this stage's finding finding-1 in the new Security Hub;");
    const driftMarker = marker();
    delete driftMarker.findingId;
    const fromDrift = creditRecentRemediation(compliant, ocsfRequest, driftMarker, later).reason;
    expect(fromDrift).toContain('started by a change to the stage seen in CloudTrail;');
    expect(fromDrift).not.toContain('finding');
  });

  it('does not credit the very finding the remediation recorded, nor after the window, nor itself', () => {
    const asffSame = { controls: ['APIGateway.1' as const], findingId: 'finding-1' };
    expect(creditRecentRemediation(compliant, asffSame, marker(), NOW.getTime())).toBe(compliant);
    const afterWindow = NOW.getTime() + (RECENT_REMEDIATION_WINDOW_SECONDS + 1) * 1000;
    expect(creditRecentRemediation(compliant, ocsfRequest, marker(), afterWindow)).toBe(compliant);
    const own = { ...compliant, executionArn: EXECUTION_ARN, remediationId: 'rem-1' };
    expect(creditRecentRemediation(own, ocsfRequest, marker(), NOW.getTime())).toBe(own);
    // An earlier round of the same execution (docs/decisions/0037) is another remediation: credited.
    const laterRound = { ...compliant, executionArn: EXECUTION_ARN };
    expect(creditRecentRemediation(laterRound, ocsfRequest, marker(), NOW.getTime()).outcome).toBe(
      'REMEDIATED',
    );
  });

  it('credits only a compliant re-read of controls the remediation fixed', () => {
    const otherControl = { ...ocsfRequest, controls: ['APIGateway.3' as const] };
    expect(creditRecentRemediation(compliant, otherControl, marker(), NOW.getTime())).toBe(compliant);
    const failing = outcomeRecord({ outcome: 'FAILED', executionArn: OTHER_EXECUTION });
    expect(creditRecentRemediation(failing, ocsfRequest, marker(), NOW.getTime())).toBe(failing);
    const stillFailing = {
      ...compliant,
      evaluations: [{ controlId: 'APIGateway.1' as const, compliance: 'FAILED' as const, reason: 'OFF' }],
    };
    expect(creditRecentRemediation(stillFailing, ocsfRequest, marker(), NOW.getTime())).toBe(stillFailing);
    expect(creditRecentRemediation(compliant, ocsfRequest, undefined, NOW.getTime())).toBe(compliant);
    const drift = { controls: ['APIGateway.1' as const] };
    expect(creditRecentRemediation(compliant, drift, marker(), NOW.getTime())).toBe(compliant);
  });
});
