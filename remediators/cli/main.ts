/**
 * `apigw-remediation`: the operator's command line (docs/cli.md). Read-only commands `scan` and
 * `plan`, `fix` (the service's own state machine), `history` (the ledger), and the ledger's write
 * commands `undo`, `exempt`, `unexempt`, `exemptions` (cli/undo-args.ts), built on the same core,
 * controls and configuration as the Lambdas.
 *
 * Exit status: 0 done (scan: nothing fails; fix: every stage compliant), 1 scan found a failing
 * control or fix left a stage not compliant, 2 a usage,
 * configuration or AWS access error, printed as one message on stderr, never a stack trace.
 * With `--output json`, stdout holds the JSON document only and stderr stays empty unless the run
 * ends with status 2.
 */
import { createInterface } from 'node:readline/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_CONFIG_PATH, ConfigError, loadConfigFile } from '../../config/load.js';
import { ledgerStore, MalformedLedgerItemError } from '../ledger/store.js';
import { MotoStartError } from '../local/moto-server.js';
import { startLocalSession, type LocalSession } from '../local/session.js';
import { resolveAccess } from './access.js';
import {
  CLEAR_DEFERRAL_COMMAND,
  commandHelp,
  parseCommandLine,
  programHelp,
  PROGRAM,
  UsageError,
  type RunOptions,
} from './args.js';
import { AwsAccessError, withContext } from './aws-errors.js';
import { runFix } from './fix.js';
import { historyJson, readHistory, renderHistoryTable } from './history.js';
import { ledgerTableOf } from './stack.js';
import { ClearDeferralUsageError, runClearDeferral } from './clear-deferral.js';
import { planStages, scanStages, type Progress } from './inspect.js';
import { planJson, progressBar, renderPlanTable, renderScanTable, scanJson } from './render.js';
import { scanResult } from './report.js';
import { runExempt, runExemptions, runUnexempt } from './exempt.js';
import { runUndo, UndoRefusedError } from './undo.js';
import {
  isLedgerCommand,
  ledgerCommandHelp,
  ledgerCommandsHelp,
  parseLedgerCommandLine,
  type LedgerCommandOptions,
} from './undo-args.js';

export const EXIT_OK = 0;
export const EXIT_FAILING = 1;
export const EXIT_ERROR = 2;

export interface Terminal {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Where `fix` and `undo` ask for a confirmation; only a terminal (isTTY) is asked. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Answers the y/N question instead of the terminal (tests). */
  readonly confirm?: (question: string) => Promise<boolean>;
}

/** A y/N question on the terminal, when stdin is one; `fix` and `undo` without --yes ask it. */
function confirmOn(terminal: Terminal): ((question: string) => Promise<boolean>) | undefined {
  if (terminal.confirm !== undefined) return terminal.confirm;
  const { stdin } = terminal;
  if (stdin?.isTTY !== true) return undefined;
  return async (question) => {
    const prompt = createInterface({ input: stdin, output: terminal.stderr as NodeJS.WritableStream });
    try {
      return /^y(es)?$/i.test((await prompt.question(question)).trim());
    } finally {
      prompt.close();
    }
  };
}

function progressOn(terminal: Terminal, options: RunOptions): Progress {
  // A progress bar is for a person watching a terminal: never in JSON, never into a pipe or a file.
  if (options.output !== 'table' || terminal.stderr.isTTY !== true) return () => undefined;
  return (done, total) => {
    terminal.stderr.write(`\r${progressBar(done, total)}`);
    if (done === total) terminal.stderr.write('\r\u001b[2K');
  };
}

