/** The I/O half of the accountCloudWatchRole effect: read the account setting now, set it only when unset. */
import { GetAccountCommand, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
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
  if (account.cloudwatchRoleArn) {
    cache.accountSettings.set(key, { cloudwatchRoleArn: account.cloudwatchRoleArn });
    return { actions: [] };
  }
  const roleArn = cloudWatchRoleArn(ref, roleName);
  await clients.apiGateway.send(
    new UpdateAccountCommand({
      patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: roleArn }],
    }),
  );
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
