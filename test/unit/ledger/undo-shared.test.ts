/** The undo steps the CLI and the workflow share (remediators/ledger/undo.ts, docs/decisions/0030). */
import { describe, expect, it } from 'vitest';
import type { ExemptionEntry, RemediationEntry, UndoEntry } from '../../../remediators/ledger/entry.js';
import {
  applyAndReadBack,
  newestRemediationOf,
  recordUndo,
  undoEntryOf,
  type UndoApplied,
} from '../../../remediators/ledger/undo.js';
import type { UndoPlan } from '../../../remediators/ledger/undo-plan.js';

const STAGE_ARN = 'arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/prod';
const ACTOR = {
  kind: 'execution',
  executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:wf:undo',
} as const;

function remediation(entryId: string, overrides: Partial<RemediationEntry> = {}): RemediationEntry {
  return {
    kind: 'REMEDIATION',
    entryId,
    stageArn: STAGE_ARN,
    account: '111122223333',
    region: 'eu-west-1',
    partition: 'aws',
    apiType: 'REST',
    apiId: 'a1b2c3d4e5',
    stageName: 'prod',
    recordedAt: '2026-12-01T10:00:00.000Z',
    actor: ACTOR,
    outcome: 'REMEDIATED',
    controls: ['APIGateway.3'],
    changes: [{ controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true }],
    prerequisitesCreated: [],
    approver: 'automatic',
    reason: 'fixed',
    findingIds: ['f-1'],
    trigger: 'securityhub',
    ...overrides,
  };
}

