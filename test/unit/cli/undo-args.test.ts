/** The ledger commands' command lines and the undo's pure decisions (cli/undo-args.ts, cli/undo.ts). */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../remediators/cli/args.js';
import {
  earlierUndo,
  remediationToUndo,
  undoOutcome,
  UndoRefusedError,
} from '../../../remediators/cli/undo.js';
import { isLedgerCommand, parseLedgerCommandLine } from '../../../remediators/cli/undo-args.js';
import type { LedgerEntry } from '../../../remediators/ledger/entry.js';

const NOW = new Date('2026-12-02T06:00:00.000Z');
const STAGE_ARN = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';
const parse = (command: Parameters<typeof parseLedgerCommandLine>[0], args: string[]) =>
  parseLedgerCommandLine(command, args, NOW);
const usage = (command: Parameters<typeof parseLedgerCommandLine>[0], args: string[]) => {
  try {
    parse(command, args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('ledger command lines', () => {
  it('knows its commands', () => {
    expect(['undo', 'exempt', 'unexempt', 'exemptions', 'scan'].map(isLedgerCommand)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('parses undo with its id, --yes and --until', () => {
    expect(
      parse('undo', ['rem-1', '--yes', '--until', '2027-01-01T00:00:00Z', '--ledger-table', 'ledger']),
    ).toEqual({
      kind: 'run',
      options: {
        command: 'undo',
        remediationId: 'rem-1',
        yes: true,
        until: '2027-01-01T00:00:00.000Z',
        ledgerTable: 'ledger',
        output: 'table',
        access: { regions: [], accounts: [], local: false },
      },
    });
  });

  it('refuses what cannot run, one sentence each', () => {
    expect(usage('undo', ['--yes', '--ledger-table', 'ledger'])).toBe(
      'usage: apigw-remediation undo REMEDIATION_ID [--yes] [--until ISO]',
    );
    expect(usage('undo', ['rem-1', '--ledger-table', 'a'])).toBe(
      '--ledger-table "a" is not a DynamoDB table name (3-255 letters, digits, _ - .)',
    );
    expect(usage('undo', ['rem-1', '--stack-name', '1stack'])).toBe(
      '--stack-name "1stack" is not a CloudFormation stack name',
    );
    expect(usage('undo', ['rem-1', '--ledger-table', 'ledger', '--until', '2027-01-01'])).toMatch(
      /not an ISO-8601 UTC time/,
    );
    expect(usage('undo', ['rem-1', '--ledger-table', 'ledger', '--until', '2020-01-01T00:00:00Z'])).toMatch(
      /not in the future/,
    );
    expect(usage('undo', ['rem-1', '--ledger-table', 'ledger', '--reason', 'x'])).toBe(
      '"undo" takes no --reason',
    );
    expect(usage('exempt', [STAGE_ARN, '--control', 'APIGateway.3', '--ledger-table', 'ledger'])).toBe(
      '--reason TEXT is required',
    );
    expect(
      usage('exempt', [STAGE_ARN, '--control', 'APIGateway.2', '--reason', 'r', '--ledger-table', 'ledger']),
    ).toMatch(/only reports and never changes a stage/);
    expect(
      usage('exempt', [STAGE_ARN, '--control', 'APIGateway.33', '--reason', 'r', '--ledger-table', 'ledger']),
    ).toMatch(/did you mean "APIGateway.3"\?$/);
    expect(
      usage('unexempt', ['not-an-arn', '--control', 'APIGateway.3', '--ledger-table', 'ledger']),
    ).toMatch(/^STAGE_ARN "not-an-arn" is not a stage ARN/);
    expect(usage('exemptions', ['extra', '--ledger-table', 'ledger'])).toBe(
      '"exemptions" takes no argument; got "extra"',
    );
    expect(usage('exemptions', ['--stgae', STAGE_ARN, '--ledger-table', 'ledger'])).toMatch(
      /did you mean --stage\?$/,
    );
  });

  it('parses exempt, unexempt and exemptions', () => {
    expect(
      parse('exempt', [
        STAGE_ARN,
        '--control',
        'APIGateway.3',
        '--reason',
        ' legacy client ',
        '--ledger-table',
        'ledger',
        '--account',
        '111122223333',
      ]),
    ).toMatchObject({
      options: {
        command: 'exempt',
        stageArn: STAGE_ARN,
        controlId: 'APIGateway.3',
        reason: 'legacy client',
        access: { accounts: ['111122223333'] },
      },
    });
    expect(
      parse('exemptions', ['--stage', STAGE_ARN, '--ledger-table', 'ledger', '--output', 'json']),
    ).toMatchObject({
      options: { command: 'exemptions', stageArn: STAGE_ARN, output: 'json' },
    });
    expect(parse('unexempt', ['--help'])).toEqual({ kind: 'help', command: 'unexempt' });
  });
});

describe('undo decisions', () => {
  const remediation = {
    kind: 'REMEDIATION',
    entryId: 'rem-1',
    stageArn: STAGE_ARN,
    account: '111122223333',
    region: 'us-east-1',
    partition: 'aws',
    apiType: 'REST',
    apiId: 'a1b2c3d4e5',
    stageName: 'prod',
    recordedAt: '2026-12-01T00:00:00.000Z',
    actor: { kind: 'execution', executionArn: 'arn:x' },
    outcome: 'REMEDIATED',
    controls: ['APIGateway.3'],
    changes: [],
    prerequisitesCreated: [],
    approver: 'automatic',
    reason: 'fixed',
    findingIds: [],
    trigger: 't',
  } as const satisfies LedgerEntry;

  it('undoes only a remediation that changed something', () => {
    expect(remediationToUndo('rem-1', remediation, 'ledger')).toBe(remediation);
    expect(() => remediationToUndo('rem-2', undefined, 'ledger')).toThrow(
      new UndoRefusedError('no ledger entry "rem-2" in table ledger (history lists the remediation ids)'),
    );
    expect(() => remediationToUndo('rem-1', { ...remediation, outcome: 'DRY_RUN' }, 'ledger')).toThrow(
      'remediation rem-1 ended DRY_RUN, so it changed nothing and there is nothing to undo',
    );
    const undo = {
      ...remediation,
      kind: 'UNDO',
      entryId: 'undo-1',
      undoes: 'rem-1',
      outcome: 'UNDONE',
      restored: [],
      refused: [],
      kept: [],
    } as const satisfies LedgerEntry;
    expect(() => remediationToUndo('undo-1', undo, 'ledger')).toThrow(/is an UNDO entry, not a remediation/);
    expect(earlierUndo('rem-1', [remediation, undo])).toBe(undo);
    expect(earlierUndo('rem-1', [{ ...undo, outcome: 'REFUSED' }])).toBeUndefined();
  });

  it('names the outcome from what was restored and refused', () => {
    expect(undoOutcome([1], [])).toBe('UNDONE');
    expect(undoOutcome([1], [1])).toBe('PARTIALLY_UNDONE');
    expect(undoOutcome([], [1])).toBe('REFUSED');
  });
});
