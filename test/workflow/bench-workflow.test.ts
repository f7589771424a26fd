/**
 * bench:workflow on the real state machine: the recording bench:burst replays
 * (bench/recordings/workflow.json) is what bench:workflow measures on today's definition and
 * handlers, so it cannot go stale; and the counts say what the scenarios are about.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
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

    expect(recordingText(measurements)).toBe(readFileSync(RECORDING_PATH, 'utf8'));
    const rows = Object.fromEntries(measurements.map(({ row }) => [row.scenario, row]));
    expect(rows['auto']?.outcomes).toEqual(['REMEDIATED']);
    expect(rows['auto']?.updateStageCalls).toBe(1);
    expect(rows['auto-redeploy']?.deployments).toBe(1);
    expect(rows['already-compliant']?.outcomes).toEqual(['ALREADY_COMPLIANT']);
    expect(rows['already-compliant']?.updateStageCalls).toBe(0);
    expect(rows['approval']?.outcomes).toEqual(['REMEDIATED']);
    expect(rows['five-findings-one-stage']?.outcomes).toHaveLength(5);
    expect(rows['drift-whole-baseline']?.outcomes).toEqual(['REMEDIATED']);
    for (const { recording } of measurements) {
      // Every billed transition is a state entered (or a Task retried), listed once each.
      expect(recording.states).toHaveLength(recording.transitions);
    }
  }, 300_000);
});
