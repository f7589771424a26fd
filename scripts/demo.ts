/**
 * The demo behind `npm run demo` (scripts/demo.sh): the service's main job on the embedded
 * emulator, no AWS account needed, built on product code only (nothing from test/).
 *
 * 1. Starts the embedded moto_server and seeds an insecure REST API and an insecure HTTP API
 *    (remediators/local), and says which configuration it uses: every control's mode, one control
 *    (APIGateway.1) in mode `approve`.
 * 2. Runs fixture-shaped events (two Security Hub findings, one CloudTrail drift) through the REAL
 *    state machine with the REAL task handlers (remediators/local/in-process-workflow.ts).
 * 3. The approval path of the APIGateway.1 finding, end to end: the real request-approval handler
 *    posts to a local fake Slack Web API (printed as posted); the signed link in that message is
 *    opened and its form submitted, as a browser would (GET, then POST with the CSRF token and
 *    cookie), through the REAL approval-API handler served by scripts/approval-server.ts; its
 *    SendTaskSuccess resumes the waiting execution (remediators/local/approvals.ts), and the record
 *    names the approver.
 * 4. Spawns the real CLI (bin/apigw-remediation.mjs) against the same emulator and ledger table:
 *    `history`, then `undo` of the approved remediation, read back with the SDK.
 * Exits 0 only when every step ended as this script says it should (the checks at the end).
 *
 * moto has no Security Hub and no API Gateway V2 UpdateStage/CreateDeployment: those calls are
 * answered in-process and printed as skipped, never as made (docs/decisions/0031).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { loadConfig } from '../config/load.js';
import { CATALOG } from '../remediators/controls/catalog.js';
import { formatStageArn } from '../remediators/core/arn.js';
import type { StageRef } from '../remediators/core/types.js';
import type { RecordOutput } from '../remediators/handlers/record.js';
import { createLocalApprovals, startFakeSlack, type PostedToSlack } from '../remediators/local/approvals.js';
import { createInProcessWorkflow } from '../remediators/local/in-process-workflow.js';
import { seedInsecureHttpStage, seedInsecureRestStage } from '../remediators/local/insecure-apis.js';
import { LOCAL_LEDGER_TABLE } from '../remediators/local/local-service.js';
import { describeEmulatedWrite } from '../remediators/local/moto-gaps.js';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto } from '../remediators/local/moto-server.js';
import type { OutcomeRecord } from '../remediators/workflow/outcome.js';
import { startApprovalServer, type ApprovalApiHandler } from './approval-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'apigw-remediation.mjs');
const SLACK_CHANNEL = 'C0123456789';
const APPROVED_CONTROL = 'APIGateway.1';

/**
 * Every remediable control automatic except APIGateway.1, which waits for an approver; report-only
 * controls notify. No approver allow-list, so the signed link may decide (docs/approvals.md).
 */
