/**
 * The service's own Undo (issue 12, docs/decisions/0030) through the real state machine with the
 * real handlers on moto_server: the Security Hub custom action "Undo API remediation" and the
 * Slack undo request both run IsUndo → DecideUndo → AcquireUndoLock → Undo → ReleaseLock, restore
 * the remediation's before values (read back from moto), and record an UNDO entry, an exemption
 * and the findings' note with Workflow SUPPRESSED; a setting changed since is refused, a second
 * undo is a recorded no-op, and a failure is recorded with the lock released. `undo.mode: approve`
 * plans the undo and waits on RequestUndoApproval (the request-approval function, as a fix's
 * approval): approved → undone, rejected or expired → a REFUSED undo saying so, nothing changed.
 */
import { APIGatewayClient, GetStageCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LedgerEntry, RemediationEntry, UndoEntry } from '../../remediators/ledger/entry.js';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent, type WorkflowHarness } from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
/** APIGateway.1's undo: the stage's ERROR (the remediation's after) back to OFF (its before). */
const LOGGING_UNDONE = {
  controlId: 'APIGateway.1',
  setting: 'methodSettings[*/*].loggingLevel',
  before: 'ERROR',
  after: 'OFF',
};
/** The Task states an `auto` undo of a custom action runs, in order (undo.mode approve adds none to these but PlanUndo). */
const AUTO_UNDO_TASKS = [
  'Normalize',
  'Admit',
  'DecideUndo',
  'AcquireUndoLock',
  'Undo',
  'ReportUndo',
  'ReleaseUndoLock',
];
const UNDO_ACTION_ARN = `arn:aws:securityhub:${MOTO_REGION}:${MOTO_ACCOUNT}:action/custom/ApigwUndo`;

