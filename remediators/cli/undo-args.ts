/**
 * The command lines of the ledger's write commands (pure): `undo REMEDIATION_ID`, `exempt STAGE_ARN`,
 * `unexempt STAGE_ARN`, `exemptions`. node:util parseArgs per command, then the values checked as
 * AWS would check them (args.ts does the same for scan and plan): a typo is one sentence, exit 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CONTROL_IDS, FIXING_CONTROL_IDS } from '../controls/catalog.js';
import { InvalidStageArnError, parseStageArn } from '../core/arn.js';
import {
  ACCOUNT_ID,
  LEDGER_COMMANDS,
  OUTPUT_FORMATS,
  PROFILE_NAME,
  STACK_NAME,
  TABLE_NAME,
  PROGRAM,
  REGION,
  ROLE_NAME,
  UsageError,
  suggestion,
  type AccessOptions,
  type OutputFormat,
} from './args.js';

export type LedgerCommandName = (typeof LEDGER_COMMANDS)[number];

export function isLedgerCommand(word: string | undefined): word is LedgerCommandName {
  return (LEDGER_COMMANDS as readonly (string | undefined)[]).includes(word);
}

interface Common {
  readonly access: AccessOptions;
  readonly output: OutputFormat;
  readonly configPath?: string;
  /**
   * The ledger table (central account, the caller's Region or the first --region); absent: the
   * deployed stack's LedgerTableName output (cli/stack.ts), as `history` and `fix` find it.
   */
  readonly ledgerTable?: string;
  readonly stackName?: string;
}

export type LedgerCommandOptions =
  | (Common & {
      readonly command: 'undo';
      readonly remediationId: string;
      readonly yes: boolean;
      /** ISO-8601 end of the exemptions the undo records; default exemptions.defaultDays from now. */
      readonly until?: string;
    })
  | (Common & {
      readonly command: 'exempt';
      readonly stageArn: string;
      readonly controlId: string;
      readonly reason: string;
      readonly until?: string;
    })
  | (Common & { readonly command: 'unexempt'; readonly stageArn: string; readonly controlId: string })
  | (Common & { readonly command: 'exemptions'; readonly stageArn?: string });

export type LedgerCommandLine =
  | { readonly kind: 'help'; readonly command: LedgerCommandName }
  | { readonly kind: 'run'; readonly options: LedgerCommandOptions };

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  profile: { type: 'string' },
  region: { type: 'string' },
  account: { type: 'string' },
  'role-name': { type: 'string' },
  config: { type: 'string' },
  local: { type: 'boolean' },
  output: { type: 'string' },
  'ledger-table': { type: 'string' },
  'stack-name': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  until: { type: 'string' },
  control: { type: 'string' },
  reason: { type: 'string' },
  stage: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;
type OptionName = keyof typeof OPTIONS;

/** The options each command takes, beside help. */
const TAKES: Readonly<Record<LedgerCommandName, readonly OptionName[]>> = {
  undo: ['yes', 'until'],
  exempt: ['control', 'reason', 'until'],
  unexempt: ['control'],
  exemptions: ['stage'],
};
const ACCESS: readonly OptionName[] = [
  'output',
  'ledger-table',
  'stack-name',
  'config',
  'region',
  'profile',
  'account',
  'role-name',
  'local',
];

const OPTION_HELP: Readonly<Record<OptionName, readonly [string, string]>> = {
  yes: [
    '--yes, -y',
    'apply without asking (otherwise y/N on a terminal; without a terminal nothing is done)',
  ],
  until: ['--until ISO', 'when the exemption ends (ISO-8601 UTC); default exemptions.defaultDays from now'],
  control: ['--control ID', 'the control of the stage'],
  reason: ['--reason TEXT', 'why the control is left alone (read in the plan, the record and Security Hub)'],
  stage: ['--stage ARN', 'only this stage'],
  output: ['--output FORMAT', 'table (default) or json'],
  'ledger-table': [
    '--ledger-table NAME',
    "the ledger table; default the central stack's LedgerTableName output",
  ],
  'stack-name': ['--stack-name NAME', 'the deployed central stack (default ApigwRemediation-<region>)'],
  config: ['--config PATH', 'the configuration file (default config/remediation.json, as the Lambdas)'],
  region: ['--region R', "the ledger's Region; default the SDK default Region"],
  profile: ['--profile NAME', 'a named profile of ~/.aws/config and ~/.aws/credentials'],
  account: ['--account ID', 'the stage account, reached through the member role'],
  'role-name': ['--role-name NAME', 'the member role to assume (default crossAccount.memberRoleName)'],
  local: ['--local', 'the embedded moto_server (a fresh one: its ledger is empty)'],
  help: ['--help, -h', 'this help'],
};

