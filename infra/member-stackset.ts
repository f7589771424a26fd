/**
 * The member StackSet as part of the CDK app: a stack for the organization's management account
 * or a delegated StackSets administrator, holding a service-managed `AWS::CloudFormation::StackSet`
 * of the member template (infra/member-stack.ts) with auto-deployment on, targeting the OUs and
 * Regions given in the context.
 *
 * CloudFormation Template Reference, AWS::CloudFormation::StackSet:
 * - `PermissionModel: SERVICE_MANAGED`: StackSets creates the roles it needs in the accounts
 *   Organizations manages (trusted access must be on);
 * - `AutoDeployment`: "[Service-managed permissions] Describes whether StackSets automatically
 *   deploys to Organizations accounts that are added to a target organization or OU";
 * - `CallAs`: "[Service-managed permissions] Specifies whether you are acting as an account
 *   administrator in the organization's management account or as a delegated administrator in a
 *   member account": `SELF` in the management account, `DELEGATED_ADMIN` in an account registered
 *   as a delegated StackSets administrator;
 * - `TemplateBody`: at most 51,200 bytes (the test checks the member template fits).
 * CloudFormation User Guide, "Create CloudFormation StackSets with service-managed permissions":
 * "CloudFormation doesn't deploy stacks to the management account, even if that account is part of
 * your organization or belongs to an organizational unit (OU)". The management account is covered
 * by deploying the member stack there directly (docs/deploy.md).
 */
import { CfnParameter, CfnStackSet, Lazy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { DeployabilityProblem } from '../config/deployability.js';
import type { MemberStack } from './member-stack.js';

/** The CDK context keys the StackSet stack reads. */
export const STACKSET_CONTEXT_KEYS = {
  /** Comma-separated OU ids (`ou-…`) or the root id (`r-…`) the StackSet deploys to. */
  targetOus: 'memberOus',
  /** Comma-separated Regions of the member stacks; default: the central Regions. */
  memberRegions: 'memberRegions',
  /** `SELF` (management account, the default) or `DELEGATED_ADMIN`. */
  callAs: 'stackSetCallAs',
  /** The account the StackSet stack is deployed to (management or delegated administrator), optional. */
  stackSetAccount: 'stackSetAccount',
} as const;

export const MEMBER_STACKSET_NAME = 'apigw-remediation-member';
export const MEMBER_STACKSET_STACK_ID = 'ApigwRemediationMemberStackSet';

/** CloudFormation's limit on TemplateBody (AWS::CloudFormation::StackSet, TemplateBody: Maximum 51200). */
export const TEMPLATE_BODY_MAX_BYTES = 51_200;

export type CallAs = 'SELF' | 'DELEGATED_ADMIN';

/** What the StackSet needs, checked. */
export interface MemberStackSetSettings {
  readonly targetOus: readonly string[];
  readonly memberRegions: readonly string[];
  readonly callAs: CallAs;
  /** The security tooling account (the member role trusts its task roles). */
  readonly centralAccountId: string;
  /** The aggregation Region with one central Region; empty with one central stack per Region. */
  readonly centralEventBusRegion: string;
  /** The member Region whose instance creates the account-wide IAM roles. */
  readonly globalResourcesRegion: string;
  readonly stackSetAccount?: string;
}

export type MemberStackSetResult =
  | { readonly ok: true; readonly settings: MemberStackSetSettings | undefined }
  | { readonly ok: false; readonly problems: readonly DeployabilityProblem[] };

const where = (key: string) => `context "${key}"`;
const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

// Organizations API reference, OrganizationalUnit Id: ^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$; Root Id: ^r-[0-9a-z]{4,32}$.
const OU_OR_ROOT_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;

/**
 * The StackSet's settings from the context, or none when `memberOus` is not given (the app then
 * has no StackSet stack: synthesizing the central and member templates needs no organization).
 * `centralRegions` and `centralAccountId` are the deployment's checked Regions and account.
 */
export function memberStackSetFromContext(
  context: (key: string) => unknown,
  central: { readonly regions: readonly string[]; readonly account?: string | undefined },
): MemberStackSetResult {
  const ous = context(STACKSET_CONTEXT_KEYS.targetOus);
  if (ous === undefined || ous === '') return { ok: true, settings: undefined };
  const problems: DeployabilityProblem[] = [];

  const targetOus = typeof ous === 'string' ? list(ous) : [];
  const badOus = targetOus.filter((ou) => !OU_OR_ROOT_ID.test(ou));
  if (typeof ous !== 'string' || targetOus.length === 0 || badOus.length > 0) {
    problems.push({
      where: where(STACKSET_CONTEXT_KEYS.targetOus),
      problem: `got ${JSON.stringify(typeof ous === 'string' && badOus.length > 0 ? badOus.join(',') : ous)}; expected organizational unit ids (ou-…) or the root id (r-…)`,
      fix: `pass -c ${STACKSET_CONTEXT_KEYS.targetOus}=<ou-… or r-…>[,<ou-…>...] (aws organizations list-roots / list-organizational-units-for-parent)`,
    });
  }

  const regionsGiven = context(STACKSET_CONTEXT_KEYS.memberRegions);
  const memberRegions =
    regionsGiven === undefined || regionsGiven === ''
      ? [...central.regions]
      : typeof regionsGiven === 'string'
        ? list(regionsGiven)
        : [];
  const known = new Set(RegionInfo.regions.map((region) => region.name));
  const unknown = memberRegions.filter((region) => !known.has(region));
  const regionsFix = `pass -c ${STACKSET_CONTEXT_KEYS.memberRegions}=<Region>[,<Region>...] (default: the central Regions)`;
  if (memberRegions.length === 0 || unknown.length > 0) {
    problems.push({
      where: where(STACKSET_CONTEXT_KEYS.memberRegions),
      problem: `got ${JSON.stringify(unknown.length > 0 ? unknown.join(',') : regionsGiven)}; expected AWS Region names the CDK knows`,
      fix: regionsFix,
    });
  }
  // With one central stack per Region, each member forwards to its own Region's bus: a member
  // Region without a central stack would forward to a bus that does not exist.
  const aggregation = central.regions.length === 1 ? central.regions[0] : undefined;
  const withoutCentral = memberRegions.filter((region) => !central.regions.includes(region));
  if (aggregation === undefined && withoutCentral.length > 0) {
    problems.push({
      where: where(STACKSET_CONTEXT_KEYS.memberRegions),
      problem: `has ${withoutCentral.join(', ')}, which have no central stack; with one central stack per Region (-c regions=${central.regions.join(',')}) every member Region needs its own`,
      fix: `${regionsFix}, listing only central Regions, or use one aggregation Region`,
    });
  }

  const callAsGiven = context(STACKSET_CONTEXT_KEYS.callAs) ?? 'SELF';
  if (callAsGiven !== 'SELF' && callAsGiven !== 'DELEGATED_ADMIN') {
    problems.push({
      where: where(STACKSET_CONTEXT_KEYS.callAs),
      problem: `got ${JSON.stringify(callAsGiven)}; expected SELF (deploying from the management account) or DELEGATED_ADMIN (from a delegated StackSets administrator)`,
      fix: `pass -c ${STACKSET_CONTEXT_KEYS.callAs}=SELF or -c ${STACKSET_CONTEXT_KEYS.callAs}=DELEGATED_ADMIN`,
    });
  }

  if (central.account === undefined) {
    problems.push({
      where: where('account'),
      problem:
        'missing: the member StackSet needs the security tooling account, whose task roles the member role trusts',
      fix: 'pass -c account=<12-digit id of the security tooling account>',
    });
  }

  const stackSetAccount = context(STACKSET_CONTEXT_KEYS.stackSetAccount);
  if (
    stackSetAccount !== undefined &&
    !(typeof stackSetAccount === 'string' && /^\d{12}$/.test(stackSetAccount))
  ) {
    problems.push({
      where: where(STACKSET_CONTEXT_KEYS.stackSetAccount),
      problem: `got ${JSON.stringify(stackSetAccount)}, which is not a 12-digit AWS account id`,
      fix: `pass -c ${STACKSET_CONTEXT_KEYS.stackSetAccount}=<id of the management or delegated administrator account>, or leave it out`,
    });
  }

  const [firstRegion] = memberRegions;
  if (problems.length > 0 || central.account === undefined || firstRegion === undefined) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    settings: {
      targetOus,
      memberRegions,
      callAs: callAsGiven as CallAs,
      centralAccountId: central.account,
      centralEventBusRegion: aggregation ?? '',
      // IAM is global: one instance per account creates the roles; the aggregation Region when
      // the members are deployed there, else the first member Region.
      globalResourcesRegion:
        aggregation !== undefined && memberRegions.includes(aggregation) ? aggregation : firstRegion,
      ...(typeof stackSetAccount === 'string' ? { stackSetAccount } : {}),
    },
  };
}