describe('Undo through the workflow', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  let harness: WorkflowHarness;

  const apiGateway = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
  const stageArn = () => `arn:aws:apigateway:${MOTO_REGION}::/restapis/${seeded.ref.apiId}/stages/prod`;
  const finding = () =>
    fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
      [FIXTURE_API_ID]: seeded.ref.apiId,
      [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
    }) as Record<string, unknown>;
  /** The same finding, now chosen with the Undo action (any status: the fix made it PASSED). */
  const undoAction = () => ({
    ...finding(),
    'detail-type': 'Security Hub Findings - Custom Action',
    resources: [UNDO_ACTION_ARN],
  });
  const slackUndo = (remediationId: string) => ({
    version: '0',
    id: `slack-undo-${remediationId}`,
    'detail-type': 'Undo Requested in Slack',
    source: 'apigw-remediation.undo',
    account: MOTO_ACCOUNT,
    time: '2026-12-02T10:00:00Z',
    region: MOTO_REGION,
    resources: [],
    detail: {
      remediationId,
      account: MOTO_ACCOUNT,
      stageArn: stageArn(),
      controls: ['APIGateway.1'],
      requestedBy: 'Dana Approver (U024BE7LH)',
    },
  });
  /** Someone changes the setting after the remediation, outside the service. */
  const changeLoggingLevelBehindTheService = async (value: string) =>
    apiGateway().send(
      new UpdateStageCommand({
        restApiId: seeded.ref.apiId,
        stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value }],
      }),
    );
  const loggingLevel = async () => {
    const stage = await apiGateway().send(
      new GetStageCommand({ restApiId: seeded.ref.apiId, stageName: 'prod' }),
    );
    return stage.methodSettings?.['*/*']?.loggingLevel ?? 'OFF';
  };
  const entries = async (): Promise<LedgerEntry[]> => harness.ledger.listByStage(stageArn());
  const undos = async () => (await entries()).filter((entry): entry is UndoEntry => entry.kind === 'UNDO');
  const remediate = async (): Promise<RemediationEntry> => {
    await harness.run(finding());
    const remediation = (await entries()).find(
      (entry): entry is RemediationEntry => entry.kind === 'REMEDIATION' && entry.outcome === 'REMEDIATED',
    );
    if (remediation === undefined) throw new Error('the remediation did not happen');
    expect(await loggingLevel()).toBe('ERROR');
    return remediation;
  };
  const undoStates = () =>
    harness.calls.filter((state) =>
      ['DecideUndo', 'AcquireUndoLock', 'Undo', 'RecordUndoFailure', 'ReportUndo'].includes(state),
    );

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    harness = await createWorkflowHarness({ endpoint: moto.endpoint, config: {} });
  });

  it('custom action: restores the before value, records UNDO + exemption, suppresses the finding, notifies, unlocks', async () => {
    const remediation = await remediate();
    const callsBefore = harness.calls.length;

    await harness.run(undoAction());

    expect(await loggingLevel()).toBe('OFF');
    expect(harness.calls.slice(callsBefore)).toEqual(AUTO_UNDO_TASKS);
    const [undo, ...more] = await undos();
    expect(more).toEqual([]);
    expect(undo).toMatchObject({
      undoes: remediation.entryId,
      outcome: 'UNDONE',
      restored: [LOGGING_UNDONE],
      refused: [],
      actor: { kind: 'execution' },
    });
    const exemptions = (await entries()).filter((entry) => entry.kind === 'EXEMPTION');
    expect(exemptions).toEqual([
      expect.objectContaining({ controlId: 'APIGateway.1', cause: 'UNDO', stageArn: stageArn() }),
    ]);
    const suppressed = harness.batchUpdates().filter((update) => update.Workflow?.Status === 'SUPPRESSED');
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]?.Note?.Text).toMatch(/^UNDONE by the Security Hub custom action/);
    expect(harness.published.at(-1)?.Subject).toBe(
      `apigw-remediation: undo UNDONE on ${seeded.ref.apiId}/prod`,
    );
    expect(await harness.lockItems('stage#')).toEqual([]);

    // The exemption holds: the finding of the control failing again is left alone.
    await harness.run(finding());
    expect(await loggingLevel()).toBe('OFF');
  });

  it('refuses a setting changed since the remediation: recorded, not applied', async () => {
    await remediate();
    await changeLoggingLevelBehindTheService('INFO');

    await harness.run(undoAction());

    expect(await loggingLevel()).toBe('INFO');
    const [undo] = await undos();
    expect(undo).toMatchObject({
      outcome: 'REFUSED',
      restored: [],
      refused: [expect.objectContaining({ current: 'INFO', after: 'ERROR' })],
    });
    expect((await entries()).filter((entry) => entry.kind === 'EXEMPTION')).toEqual([]);
  });

  it('Slack undo request names the remediation: undone; a second one is a recorded no-op', async () => {
    const remediation = await remediate();

    await harness.run(slackUndo(remediation.entryId), { executionName: `undo-${remediation.entryId}` });
    expect(await loggingLevel()).toBe('OFF');
    // The same event again is a redelivery, dropped by admit (in AWS its execution name is taken
    // too); a later request for the same remediation is a new event.
    const again = (await harness.run(slackUndo(remediation.entryId))) as { admitted: { dropped: unknown[] } };
    expect(again.admitted.dropped).toHaveLength(1);
    await harness.run({ ...slackUndo(remediation.entryId), id: `slack-undo-${remediation.entryId}-later` });

    const [first, second, ...more] = await undos();
    expect(more).toEqual([]);
    expect(first).toMatchObject({ undoes: remediation.entryId, outcome: 'UNDONE' });
    expect(second).toMatchObject({
      undoes: remediation.entryId,
      outcome: 'REFUSED',
      restored: [],
      reason: `remediation ${remediation.entryId} was undone already (UNDONE) by undo ${first?.entryId} at ${first?.recordedAt}`,
    });
    // Slack requests name no finding: no ownership step.
    expect(undoStates()).toEqual([
      'DecideUndo',
      'AcquireUndoLock',
      'Undo',
      'ReportUndo',
      'DecideUndo',
      'AcquireUndoLock',
      'Undo',
      'ReportUndo',
    ]);
    expect(harness.published.at(-1)?.Message).toContain('asked by Dana Approver (U024BE7LH)');
  });

  it('nothing to undo: no remediation of the control on the stage is published, no entry written', async () => {
    await harness.run(undoAction());

    expect(await undos()).toEqual([]);
    expect(harness.published.at(-1)?.Subject).toBe(
      `apigw-remediation: undo NOTHING_TO_UNDO on ${seeded.ref.apiId}/prod`,
    );
  });

  it('a failing undo is recorded FAILED and the lock is released', async () => {
    const remediation = await remediate();

    await harness.run(undoAction(), {
      wrap: {
        Undo: () => async () => {
          throw new Error('injected: the undo function crashed');
        },
      },
    });

    expect(await loggingLevel()).toBe('ERROR');
    const [undo] = await undos();
    expect(undo).toMatchObject({ undoes: remediation.entryId, outcome: 'FAILED' });
    expect(undo?.reason).toContain('injected: the undo function crashed');
    expect(undoStates()).toEqual([
      'DecideUndo',
      'AcquireUndoLock',
      'Undo',
      'RecordUndoFailure',
      'ReportUndo',
    ]);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('a failure after the undo was recorded keeps that record: no second entry, the failure notified', async () => {
    await remediate();

    await harness.run(undoAction(), {
      wrap: {
        Undo: (real) => async (input) => {
          await real(input);
          throw new Error('injected: crashed after recording');
        },
      },
    });

    expect(await loggingLevel()).toBe('OFF');
    const [undo, ...more] = await undos();
    expect(more).toEqual([]);
    expect(undo).toMatchObject({ outcome: 'UNDONE' });
    expect(harness.published.at(-1)?.Message).toContain('injected: crashed after recording');
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('undo.mode off: refused and recorded, nothing changed', async () => {
    harness = await createWorkflowHarness({ endpoint: moto.endpoint, config: { undo: { mode: 'off' } } });
    await remediate();

    await harness.run(undoAction());

    expect(await loggingLevel()).toBe('ERROR');
    const [undo] = await undos();
    expect(undo).toMatchObject({ outcome: 'REFUSED' });
    expect(undo?.reason).toMatch(/^undo.mode is off/);
  });

  describe('undo.mode approve', () => {
    const decision = (verdict: 'APPROVED' | 'REJECTED') => ({
      decision: verdict,
      approver: { id: 'U024BE7LH', name: 'Dana Approver' },
      decidedAt: '2026-12-02T10:05:00.000Z',
      channel: 'slack' as const,
      ...(verdict === 'REJECTED' ? { comment: 'the app needs it' } : {}),
    });
    /** What aws-local-stepfunctions raises when the approval's TimeoutSecondsPath runs out. */
    const timedOut = async () => {
      const timeout = new Error('approval timed out');
      timeout.name = 'States.Timeout';
      throw timeout;
    };
    const approveMode = async () => {
      harness = await createWorkflowHarness({
        endpoint: moto.endpoint,
        config: { undo: { mode: 'approve' } },
      });
    };

    it('approved: asks with the undo plan (now → restored to), then restores and records', async () => {
      await approveMode();
      const remediation = await remediate();
      const callsBefore = harness.calls.length;

      await harness.run(undoAction(), { approval: async () => decision('APPROVED') });

      expect(await loggingLevel()).toBe('OFF');
      expect(harness.approvalRequests).toHaveLength(1);
      expect(harness.approvalRequests[0]).toMatchObject({
        kind: 'undo',
        remediationId: expect.stringMatching(/^undo-/),
        apiId: seeded.ref.apiId,
        stageName: 'prod',
        controls: ['APIGateway.1'],
        // The undo's plan: before = what the stage holds now, after = the value restored.
        changes: [LOGGING_UNDONE],
      });
      // The auto path's tasks (first test) with PlanUndo before Undo; the wait is RequestUndoApproval.
      expect(harness.calls.slice(callsBefore).filter((state) => state !== 'PlanUndo')).toEqual(
        AUTO_UNDO_TASKS,
      );
      expect(harness.calls.slice(callsBefore).indexOf('PlanUndo')).toBe(AUTO_UNDO_TASKS.indexOf('Undo'));
      const [undo] = await undos();
      expect(undo).toMatchObject({
        undoes: remediation.entryId,
        outcome: 'UNDONE',
        approver: 'Dana Approver (U024BE7LH)',
      });
      expect(await harness.lockItems('stage#')).toEqual([]);
    });

    it('rejected: nothing restored, a REFUSED undo naming who, the finding noted, the lock released', async () => {
      await approveMode();
      const remediation = await remediate();

      await harness.run(undoAction(), {
        approval: async () => {
          const rejection = new Error(JSON.stringify(decision('REJECTED')));
          rejection.name = 'ApprovalRejected';
          throw rejection;
        },
      });

      expect(await loggingLevel()).toBe('ERROR');
      const [undo, ...more] = await undos();
      expect(more).toEqual([]);
      expect(undo).toMatchObject({ undoes: remediation.entryId, outcome: 'REFUSED', restored: [] });
      // Nobody approved it: the one who rejected it is named in the reason, not as approver.
      expect(undo).not.toHaveProperty('approver');
      expect(undo?.reason).toBe(
        "the undo's approval was rejected by Dana Approver (U024BE7LH) at 2026-12-02T10:05:00.000Z: the app needs it",
      );
      expect((await entries()).filter((entry) => entry.kind === 'EXEMPTION')).toEqual([]);
      // Notified with who; the findings keep their status (the remediation stands: nothing to suppress).
      expect(harness.published.at(-1)?.Subject).toBe(
        `apigw-remediation: undo REFUSED on ${seeded.ref.apiId}/prod`,
      );
      expect(harness.published.at(-1)?.Message).toContain('rejected by Dana Approver (U024BE7LH)');
      expect(harness.batchUpdates().filter((update) => update.Workflow?.Status === 'SUPPRESSED')).toEqual([]);
      expect(await harness.lockItems('stage#')).toEqual([]);
    });

    it('expired: settled as EXPIRED, never applied, recorded as expired', async () => {
      await approveMode();
      await remediate();

      await harness.run(undoAction(), {
        approval: timedOut,
      });

      expect(await loggingLevel()).toBe('ERROR');
      expect(harness.invocations.map((step) => step.state)).toContain('SettleUndoApprovalTimeout');
      const [undo] = await undos();
      expect(undo).toMatchObject({ outcome: 'REFUSED', restored: [] });
      expect(undo?.reason).toMatch(/^the undo's approval expired/);
    });

    it('a late approval that won over the timeout is acted on', async () => {
      await approveMode();
      await remediate();

      await harness.run(undoAction(), {
        approval: timedOut,
        timeoutSettlement: async () => ({ outcome: 'APPROVED', decision: decision('APPROVED') }),
      });

      expect(await loggingLevel()).toBe('OFF');
      // The approver is the settlement's: the decision that won over the timeout.
      expect((await undos())[0]).toMatchObject({ outcome: 'UNDONE', approver: 'Dana Approver (U024BE7LH)' });
    });

    it('nothing to restore: no approval asked, the refusal recorded', async () => {
      await approveMode();
      await remediate();
      await changeLoggingLevelBehindTheService('INFO');

      await harness.run(undoAction());

      expect(harness.approvalRequests).toEqual([]);
      expect(await loggingLevel()).toBe('INFO');
      const [undo] = await undos();
      expect(undo).toMatchObject({ outcome: 'REFUSED', restored: [] });
      expect(undo?.reason).toMatch(/^undo.mode is approve and no approval was asked: nothing to restore/);
    });
  });
});