const SUMMARY: Readonly<Record<LedgerCommandName, string>> = {
  undo: 'restore the settings of a remediation to their before values (REMEDIATION_ID from history/fix)',
  exempt: 'leave a control of a stage alone (the workflow and fix honour it) until a time',
  unexempt: 'end the exemption of a control of a stage',
  exemptions: 'list exemptions, active and ended, with who, why and until when',
};

const USAGE: Readonly<Record<LedgerCommandName, string>> = {
  undo: 'undo REMEDIATION_ID [--yes] [--until ISO]',
  exempt: 'exempt STAGE_ARN --control ID --reason TEXT [--until ISO]',
  unexempt: 'unexempt STAGE_ARN --control ID',
  exemptions: 'exemptions [--stage ARN]',
};

const EXIT: Readonly<Record<LedgerCommandName, string>> = {
  undo: 'Exit status: 0 undone, 1 partially undone (a setting refused, named with the reason), 2 a usage, ledger or access error, or not confirmed.',
  exempt: 'Exit status: 0 recorded, 2 a usage, ledger or access error.',
  unexempt: 'Exit status: 0 ended, 2 no such exemption, a usage, ledger or access error.',
  exemptions: 'Exit status: 0 listed, 2 a usage, ledger or access error.',
};

/** The lines `apigw-remediation --help` adds for these commands. */
export function ledgerCommandsHelp(): string {
  return [
    'Commands (ledger):',
    ...LEDGER_COMMANDS.map((command) => `  ${command.padEnd(11)}${SUMMARY[command]}`),
  ].join('\n');
}

export function ledgerCommandHelp(command: LedgerCommandName): string {
  return [
    `Usage: ${PROGRAM} ${USAGE[command]} [options]`,
    '',
    `${SUMMARY[command].charAt(0).toUpperCase()}${SUMMARY[command].slice(1)}.`,
    '',
    'Options:',
    ...[...TAKES[command], ...ACCESS, 'help' as const].map((name) => {
      const [flag, text] = OPTION_HELP[name];
      return `  ${flag.padEnd(20)}${text}`;
    }),
    '',
    EXIT[command],
    'Documentation: docs/cli.md',
  ].join('\n');
}

/** ISO-8601 with a time and Z, as the ledger keeps times (its index sorts them as strings). */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$/;

export function parseUntil(value: string, command: LedgerCommandName, now: Date): string {
  const time = Date.parse(value);
  if (!ISO_UTC.test(value) || Number.isNaN(time)) {
    throw new UsageError(
      `--until ${JSON.stringify(value)} is not an ISO-8601 UTC time such as 2027-01-31T00:00:00Z`,
      command,
    );
  }
  if (time <= now.getTime()) {
    throw new UsageError(
      `--until ${value} is not in the future; an exemption must end later than now`,
      command,
    );
  }
  return new Date(time).toISOString();
}

function parseFailure(error: unknown, command: LedgerCommandName): UsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1] ?? message;
    const names = [...TAKES[command], ...ACCESS].map((name) => `--${name}`);
    return new UsageError(
      `unknown option ${option} for "${command}"${suggestion(option, names, (name) => name)}`,
      command,
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[\w-]+)/.exec(message)?.[1];
    return new UsageError(option === undefined ? message : `${option} needs a value`, command);
  }
  return new UsageError(message, command);
}

function stageArnOf(value: string, what: string, command: LedgerCommandName): string {
  try {
    parseStageArn(value);
    return value;
  } catch (error) {
    if (error instanceof InvalidStageArnError) {
      throw new UsageError(`${what} ${JSON.stringify(value)} is not a stage ARN: ${error.message}`, command);
    }
    throw error;
  }
}

function controlOf(value: string | undefined, command: LedgerCommandName): string {
  if (value === undefined || value === '') throw new UsageError('--control ID is required', command);
  if (!(FIXING_CONTROL_IDS as readonly string[]).includes(value)) {
    const known = (CONTROL_IDS as readonly string[]).includes(value);
    throw new UsageError(
      known
        ? `--control ${value} only reports and never changes a stage, so there is nothing to exempt it from`
        : `--control ${JSON.stringify(value)} is not a control of the catalog; fixing controls: ` +
            `${FIXING_CONTROL_IDS.join(', ')}${suggestion(value, FIXING_CONTROL_IDS)}`,
      command,
    );
  }
  return value;
}