const RESTORED = {
  controlId: 'APIGateway.3',
  setting: 'tracingEnabled',
  before: true,
  after: false,
} as const;
const PLAN: UndoPlan = {
  ref: {
    account: '111122223333',
    region: 'eu-west-1',
    partition: 'aws',
    apiType: 'REST',
    apiId: 'a1b2c3d4e5',
    stageName: 'prod',
  },
  remediationId: 'rem-1',
  restored: [RESTORED],
  refused: [],
  kept: [{ kind: 'webAcl', id: 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/b/1' }],
  undoneControls: ['APIGateway.3'],
  calls: {
    apiType: 'REST',
    stagePatchOperations: [{ op: 'replace', path: '/tracingEnabled', value: 'false' }],
    apiPatchOperations: [],
    disassociateWebAcl: false,
  },
};

const entry = (applied: UndoApplied, refusal?: string): UndoEntry =>
  undoEntryOf({
    remediation: remediation('rem-1'),
    entryId: 'undo-1',
    actor: ACTOR,
    recordedAt: new Date('2026-12-02T10:00:00.000Z'),
    plan: PLAN,
    applied,
    ...(refusal === undefined ? {} : { refusal }),
  });

describe('newestRemediationOf', () => {
  it('is the newest REMEDIATED entry that changed one of the controls (entries oldest first)', () => {
    const older = remediation('rem-old');
    const newer = remediation('rem-new');
    const otherControl = remediation('rem-other', {
      controls: ['APIGateway.1'],
      changes: [{ controlId: 'APIGateway.1', setting: 'x', before: 'OFF', after: 'ERROR' }],
    });
    const rejected = remediation('rem-rejected', { outcome: 'REJECTED' });

    expect(newestRemediationOf([older, newer, otherControl, rejected], ['APIGateway.3'])).toBe(newer);
    expect(newestRemediationOf([otherControl, rejected], ['APIGateway.3'])).toBeUndefined();
  });
});

describe('applyAndReadBack', () => {
  it('makes no call when the plan changes nothing', async () => {
    let calls = 0;
    const applied = await applyAndReadBack(
      { ...PLAN, restored: [], calls: { ...PLAN.calls, stagePatchOperations: [] } as UndoPlan['calls'] },
      new Map(),
      {
        apply: () => {
          calls += 1;
          return Promise.resolve([]);
        },
        reread: () => Promise.reject(new Error('not read')),
      },
    );
    expect(calls).toBe(0);
    expect(applied).toEqual({ calls: [], restored: [], refused: [] });
  });

  it('returns a failing call as the failure, never throws', async () => {
    const applied = await applyAndReadBack(PLAN, new Map(), {
      apply: () => Promise.reject(new Error('AccessDenied: apigateway:PATCH')),
      reread: () => Promise.reject(new Error('not read')),
    });
    expect(applied).toEqual({
      calls: [],
      restored: [],
      refused: [],
      failure: 'AccessDenied: apigateway:PATCH',
    });
  });
});

describe('undoEntryOf', () => {
  it('UNDONE with what was restored and the prerequisites kept', () => {
    expect(
      entry({
        calls: [{ action: 'UpdateStage', resource: 'a1b2c3d4e5/prod', detail: '' }],
        restored: [RESTORED],
        refused: [],
      }),
    ).toMatchObject({
      outcome: 'UNDONE',
      undoes: 'rem-1',
      restored: [RESTORED],
      kept: PLAN.kept,
      reason: 'restored 1 setting(s) with UpdateStage',
    });
  });

  it('REFUSED with the refusal as its reason, FAILED with the failure', () => {
    expect(entry({ calls: [], restored: [], refused: [] }, 'undone already')).toMatchObject({
      outcome: 'REFUSED',
      reason: 'undone already',
    });
    expect(entry({ calls: [], restored: [], refused: [], failure: 'boom' })).toMatchObject({
      outcome: 'FAILED',
      reason: 'boom',
    });
  });
});

describe('recordUndo', () => {
  function io() {
    const written: string[] = [];
    const exemptions: ExemptionEntry[] = [];
    const notes: string[] = [];
    return {
      written,
      exemptions,
      notes,
      io: {
        put: (undo: UndoEntry) => Promise.resolve(written.push(undo.entryId)),
        replace: (exemption: ExemptionEntry) => Promise.resolve(exemptions.push(exemption)),
        suppress: (note: string) => {
          notes.push(note);
          return Promise.resolve({ status: 'updated' as const, updated: 1, unprocessed: [] });
        },
      },
    };
  }
  const until = '2027-01-01T00:00:00.000Z';

  it('writes the UNDO entry, an exemption per undone control, and the note', async () => {
    const sink = io();
    const undo = entry({
      calls: [{ action: 'UpdateStage', resource: 's', detail: '' }],
      restored: [RESTORED],
      refused: [],
    });

    const recorded = await recordUndo(sink.io, {
      remediation: remediation('rem-1'),
      undo,
      by: 'Dana',
      until,
    });

    expect(sink.written).toEqual(['undo-1']);
    expect(sink.exemptions).toEqual([
      expect.objectContaining({
        controlId: 'APIGateway.3',
        cause: 'UNDO',
        until,
        reason: 'undone by Dana (undo undo-1 of remediation rem-1)',
      }),
    ]);
    expect(sink.notes).toEqual([
      'UNDONE by Dana (undo undo-1 of remediation rem-1): APIGateway.3 tracingEnabled true → false. Exempt until 2027-01-01T00:00:00.000Z.',
    ]);
    expect(recorded.securityHub).toEqual({ status: 'updated', updated: 1, unprocessed: [] });
  });

  it('writes only the entry for a FAILED or REFUSED undo: no exemption, no note', async () => {
    for (const undo of [
      entry({ calls: [], restored: [], refused: [], failure: 'boom' }),
      entry({ calls: [], restored: [], refused: [] }, 'undone already'),
    ]) {
      const sink = io();
      await recordUndo(sink.io, { remediation: remediation('rem-1'), undo, by: 'Dana', until });
      expect(sink.written).toEqual(['undo-1']);
      expect(sink.exemptions).toEqual([]);
      expect(sink.notes).toEqual([]);
    }
  });
});
