/**
 * Names shared by the central and the member stacks. The member role trusts the central
 * roles by name pattern and the CloudTrail rules exclude them by name, so every place computes
 * them here.
 */
import { posix } from 'node:path';
import { TASKS } from '../state-machines/tasks.js';
import type { TaskDefinition } from '../state-machines/tasks.js';

export const SERVICE_PREFIX = 'apigw-remediation';

/**
 * The kill switch (SSM String parameter, one per central Region): `off`, or `on[: reason]` to
 * turn every control into notify at once (remediators/workflow/kill-switch.ts).
 */
export const KILL_SWITCH_PARAMETER_NAME = `/${SERVICE_PREFIX}/kill-switch`;

/** The custom event bus in the central account that member accounts forward CloudTrail events to. */
export const CENTRAL_EVENT_BUS_NAME = SERVICE_PREFIX;

export type Task = (typeof TASKS)[number];

/** `remediators/handlers/update-stage.ts` → `update-stage`. */
export function taskShortName(task: Pick<TaskDefinition, 'entry'>): string {
  return posix.basename(task.entry, '.ts');
}

/** The tasks that assume the member role (in the home account they call AWS directly instead). */
export const MEMBER_ROLE_TASKS: readonly Task[] = TASKS.filter((task) =>
  (task.needs as readonly string[]).includes('memberRole'),
);

/**
 * The tasks that read API Gateway, WAF and Logs through the member role. The record and
 * report-failure tasks assume it only to import the service's own findings in the stage's account;
 * admit does both: it lists an API's stages, and reports as report-failure does (docs/decisions/0036).
 */
export const API_GATEWAY_TASKS: readonly Task[] = MEMBER_ROLE_TASKS.filter(
  (task) =>
    !(task.needs as readonly string[]).includes('securityHub') || task.substitution === 'AdmitFunctionArn',
);

/**
 * IAM role names are global to an account while the central stack exists once per Region,
 * so the Region is part of the name. At most 64 characters (IAM limit).
 */
export function centralTaskRoleName(task: Pick<TaskDefinition, 'entry'>, region: string): string {
  const name = `${SERVICE_PREFIX}-${taskShortName(task)}-${region}`;
  if (name.length > 64) {
    throw new Error(`IAM role name "${name}" is ${name.length} characters; IAM allows at most 64`);
  }
  return name;
}

/**
 * What the member role trusts for one task: its central role in any Region. The Region is a
 * wildcard so the member StackSet does not change when a central Region is added, and the
 * trust policy stays the same size (IAM limits it to 2,048 characters by default).
 */
export function centralTaskRoleNamePattern(task: Pick<TaskDefinition, 'entry'>): string {
  return `${SERVICE_PREFIX}-${taskShortName(task)}-*`;
}

/**
 * Role names whose API Gateway calls are the service's own: never a trigger. The member role,
 * plus the central roles of the given Regions (those act without a role in the home account).
 */
export function ownRoleNames(memberRoleName: string, regions: readonly string[]): string[] {
  return [
    memberRoleName,
    ...regions.flatMap((region) => MEMBER_ROLE_TASKS.map((task) => centralTaskRoleName(task, region))),
  ];
}
