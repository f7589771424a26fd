/** The I/O half of the accountCloudWatchRole effect: read the account setting now, set it only when unset. */
import {
  GetAccountCommand,
  TooManyRequestsException,
  UpdateAccountCommand,
} from '@aws-sdk/client-api-gateway';
import { accountRegionKey } from '../cache.js';
import type { ApiClients } from '../clients.js';
import type { StageRef } from '../types.js';
import type { AccountCloudWatchRoleEffect } from './account-cloudwatch-role.js';
import type { ApplyEffect } from './context.js';

export function cloudWatchRoleArn(ref: StageRef, roleName: string): string {
  return `arn:${ref.partition}:iam::${ref.account}:role/${roleName}`;
}

export const applyAccountCloudWatchRole: ApplyEffect<AccountCloudWatchRoleEffect, ApiClients> = async (
  { roleName },
  { ref, clients, cache },
) => {
  // Read now, not from the snapshot: another execution (or a person) may have set it since the plan.
  const account = await clients.apiGateway.send(new GetAccountCommand({}));
  const key = accountRegionKey(ref);
  // Set already (by a person, or another run): kept as found, and no action of this run's.
  const setAlready = (cloudwatchRoleArn: string) => {
    cache.accountSettings.set(key, { cloudwatchRoleArn });
    return { actions: [] };
  };
  if (account.cloudwatchRoleArn) return setAlready(account.cloudwatchRoleArn);
  const roleArn = cloudWatchRoleArn(ref, roleName);
  try {
    await clients.apiGatewayAccountSettings.send(
      new UpdateAccountCommand({
        patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: roleArn }],
      }),
    );
  } catch (error) {
    // One UpdateAccount per 20 s per account (core/clients.ts ApiClients): in a burst the first
    // rounds of one account all find the role unset at once, and one of them sets it. Read again:
    // set by another, it is done (and not this run's change to undo); still unset, the throttling
    // goes up to the state machine's Retry, which runs the task again.
    if (!(error instanceof TooManyRequestsException)) throw error;
    const again = await clients.apiGateway.send(new GetAccountCommand({}));
    if (!again.cloudwatchRoleArn) throw error;
    return setAlready(again.cloudwatchRoleArn);
  }
  cache.accountSettings.set(key, { cloudwatchRoleArn: roleArn });
  return {
    actions: [
      {
        action: 'UpdateAccount',
        resource: `${ref.account}/${ref.region}`,
        detail: `cloudwatchRoleArn set to ${roleArn} (API Gateway account setting of the Region)`,
      },
    ],
  };
};
