/**
 * The demo behind `npm run demo` (scripts/demo.sh): no AWS account needed.
 *
 * Starts a private moto_server, creates an insecure REST API and an insecure HTTP API, then runs
 * fixture-shaped events (two Security Hub findings and one CloudTrail drift) through the REAL
 * state machine definition with the REAL task handlers, every control in `auto` mode. Prints
 * what changed (before → after) and what was written to Security Hub, which moto does not
 * emulate: those calls are captured (see test/workflow/harness.ts).
 */
import { CONTROL_IDS, REMEDIABLE_CONTROL_IDS } from '../remediators/core/types.js';
import { describeChange } from '../remediators/workflow/outcome.js';
import { seedInsecureHttpStage, seedInsecureRestStage } from '../test/helpers/insecure-apis.js';
import { MOTO_ACCOUNT, startMoto } from '../test/helpers/moto.js';
import { createWorkflowHarness, fixtureEvent } from '../test/workflow/harness.js';

const FIXTURE_ACCOUNT = '111122223333';

/** Every remediable control automatic, report-only ones notify: the demo shows the fixes. */
const DEMO_CONFIG = {
  controls: Object.fromEntries(
    CONTROL_IDS.map((id) => [
      id,
      (REMEDIABLE_CONTROL_IDS as readonly string[]).includes(id) ? 'auto' : 'notify',
    ]),
  ),
};

function table(rows: readonly (readonly string[])[]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: readonly string[]) =>
    row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join(
    '\n',
  );
}

/** Long values (an access log format) are cut so the table stays readable; the record has them whole. */
const MAX_CELL = 60;
const show = (value: string | number | boolean | null) => {
  const text = value === null ? '(unset)' : String(value);
  return text.length <= MAX_CELL ? text : `${text.slice(0, MAX_CELL - 1)}…`;
};

async function main(): Promise<void> {
  const moto = await startMoto();
  try {
    const rest = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'orders-api' });
    const http = await seedInsecureHttpStage({ endpoint: moto.endpoint, apiName: 'pets-http-api' });
    console.log(`moto_server at ${moto.endpoint}`);
    console.log(
      `insecure REST stage: ${rest.ref.apiId}/${rest.ref.stageName}; insecure HTTP stage: ${http.ref.apiId}/${http.ref.stageName}\n`,
    );

    const harness = await createWorkflowHarness({
      endpoint: moto.endpoint,
      config: DEMO_CONFIG,
      emulateV2Writes: true,
    });
    const runs = [
      {
        title: 'Security Hub finding APIGateway.1 (REST execution logging off)',
        event: fixtureEvent('securityhub-apigateway1-rest-consolidated.json', {
          a1b2c3d4e5: rest.ref.apiId,
          [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
        }),
      },
      {
        title: 'Security Hub finding APIGateway.9 (HTTP access logging off)',
        event: fixtureEvent('securityhub-apigateway9-v2-consolidated.json', {
          z9y8x7w6v5: http.ref.apiId,
          [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
        }),
      },
      {
        title: 'CloudTrail UpdateStage by dev-alice (drift: the whole REST baseline is checked)',
        event: fixtureEvent('cloudtrail-updatestage-by-user.json', {
          a1b2c3d4e5: rest.ref.apiId,
          [FIXTURE_ACCOUNT]: MOTO_ACCOUNT,
        }),
      },
    ];

    for (const [index, { title, event }] of runs.entries()) {
      const before = harness.records.length;
      const started = Date.now();
      await harness.run(event, { executionName: `demo-${index + 1}` });
      const records = harness.records.slice(before);
      console.log(`▶ ${title}  (${Date.now() - started} ms)`);
      for (const record of records) {
        console.log(`  ${record.outcome} ${record.stage.apiId}/${record.stage.stageName}: ${record.reason}`);
      }
      const rows = records.flatMap((record) =>
        record.changes.map((change) => [
          `${record.stage.apiId}/${record.stage.stageName}`,
          change.controlId,
          change.setting,
          show(change.before),
          show(change.after),
        ]),
      );
      if (rows.length > 0) {
        console.log(`\n${table([['stage', 'control', 'setting', 'before', 'after'], ...rows])}\n`);
      } else {
        console.log('  nothing to change\n');
      }
    }

    console.log('Security Hub records (BatchImportFindings / BatchUpdateFindings, as sent):');
    for (const call of harness.batchImports()) {
      for (const finding of call.Findings ?? []) {
        console.log(
          `  import  ${finding.GeneratorId}  Compliance ${finding.Compliance?.Status}  ${finding.Id}`,
        );
      }
    }
    for (const update of harness.batchUpdates()) {
      const ids = update.FindingIdentifiers ?? [];
      console.log(`  update  ${ids.length} finding(s) → Workflow ${update.Workflow?.Status}`);
      console.log(`          first: ${ids[0]?.Id ?? '-'}`);
      console.log(`          Note: ${update.Note?.Text ?? '-'}`);
      if (update.UserDefinedFields !== undefined) {
        console.log(`          UserDefinedFields: ${JSON.stringify(update.UserDefinedFields)}`);
      }
    }
    console.log(`\nNotifications published to SNS: ${harness.published.length}`);
    const outcomes = harness.records.map((record) => record.outcome);
    const all = harness.records.flatMap((record) => record.changes.map(describeChange));
    console.log(`Outcomes: ${outcomes.join(', ')}; ${all.length} setting(s) changed.`);
    if (outcomes.some((outcome) => outcome === 'FAILED')) {
      process.exitCode = 1;
    }
  } finally {
    await moto.stop();
  }
}

await main();
