/** `fix`'s pure parts (which controls are sent, the request, the results) and `history`'s rendering. */
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../remediators/cli/args.js';
import {
  cliRequestEvent,
  controlsToFix,
  endsCompliant,
  stageResults,
  withEmulatedWrites,
} from '../../../remediators/cli/fix-request.js';
import { describeEmulatedWrite, emulatedWritesOf } from '../../../remediators/local/moto-gaps.js';
import { historyJson, renderHistoryTable, sinceTimestamp } from '../../../remediators/cli/history.js';
import type { StagePlanDetail } from '../../../remediators/cli/report.js';
import type { LedgerEntry } from '../../../remediators/ledger/entry.js';

const STAGE_ARN = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';
const STAGE = {
  account: '123456789012',
  region: 'us-east-1',
  partition: 'aws',
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
} as const;
const detail: StagePlanDetail = {
  stage: { ...STAGE, apiName: 'orders-api', stageArn: STAGE_ARN },
  plan: {
    stageArn: STAGE_ARN,
    changes: [
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
      { controlId: 'APIGateway.4', setting: 'webAclArn', before: null, after: 'baseline' },
    ],
    prerequisites: [],
    deployment: false,
    owner: { kind: 'unmanaged', description: 'no infrastructure as code found', sourceFixes: [] },
  },
  notPlanned: [{ controlId: 'APIGateway.2', mode: 'notify' }],
  dryRun: false,
  plannedModes: { 'APIGateway.3': 'auto', 'APIGateway.4': 'approve' },
};

describe('fix', () => {
  it('parses its options', () => {
    expect(
      parseCommandLine(['fix', '--yes', '--create-ledger-table', '--ledger-table', 'my-ledger', '--local']),
    ).toMatchObject({
      kind: 'run',
      options: {
        command: 'fix',
        fix: { yes: true, createLedgerTable: true, ledgerTable: 'my-ledger' },
        access: { local: true },
      },
    });
    expect(parseCommandLine(['history', '--stage', STAGE_ARN, '--since', '2026-12-01'])).toMatchObject({
      options: {
        command: 'history',
        history: { stageArn: STAGE_ARN, since: '2026-12-01T00:00:00.000Z' },
        selection: {},
      },
    });
  });

  it('sends approve controls only when confirmed; never notify or off ones', () => {
    expect(controlsToFix(detail, false)).toEqual({
      stageArn: STAGE_ARN,
      account: '123456789012',
      region: 'us-east-1',
      controls: ['APIGateway.3'],
      unconfirmed: ['APIGateway.4'],
      leftAlone: [{ controlId: 'APIGateway.2', mode: 'notify' }],
    });
    expect(controlsToFix(detail, true)).toMatchObject({
      controls: ['APIGateway.3', 'APIGateway.4'],
      unconfirmed: [],
    });
  });

  it('builds the request event intake reads, and reads each stage’s outcome from the execution output', () => {
    const plan = controlsToFix(detail, true);
    expect(
      cliRequestEvent({
        id: 'cli-1-1',
        plan,
        requestedBy: 'arn:aws:iam::123456789012:user/alice',
        confirmedApproval: true,
        now: new Date('2026-12-01T10:00:00Z'),
      }),
    ).toEqual({
      id: 'cli-1-1',
      'detail-type': 'Remediation Requested by CLI',
      source: 'apigw-remediation.cli',
      account: '123456789012',
      time: '2026-12-01T10:00:00.000Z',
      region: 'us-east-1',
      resources: [STAGE_ARN],
      detail: {
        account: '123456789012',
        stageArn: STAGE_ARN,
        controls: ['APIGateway.3', 'APIGateway.4'],
        requestedBy: 'arn:aws:iam::123456789012:user/alice',
        confirmedApproval: true,
      },
    });
    const output = {
      results: [
        {
          stages: [
            {
              stage: STAGE,
              outcome: 'REMEDIATED',
              recorded: true,
            },
          ],
        },
      ],
    };
    expect(stageResults(output)).toEqual([{ stageArn: STAGE_ARN, outcome: 'REMEDIATED', recorded: true }]);
    expect(stageResults({ results: [] })).toEqual([]);
    expect(endsCompliant({ outcome: 'ALREADY_COMPLIANT' })).toBe(true);
    expect(endsCompliant({ outcome: 'SKIPPED' })).toBe(false);
  });

  it('reports a REMEDIATED stage with writes moto lacks as EMULATED; any other outcome as the workflow recorded it', () => {
    const emulated = withEmulatedWrites({ outcome: 'REMEDIATED', remediationId: 'r-1' }, 2);
    expect(emulated).toEqual({
      outcome: 'EMULATED',
      remediationId: 'r-1',
      reason:
        'the workflow recorded REMEDIATED; 2 of its write(s) moto lacks were emulated in-process (skipped above), ' +
        'and the stage holds the after values when read back',
    });
    expect(endsCompliant(emulated)).toBe(true);
    expect(withEmulatedWrites({ outcome: 'REMEDIATED' }, 0)).toEqual({ outcome: 'REMEDIATED' });
    expect(withEmulatedWrites({ outcome: 'FAILED', reason: 'x' }, 1)).toEqual({
      outcome: 'FAILED',
      reason: 'x',
    });
  });

  it('names each emulated write with the reason, per stage (a deployment belongs to every stage of its API)', () => {
    const writes = [
      {
        operation: 'UpdateStage' as const,
        apiId: 'a1',
        stageName: 'live',
        fields: ['AccessLogSettings', 'DeploymentId'],
        reason: 'moto has no apigatewayv2 UpdateStage',
      },
      {
        operation: 'UpdateStage' as const,
        apiId: 'a1',
        stageName: 'dev',
        fields: ['AccessLogSettings'],
        reason: 'moto has no apigatewayv2 UpdateStage',
      },
      {
        operation: 'CreateDeployment' as const,
        apiId: 'a1',
        deploymentId: 'abc123',
        reason: 'moto has no apigatewayv2 CreateDeployment',
      },
    ];
    expect(emulatedWritesOf(writes, 'a1', 'live').map(describeEmulatedWrite)).toEqual([
      'skipped: moto has no apigatewayv2 UpdateStage (AccessLogSettings, DeploymentId of stage live written in-process instead: GetStage, DeleteStage, CreateStage)',
      'skipped: moto has no apigatewayv2 CreateDeployment (no deployment of API a1 was created; the run went on with the in-process id abc123)',
    ]);
    expect(emulatedWritesOf(writes, 'b2', 'live')).toEqual([]);
  });
});

