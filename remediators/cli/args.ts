/**
 * The command line of `apigw-remediation` (pure): node:util parseArgs per command, then the values
 * checked as AWS would check them, so a typo is a usage error (exit 2) with one specific sentence
 * and, for a near miss, the word that was meant, instead of a scan of the wrong thing.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { nearestMatch } from '../../config/did-you-mean.js';
import { CONTROL_IDS } from '../controls/catalog.js';
import { parseStageArn } from '../core/arn.js';
import { sinceTimestamp } from './history.js';

export const PROGRAM = 'apigw-remediation';

export const COMMANDS = ['scan', 'plan', 'fix', 'history'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** The ledger's write commands, parsed by cli/undo-args.ts; listed here for the usage messages. */
export const LEDGER_COMMANDS = ['undo', 'exempt', 'unexempt', 'exemptions'] as const;
/** The flap guard's operator command, parsed by cli/clear-deferral.ts (docs/decisions/0029). */
export const CLEAR_DEFERRAL_COMMAND = 'clear-deferral';
const ALL_COMMANDS = [...COMMANDS, ...LEDGER_COMMANDS, CLEAR_DEFERRAL_COMMAND];

export const OUTPUT_FORMATS = ['table', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A command line that cannot run: exit 2, with this message and where to read more. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The help to point at: a command's (scan, plan, or a ledger command, cli/undo-args.ts), or the program's. */
    readonly command?: string,
  ) {
    super(message);
  }
}

export interface AccessOptions {
  /** A named profile of the shared config and credentials files (the SDK's `fromIni`). */
  readonly profile?: string;
  /** Regions to read; empty means the SDK's default Region (AWS_REGION, the profile's region). */
  readonly regions: readonly string[];
  /** Member accounts to read through the member role; empty means the caller's own account. */
  readonly accounts: readonly string[];
  /** The member role to assume in each `accounts` entry; default: the configuration's `crossAccount.memberRoleName`. */
  readonly roleName?: string;
  /** Start the embedded moto_server, seed insecure APIs, and read those. */
  readonly local: boolean;
}

export interface SelectionOptions {
  readonly apiId?: string;
  readonly stageName?: string;
  /** Control ids to evaluate; empty means every control of the catalog. */
  readonly controls: readonly string[];
}

/** `fix`'s own options. */
export interface FixOptions {
  /** `--yes`: the changes of controls in mode approve are confirmed (the caller approves them). */
  readonly yes: boolean;
  readonly stackName?: string;
  readonly ledgerTable?: string;
  readonly createLedgerTable: boolean;
}

/** `history`'s own options. */
export interface HistoryOptions {
  readonly stageArn?: string;
  /** `--since` in the ledger's UTC form. */
  readonly since?: string;
  readonly stackName?: string;
  readonly ledgerTable?: string;
}

export interface RunOptions {
  readonly command: CommandName;
  readonly fix?: FixOptions;
  readonly history?: HistoryOptions;
  readonly access: AccessOptions;
  readonly selection: SelectionOptions;
  readonly output: OutputFormat;
  /** The configuration file; default config/remediation.json, the one the Lambdas bundle. */
  readonly configPath?: string;
}

export type CommandLine =
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'run'; readonly options: RunOptions };

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  profile: { type: 'string' },
  region: { type: 'string', multiple: true },
  account: { type: 'string', multiple: true },
  'role-name': { type: 'string' },
  config: { type: 'string' },
  local: { type: 'boolean' },
  api: { type: 'string' },
  stage: { type: 'string' },
  control: { type: 'string', multiple: true },
  output: { type: 'string' },
  yes: { type: 'boolean' },
  'stack-name': { type: 'string' },
  'ledger-table': { type: 'string' },
  'create-ledger-table': { type: 'boolean' },
  since: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type OptionName = keyof typeof OPTIONS;