const DEMO_CONFIG = {
  controls: Object.fromEntries(
    CATALOG.map((control) => [
      control.id,
      control.id === APPROVED_CONTROL ? 'approve' : control.kind === 'fixing' ? 'auto' : 'notify',
    ]),
  ),
  approval: { slack: { channelId: SLACK_CHANNEL } },
};

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
            'Resources:0/Id': formatStageArn(stage),
          },
          Resources: [
            {
              Type: stage.apiType === 'REST' ? 'AwsApiGatewayStage' : 'AwsApiGatewayV2Stage',
              Id: formatStageArn(stage),
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

/** One thing the demo says happened, checked. */
interface Check {
  readonly what: string;
  readonly ok: boolean;
}

const checks: Check[] = [];
function check(what: string, ok: boolean): boolean {
  checks.push({ what, ok });
  return ok;
}

function section(title: string): void {
  console.log(`\n━━ ${title}`);
}

/** The text a Slack client shows for a message's blocks (header, sections, context, buttons). */
function blockLines(blocks: readonly Record<string, unknown>[]): string[] {
  const textOf = (value: unknown): string =>
    typeof value === 'object' && value !== null && 'text' in value ? String(value.text) : '';
  return blocks.flatMap((block) => {
    switch (block['type']) {
      case 'header':
      case 'section':
        return [
          textOf(block['text']),
          ...((block['fields'] as unknown[] | undefined) ?? []).map(textOf),
        ].filter((line) => line !== '');
      case 'context':
        return ((block['elements'] as unknown[] | undefined) ?? []).map(textOf);
      case 'actions':
        return [
          ((block['elements'] as { text?: unknown }[] | undefined) ?? [])
            .map((button) => `[${textOf(button.text)}]`)
            .join(' '),
        ];
      default:
        return [];
    }
  });
}

function printSlack(call: PostedToSlack): void {
  console.log(`  Slack ${call.method} to ${String(call.body['channel'])}: ${String(call.body['text'])}`);
  for (const line of blockLines((call.body['blocks'] as Record<string, unknown>[] | undefined) ?? [])) {
    for (const part of line.split('\n')) console.log(`  │ ${part}`);
  }
}

async function until<T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Opens the signed link and submits its form as a browser does: GET, then POST with cookie and CSRF token. */
async function approveThroughLink(link: string, comment: string): Promise<{ status: number; title: string }> {
  const page = await fetch(link);
  const html = await page.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookie = page.headers.get('set-cookie')?.split(';')[0];
  console.log(
    `  GET ${new URL(link).pathname}?exp=…&sig=…  → ${page.status} (confirmation page, CSRF token and cookie)`,
  );
  if (
    !check(
      'the signed link shows the confirmation page with a CSRF token',
      page.status === 200 && csrf !== undefined && cookie !== undefined,
    )
  ) {
    return { status: page.status, title: '' };
  }
  const answer = await fetch(link, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: cookie ?? '',
      // What a browser sends for the page's own form under Referrer-Policy: no-referrer.
      origin: 'null',
      'sec-fetch-site': 'same-origin',
    },
    body: new URLSearchParams({ csrf: csrf ?? '', decision: 'APPROVED', comment }).toString(),
  });
  const title = /<h1>([^<]*)<\/h1>/.exec(await answer.text())?.[1] ?? '';
  console.log(`  POST the form (decision APPROVED, csrf, cookie)  → ${answer.status} “${title}”`);
  return { status: answer.status, title };
}

