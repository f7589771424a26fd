/**
 * `undo`, `exempt`, `unexempt` and `exemptions` through the spawned binary (bin/apigw-remediation.mjs
 * under Node 24) against a private moto_server. The remediation is made by the real state machine
 * (test/workflow/harness.ts) on a seeded insecure REST stage, whose Record task writes the
 * REMEDIATION entry undo reads. Read back with the SDK.
 *
 * Left out here: Baseline.DefaultEndpoint (moto's UpdateRestApi stores the string "false" as true,
 * design notes §7, so enabling the endpoint again cannot be read back; test/unit/ledger covers it).
 */
import { APIGatewayClient, GetStageCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { StageRef } from '../../../remediators/core/types.js';
import type { RemediationEntry } from '../../../remediators/ledger/entry.js';
import { createLedgerTable } from '../../../remediators/ledger/table.js';
import type { OutcomeRecord } from '../../../remediators/workflow/outcome.js';
import { seedInsecureRestStage } from '../../helpers/insecure-apis.js';
import { MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';
import { cliAgainst, type Run } from '../../helpers/spawn-cli.js';
import {
  createWorkflowHarness,
  LEDGER_TABLE,
  onlyControls,
  stageDriftEvent,
} from '../../workflow/harness.js';

const moto = useMoto();

function cli(args: readonly string[]): Promise<Run> {
  return cliAgainst(moto.endpoint, args);
}

const CONTROLS = [
  'APIGateway.1',
  'APIGateway.3',
  'APIGateway.4',
  'APIGateway.5',
  'Baseline.RestAccessLogging',
  'Baseline.StageThrottling',
];

let tableCounter = 0;

/** A seeded insecure REST stage fixed by the real state machine, and the REMEDIATION entry its Record task wrote. */
async function remediatedStage() {
  const { ref, methodKey } = await seedInsecureRestStage({ endpoint: moto.endpoint });
  const harness = await createWorkflowHarness({
    endpoint: moto.endpoint,
    config: { controls: onlyControls(CONTROLS) },
  });
  await harness.run(stageDriftEvent(ref));
  const record = harness.records.at(-1) as OutcomeRecord;
  expect(record.outcome).toBe('REMEDIATED');
  const written = await harness.ledger.get(record.remediationId);
  if (written?.kind !== 'REMEDIATION') throw new Error(`no REMEDIATION entry ${record.remediationId}`);
  // A drift run records on no finding; the entry names one so that undo's Security Hub step runs.
  const entry: RemediationEntry = {
    ...written,
    findingIds: [
      'arn:aws:securityhub:us-east-1:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0/APIGateway.3/finding/1',
    ],
  };
  await harness.ledger.replace(entry);
  return { table: LEDGER_TABLE, ref, methodKey, entry, store: harness.ledger };
}

function apiGateway() {
  return new APIGatewayClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials });
}

async function stageOf(ref: StageRef) {
  return apiGateway().send(new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }));
}