/** What each option's help line says; the order is the help's. */
export const OPTION_HELP: readonly (readonly [OptionName, string, string])[] = [
  ['api', '--api ID', 'only this API (REST, HTTP or WebSocket API id)'],
  ['stage', '--stage NAME', 'only stages of this name'],
  ['control', '--control ID', 'only this control (repeatable); default every control of the catalog'],
  ['output', '--output FORMAT', 'table (default) or json'],
  ['config', '--config PATH', 'the configuration file (default config/remediation.json, as the Lambdas)'],
  ['region', '--region R', 'a Region to read (repeatable); default the SDK default Region'],
  ['profile', '--profile NAME', 'a named profile of ~/.aws/config and ~/.aws/credentials'],
  ['account', '--account ID', 'a member account to read through the member role (repeatable)'],
  ['role-name', '--role-name NAME', 'the member role to assume (default crossAccount.memberRoleName)'],
  ['local', '--local', 'start the embedded moto_server with insecure APIs and read those'],
  ['yes', '--yes', 'fix: confirm the changes of controls in mode approve (you are the approver)'],
  ['since', '--since ISO', 'history: only entries recorded at or after this time (ISO-8601)'],
  ['stack-name', '--stack-name NAME', 'the deployed central stack (default ApigwRemediation-<region>)'],
  ['ledger-table', '--ledger-table NAME', 'the ledger table (default the stack output LedgerTableName)'],
  ['create-ledger-table', '--create-ledger-table', 'fix on an emulator: create the ledger table if absent'],
  ['help', '--help, -h', 'this help'],
];

const SHARED_OPTIONS: readonly OptionName[] = ['help', 'profile', 'region', 'config'];
const SELECTION_OPTIONS: readonly OptionName[] = ['api', 'stage', 'control', 'account', 'role-name', 'local'];
/** The options each command takes; any other is refused with the command's help. */
const COMMAND_OPTIONS: Readonly<Record<CommandName, readonly OptionName[]>> = {
  scan: [...SHARED_OPTIONS, ...SELECTION_OPTIONS, 'output'],
  plan: [...SHARED_OPTIONS, ...SELECTION_OPTIONS, 'output'],
  fix: [...SHARED_OPTIONS, ...SELECTION_OPTIONS, 'yes', 'stack-name', 'ledger-table', 'create-ledger-table'],
  history: [...SHARED_OPTIONS, 'stage', 'since', 'output', 'stack-name', 'ledger-table'],
};

const COMMAND_SUMMARY: Readonly<Record<CommandName, string>> = {
  scan: 'every control of every stage: PASSED, FAILED or NOT_APPLICABLE, with the reason and the mode',
  plan: 'the changes the service would make per stage (before → after), its prerequisites and deployments',
  fix: "runs the service's state machine on the selected stages (deployed, or in-process on an emulator)",
  history: 'the remediation ledger: when, control, before → after, approver, outcome, execution or CLI run',
};

const COMMAND_EXITS: Readonly<Record<CommandName, string>> = {
  scan: 'Exit status: 0 nothing fails, 1 a control fails, 2 a usage, configuration or access error.',
  plan: 'Exit status: 0 the plan was made, 2 a usage, configuration or access error.',
  fix: 'Exit status: 0 every stage ends compliant, 1 otherwise, 2 a usage, configuration or access error.',
  history: 'Exit status: 0 the history was printed, 2 a usage, configuration or access error.',
};

export function programHelp(): string {
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.padEnd(8)}${COMMAND_SUMMARY[command]}`),
    '',
    `Run "${PROGRAM} <command> --help" for a command's options. Documentation: docs/cli.md`,
  ].join('\n');
}

export function commandHelp(command: CommandName): string {
  const exits = COMMAND_EXITS[command];
  return [
    `Usage: ${PROGRAM} ${command} [options]`,
    '',
    `${COMMAND_SUMMARY[command].charAt(0).toUpperCase()}${COMMAND_SUMMARY[command].slice(1)}.`,
    '',
    'Options:',
    ...OPTION_HELP.filter(([name]) => COMMAND_OPTIONS[command].includes(name)).map(
      ([name, flag, text]) =>
        `  ${(command === 'history' && name === 'stage' ? '--stage ARN' : flag).padEnd(22)}${
          command === 'history' && name === 'stage' ? 'only this stage (its ARN)' : text
        }`,
    ),
    '',
    exits,
    'AWS access: the SDK default credential chain and Region; AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) are honoured.',
    'Documentation: docs/cli.md',
  ].join('\n');
}

