/**
 * `apigw-remediation`: the operator's command line (docs/cli.md). Read-only commands `scan` and
 * `plan`, built on the same core, controls and configuration as the Lambdas.
 *
 * Exit status: 0 done (scan: nothing fails), 1 scan found a failing control, 2 a usage,
 * configuration or AWS access error, printed as one message on stderr, never a stack trace.
 * With `--output json`, stdout holds the JSON document only and stderr stays empty unless the run
 * ends with status 2.
 */
import { DEFAULT_CONFIG_PATH, ConfigError, loadConfigFile } from '../../config/load.js';
import { MotoStartError } from '../local/moto-server.js';
import { startLocalSession, type LocalSession } from '../local/session.js';
import { resolveAccess } from './access.js';
import { commandHelp, parseCommandLine, programHelp, PROGRAM, UsageError, type RunOptions } from './args.js';
import { AwsAccessError } from './aws-errors.js';
import { CLEAR_DEFERRAL_COMMAND, ClearDeferralUsageError, runClearDeferral } from './clear-deferral.js';
import { planStages, scanStages, type Progress } from './inspect.js';
import { planJson, progressBar, renderPlanTable, renderScanTable, scanJson } from './render.js';
import { scanResult } from './report.js';

export const EXIT_OK = 0;
export const EXIT_FAILING = 1;
export const EXIT_ERROR = 2;

export interface Terminal {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
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
    const { targets } = await resolveAccess(options.access, config);
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

/** Runs one command line; returns the exit status. Errors the operator can fix are one message on stderr. */
export async function main(argv: readonly string[], terminal: Terminal): Promise<number> {
  let options: RunOptions | undefined;
  try {
    // The flap guard's operator command (docs/decisions/0029) parses its own arguments.
    if (argv[0] === CLEAR_DEFERRAL_COMMAND) return await runClearDeferral(argv.slice(1), terminal);
    const line = parseCommandLine(argv);
    if (line.kind === 'help') {
      terminal.stdout.write(`${line.command === undefined ? programHelp() : commandHelp(line.command)}\n`);
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
    if (error instanceof AwsAccessError || error instanceof MotoStartError) {
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
