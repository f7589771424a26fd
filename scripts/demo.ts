/**
 * The demo behind `npm run demo` (scripts/demo.sh): no AWS account needed.
 *
 * Starts a private moto_server, creates an insecure REST API and an insecure HTTP API, then runs
 * fixture-shaped events (two Security Hub findings and one CloudTrail drift) through the REAL
 * state machine definition with the REAL task handlers, every control in `auto` mode. Prints
 * what changed (before → after) and what was written to Security Hub, which moto does not
 * emulate: those calls are captured (see test/workflow/harness.ts).
 */
import { randomUUID } from 'node:crypto';
import { CATALOG } from '../remediators/controls/catalog.js';
import type { StageRef } from '../remediators/core/types.js';
import { describeChange, driftEvaluations } from '../remediators/workflow/outcome.js';
import { seedInsecureHttpStage, seedInsecureRestStage } from '../remediators/local/insecure-apis.js';
import { startMoto } from '../remediators/local/moto-server.js';
import { createWorkflowHarness } from '../test/workflow/harness.js';

/** Every remediable control automatic, report-only ones notify: the demo shows the fixes. */
const DEMO_CONFIG = {
  controls: Object.fromEntries(
    CATALOG.map((control) => [control.id, control.kind === 'fixing' ? 'auto' : 'notify']),
  ),
};

function stageArnOf(stage: StageRef): string {
  const collection = stage.apiType === 'REST' ? 'restapis' : 'apis';
  return `arn:${stage.partition}:apigateway:${stage.region}::/${collection}/${stage.apiId}/stages/${stage.stageName}`;
}

/**
 * A Security Hub "Findings - Imported" event shaped like ../shared/fixtures/events (consolidated
 * control findings), built here so the demo needs nothing outside the repository.
 */
function securityHubFindingEvent(stage: StageRef, controlId: string, title: string): unknown {
  const now = new Date().toISOString();
  const productArn = `arn:${stage.partition}:securityhub:${stage.region}::product/aws/securityhub`;
  const id = `arn:${stage.partition}:securityhub:${stage.region}:${stage.account}:security-control/${controlId}/finding/${randomUUID()}`;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    account: stage.account,
    time: now,
    region: stage.region,
    resources: [`${productArn}/${id}`],
    detail: {
      findings: [
        {
          SchemaVersion: '2018-10-08',
          Id: id,
          ProductArn: productArn,
          ProductName: 'Security Hub',
          CompanyName: 'AWS',
          Region: stage.region,
          GeneratorId: `security-control/${controlId}`,
          AwsAccountId: stage.account,
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          CreatedAt: now,
          UpdatedAt: now,
          Severity: { Label: 'MEDIUM', Normalized: 40, Original: 'MEDIUM' },
          Title: title,
          Description: title,
          ProductFields: {
            'aws/securityhub/FindingId': `${productArn}/${id}`,
            'Resources:0/Id': stageArnOf(stage),
          },
          Resources: [
            {
              Type: stage.apiType === 'REST' ? 'AwsApiGatewayStage' : 'AwsApiGatewayV2Stage',
              Id: stageArnOf(stage),
              Partition: stage.partition,
              Region: stage.region,
            },
          ],
          Compliance: { Status: 'FAILED', SecurityControlId: controlId },
          WorkflowState: 'NEW',
          Workflow: { Status: 'NEW' },
          RecordState: 'ACTIVE',
        },
      ],
    },
  };
}

/** A CloudTrail UpdateStage by an IAM user (drift), shaped like ../shared/fixtures/events. */
function cloudTrailUpdateStageEvent(stage: StageRef): unknown {
  const now = new Date().toISOString();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.apigateway',
    account: stage.account,
    time: now,
    region: stage.region,
    resources: [],
    detail: {
      eventVersion: '1.11',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDAS193G5D1TZC9BZK3G',
        arn: `arn:${stage.partition}:iam::${stage.account}:user/dev-alice`,
        accountId: stage.account,
        userName: 'dev-alice',
      },
      eventTime: now,
      eventSource: 'apigateway.amazonaws.com',
      eventName: 'UpdateStage',
      awsRegion: stage.region,
      sourceIPAddress: '203.0.113.42',
      userAgent: 'aws-cli/2.24.6',
      requestParameters: {
        restApiId: stage.apiId,
        stageName: stage.stageName,
        updateStageInput: {
          patchOperations: [{ op: 'replace', path: '/*/*/logging/loglevel', value: 'OFF' }],
        },
        template: false,
      },
      responseElements: { stageName: stage.stageName },
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: stage.account,
      eventCategory: 'Management',
    },
  };
}

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
        event: securityHubFindingEvent(
          rest.ref,
          'APIGateway.1',
          'API Gateway REST and WebSocket API execution logging should be enabled',
        ),
      },
      {
        title: 'Security Hub finding APIGateway.9 (HTTP access logging off)',
        event: securityHubFindingEvent(
          http.ref,
          'APIGateway.9',
          'Access logging should be configured for API Gateway V2 Stages',
        ),
      },
      {
        title: 'CloudTrail UpdateStage by dev-alice (drift: the whole REST baseline is checked)',
        event: cloudTrailUpdateStageEvent(rest.ref),
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

    for (const record of harness.records.filter((candidate) => candidate.findingId === undefined)) {
      const drifted = driftEvaluations(record).map((evaluation) => evaluation.controlId);
      console.log(
        `Own findings for ${record.stage.apiId}/${record.stage.stageName}: ${drifted.length} of ${record.evaluations.length} ` +
          `checked controls, those failing before the run (${drifted.join(', ')}); each noted with its own outcome.`,
      );
    }
    console.log('\nSecurity Hub records (BatchImportFindings / BatchUpdateFindings, as sent):');
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
        // `actions` repeats the note's changes in full: the other fields are what an auditor filters on.
        const fields = Object.entries(update.UserDefinedFields).filter(([key]) => key !== 'actions');
        console.log(`          UserDefinedFields: ${JSON.stringify(Object.fromEntries(fields))} (+ actions)`);
      }
    }
    console.log(`\nNotifications published to SNS: ${harness.published.length}`);
    const byControl = harness.metrics
      .filter((metric) => metric.dimensions.ControlId !== undefined)
      .map((metric) => `${metric.dimensions.ControlId} ${metric.dimensions.Outcome}`);
    console.log(`Metric Remediations by ControlId and Outcome: ${byControl.join(', ')}`);
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
