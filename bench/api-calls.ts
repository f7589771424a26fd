/**
 * Counts the AWS calls one stage remediation makes in production's path: the REAL state machine
 * (state-machines/remediation.asl.json) with the REAL task handlers against a private moto_server,
 * through the workflow harness (test/workflow/harness.ts), started by a person's change to the stage
 * as CloudTrail reports it, with exactly the scenario's controls on (mode auto, every other off):
 *   (a) one control on one REST stage, (b) every control on one REST stage,
 *   (c) an already-compliant REST stage, (d) every control on one HTTP API stage.
 * Each scenario starts from an emptied emulator and cold functions (a fresh harness). The counts
 * are the core's calls (API Gateway, WAF, CloudWatch Logs) across the run's tasks, the workflow's
 * own reads included (snapshot, the re-read before applying, verify); Security Hub, DynamoDB and
 * the state machine's costs are bench:workflow's.
 *
 * Targets: at most ONE UpdateStage per stage whatever the number of controls; zero writes
 * on a compliant stage; zero deployments on a REST stage (a deployment publishes the API's
 * current definition; REST stages take API-level changes with the stage update). The process
 * exits 1 when a target is missed.
 *
 *   npm run bench:api-calls            a table
 *   npm run bench:api-calls -- --json  a JSON array of {scenario, reads, writes, updateStageCalls, deployments}
 */
import './workflow-env.js';
import { pathToFileURL } from 'node:url';
import { baselineControlIds } from '../remediators/controls/catalog.js';
import { logger } from '../remediators/shared/powertools.js';
import type { ControlId, StageRef } from '../remediators/core/types.js';
import type { OutcomeStatus } from '../remediators/workflow/state.js';
import { seedInsecureHttpStage, seedInsecureRestStage } from '../test/helpers/insecure-apis.js';
import { startMoto, type MotoServer } from '../test/helpers/moto.js';
import {
  coreCallCounts,
  createWorkflowHarness,
  onlyControls,
  stageDriftEvent,
} from '../test/workflow/harness.js';

export interface BenchRow {
  readonly scenario: string;
  readonly apiType: StageRef['apiType'];
  readonly reads: number;
  readonly writes: number;
  readonly updateStageCalls: number;
  readonly deployments: number;
  /** What the measured run recorded for the stage. */
  readonly outcome: OutcomeStatus;
  /** The stage was remediated before the measured run, so it must cost zero writes. */
  readonly compliantBefore: boolean;
  readonly byOperation: Readonly<Record<string, number>>;
}

/** One run of the state machine for the stage, by cold functions; what it recorded and the core's calls. */
async function runOnce(endpoint: string, ref: StageRef, controlIds: readonly ControlId[]) {
  const harness = await createWorkflowHarness({
    endpoint,
    emulateV2Writes: true,
    config: {
      controls: onlyControls(controlIds),
      // The HTTP API stage does not auto-deploy: its default-endpoint fix is applied only with a
      // deployment, which the workflow makes after an approval or, as here, unattended when allowed.
      allowUnattendedDeployments: true,
    },
  });
  await harness.run(stageDriftEvent(ref));
  const [record, ...others] = harness.records;
  if (record === undefined || others.length > 0) {
    throw new Error(`bench:api-calls expected one recorded outcome, got ${harness.records.length}`);
  }
  return { outcome: record.outcome, calls: coreCallCounts(harness) };
}

async function measure(
  moto: MotoServer,
  scenario: string,
  seed: () => Promise<StageRef>,
  controlIds: readonly ControlId[],
  runsBefore = 0,
): Promise<BenchRow> {
  await moto.reset();
  const ref = await seed();
  for (let run = 0; run < runsBefore; run++) await runOnce(moto.endpoint, ref, controlIds);
  const { outcome, calls } = await runOnce(moto.endpoint, ref, controlIds);
  const { reads, writes, updateStageCalls, deployments, byOperation } = calls;
  return {
    scenario,
    apiType: ref.apiType,
    reads,
    writes,
    updateStageCalls,
    deployments,
    outcome,
    compliantBefore: runsBefore > 0,
    byOperation,
  };
}

/** Runs the four scenarios against a running moto_server (it is reset before each). */
export async function measureApiCalls(moto: MotoServer): Promise<BenchRow[]> {
  const rest = () => seedInsecureRestStage({ endpoint: moto.endpoint }).then((seeded) => seeded.ref);
  const http = () => seedInsecureHttpStage({ endpoint: moto.endpoint }).then((seeded) => seeded.ref);
  const restBaseline = baselineControlIds('REST');
  return [
    await measure(moto, 'a: one control (APIGateway.3), REST stage', rest, ['APIGateway.3']),
    await measure(moto, 'b: every control, REST stage', rest, restBaseline),
    await measure(moto, 'c: every control, already-compliant REST stage', rest, restBaseline, 1),
    await measure(moto, 'd: every control, HTTP API stage', http, baselineControlIds('V2')),
  ];
}

/** The targets each row must meet; empty when all are met. */
export function missedTargets(rows: readonly BenchRow[]): string[] {
  const missed: string[] = [];
  for (const row of rows) {
    if (row.updateStageCalls > 1) {
      missed.push(`${row.scenario}: ${row.updateStageCalls} UpdateStage calls (target: at most 1 per stage)`);
    }
    if (row.compliantBefore && row.writes > 0) {
      missed.push(`${row.scenario}: ${row.writes} writes on a compliant stage (target: 0)`);
    }
    if (row.apiType === 'REST' && row.deployments > 0) {
      missed.push(`${row.scenario}: ${row.deployments} deployments on a REST stage (target: 0)`);
    }
  }
  return missed;
}

function table(rows: readonly BenchRow[]): string {
  const header = ['scenario', 'outcome', 'reads', 'writes', 'updateStage', 'deployments'];
  const body = rows.map((row) => [
    row.scenario,
    row.outcome,
    String(row.reads),
    String(row.writes),
    String(row.updateStageCalls),
    String(row.deployments),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => cells[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  const details = rows.map(
    (row) =>
      `${row.scenario}\n${Object.entries(row.byOperation)
        .map(([operation, count]) => `    ${operation} ×${count}`)
        .join('\n')}`,
  );
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...body.map(line),
    '',
    'Calls by operation:',
    ...details,
  ].join('\n');
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  // The remediation's structured logs would drown the table and break the JSON.
  logger.setLogLevel('SILENT');
  const moto = await startMoto();
  try {
    const rows = await measureApiCalls(moto);
    if (json) {
      const summary = rows.map(({ scenario, reads, writes, updateStageCalls, deployments }) => ({
        scenario,
        reads,
        writes,
        updateStageCalls,
        deployments,
      }));
      console.log(JSON.stringify(summary, null, 2));
    } else {
      console.log(table(rows));
    }
    const missed = missedTargets(rows);
    if (missed.length > 0) {
      console.error(`Targets missed:\n${missed.join('\n')}`);
      process.exitCode = 1;
    }
  } finally {
    await moto.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