describe('apigw-remediation undo (spawned, moto)', () => {
  it('restores every before value in one UpdateStage and the web ACL disassociation, records the undo and the exemptions', async () => {
    const { table, ref, methodKey, entry, store } = await remediatedStage();
    const fixed = await stageOf(ref);
    expect(fixed.tracingEnabled).toBe(true);
    expect(fixed.webAclArn).toBeDefined();

    const run = await cli(['undo', entry.entryId, '--yes', '--ledger-table', table, '--output', 'json']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const stage = await stageOf(ref);
    expect(stage.tracingEnabled).toBe(false);
    expect(stage.webAclArn).toBeUndefined();
    expect(stage.accessLogSettings?.destinationArn).toBeUndefined();
    expect(stage.methodSettings?.['*/*']?.loggingLevel).toBe('OFF');
    expect(stage.methodSettings?.['*/*']?.throttlingRateLimit).toBe(10000);
    expect(stage.methodSettings?.['*/*']?.throttlingBurstLimit).toBe(5000);
    expect(stage.methodSettings?.[methodKey]?.cacheDataEncrypted).toBe(false);

    const { undo } = JSON.parse(run.stdout) as {
      undo: {
        entryId: string;
        outcome: string;
        refused: unknown[];
        restored: unknown[];
        calls: { action: string }[];
        exemptions: { controlId: string }[];
        securityHub: { status: string; reason?: string };
      };
    };
    expect(undo.outcome).toBe('UNDONE');
    expect(undo.refused).toEqual([]);
    expect(undo.restored).toHaveLength(entry.changes.length);
    expect(undo.calls.map((call) => call.action)).toEqual(['UpdateStage', 'DisassociateWebACL']);
    // One exemption per control whose changes were taken back (the entry also lists the controls it only checked).
    expect(undo.exemptions.map((exemption) => exemption.controlId).sort()).toEqual(
      [...new Set(entry.changes.map((change) => change.controlId))].sort(),
    );
    // moto has no Security Hub (it answers with an HTML page): the step is reported skipped, saying so.
    expect(undo.securityHub.status).toBe('skipped');
    expect(undo.securityHub.reason).toMatch(
      /did not take BatchUpdateFindings in us-east-1 \(the endpoint's answer \(HTTP \d+\) is not Security Hub's/,
    );

    const recorded = await store.get(undo.entryId);
    expect(recorded).toMatchObject({ kind: 'UNDO', undoes: entry.entryId, outcome: 'UNDONE' });

    // A second undo of the same remediation is refused.
    const again = await cli(['undo', entry.entryId, '--yes', '--ledger-table', table]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `remediation ${entry.entryId} was undone already (UNDONE) by undo ${undo.entryId}`,
    );
  });

  it('refuses a setting changed since the remediation, says which, and restores the rest (exit 1)', async () => {
    const { table, ref, entry } = await remediatedStage();
    await apiGateway().send(
      new UpdateStageCommand({
        restApiId: ref.apiId,
        stageName: ref.stageName,
        patchOperations: [{ op: 'replace', path: '/*/*/throttling/rateLimit', value: '500' }],
      }),
    );

    const run = await cli(['undo', entry.entryId, '--yes', '--ledger-table', table]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PARTIALLY_UNDONE');
    expect(run.stdout).toContain(
      'Refused: Baseline.StageThrottling methodSettings[*/*].throttlingRateLimit (holds 500): changed since the remediation: the stage holds 500, the remediation set 1000',
    );
    const stage = await stageOf(ref);
    expect(stage.methodSettings?.['*/*']?.throttlingRateLimit).toBe(500);
    expect(stage.methodSettings?.['*/*']?.throttlingBurstLimit).toBe(5000);
    expect(stage.tracingEnabled).toBe(false);
  });

  it('without --yes and without a terminal changes nothing (exit 2); an unknown id is named (exit 2)', async () => {
    const { table, ref, entry } = await remediatedStage();
    const run = await cli(['undo', entry.entryId, '--ledger-table', table]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'not confirmed: no terminal to ask y/N on, and no --yes; nothing was changed',
    );
    expect((await stageOf(ref)).tracingEnabled).toBe(true);

    const missing = await cli(['undo', 'no-such-id', '--yes', '--ledger-table', table]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no ledger entry "no-such-id" in table ${table}`);
  });
});

describe('apigw-remediation exempt / exemptions / unexempt (spawned, moto)', () => {
  it('finds the ledger from the deployed stack without --ledger-table, and names what is missing when there is none', async () => {
    const run = await cli(['exemptions', '--stack-name', 'NoSuchStack']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `no ledger table: stack NoSuchStack does not exist in ${MOTO_REGION}; pass --ledger-table NAME (or --stack-name NAME)`,
    );
  });

  it('records, lists and ends an exemption', async () => {
    tableCounter += 1;
    const table = `ledger-${process.pid}-${tableCounter}`;
    await createLedgerTable(
      new DynamoDBClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: motoCredentials }),
      table,
    );
    const stageArn = `arn:aws:apigateway:${MOTO_REGION}::/restapis/a1b2c3d4e5/stages/prod`;

    const exempt = await cli([
      'exempt',
      stageArn,
      '--control',
      'APIGateway.3',
      '--reason',
      'tracing breaks the legacy client',
      '--until',
      '2099-01-01T00:00:00Z',
      '--ledger-table',
      table,
      '--output',
      'json',
    ]);
    expect(exempt.stderr).toBe('');
    expect(exempt.code).toBe(0);

    const listed = await cli([
      'exemptions',
      '--stage',
      stageArn,
      '--ledger-table',
      table,
      '--output',
      'json',
    ]);
    expect(listed.code).toBe(0);
    const { exemptions } = JSON.parse(listed.stdout) as { exemptions: Record<string, unknown>[] };
    expect(exemptions).toEqual([
      expect.objectContaining({
        stageArn,
        account: '123456789012',
        controlId: 'APIGateway.3',
        cause: 'OPERATOR',
        reason: 'tracing breaks the legacy client',
        until: '2099-01-01T00:00:00.000Z',
        endedAt: null,
        active: true,
      }),
    ]);

    const ended = await cli(['unexempt', stageArn, '--control', 'APIGateway.3', '--ledger-table', table]);
    expect(ended.code).toBe(0);
    const after = await cli(['exemptions', '--ledger-table', table, '--output', 'json']);
    expect((JSON.parse(after.stdout) as { exemptions: { active: boolean }[] }).exemptions).toEqual([
      expect.objectContaining({ active: false }),
    ]);

    const twice = await cli(['unexempt', stageArn, '--control', 'APIGateway.3', '--ledger-table', table]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('ended already');
  });
});