export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const ACCOUNT_ID = /^\d{12}$/;
/** IAM role names: 1-64 of letters, digits and + = , . @ _ - (IAM API reference, CreateRole RoleName). */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** Named profiles: what the shared config file's section names may hold (no brackets or spaces). */
export const PROFILE_NAME = /^[\w+=,.@:/-]{1,128}$/;

export function suggestion(
  input: string,
  candidates: readonly string[],
  render = (word: string) => JSON.stringify(word),
): string {
  const match = nearestMatch(input, candidates);
  return match === undefined ? '' : `; did you mean ${render(match)}?`;
}

function parseFailure(error: unknown, command: CommandName): UsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(message)?.[1] ?? message;
    const names = Object.keys(OPTIONS).map((name) => `--${name}`);
    return new UsageError(
      `unknown option ${option} for "${command}"${suggestion(option, names, (name) => name)}`,
      command,
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--?[\w-]+)/.exec(message)?.[1];
    return new UsageError(
      option === undefined ? message : `${option} needs a value (e.g. ${option} ${exampleValue(option)})`,
      command,
    );
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const positional = /'([^']*)'/.exec(message)?.[1] ?? '';
    return new UsageError(`"${command}" takes no argument ${JSON.stringify(positional)}`, command);
  }
  return new UsageError(message, command);
}

function exampleValue(option: string): string {
  const line = OPTION_HELP.find(([name]) => `--${name}` === option);
  return line?.[1].split(' ')[1] ?? 'VALUE';
}

function checkEach(
  values: readonly string[],
  pattern: RegExp,
  describe: (value: string) => string,
  command: CommandName,
): void {
  for (const value of values) if (!pattern.test(value)) throw new UsageError(describe(value), command);
}

/** Table names: 3-255 of letters, digits, _ - . (DynamoDB Developer Guide, naming rules). */
export const TABLE_NAME = /^[\w.-]{3,255}$/;
/** Stack names: a letter, then letters, digits and hyphens, up to 128 (CloudFormation CreateStack). */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

function ledgerOptions(command: CommandName, values: ReturnType<typeof parseCommand>) {
  const stackName = values['stack-name'];
  if (stackName !== undefined && !STACK_NAME.test(stackName)) {
    throw new UsageError(
      `--stack-name ${JSON.stringify(stackName)} is not a CloudFormation stack name`,
      command,
    );
  }
  const ledgerTable = values['ledger-table'];
  if (ledgerTable !== undefined && !TABLE_NAME.test(ledgerTable)) {
    throw new UsageError(
      `--ledger-table ${JSON.stringify(ledgerTable)} is not a DynamoDB table name (3-255 letters, digits, _ - .)`,
      command,
    );
  }
  return {
    ...(stackName === undefined ? {} : { stackName }),
    ...(ledgerTable === undefined ? {} : { ledgerTable }),
  };
}

function historyOptions(values: ReturnType<typeof parseCommand>): HistoryOptions {
  const since = values.since;
  const sinceUtc = since === undefined ? undefined : sinceTimestamp(since);
  if (since !== undefined && sinceUtc === undefined) {
    throw new UsageError(
      `--since ${JSON.stringify(since)} is not an ISO-8601 date or time, e.g. 2026-12-01 or 2026-12-01T10:00:00Z`,
      'history',
    );
  }
  const stageArn = values.stage;
  if (stageArn !== undefined) {
    try {
      parseStageArn(stageArn);
    } catch (error) {
      throw new UsageError(
        `--stage takes a stage ARN for "history" (arn:aws:apigateway:us-east-1::/restapis/ID/stages/NAME): ${
          error instanceof Error ? error.message : String(error)
        }`,
        'history',
      );
    }
  }
  return {
    ...(stageArn === undefined ? {} : { stageArn }),
    ...(sinceUtc === undefined ? {} : { since: sinceUtc }),
    ...ledgerOptions('history', values),
  };
}