async function run(options: RunOptions, terminal: Terminal): Promise<number> {
  const configPath = options.configPath ?? DEFAULT_CONFIG_PATH;
  const { config } = loadConfigFile(configPath);
  let local: LocalSession | undefined;
  try {
    if (options.access.local) {
      local = await startLocalSession();
      if (options.output === 'table') {
        const stages = local.seeded.map((stage) => `${stage.ref.apiId}/${stage.ref.stageName}`).join(', ');
        terminal.stderr.write(`local: moto_server at ${local.endpoint}, insecure stages seeded: ${stages}\n`);
      }
    }
    const access = await resolveAccess(options.access, config);
    const { targets } = access;
    if (options.command === 'fix') {
      const result = await runFix(
        {
          access,
          selection: options.selection,
          config,
          fix: options.fix ?? { yes: false, createLedgerTable: false },
          local: options.access.local,
          now: () => new Date(),
        },
        { stdout: terminal.stdout, stderr: terminal.stderr, ...optional('confirm', confirmOn(terminal)) },
      );
      return result.compliant ? EXIT_OK : EXIT_FAILING;
    }
    if (options.command === 'history') {
      const history = options.history ?? {};
      const region = targets[0]?.region ?? '';
      const table = await ledgerTableOf(region, history);
      const store = ledgerStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region })), table);
      const entries = await withContext(
        {
          operation: history.stageArn === undefined ? 'DynamoDB.Scan' : 'DynamoDB.Query',
          iamAction: history.stageArn === undefined ? 'dynamodb:Scan' : 'dynamodb:Query',
          resource: `table ${table}${history.stageArn === undefined ? '' : '/index/byStage'}`,
          region,
        },
        () => readHistory(store, history),
      );
      terminal.stdout.write(options.output === 'json' ? historyJson(entries) : renderHistoryTable(entries));
      return EXIT_OK;
    }
    const progress = progressOn(terminal, options);
    if (options.command === 'scan') {
      const result = scanResult(await scanStages(targets, options.selection, config, progress));
      terminal.stdout.write(options.output === 'json' ? scanJson(result) : renderScanTable(result));
      return result.stages.some((stage) => stage.controls.some((control) => control.status === 'FAILED'))
        ? EXIT_FAILING
        : EXIT_OK;
    }
    const plans = await planStages(targets, options.selection, config, progress, new Date());
    terminal.stdout.write(options.output === 'json' ? planJson(plans) : renderPlanTable(plans));
    return EXIT_OK;
  } finally {
    await local?.stop();
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** The ledger's write commands (undo and the exemptions, cli/undo-args.ts). */
async function runLedgerCommand(options: LedgerCommandOptions, terminal: Terminal): Promise<number> {
  const { config } = loadConfigFile(options.configPath ?? DEFAULT_CONFIG_PATH);
  const local = options.access.local ? await startLocalSession() : undefined;
  try {
    if (options.command === 'undo') {
      const confirm = confirmOn(terminal);
      return await runUndo(options, config, {
        stdout: terminal.stdout,
        stderr: terminal.stderr,
        ...optional('confirm', confirm),
      });
    }
    if (options.command === 'exempt') return await runExempt(options, config, terminal);
    if (options.command === 'unexempt') return await runUnexempt(options, config, terminal);
    return await runExemptions(options, terminal);
  } finally {
    await local?.stop();
  }
}

/** Runs one command line; returns the exit status. Errors the operator can fix are one message on stderr. */
export async function main(argv: readonly string[], terminal: Terminal): Promise<number> {
  let options: RunOptions | undefined;
  try {
    const [first, ...rest] = argv;
    if (isLedgerCommand(first)) {
      const ledgerLine = parseLedgerCommandLine(first, rest, new Date());
      if (ledgerLine.kind === 'help') {
        terminal.stdout.write(`${ledgerCommandHelp(ledgerLine.command)}\n`);
        return EXIT_OK;
      }
      return await runLedgerCommand(ledgerLine.options, terminal);
    }
    // The flap guard's operator command (docs/decisions/0029) parses its own arguments.
    if (argv[0] === CLEAR_DEFERRAL_COMMAND) return await runClearDeferral(argv.slice(1), terminal);
    const line = parseCommandLine(argv);
    if (line.kind === 'help') {
      terminal.stdout.write(
        `${line.command === undefined ? `${programHelp()}\n\n${ledgerCommandsHelp()}` : commandHelp(line.command)}\n`,
      );
      return EXIT_OK;
    }
    options = line.options;
    return await run(options, terminal);
  } catch (error) {
    if (error instanceof ClearDeferralUsageError) {
      terminal.stderr.write(
        `${PROGRAM}: ${error.message} (see ${PROGRAM} ${CLEAR_DEFERRAL_COMMAND} --help)\n`,
      );
      return EXIT_ERROR;
    }
    if (error instanceof UsageError) {
      const help = error.command === undefined ? `${PROGRAM} --help` : `${PROGRAM} ${error.command} --help`;
      terminal.stderr.write(`${PROGRAM}: ${error.message} (see ${help})\n`);
      return EXIT_ERROR;
    }
    if (error instanceof ConfigError) {
      terminal.stderr.write(
        `${PROGRAM}: the configuration cannot be used (docs/configuration.md):\n${error.message}\n`,
      );
      return EXIT_ERROR;
    }
    if (
      error instanceof AwsAccessError ||
      error instanceof MotoStartError ||
      error instanceof MalformedLedgerItemError ||
      error instanceof UndoRefusedError
    ) {
      terminal.stderr.write(`${PROGRAM}: ${error.message}\n`);
      return EXIT_ERROR;
    }
    // Anything else (e.g. two controls of the configuration asking one setting for different
    // values, core/plan.ts PlanConflictError) is still one message, with its kind.
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    terminal.stderr.write(`${PROGRAM}: ${name}: ${message}\n`);
    return EXIT_ERROR;
  }
}
