/**
 * Pure: what an apply created, from the writes it reports (core/actions.ts ActionTaken) and the
 * plan's effects. Only creations count: a log group, web ACL or account role that was there
 * already is not this remediation's, and PutRetentionPolicy on an existing group (a retry finishing
 * an earlier creation) creates nothing new. The ids are the exact names and ARNs, so an undo can
 * list what it keeps.
 */
import type { ActionTaken } from '../core/actions.js';
import { cloudWatchRoleArn } from '../core/effects/apply-account-cloudwatch-role.js';
import type { Effect } from '../core/effects/index.js';
import type { StageRef } from '../core/types.js';
import type { CreatedPrerequisite } from '../workflow/state.js';

export function createdPrerequisites(
  actions: readonly ActionTaken[],
  effects: readonly Effect[],
  ref: StageRef,
): CreatedPrerequisite[] {
  return actions.flatMap((action): CreatedPrerequisite[] => {
    switch (action.action) {
      case 'CreateLogGroup':
        return [{ kind: 'accessLogGroup', id: action.resource }];
      case 'CreateWebACL':
        return [{ kind: 'webAcl', id: action.resource }];
      case 'UpdateAccount': {
        // The role the account setting now names: the effect's role in the stage's account.
        const effect = effects.find((candidate) => candidate.kind === 'accountCloudWatchRole');
        return effect === undefined
          ? []
          : [{ kind: 'accountCloudWatchRole', id: cloudWatchRoleArn(ref, effect.roleName) }];
      }
      default:
        return [];
    }
  });
}
