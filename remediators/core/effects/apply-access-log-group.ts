/** The I/O half of the accessLogGroup effect (access-log-group.ts): find the group, create it when absent. */
import {
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { errorName, type ActionTaken } from '../actions.js';
import type { CoreClients } from '../clients.js';
import type { AccessLogGroupEffect } from './access-log-group.js';
import type { ApplyEffect } from './context.js';

async function ensureAccessLogGroup(
  { name: logGroupName, retentionDays, tags }: AccessLogGroupEffect,
  clients: CoreClients,
): Promise<ActionTaken[]> {
  const existing = await clients.logs.send(
    new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }),
  );
  const found = existing.logGroups?.find((group) => group.logGroupName === logGroupName);
  if (found !== undefined) {
    if (found.retentionInDays !== undefined) return [];
    // Our group without retention: an earlier run created it and stopped before PutRetentionPolicy
    // (a timeout or throttling between the two calls); a retry must not leave it to never expire.
    await clients.logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: retentionDays }));
    return [
      {
        action: 'PutRetentionPolicy',
        resource: logGroupName,
        detail: `retention ${retentionDays} days (the existing group had none)`,
      },
    ];
  }
  try {
    await clients.logs.send(
      new CreateLogGroupCommand({
        logGroupName,
        ...(Object.keys(tags).length === 0 ? {} : { tags: { ...tags } }),
      }),
    );
  } catch (error) {
    // Another execution created it between our read and our write: it is there, which is all we need.
    if (errorName(error) === 'ResourceAlreadyExistsException') return [];
    throw error;
  }
  await clients.logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: retentionDays }));
  return [
    { action: 'CreateLogGroup', resource: logGroupName, detail: 'access log group for the stage' },
    { action: 'PutRetentionPolicy', resource: logGroupName, detail: `retention ${retentionDays} days` },
  ];
}

export const applyAccessLogGroup: ApplyEffect<AccessLogGroupEffect> = async (effect, { clients }) => ({
  actions: await ensureAccessLogGroup(effect, clients),
});
