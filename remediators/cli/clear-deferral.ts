/**
 * `apigw-remediation clear-deferral STAGE_ARN --control ID --account ACCOUNT --table NAME`: ends
 * the flap guard's deferral of one stage-control (docs/decisions/0029), so the next drift of that
 * control is fixed again and its owner's reverts are counted afresh. An API Gateway stage ARN names
 * no account (`arn:aws:apigateway:{region}::/restapis/{id}/stages/{stage}`), hence `--account`.
 * `--table` is the central stack's flap guard table (or env IAC_FLAP_TABLE_NAME); it is deleted
 * with the operator's own credentials (dynamodb:GetItem and DeleteItem on that table), in the
 * stage's Region unless AWS_REGION says otherwise.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseStageArn } from '../core/arn.js';
import { ControlIdSchema } from '../core/control-id.js';
import type { StageRef } from '../core/types.js';
import { FLAP_TABLE_ENV, flapStore, type FlapStore } from '../iac/flap-store.js';
import { CLEAR_DEFERRAL_COMMAND } from './args.js';

export interface ClearDeferralOptions {
  readonly stage: StageRef;
  readonly controlId: string;
  readonly table: string;
}

export class ClearDeferralUsageError extends Error {
  override readonly name = 'UsageError';
}

export const CLEAR_DEFERRAL_HELP = [
  `Usage: apigw-remediation ${CLEAR_DEFERRAL_COMMAND} STAGE_ARN --control ID --account ACCOUNT [--table NAME]`,
  '',
  "Ends the flap guard's deferral of one control on one stage: the service fixes it again on the next drift.",
  '  --control ID       the control id, e.g. APIGateway.3',
  '  --account ACCOUNT  the 12-digit account that owns the stage',
  `  --table NAME       the flap guard table of the central stack (default: env ${FLAP_TABLE_ENV})`,
].join('\n');

/** Pure: the options of a clear-deferral command line, or a one-sentence refusal. */
export function parseClearDeferral(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ClearDeferralOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        control: { type: 'string' },
        account: { type: 'string' },
        table: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new ClearDeferralUsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help === true) return 'help';
  const [stageArn, ...extra] = parsed.positionals;
  if (stageArn === undefined) throw new ClearDeferralUsageError('the stage ARN is missing');
  if (extra.length > 0) throw new ClearDeferralUsageError(`one stage ARN only; got also ${extra.join(' ')}`);
  const { control, account } = parsed.values;
  if (control === undefined || !ControlIdSchema.safeParse(control).success) {
    throw new ClearDeferralUsageError('--control needs a control id such as APIGateway.3');
  }
  if (account === undefined || !/^\d{12}$/.test(account)) {
    throw new ClearDeferralUsageError('--account needs the 12-digit account id that owns the stage');
  }
  const table = parsed.values.table ?? env[FLAP_TABLE_ENV];
  if (table === undefined || table === '') {
    throw new ClearDeferralUsageError(`--table (or env ${FLAP_TABLE_ENV}) names the flap guard table`);
  }
  let locator;
  try {
    locator = parseStageArn(stageArn);
  } catch (error) {
    throw new ClearDeferralUsageError(error instanceof Error ? error.message : String(error));
  }
  return { stage: { ...locator, account }, controlId: control, table };
}

/** What was there and what was done, in one sentence. */
export async function clearDeferral(store: FlapStore, options: ClearDeferralOptions): Promise<string> {
  const { stage, controlId } = options;
  const where = `${controlId} on ${stage.account} ${stage.region} ${stage.apiId}/${stage.stageName}`;
  const record = await store.get(stage, controlId);
  if (record === undefined) return `${where}: no flap guard state, nothing to clear`;
  await store.delete(stage, controlId);
  return record.deferred === undefined
    ? `${where}: not deferred; its revert count (${record.reverts.length}) was cleared`
    : `${where}: the deferral since ${record.deferred.since} is cleared; the next drift is fixed again`;
}

export async function runClearDeferral(
  argv: readonly string[],
  terminal: { readonly stdout: { write(text: string): unknown } },
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const options = parseClearDeferral(argv, env);
  if (options === 'help') {
    terminal.stdout.write(`${CLEAR_DEFERRAL_HELP}\n`);
    return 0;
  }
  const region = env['AWS_REGION'] ?? options.stage.region;
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
  terminal.stdout.write(`${await clearDeferral(flapStore(dynamo, options.table), options)}\n`);
  return 0;
}
