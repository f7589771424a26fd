import { describe, expect, it } from 'vitest';
import { CONTROL_IDS } from '../../../remediators/controls/catalog.js';
import { commandHelp, parseCommandLine, UsageError } from '../../../remediators/cli/args.js';

function usageError(argv: readonly string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('reads every option of scan, repeatable ones in order and once each', () => {
    expect(
      parseCommandLine([
        'scan',
        '--api',
        'a1b2c3',
        '--stage',
        'prod',
        '--control',
        'APIGateway.3',
        '--control',
        'APIGateway.1',
        '--control',
        'APIGateway.3',
        '--output',
        'json',
        '--region',
        'eu-west-1',
        '--region',
        'us-gov-west-1',
        '--account',
        '111122223333',
        '--role-name',
        'auditor',
        '--profile',
        'security',
        '--config',
        'config/prod.json',
      ]),
    ).toEqual({
      kind: 'run',
      options: {
        command: 'scan',
        access: {
          profile: 'security',
          regions: ['eu-west-1', 'us-gov-west-1'],
          accounts: ['111122223333'],
          roleName: 'auditor',
          local: false,
        },
        selection: { apiId: 'a1b2c3', stageName: 'prod', controls: ['APIGateway.3', 'APIGateway.1'] },
        output: 'json',
        configPath: 'config/prod.json',
      },
    });
  });

  it('defaults to a table of every control, the default Region and the caller’s account', () => {
    expect(parseCommandLine(['plan'])).toEqual({
      kind: 'run',
      options: {
        command: 'plan',
        access: { regions: [], accounts: [], local: false },
        selection: { controls: [] },
        output: 'table',
      },
    });
  });

  it('answers --help for the program and for each command', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['help', 'plan'])).toEqual({ kind: 'help', command: 'plan' });
    expect(parseCommandLine(['scan', '-h'])).toEqual({ kind: 'help', command: 'scan' });
    expect(commandHelp('scan')).toContain('--control ID');
    expect(commandHelp('scan')).toContain('Exit status: 0 nothing fails, 1 a control fails, 2 a usage');
  });

  it.each([
    [[], 'no command given', undefined],
    [
      ['scna'],
      'unknown command "scna"; commands: scan, plan, fix, history, undo, exempt, unexempt, exemptions, clear-deferral; did you mean "scan"?',
      undefined,
    ],
    [
      ['deploy'],
      'unknown command "deploy"; commands: scan, plan, fix, history, undo, exempt, unexempt, exemptions, clear-deferral',
      undefined,
    ],
    [
      ['--region', 'eu-west-1'],
      'option --region before a command; commands: scan, plan, fix, history, undo, exempt, unexempt, exemptions, clear-deferral',
      undefined,
    ],
    // The ledger's commands and clear-deferral have their own parsers; their near misses are named too.
    [
      ['exemptoins'],
      'unknown command "exemptoins"; commands: scan, plan, fix, history, undo, exempt, unexempt, exemptions, clear-deferral; did you mean "exemptions"?',
      undefined,
    ],
    [
      ['clear-defferal'],
      'unknown command "clear-defferal"; commands: scan, plan, fix, history, undo, exempt, unexempt, exemptions, clear-deferral; did you mean "clear-deferral"?',
      undefined,
    ],
    [['scan', '--yes'], '--yes is not an option of "scan"', 'scan'],
    [['fix', '--output', 'json'], '--output is not an option of "fix"', 'fix'],
    [['history', '--api', 'a1b2c3d4e5'], '--api is not an option of "history"', 'history'],
    [
      ['history', '--since', '2026-02-30'],
      '--since "2026-02-30" is not an ISO-8601 date or time, e.g. 2026-12-01 or 2026-12-01T10:00:00Z',
      'history',
    ],
    [
      ['history', '--since', 'last week'],
      '--since "last week" is not an ISO-8601 date or time, e.g. 2026-12-01 or 2026-12-01T10:00:00Z',
      'history',
    ],
    [
      ['history', '--ledger-table', 'x'],
      '--ledger-table "x" is not a DynamoDB table name (3-255 letters, digits, _ - .)',
      'history',
    ],
    [['fix', '--stack-name', '1stack'], '--stack-name "1stack" is not a CloudFormation stack name', 'fix'],
    [['scan', '--stgae', 'prod'], 'unknown option --stgae for "scan"; did you mean --stage?', 'scan'],
    [['scan', '--verbose'], 'unknown option --verbose for "scan"', 'scan'],
    [['plan', '--region'], '--region needs a value (e.g. --region R)', 'plan'],
    [['scan', 'prod'], '"scan" takes no argument "prod"', 'scan'],
    [
      ['scan', '--output', 'jsno'],
      '--output "jsno" is not a format; allowed: table, json; did you mean "json"?',
      'scan',
    ],
    [['scan', '--region', 'europe'], '--region "europe" is not an AWS Region such as us-east-1', 'scan'],
    [['scan', '--account', '1234'], '--account "1234" is not a 12-digit AWS account id', 'scan'],
    [
      ['scan', '--control', 'APIGateway.99'],
      `--control "APIGateway.99" is not a control of the catalog; controls: ${CONTROL_IDS.join(', ')}; did you mean "APIGateway.9"?`,
      'scan',
    ],
    [
      ['scan', '--role-name', 'auditor'],
      '--role-name needs at least one --account ID to assume it in',
      'scan',
    ],
    [
      ['scan', '--account', '111122223333', '--role-name', 'bad role'],
      '--role-name "bad role" is not an IAM role name (1-64 letters, digits and + = , . @ _ -)',
      'scan',
    ],
    [
      ['scan', '--local', '--profile', 'prod', '--account', '111122223333'],
      '--local reads the embedded emulator only; it cannot be combined with --profile, --account',
      'scan',
    ],
    [['scan', '--api', ''], '--api needs an API id', 'scan'],
  ])('refuses %j: %s', (argv, message, command) => {
    const error = usageError(argv);
    expect(error.message).toBe(message);
    expect(error.command).toBe(command);
  });
});
