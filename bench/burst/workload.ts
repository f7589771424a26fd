/**
 * The burst: `stages` stages dealt round-robin over `accounts` accounts, each receiving one
 * delivery of the recorded scenario (for five-findings-one-stage: five findings, every REST
 * control), each finding arriving at a seeded uniform time within the arrival window (Security Hub
 * publishes a batch of control findings within seconds of a check run).
 */
import type { StageWork } from './model.js';
import { seededRandom } from './random.js';
import { executionsOf, type RecordedScenario } from './recording.js';

export interface BurstShape {
  readonly accounts: number;
  readonly stages: number;
  readonly arrivalWindowMs: number;
}

export function buildWork(shape: BurstShape, scenario: RecordedScenario, seed: number): StageWork[] {
  if (
    !Number.isInteger(shape.accounts) ||
    shape.accounts < 1 ||
    !Number.isInteger(shape.stages) ||
    shape.stages < 1
  ) {
    throw new Error(`invalid burst of ${shape.stages} stages over ${shape.accounts} accounts`);
  }
  const random = seededRandom(seed ^ 0x5eed);
  const runs = executionsOf(scenario);
  return Array.from({ length: shape.stages }, (_, stage) => {
    const arrivals = runs.map(() => Math.floor(random() * shape.arrivalWindowMs)).sort((a, b) => a - b);
    return {
      account: stage % shape.accounts,
      stage,
      executions: runs.map((run, index) => ({ arrivalMs: arrivals[index] ?? 0, run })),
    };
  });
}

/** How many findings the burst delivers. */
export function findingsOf(work: readonly StageWork[]): number {
  return work.reduce((sum, stage) => sum + stage.executions.length, 0);
}
