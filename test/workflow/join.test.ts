/**
 * The real state machine (real ASL, real handlers on moto_server): the twin of a finding whose run
 * waits for a Slack approval joins that run instead of waiting the lock out (workflow/join.ts).
 * The holder records its outcome on both findings; the joiner records JOINED and never touches the
 * lock. A request the holder does not cover, or one arriving after the holder closed, is queued on
 * the lock: the holder runs a second round for it before it unlocks (docs/decisions/0037).
 */
import { readFileSync } from 'node:fs';
import { APIGatewayClient, TagResourceCommand } from '@aws-sdk/client-api-gateway';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedInsecureRestStage, type SeededStage } from '../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import { createWorkflowHarness, fixtureEvent, type TaskHandler, type WorkflowHarness } from './harness.js';

const FIXTURE_API_ID = 'a1b2c3d4e5';
const FIXTURE_ACCOUNT = '111122223333';
const FINDING_ID = `arn:aws:securityhub:us-east-1:${MOTO_ACCOUNT}:security-control/APIGateway.1/finding/2d99225c-c35e-42d7-8d61-a916c5209351`;
const CHANGE = 'APIGateway.1 methodSettings[*/*].loggingLevel: OFF → ERROR';
const APPROVER = { id: 'U024BE7LH', name: 'Dana Approver' };

function outcomesOf(output: unknown): string[] {
  return [...JSON.stringify(output).matchAll(/"outcome":"([A-Z_]+)"/g)].map((match) => match[1] ?? '');
}

function executionOf(note: string | undefined): string | undefined {
  return /Execution: (\S+)$/.exec(note ?? '')?.[1];
}

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 400 && !condition(); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(condition()).toBe(true);
}

