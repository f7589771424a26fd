/**
 * Counts the AWS calls one stage remediation makes, against a private moto_server:
 *   (a) one control on one REST stage, (b) every control on one REST stage,
 *   (c) an already-compliant REST stage, (d) every control on one HTTP API stage.
 * Each scenario starts from an emptied emulator and a cold cache (a fresh Lambda).
 *
 * Targets: at most ONE UpdateStage per stage whatever the number of controls; zero writes
 * on a compliant stage; zero deployments on a REST stage (a deployment publishes the API's
 * current definition; REST stages take API-level changes with the stage update). The process
 * exits 1 when a target is missed.
 *
 *   npm run bench:api-calls            a table
 *   npm run bench:api-calls -- --json  a JSON array of {scenario, reads, writes, updateStageCalls, deployments}
 */
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { pathToFileURL } from 'node:url';
import { ConfigSchema } from '../config/schema.js';
import { baselineControlIds, bindControls } from '../remediators/controls/catalog.js';
import { remediateStage, type RemediationResult } from '../remediators/core/apply.js';
import { logger } from '../remediators/shared/powertools.js';
import { createCoreCache } from '../remediators/core/cache.js';
import { createCoreClients, type CoreClients } from '../remediators/core/clients.js';
import type { ControlId, StageRef } from '../remediators/core/types.js';
import { seedInsecureHttpStage, seedInsecureRestStage } from '../test/helpers/insecure-apis.js';
import { emulateMotoV2StageWrites } from '../test/helpers/moto-gaps.js';
import { MOTO_REGION, motoCredentials, startMoto, type MotoServer } from '../test/helpers/moto.js';

export interface BenchRow {
  readonly scenario: string;
  readonly apiType: StageRef['apiType'];
  readonly reads: number;
  readonly writes: number;
  readonly updateStageCalls: number;
  readonly deployments: number;
  readonly outcome: RemediationResult['outcome'];
  /** The stage was remediated before the measured run, so it must cost zero writes. */
  readonly compliantBefore: boolean;
  readonly byOperation: Readonly<Record<string, number>>;
}

const config = ConfigSchema.parse({});

function motoClients(endpoint: string): CoreClients {
  const clients = createCoreClients({ region: MOTO_REGION, endpoint, credentials: motoCredentials });
  emulateMotoV2StageWrites(
    clients.apiGatewayV2,
    new ApiGatewayV2Client({ region: MOTO_REGION, endpoint, credentials: motoCredentials }),
  );
  return clients;
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
  for (let run = 0; run < runsBefore; run++) {
    await remediateStage(ref, bindControls(controlIds, config), config, {
      clients: motoClients(moto.endpoint),
      verify: { attempts: 1 },
    });
  }
  const result = await remediateStage(ref, bindControls(controlIds, config), config, {
    clients: motoClients(moto.endpoint),
    cache: createCoreCache(),
    verify: { attempts: 1 },
  });
  const { reads, writes, updateStageCalls, deployments, byOperation } = result.apiCalls;
  return {
    scenario,
    apiType: ref.apiType,
    reads,
    writes,
    updateStageCalls,
    deployments,
    outcome: result.outcome,
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
