/**
 * Who may decide. With no allow-list (config `approval.approvers` empty) anyone who can see the
 * message may; otherwise only the listed Slack user ids and the members of the user group.
 * A signed link carries no Slack identity, so it cannot pass an allow-list.
 */
import type { RemediationConfig } from '../../config/schema.js';
import type { Approver } from './contract.js';

export type ApproverPolicy = RemediationConfig['approval']['approvers'];

/** The approver id used when the decision came through a signed link. */
export const LINK_APPROVER_ID = 'link';

export function hasAllowList(policy: ApproverPolicy): boolean {
  return policy.userIds.length > 0 || policy.userGroupId !== undefined;
}

export const USER_GROUP_CACHE_MS = 5 * 60 * 1000;

/**
 * Decides whether `approver` may decide; fetches the user group's members only when the user is
 * not listed directly, and caches them for {@link USER_GROUP_CACHE_MS}.
 */
export function approverGate(
  policy: ApproverPolicy,
  fetchGroupMembers: (userGroupId: string, signal?: AbortSignal) => Promise<readonly string[]>,
  clock: () => number = Date.now,
): (approver: Approver, signal?: AbortSignal) => Promise<boolean> {
  let members: { readonly ids: ReadonlySet<string>; readonly until: number } | undefined;
  return async (approver, signal) => {
    if (!hasAllowList(policy)) return true;
    if (approver.id === LINK_APPROVER_ID) return false;
    if (policy.userIds.includes(approver.id)) return true;
    if (policy.userGroupId === undefined) return false;
    if (members === undefined || clock() >= members.until) {
      members = {
        ids: new Set(await fetchGroupMembers(policy.userGroupId, signal)),
        until: clock() + USER_GROUP_CACHE_MS,
      };
    }
    return members.ids.has(approver.id);
  };
}
