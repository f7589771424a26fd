/**
 * The deployed service, found from its central stack's outputs (CloudFormation DescribeStacks):
 * `StateMachineArn` (where `fix` starts executions) and `LedgerTableName` (what `history` reads),
 * both declared by infra/central-stack.ts. The stack is `ApigwRemediation-{region}` (infra/app.ts)
 * unless `--stack-name` says otherwise. A stack that does not exist answers ValidationError
 * "Stack with id … does not exist" (CloudFormation API Reference, DescribeStacks): that is "not
 * deployed", every other error is an access error.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AwsAccessError, withContext } from './aws-errors.js';

export const STATE_MACHINE_OUTPUT = 'StateMachineArn';
export const LEDGER_TABLE_OUTPUT = 'LedgerTableName';

export function defaultStackName(region: string): string {
  return `ApigwRemediation-${region}`;
}

export interface DeployedService {
  readonly stackName: string;
  readonly stateMachineArn?: string;
  readonly ledgerTable?: string;
}

function isMissingStack(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message);
}

/** The service's stack in `region`, or undefined when no such stack exists. */
export async function findDeployedService(
  region: string,
  stackName = defaultStackName(region),
): Promise<DeployedService | undefined> {
  const cloudFormation = new CloudFormationClient({ region });
  let stacks;
  try {
    ({ Stacks: stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    return withContext(
      {
        operation: 'CloudFormation.DescribeStacks',
        iamAction: 'cloudformation:DescribeStacks',
        resource: `stack ${stackName}`,
        region,
      },
      () => Promise.reject(error as Error),
    );
  }
  const outputs = new Map(
    (stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
  );
  const stateMachineArn = outputs.get(STATE_MACHINE_OUTPUT);
  const ledgerTable = outputs.get(LEDGER_TABLE_OUTPUT);
  return {
    stackName,
    ...(stateMachineArn === undefined ? {} : { stateMachineArn }),
    ...(ledgerTable === undefined ? {} : { ledgerTable }),
  };
}

/** The ledger table to read: `--ledger-table`, else the stack's output; a clear error when neither. */
export async function ledgerTableOf(
  region: string,
  options: { readonly ledgerTable?: string; readonly stackName?: string },
): Promise<string> {
  if (options.ledgerTable !== undefined) return options.ledgerTable;
  const service = await findDeployedService(region, options.stackName);
  if (service?.ledgerTable !== undefined) return service.ledgerTable;
  const stackName = options.stackName ?? defaultStackName(region);
  throw new AwsAccessError(
    service === undefined
      ? `no ledger table: stack ${stackName} does not exist in ${region}; pass --ledger-table NAME (or --stack-name NAME)`
      : `no ledger table: stack ${stackName} in ${region} has no ${LEDGER_TABLE_OUTPUT} output (deployed before the ledger); update the stack or pass --ledger-table NAME`,
  );
}