function checkedOptions(command: CommandName, values: ReturnType<typeof parseCommand>): RunOptions {
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && !COMMAND_OPTIONS[command].includes(name as OptionName)) {
      throw new UsageError(`--${name} is not an option of "${command}"`, command);
    }
  }
  const regions = values.region ?? [];
  const accounts = values.account ?? [];
  const controls = values.control ?? [];
  checkEach(
    regions,
    REGION,
    (region) => `--region ${JSON.stringify(region)} is not an AWS Region such as us-east-1`,
    command,
  );
  checkEach(
    accounts,
    ACCOUNT_ID,
    (account) => `--account ${JSON.stringify(account)} is not a 12-digit AWS account id`,
    command,
  );
  for (const control of controls) {
    if (!(CONTROL_IDS as readonly string[]).includes(control)) {
      throw new UsageError(
        `--control ${JSON.stringify(control)} is not a control of the catalog; ` +
          `controls: ${CONTROL_IDS.join(', ')}${suggestion(control, CONTROL_IDS)}`,
        command,
      );
    }
  }
  const output = values.output ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(output)) {
    throw new UsageError(
      `--output ${JSON.stringify(output)} is not a format; allowed: ${OUTPUT_FORMATS.join(', ')}${suggestion(output, OUTPUT_FORMATS)}`,
      command,
    );
  }
  const roleName = values['role-name'];
  if (roleName !== undefined && !ROLE_NAME.test(roleName)) {
    throw new UsageError(
      `--role-name ${JSON.stringify(roleName)} is not an IAM role name (1-64 letters, digits and + = , . @ _ -)`,
      command,
    );
  }
  if (roleName !== undefined && accounts.length === 0) {
    throw new UsageError('--role-name needs at least one --account ID to assume it in', command);
  }
  const profile = values.profile;
  if (profile !== undefined && !PROFILE_NAME.test(profile)) {
    throw new UsageError(`--profile ${JSON.stringify(profile)} is not a profile name`, command);
  }
  const local = values.local ?? false;
  if (local) {
    const remote = [
      ...(profile === undefined ? [] : ['--profile']),
      ...(accounts.length === 0 ? [] : ['--account']),
      ...(roleName === undefined ? [] : ['--role-name']),
    ];
    if (remote.length > 0) {
      throw new UsageError(
        `--local reads the embedded emulator only; it cannot be combined with ${remote.join(', ')}`,
        command,
      );
    }
  }
  if (values.api === '') throw new UsageError('--api needs an API id', command);
  if (values.stage === '') throw new UsageError('--stage needs a stage name', command);
  return {
    command,
    ...(command === 'fix'
      ? {
          fix: {
            yes: values.yes ?? false,
            createLedgerTable: values['create-ledger-table'] ?? false,
            ...ledgerOptions(command, values),
          },
        }
      : {}),
    ...(command === 'history' ? { history: historyOptions(values) } : {}),
    access: {
      ...(profile === undefined ? {} : { profile }),
      regions: [...new Set(regions)],
      accounts: [...new Set(accounts)],
      ...(roleName === undefined ? {} : { roleName }),
      local,
    },
    selection: {
      ...(values.api === undefined ? {} : { apiId: values.api }),
      ...(values.stage === undefined || command === 'history' ? {} : { stageName: values.stage }),
      controls: [...new Set(controls)],
    },
    output: output as OutputFormat,
    ...(values.config === undefined ? {} : { configPath: values.config }),
  };
}

function parseCommand(command: CommandName, args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw parseFailure(error, command);
  }
}

/** The command line (without `node` and the script) as what to do; throws {@link UsageError}. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0];
    if (topic !== undefined && (COMMANDS as readonly string[]).includes(topic)) {
      return { kind: 'help', command: topic as CommandName };
    }
    return { kind: 'help' };
  }
  if (!(COMMANDS as readonly string[]).includes(first)) {
    const what = first.startsWith('-') ? `option ${first} before a command` : `unknown command "${first}"`;
    throw new UsageError(`${what}; commands: ${ALL_COMMANDS.join(', ')}${suggestion(first, ALL_COMMANDS)}`);
  }
  const command = first as CommandName;
  const values = parseCommand(command, rest);
  if (values.help === true) return { kind: 'help', command };
  return { kind: 'run', options: checkedOptions(command, values) };
}