export function parseLedgerCommandLine(
  command: LedgerCommandName,
  args: readonly string[],
  now: Date,
): LedgerCommandLine {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw parseFailure(error, command);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help', command };
  for (const name of Object.keys(values) as OptionName[]) {
    if (name !== 'help' && !TAKES[command].includes(name) && !ACCESS.includes(name)) {
      throw new UsageError(`"${command}" takes no --${name}`, command);
    }
  }
  const wantsPositional = command !== 'exemptions';
  if (positionals.length > (wantsPositional ? 1 : 0)) {
    throw new UsageError(
      `"${command}" takes ${wantsPositional ? 'one argument' : 'no argument'}; got ${positionals.map((word) => JSON.stringify(word)).join(' ')}`,
      command,
    );
  }
  const positional = positionals[0];
  if (wantsPositional && (positional === undefined || positional === '')) {
    throw new UsageError(`usage: ${PROGRAM} ${USAGE[command]}`, command);
  }
  const output = values.output ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw new UsageError(
      `--output ${JSON.stringify(output)} is not a format; allowed: ${OUTPUT_FORMATS.join(', ')}${suggestion(output, OUTPUT_FORMATS)}`,
      command,
    );
  }
  const region = values.region;
  if (region !== undefined && !REGION.test(region)) {
    throw new UsageError(
      `--region ${JSON.stringify(region)} is not an AWS Region such as us-east-1`,
      command,
    );
  }
  const account = values.account;
  if (account !== undefined && !ACCOUNT_ID.test(account)) {
    throw new UsageError(`--account ${JSON.stringify(account)} is not a 12-digit AWS account id`, command);
  }
  const roleName = values['role-name'];
  if (roleName !== undefined && !ROLE_NAME.test(roleName)) {
    throw new UsageError(`--role-name ${JSON.stringify(roleName)} is not an IAM role name`, command);
  }
  if (roleName !== undefined && account === undefined) {
    throw new UsageError('--role-name needs --account ID to assume it in', command);
  }
  const profile = values.profile;
  if (profile !== undefined && !PROFILE_NAME.test(profile)) {
    throw new UsageError(`--profile ${JSON.stringify(profile)} is not a profile name`, command);
  }
  const local = values.local ?? false;
  if (local && (profile !== undefined || account !== undefined)) {
    throw new UsageError(
      '--local reads the embedded emulator only; it cannot be combined with --profile or --account',
      command,
    );
  }
  const ledgerTable = values['ledger-table'];
  // A DynamoDB table name: 3-255 of letters, digits, _ - . (DynamoDB API reference, CreateTable TableName).
  if (ledgerTable !== undefined && !TABLE_NAME.test(ledgerTable)) {
    throw new UsageError(
      `--ledger-table ${JSON.stringify(ledgerTable)} is not a DynamoDB table name (3-255 letters, digits, _ - .)`,
      command,
    );
  }
  const stackName = values['stack-name'];
  if (stackName !== undefined && !STACK_NAME.test(stackName)) {
    throw new UsageError(
      `--stack-name ${JSON.stringify(stackName)} is not a CloudFormation stack name`,
      command,
    );
  }
  const common: Common = {
    access: {
      ...(profile === undefined ? {} : { profile }),
      regions: region === undefined ? [] : [region],
      accounts: account === undefined ? [] : [account],
      ...(roleName === undefined ? {} : { roleName }),
      local,
    },
    output: output as OutputFormat,
    ...(values.config === undefined ? {} : { configPath: values.config }),
    ...(ledgerTable === undefined ? {} : { ledgerTable }),
    ...(stackName === undefined ? {} : { stackName }),
  };
  const until = values.until === undefined ? {} : { until: parseUntil(values.until, command, now) };
  switch (command) {
    case 'undo':
      return {
        kind: 'run',
        options: { ...common, command, remediationId: positional ?? '', yes: values.yes ?? false, ...until },
      };
    case 'exempt': {
      const reason = values.reason?.trim();
      if (reason === undefined || reason === '') throw new UsageError('--reason TEXT is required', command);
      return {
        kind: 'run',
        options: {
          ...common,
          command,
          stageArn: stageArnOf(positional ?? '', 'STAGE_ARN', command),
          controlId: controlOf(values.control, command),
          reason: reason.slice(0, 1000),
          ...until,
        },
      };
    }
    case 'unexempt':
      return {
        kind: 'run',
        options: {
          ...common,
          command,
          stageArn: stageArnOf(positional ?? '', 'STAGE_ARN', command),
          controlId: controlOf(values.control, command),
        },
      };
    case 'exemptions':
      return {
        kind: 'run',
        options: {
          ...common,
          command,
          ...(values.stage === undefined ? {} : { stageArn: stageArnOf(values.stage, '--stage', command) }),
        },
      };
  }
}