describe('joining the run in progress (ASFF + OCSF twin findings)', () => {
  const moto = useMoto();
  let seeded: SeededStage;
  let harness: WorkflowHarness;

  const ocsfFinding = (controlId = 'APIGateway.1'): unknown => {
    let text = readFileSync(
      new URL('../fixtures/ocsf/ocsf-apigateway1-rest-member.json', import.meta.url),
      'utf8',
    );
    text = text
      .split(FIXTURE_API_ID)
      .join(seeded.ref.apiId)
      .split(FIXTURE_ACCOUNT)
      .join(MOTO_ACCOUNT)
      .split('APIGateway.1')
      .join(controlId);
    return JSON.parse(text) as unknown;
  };
  const asffFinding = () =>
    fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
      [FIXTURE_API_ID]: seeded.ref.apiId,
      [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
    });
  const requireApproval = () =>
    new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials }).send(
      new TagResourceCommand({
        resourceArn: `arn:aws:apigateway:${MOTO_REGION}::/restapis/${seeded.ref.apiId}/stages/prod`,
        tags: { 'apigw-remediation:mode:APIGateway.1': 'approve' },
      }),
    );
  /** An approval the test gives when it says so (the human in Slack). */
  const heldApproval = () => {
    let approve: () => void = () => undefined;
    const given = new Promise<void>((resolve) => {
      approve = resolve;
    });
    const behaviour = async () => {
      await given;
      return {
        decision: 'APPROVED',
        approver: APPROVER,
        decidedAt: new Date().toISOString(),
        channel: 'slack',
      };
    };
    return { approve, behaviour };
  };
  let updateStageCalls = 0;
  const countUpdateStage = (real: TaskHandler) => async (input: unknown) => {
    updateStageCalls += 1;
    return real(input);
  };

  beforeEach(async () => {
    seeded = await seedInsecureRestStage({ endpoint: moto.endpoint });
    harness = await createWorkflowHarness({ endpoint: moto.endpoint, config: {} });
    updateStageCalls = 0;
  });

  it('joins the twin to the run waiting for approval: ONE change, both findings recorded REMEDIATED', async () => {
    await requireApproval();
    const approval = heldApproval();
    const holderRun = harness.run(asffFinding(), {
      approval: approval.behaviour,
      wrap: { UpdateStage: countUpdateStage },
    });
    await until(() => harness.approvalRequests.length === 1);

    const joinerOutput = await harness.run(ocsfFinding(), { wrap: { UpdateStage: countUpdateStage } });

    expect(outcomesOf(joinerOutput)).toEqual(['JOINED']);
    const joined = harness.records.at(-1);
    expect(joined?.outcome).toBe('JOINED');
    // While the holder waits, the OCSF finding says who is working on it (In Progress).
    const joinedNote = harness.batchUpdatesV2().at(-1);
    expect(joinedNote?.StatusId).toBe(2);
    expect(joinedNote?.Comment).toMatch(/^JOINED \(/);
    expect(joinedNote?.Comment).toContain('which records its outcome here too');
    expect(await harness.lockItems('stage#')).toHaveLength(1);

    approval.approve();
    const holderOutput = await holderRun;

    expect(outcomesOf(holderOutput)).toEqual(['REMEDIATED']);
    expect(updateStageCalls).toBe(1);
    const holder = harness.records.at(-1);
    expect(holder?.outcome).toBe('REMEDIATED');
    expect(joined?.reason).toBe(
      `joined remediation ${holder?.remediationId} (execution ${holder?.executionArn}), ` +
        'which records its outcome here too',
    );
    expect(joinedNote?.Comment).toContain(`joined remediation ${holder?.remediationId} (execution `);
    const asff = harness.batchUpdates().at(-1);
    const ocsf = harness.batchUpdatesV2().at(-1);
    expect(asff?.FindingIdentifiers?.[0]?.Id).toBe(FINDING_ID);
    expect(ocsf?.FindingIdentifiers?.[0]?.FindingInfoUid).toBe(FINDING_ID);
    expect(asff?.Workflow?.Status).toBe('RESOLVED');
    expect(ocsf?.StatusId).toBe(4);
    for (const note of [asff?.Note?.Text, ocsf?.Comment]) {
      expect(note).toMatch(/^REMEDIATED \(Dana Approver \(U024BE7LH\)\)/);
      expect(note).toContain(CHANGE);
      expect(executionOf(note)).toBe(holder?.executionArn);
    }
    expect(asff?.UserDefinedFields?.remediationId).toBe(holder?.remediationId);
    // The joiner released nothing it did not hold, and the holder released its lock.
    expect(harness.calls.filter((call) => call === 'ReleaseLock')).toHaveLength(1);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('queues a request the holder was not asked about: the holder runs a second round for it and records it', async () => {
    await requireApproval();
    const approval = heldApproval();
    const holderRun = harness.run(asffFinding(), {
      approval: approval.behaviour,
      wrap: { UpdateStage: countUpdateStage },
    });
    await until(() => harness.approvalRequests.length === 1);

    // APIGateway.4 on the same stage: the holder's run covers APIGateway.1 only.
    const queuedOutput = await harness.run(ocsfFinding('APIGateway.4'), {
      wrap: { UpdateStage: countUpdateStage },
    });

    expect(outcomesOf(queuedOutput)).toEqual(['JOINED']);
    const queued = harness.records.at(-1);
    expect(queued?.outcome).toBe('JOINED');
    expect(queued?.reason).toMatch(/^queued for the next round of remediation \S+ \(execution \S+\)/);
    const [lockItem] = await harness.lockItems('stage#');
    expect(lockItem?.pending).toBe(1);

    approval.approve();
    const holderOutput = (await holderRun) as unknown;

    // Round 1 remediated APIGateway.1; round 2 planned APIGateway.4 (report-only here: its web ACL
    // needs a configured ACL), in the same execution, after the first round's record.
    const rounds = outcomesOf(holderOutput);
    expect(rounds).toHaveLength(2);
    expect(JSON.stringify(holderOutput)).toContain('"earlierRounds":[{"round":1,"outcome":"REMEDIATED"}]');
    expect(updateStageCalls).toBeLessThanOrEqual(2);
    const onQueued = harness
      .batchUpdatesV2()
      .filter((update) => update.FindingIdentifiers?.[0]?.FindingInfoUid?.includes('APIGateway.4'));
    // Ownership, then the second round's own outcome: the queued run wrote nothing (one write fewer per finding).
    expect(onQueued.map((update) => update.Comment?.split(' ')[0])).toEqual(['apigw-remediation', rounds[1]]);
    expect(executionOf(onQueued.at(-1)?.Comment)).toBe(harness.records.at(-1)?.executionArn);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it('queues a twin arriving after the holder closed its item: the second round finds it fixed and credits it', async () => {
    let queuedRun: Promise<unknown> | undefined;
    let queuedLock: { queued?: boolean } | undefined;
    const queuedAcquire = (real: TaskHandler) => async (input: unknown) => {
      queuedLock = (await real(input)) as { queued?: boolean };
      return queuedLock;
    };
    let twinSent = false;
    const holderRecord = (real: TaskHandler) => async (input: unknown) => {
      const output = await real(input);
      if (twinSent) return output;
      twinSent = true;
      // The holder has closed its item and recorded: the twin arrives before it releases the lock.
      queuedRun = harness.run(ocsfFinding(), {
        wrap: { AcquireLock: queuedAcquire, UpdateStage: countUpdateStage },
      });
      await queuedRun;
      return output;
    };

    const holderOutput = await harness.run(asffFinding(), {
      wrap: { Record: holderRecord, UpdateStage: countUpdateStage },
    });
    const queuedOutput = await queuedRun;

    expect(queuedLock?.queued).toBe(true);
    expect(outcomesOf(queuedOutput)).toEqual(['JOINED']);
    // Round 1 REMEDIATED; round 2 re-read the stage: compliant, credited to round 1.
    expect(outcomesOf(holderOutput)).toEqual(['REMEDIATED', 'ALREADY_COMPLIANT']);
    expect(updateStageCalls).toBe(1);
    const holder = harness.records.find((record) => record.outcome === 'REMEDIATED');
    const credited = harness.records.at(-1);
    expect(credited?.outcome).toBe('REMEDIATED');
    expect(credited?.remediationId).toBe(holder?.remediationId);
    const ocsf = harness.batchUpdatesV2();
    // Ownership, then the credited record (In Progress → Resolved): the queued run wrote nothing.
    expect(ocsf.map((update) => update.StatusId)).toEqual([2, 4]);
    expect(ocsf.at(-1)?.Comment).toMatch(/^REMEDIATED \(automatic\): fixed APIGateway\.1 by remediation /);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });

  it("runs the queued round even when the holder's Finish fails for good (ReleaseLock's Catch), saying round 1 is not recorded", async () => {
    const queuedRuns: Promise<unknown>[] = [];
    let arrived = false;
    const queuedArrives = (real: TaskHandler) => async (input: unknown) => {
      if (!arrived) {
        arrived = true;
        const run = harness.run(ocsfFinding('APIGateway.4'));
        queuedRuns.push(run);
        await run;
      }
      return real(input);
    };
    let finishes = 0;
    const firstFinishFails = (real: TaskHandler) => async (input: unknown) => {
      finishes += 1;
      if (finishes === 1) throw new Error('Finish crashed');
      return real(input);
    };

    const holderOutput = await harness.run(asffFinding(), {
      wrap: { Snapshot: queuedArrives },
      wrapState: { Finish: firstFinishFails },
    });

    expect(outcomesOf(await queuedRuns[0])).toEqual(['JOINED']);
    expect(finishes).toBe(2);
    expect(JSON.stringify(holderOutput)).toContain(
      '"earlierRounds":[{"round":1,"outcome":"REMEDIATED","notRecorded":true}]',
    );
    // The queued finding has its round's record; no lock is left.
    const onQueued = harness
      .batchUpdatesV2()
      .filter((update) => update.FindingIdentifiers?.[0]?.FindingInfoUid?.includes('APIGateway.4'));
    expect(onQueued).toHaveLength(2);
    expect(onQueued.at(-1)?.Comment).not.toMatch(/^apigw-remediation/);
    expect(await harness.lockItems('stage#')).toEqual([]);
  });
});