describe('history', () => {
  const STAGE_FIELDS = { ...STAGE, stageArn: STAGE_ARN };
  const entries: LedgerEntry[] = [
    {
      kind: 'REMEDIATION',
      entryId: 'rem-1',
      ...STAGE_FIELDS,
      recordedAt: '2026-12-01T10:00:00.000Z',
      actor: { kind: 'execution', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:wf:run-1' },
      outcome: 'REMEDIATED',
      controls: ['APIGateway.3'],
      changes: [{ controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true }],
      prerequisitesCreated: [],
      approver: 'automatic',
      reason: 'fixed APIGateway.3',
      findingIds: [],
      trigger: 'securityhub',
    },
    {
      kind: 'EXEMPTION',
      entryId: 'ex-1',
      ...STAGE_FIELDS,
      recordedAt: '2026-12-01T11:00:00.000Z',
      actor: { kind: 'cli', callerArn: 'arn:aws:iam::123456789012:user/alice', runId: 'cli-2' },
      controlId: 'APIGateway.3',
      reason: 'tracing costs',
      cause: 'OPERATOR',
    },
  ];

  it('prints when, kind, stage, outcome, each change, approver and run; exemptions too', () => {
    expect(renderHistoryTable(entries)).toBe(
      [
        `2026-12-01T10:00:00.000Z  REMEDIATION  ${STAGE_ARN}  REMEDIATED  remediation rem-1`,
        '  approver: automatic',
        '  APIGateway.3 tracingEnabled: false → true',
        '  reason: fixed APIGateway.3',
        '  run: arn:aws:states:us-east-1:123456789012:execution:wf:run-1',
        `2026-12-01T11:00:00.000Z  EXEMPTION  ${STAGE_ARN}  EXEMPT APIGateway.3 (OPERATOR)  exemption ex-1`,
        '  until: no end',
        '  reason: tracing costs',
        '  run: CLI run cli-2 by arn:aws:iam::123456789012:user/alice',
        '2 entries',
        '',
      ].join('\n'),
    );
    expect(renderHistoryTable([])).toBe('No ledger entries.\n');
    expect(JSON.parse(historyJson(entries))).toEqual({ entries });
  });

  it('prints an undo with who approved it, when it waited for an approval (undo.mode approve)', () => {
    const undo: LedgerEntry = {
      kind: 'UNDO',
      entryId: 'undo-1',
      ...STAGE_FIELDS,
      recordedAt: '2026-12-01T12:00:00.000Z',
      actor: { kind: 'execution', executionArn: 'arn:aws:states:us-east-1:123456789012:execution:wf:undo-1' },
      undoes: 'rem-1',
      outcome: 'UNDONE',
      restored: [{ controlId: 'APIGateway.3', setting: 'tracingEnabled', before: true, after: false }],
      refused: [],
      kept: [],
      reason: 'restored 1 setting(s) with UpdateStage',
      approver: 'Dana Approver (U024BE7LH)',
    };
    expect(renderHistoryTable([undo])).toBe(
      [
        `2026-12-01T12:00:00.000Z  UNDO  ${STAGE_ARN}  UNDONE  undo undo-1 of remediation rem-1`,
        '  approver: Dana Approver (U024BE7LH)',
        '  APIGateway.3 tracingEnabled: true → false (restored)',
        '  reason: restored 1 setting(s) with UpdateStage',
        '  run: arn:aws:states:us-east-1:123456789012:execution:wf:undo-1',
        '1 entry',
        '',
      ].join('\n'),
    );
  });

  it('reads --since as UTC ISO-8601, refusing what is not a real date or time', () => {
    expect(sinceTimestamp('2026-12-01T10:00:00+01:00')).toBe('2026-12-01T09:00:00.000Z');
    expect(sinceTimestamp('2026-12-01T10:00Z')).toBe('2026-12-01T10:00:00.000Z');
    expect(sinceTimestamp('2026-13-01')).toBeUndefined();
    expect(sinceTimestamp('2026-02-30')).toBeUndefined();
    expect(sinceTimestamp('1733050000')).toBeUndefined();
  });
});