function printRecord(record: OutcomeRecord): void {
  console.log(
    `  ${record.outcome} ${record.stage.apiId}/${record.stage.stageName}  remediation ${record.remediationId}  approver: ${record.approver}`,
  );
  console.log(`  ${record.reason}`);
  const rows = record.changes.map((change) => [
    change.controlId,
    change.setting,
    show(change.before),
    show(change.after),
  ]);
  if (rows.length > 0)
    console.log(`\n${indent(table([['control', 'setting', 'before', 'after'], ...rows]))}`);
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

function cli(
  args: readonly string[],
  endpoint: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  console.log(`  $ npx apigw-remediation ${args.join(' ')}   (AWS_ENDPOINT_URL=${endpoint})`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      // The demo's emulator only: no profile or service-specific endpoint of the caller's may redirect a call.
      env: {
        ...Object.fromEntries(
          Object.entries(process.env).filter(
            ([name]) => !name.startsWith('AWS_ENDPOINT_URL_') && !name.startsWith('AWS_PROFILE'),
          ),
        ),
        AWS_ENDPOINT_URL: endpoint,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const moto = await startMoto();
  const slack = await startFakeSlack();
  const configDir = mkdtempSync(join(tmpdir(), 'apigw-remediation-demo-'));
  let api: ApprovalApiHandler | undefined;
  const approvalServer = await startApprovalServer((event) => {
    if (api === undefined) throw new Error('the approval API is not composed yet');
    return api(event);
  });
  try {
    const endpoint = moto.endpoint;
    const rest = await seedInsecureRestStage({ endpoint, apiName: 'orders-api' });
    const http = await seedInsecureHttpStage({ endpoint, apiName: 'pets-http-api' });
    section('The embedded emulator');
    console.log(`  moto_server at ${endpoint}`);
    console.log(`  insecure REST stage ${formatStageArn(rest.ref)}`);
    console.log(`  insecure HTTP stage ${formatStageArn(http.ref)}`);

    // Written to a file so the spawned CLI reads the very same configuration (--config).
    const configPath = join(configDir, 'demo-config.json');
    writeFileSync(configPath, `${JSON.stringify(DEMO_CONFIG, null, 2)}\n`);
    const config = loadConfig(configPath);
    section(`Configuration: ${configPath} (validated like config/remediation.json; defaults for the rest)`);
    console.log('  DEMO_CONFIG of scripts/demo.ts, not config/remediation.json; the mode of each control:');
    for (const control of CATALOG) console.log(`  ${control.id.padEnd(28)} ${config.controls[control.id]}`);
    console.log(
      `  approval: Slack channel ${SLACK_CHANNEL}, no approver allow-list (a signed link may decide), timeout ${config.approval.timeoutSeconds} s`,
    );

    const approvals = await createLocalApprovals({
      endpoint,
      region: MOTO_REGION,
      approval: config.approval,
      approvalBaseUrl: approvalServer.url,
      slackApiUrl: slack.apiUrl,
    });
    api = approvals.api;
    const records: OutcomeRecord[] = [];
    const workflow = await createInProcessWorkflow({
      endpoint,
      region: MOTO_REGION,
      config,
      account: MOTO_ACCOUNT,
      ledgerTable: LOCAL_LEDGER_TABLE,
      createLedgerTable: true,
      emulateMotoGaps: true,
      approval: approvals.workflow,
      stateMachineName: 'apigw-remediation',
      onRecord: (output) => records.push((output as RecordOutput).record),
    });
    console.log(
      `  approval API (the real handler) at ${approvalServer.url}; fake Slack Web API at ${slack.apiUrl}`,
    );

    // 1. The approval path.
    section(
      `1. Security Hub finding ${APPROVED_CONTROL} on ${rest.ref.apiId}/prod (mode approve): the approval path`,
    );
    const run1 = workflow.run(
      securityHubFindingEvent(
        rest.ref,
        APPROVED_CONTROL,
        'API Gateway REST and WebSocket API execution logging should be enabled',
      ),
      'demo-1',
    );
    let ended = false;
    void run1.finally(() => (ended = true)).catch(() => undefined);
    const posted = await until(
      'the approval request in Slack',
      () => slack.calls.find((call) => call.method === 'chat.postMessage') ?? (ended ? null : undefined),
    );
    check('the workflow posted the approval request to Slack', posted !== null);
    if (posted === null) {
      throw new Error(`the execution ended without asking for approval: ${JSON.stringify(await run1)}`);
    }
    console.log('  the execution waits in RequestApproval; the request-approval handler posted:');
    printSlack(posted);
    const link = /<(https?:[^|>]+)\|/
      .exec(JSON.stringify(posted.body['blocks']))?.[1]
      ?.replace(/&amp;/g, '&');
    if (!check('the Slack message carries a signed approval link', link !== undefined))
      throw new Error('no link');
    const decided = await approveThroughLink(link ?? '', 'approved in npm run demo');
    check(
      'the approval API recorded the decision (200 “Decision recorded”)',
      decided.status === 200 && decided.title === 'Decision recorded',
    );
    await run1;
    console.log('  SendTaskSuccess resumed the execution: Recheck, Apply, Verify, Record');
    const update = slack.calls.find((call) => call.method === 'chat.update');
    if (update !== undefined) printSlack(update);
    check('the Slack message was updated with the decision', update !== undefined);
    const approved = records.find(
      (record) =>
        record.findingId !== undefined &&
        record.changes.some((change) => change.controlId === APPROVED_CONTROL),
    );
    if (approved !== undefined) printRecord(approved);
    check(
      `${APPROVED_CONTROL} REMEDIATED, the record naming the link approver`,
      approved?.outcome === 'REMEDIATED' && approved.approver === 'link',
    );

    // 2. An automatic fix of the HTTP stage.
    section(`2. Security Hub finding APIGateway.9 on ${http.ref.apiId}/live (mode auto)`);
    const before2 = records.length;
    await workflow.run(
      securityHubFindingEvent(
        http.ref,
        'APIGateway.9',
        'Access logging should be configured for API Gateway V2 Stages',
      ),
      'demo-2',
    );
    const httpRecord = records.slice(before2).at(-1);
    if (httpRecord !== undefined) printRecord(httpRecord);
    for (const write of workflow.emulated) console.log(`  ${describeEmulatedWrite(write)}`);
    check(
      'APIGateway.9 REMEDIATED (its V2 UpdateStage emulated, said so)',
      httpRecord?.outcome === 'REMEDIATED' &&
        workflow.emulated.some((write) => write.operation === 'UpdateStage'),
    );

    // 3. Drift: the whole REST baseline.
    section(
      `3. CloudTrail UpdateStage by dev-alice on ${rest.ref.apiId}/prod (drift: every control not off is checked)`,
    );
    const before3 = records.length;
    await workflow.run(cloudTrailUpdateStageEvent(rest.ref), 'demo-3');
    const driftRecord = records.slice(before3).at(-1);
    if (driftRecord !== undefined) printRecord(driftRecord);
    check(
      'the drift run REMEDIATED the rest of the REST baseline',
      driftRecord?.outcome === 'REMEDIATED' && driftRecord.changes.length > 0,
    );

    const counts = new Map<string, number>();
    for (const write of workflow.skipped) counts.set(write.operation, (counts.get(write.operation) ?? 0) + 1);
    console.log(
      `\n  Security Hub: skipped (moto has no Security Hub): ${[...counts].map(([operation, count]) => `${operation} ×${count}`).join(', ')}; nothing was sent`,
    );

    // 4. The operator's view: history and undo through the real CLI.
    section('4. The CLI on the same emulator and ledger: history, then undo of the approved remediation');
    const common = ['--ledger-table', LOCAL_LEDGER_TABLE, '--config', configPath];
    const history = await cli(['history', ...common], endpoint);
    console.log(indent(history.stdout.trimEnd()));
    if (history.stderr !== '') console.log(indent(history.stderr.trimEnd()));
    check(
      'history lists the three remediations, the approved one with its approver',
      history.code === 0 &&
        records.every((record) => history.stdout.includes(record.remediationId)) &&
        history.stdout.includes('approver: link'),
    );
    const undo = await cli(['undo', approved?.remediationId ?? '(none)', '--yes', ...common], endpoint);
    console.log(indent(undo.stdout.trimEnd()));
    if (undo.stderr !== '') console.log(indent(undo.stderr.trimEnd()));
    const stage = await new APIGatewayClient({ region: MOTO_REGION, endpoint }).send(
      new GetStageCommand({ restApiId: rest.ref.apiId, stageName: rest.ref.stageName }),
    );
    const level = stage.methodSettings?.['*/*']?.loggingLevel;
    console.log(
      `  read back: ${rest.ref.apiId}/prod methodSettings[*/*].loggingLevel is ${level ?? '(unset)'}`,
    );
    check(
      `undo restored ${APPROVED_CONTROL}'s before value (loggingLevel OFF), exit 0`,
      undo.code === 0 && level === 'OFF',
    );
  } finally {
    await approvalServer.close();
    await slack.close();
    await moto.stop();
    rmSync(configDir, { recursive: true, force: true });
  }

  section(`Checks (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  for (const { what, ok } of checks) console.log(`  ${ok ? '✔' : '✘'} ${what}`);
  if (checks.some((entry) => !entry.ok)) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  for (const { what, ok } of checks) console.log(`  ${ok ? '✔' : '✘'} ${what}`);
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
