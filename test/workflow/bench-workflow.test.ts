/**
 * bench:workflow on the real state machine: the recording bench:burst replays
 * (bench/recordings/workflow.json) is what bench:workflow measures on today's definition and
 * handlers, so it cannot go stale; and the counts say what the scenarios are about.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRecording } from '../../bench/burst/recording.js';
import {
  measureCatchPaths,
  measureWorkflow,
  RECORDING_PATH,
  recordingText,
  type WorkflowMeasurement,
} from '../../bench/workflow.js';
import { useMoto } from '../helpers/moto.js';

describe('bench:workflow', () => {
  const moto = useMoto();

  it('measures every scenario as the committed recording says (regenerate: npm run bench:workflow -- --record)', async () => {
    const measurements: WorkflowMeasurement[] = await measureWorkflow(moto.server);
    const catchPaths = await measureCatchPaths(measurements, moto.server);

    const committed = readFileSync(RECORDING_PATH, 'utf8');
    expect(await recordingText(measurements, catchPaths)).toBe(committed);
    // What bench:burst reads (bench/burst/recording.ts) fits what bench:workflow writes.
    expect(() => parseRecording(JSON.parse(committed))).not.toThrow();
    const rows = Object.fromEntries(measurements.map(({ row }) => [row.scenario, row]));
    expect(rows['auto']?.outcomes).toEqual(['REMEDIATED']);
    expect(rows['auto']?.updateStageCalls).toBe(1);
    expect(rows['auto-redeploy']?.deployments).toBe(1);
    expect(rows['already-compliant']?.outcomes).toEqual(['ALREADY_COMPLIANT']);
    expect(rows['already-compliant']?.updateStageCalls).toBe(0);
    expect(rows['approval']?.outcomes).toEqual(['REMEDIATED']);
    // The first run remediates its control, the four others are queued on its lock (JOINED) and
    // planned together in its second round (docs/decisions/0037): two UpdateStage for five findings.
    expect(rows['five-findings-one-stage']?.outcomes).toEqual([
      'REMEDIATED',
      'REMEDIATED',
      'JOINED',
      'JOINED',
      'JOINED',
      'JOINED',
    ]);
    expect(rows['five-findings-one-stage']?.updateStageCalls).toBe(2);
    // The same five findings when the first came in a batch cut at its size: its run gathers
    // (docs/decisions/0039), the four are queued while it waits, and ONE round plans all five.
    expect(rows['five-findings-one-stage-gathered']?.outcomes).toEqual([
      'REMEDIATED',
      'JOINED',
      'JOINED',
      'JOINED',
      'JOINED',
    ]);
    expect(rows['five-findings-one-stage-gathered']?.updateStageCalls).toBe(1);
    const gathered = measurements.find(
      ({ recording }) => recording.scenario === 'five-findings-one-stage-gathered',
    );
    expect(gathered?.recording.executions?.[0]?.retried).toEqual([
      { state: 'Prepare', error: 'StageGathering', calls: [{ service: 'dynamodb', operation: 'PutItem' }] },
    ]);
    expect(rows['drift-whole-baseline']?.outcomes).toEqual(['REMEDIATED']);
    for (const { recording } of measurements) {
      // Every billed transition is a state entered (or a Task retried), listed once each.
      expect(recording.states).toHaveLength(recording.transitions);
    }
    // Nobody waits for the lock: no StageLocked retry; the holder's second round follows its Finish.
    const five = measurements.find(({ recording }) => recording.scenario === 'five-findings-one-stage');
    expect(five?.recording.executions?.map((execution) => execution.retried)).toEqual(
      Array.from({ length: 5 }, () => []),
    );
    expect(five?.recording.executions?.[0]?.states.filter((state) => state === 'Prepare')).toHaveLength(2);
    for (const execution of five?.recording.executions ?? []) {
      expect(execution.transitions).toBe(execution.states.length + execution.retried.length);
    }
    // A failed Remediate is recorded FAILED in Security Hub, notified, and the stage's lock released, all by Finish.
    const remediate = catchPaths.find((path) => path.failedState === 'Remediate');
    expect(remediate?.states).toEqual(['Verify', 'Finish']);
    expect(remediate?.tasks.map((task) => task.state)).toEqual(['Finish']);
    const finishServices = new Set(remediate?.tasks[0]?.calls.map((call) => call.service));
    expect([...finishServices].sort()).toEqual(expect.arrayContaining(['securityhub', 'sns', 'dynamodb']));
  }, 600_000);
});
