/**
 * The strict AWS model: every recorded call of a test checked against the documented rules
 * (IAM of the role that made it, values, ordering). Returns violations; the setup file fails the
 * test with them.
 */
import { centralTaskRoleName, MEMBER_ROLE_TASKS, taskShortName } from '../../infra/names.js';
import { TASKS } from '../../state-machines/tasks.js';
import { evaluateAuthorizations, requiredAuthorizations, type Identity } from './iam.js';
import { orderingFindings } from './ordering.js';
import type { Actor, RecordedCall } from './recorder.js';
import { resolveRole, roleLogicalId, type ResolvedRole, type SynthesizedTemplates } from './templates.js';
import { valueFindings } from './values.js';

export interface Violation {
  readonly rule: string;
  readonly call: RecordedCall;
  readonly why: string;
  readonly source: string;
}

/** The test organization: every account of the tests is in it. */
export const TEST_ORGANIZATION_ID = 'o-strictaws0001';
export const CENTRAL_ACCOUNT = '123456789012';

/** Physical names the tests give the resources the templates leave unnamed. */
export const TEST_PHYSICAL_NAMES: Readonly<Record<string, string>> = {
  LocksTable: 'apigw-remediation-locks',
  LedgerTable: 'apigw-remediation-ledger',
  IacFlapTable: 'apigw-remediation-iac-flap',
  Notifications: 'apigw-remediation-notifications',
};

/** Resolves the synthesized roles of the actors of the tests. */
export class RoleModel {
  private readonly cache = new Map<string, ResolvedRole>();

  constructor(private readonly templates: SynthesizedTemplates) {}

  private context(account: string) {
    const { region } = this.templates;
    return {
      partition: 'aws',
      account,
      region,
      parameters: {
        OrganizationId: TEST_ORGANIZATION_ID,
        CentralAccountId: CENTRAL_ACCOUNT,
        CentralEventBusRegion: region,
        GlobalResourcesRegion: region,
        BootstrapVersion: '/cdk-bootstrap/hnb659fds/version',
      },
      physicalNames: TEST_PHYSICAL_NAMES,
    };
  }

  /** The member role's name (the member stack's MemberRole). */
  memberRoleName(): string {
    return this.memberRole(CENTRAL_ACCOUNT).roleName;
  }

  memberRole(account: string): ResolvedRole {
    const key = `member|${account}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const { member } = this.templates;
    const role = resolveRole(member, roleLogicalId(member, 'MemberRole'), this.context(account));
    this.cache.set(key, role);
    return role;
  }

  /** The central role of a task (state-machines/tasks.ts), found as its function's role. */
  taskRole(task: string): ResolvedRole {
    const key = `task|${task}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const definition = TASKS.find((candidate) => taskShortName(candidate) === task);
    if (definition === undefined) throw new Error(`no task ${task} in state-machines/tasks.ts`);
    const construct = task.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase());
    const { central } = this.templates;
    const role = resolveRole(
      central,
      roleLogicalId(central, `${construct}Role`),
      this.context(CENTRAL_ACCOUNT),
    );
    this.cache.set(key, role);
    return role;
  }

  /** The role an actor stands for, or why the templates have none. */
  roleOf(actor: Actor): ResolvedRole | string {
    if (actor.kind === 'task') return this.taskRole(actor.task);
    const [, , , , account = '', resource = ''] = actor.roleArn.split(':');
    const name = resource.replace(/^role\//, '');
    if (name === this.memberRoleName()) return this.memberRole(account);
    const task = MEMBER_ROLE_TASKS.find(
      (candidate) => name === centralTaskRoleName(candidate, this.templates.region),
    );
    if (task !== undefined) return this.taskRole(taskShortName(task));
    return `the synthesized templates define no role ${actor.roleArn}`;
  }

  /** The trust policy of a role of the templates, by ARN. */
  trustPolicyOf(roleArn: string): ResolvedRole['trustPolicy'] | undefined {
    const role = this.roleOf({ kind: 'role', roleArn });
    return typeof role === 'string' ? undefined : role.trustPolicy;
  }
}

function identityOf(role: ResolvedRole): Identity {
  return {
    principalArn: role.arn,
    account: role.account,
    organizationId: TEST_ORGANIZATION_ID,
    identityPolicies: role.identityPolicies,
  };
}

/** IAM and value violations of one call. */
export async function callViolations(call: RecordedCall, roles: RoleModel): Promise<Violation[]> {
  const role = roles.roleOf(call.actor);
  if (typeof role === 'string') {
    return [{ rule: 'iam', call, why: role, source: 'infra/ (the synthesized templates)' }];
  }
  const identity = identityOf(role);
  const { authorizations, gaps } = await requiredAuthorizations(call, identity);
  const denied = await evaluateAuthorizations(authorizations, identity, (arn) => roles.trustPolicyOf(arn));
  return [
    ...[...gaps, ...denied].map((finding) => ({ ...finding, call })),
    ...valueFindings(call, role.account).map((finding) => ({ ...finding, call })),
  ];
}

/**
 * Every violation of a test's calls: each call on its own, and the ordering rules over the file's
 * calls so far (reported for the test's own calls only).
 */
export async function testViolations(
  testCalls: readonly RecordedCall[],
  fileCalls: readonly RecordedCall[],
  roles: RoleModel,
): Promise<Violation[]> {
  const own = new Set(testCalls);
  const perCall = (await Promise.all(testCalls.map((call) => callViolations(call, roles)))).flat();
  const ordering = orderingFindings(fileCalls).filter((finding) => own.has(finding.call));
  return [...perCall, ...ordering];
}

function describeCall(call: RecordedCall): string {
  const actor = call.actor.kind === 'task' ? `task ${call.actor.task}` : call.actor.roleArn;
  const input = JSON.stringify(call.input);
  return `${call.service}.${call.operation} in ${call.region} by ${actor}: ${input.length > 400 ? `${input.slice(0, 400)}…` : input}`;
}

export function formatViolations(violations: readonly Violation[]): string {
  return [
    `strict AWS model: ${violations.length} violation(s) of AWS's documented rules`,
    ...violations.map(
      (violation, index) =>
        `${index + 1}. [${violation.rule}] ${violation.why}\n   call: ${describeCall(violation.call)}\n   source: ${violation.source}`,
    ),
  ].join('\n');
}