export interface MemberStackSetStackProps extends StackProps {
  readonly member: MemberStack;
  readonly settings: MemberStackSetSettings;
}

/** The stack for the management (or delegated administrator) account holding the member StackSet. */
export class MemberStackSetStack extends Stack {
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberStackSetStackProps) {
    super(scope, id, props);
    const { member, settings } = props;
    const organizationId = new CfnParameter(this, 'OrganizationId', {
      type: 'String',
      allowedPattern: '^o-[a-z0-9]{10,32}$',
      description: 'AWS Organizations id (o-...), passed to every member stack',
    });

    this.stackSet = new CfnStackSet(this, 'MemberStackSet', {
      stackSetName: MEMBER_STACKSET_NAME,
      description: 'apigw-remediation member account role, API Gateway CloudWatch role and event forwarding',
      permissionModel: 'SERVICE_MANAGED',
      callAs: settings.callAs,
      // New accounts in the target OUs get the stack; an account leaving them loses it (its role
      // would otherwise keep trusting the tooling account).
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      // The member template as this app synthesizes it; resolved when this stack is synthesized.
      templateBody: Lazy.string({ produce: () => JSON.stringify(member.templateForStackSet()) }),
      parameters: [
        { parameterKey: 'OrganizationId', parameterValue: organizationId.valueAsString },
        { parameterKey: 'CentralAccountId', parameterValue: settings.centralAccountId },
        { parameterKey: 'CentralEventBusRegion', parameterValue: settings.centralEventBusRegion },
        { parameterKey: 'GlobalResourcesRegion', parameterValue: settings.globalResourcesRegion },
      ],
      stackInstancesGroup: [
        {
          deploymentTargets: { organizationalUnitIds: [...settings.targetOus] },
          regions: [...settings.memberRegions],
        },
      ],
      // The Region holding the IAM roles first, so the other Regions' rules find them in place.
      operationPreferences: {
        regionOrder: [
          settings.globalResourcesRegion,
          ...settings.memberRegions.filter((region) => region !== settings.globalResourcesRegion),
        ],
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
      },
      managedExecution: { Active: true },
    });
  }
}
