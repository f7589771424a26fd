/**
 * What `npm run deploy`, `npm run diff` and `npm run destroy` run: pure, so the tests check the
 * exact `cdk` command line (scripts/cdk.ts runs it).
 *
 * The app is deployed with two sets of credentials, so each run names its target:
 * - `central` (default): the central stacks, one per `-c regions=...`, in the security tooling account;
 * - `stackset`: the member StackSet stack (infra/member-stackset.ts), in the management account or a
 *   delegated StackSets administrator; needs `-c memberOus=...` and `-c account=...`;
 * - `management`: the member stack itself, deployed directly into the management account (one run
 *   per Region, the Region from the AWS CLI's settings), which service-managed StackSets never reach.
 * `-c organizationId=o-...` becomes the `OrganizationId` parameter of every stack deployed (a
 * CloudFormation parameter: `cdk deploy --parameters`); the management target's member stack also
 * gets the parameters the StackSet would pass it.
 */
import { CONTEXT_KEYS } from '../config/deployability.js';
import { STACKSET_CONTEXT_KEYS, MEMBER_STACKSET_STACK_ID } from '../infra/member-stackset.js';

export const COMMANDS = ['deploy', 'diff', 'destroy'] as const;
export type Command = (typeof COMMANDS)[number];
export const TARGETS = ['central', 'stackset', 'management'] as const;
export type Target = (typeof TARGETS)[number];

export const ORGANIZATION_ID_CONTEXT_KEY = 'organizationId';
export const MEMBER_STACK_ID = 'ApigwRemediationMember';

export type CdkCommandResult =
  { readonly ok: true; readonly argv: readonly string[] } | { readonly ok: false; readonly message: string };

/** `-c key=value`, `--context key=value` and `--context=key=value`, the forms the CDK CLI reads. */
function contextOf(args: readonly string[]): Map<string, string> {
  const context = new Map<string, string>();
  const add = (pair: string | undefined) => {
    if (pair === undefined) return;
    const at = pair.indexOf('=');
    if (at > 0) context.set(pair.slice(0, at), pair.slice(at + 1));
  };
  args.forEach((arg, index) => {
    if (arg === '-c' || arg === '--context') add(args[index + 1]);
    else if (arg.startsWith('--context=')) add(arg.slice('--context='.length));
  });
  return context;
}

const usage =
  'usage: npm run <deploy|diff|destroy> -- [--target central|stackset|management] -c key=value ... [cdk options]';

/**
 * The `cdk` arguments for `command` with the user's `args`; `defaults` is the `context` of
 * cdk.json (the default Region list). Refuses with one message naming what is missing.
 */
export function cdkCommand(
  command: string,
  args: readonly string[],
  defaults: Readonly<Record<string, unknown>>,
): CdkCommandResult {
  if (!(COMMANDS as readonly string[]).includes(command)) {
    return {
      ok: false,
      message: `unknown command ${JSON.stringify(command)}; expected deploy, diff or destroy\n${usage}`,
    };
  }
  let target: Target = 'central';
  const rest: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    const value = arg === '--target' ? args[++index] : arg.startsWith('--target=') ? arg.slice(9) : undefined;
    if (value === undefined && arg !== '--target') {
      rest.push(arg);
      continue;
    }
    if (!(TARGETS as readonly string[]).includes(value ?? '')) {
      return {
        ok: false,
        message: `--target ${JSON.stringify(value ?? '')} is not a target; expected central (the security tooling account), stackset (the management or delegated StackSets administrator account) or management (the member stack in the management account)\n${usage}`,
      };
    }
    target = value as Target;
  }

  const context = contextOf(rest);
  const value = (key: string): string | undefined => {
    const given = context.get(key) ?? defaults[key];
    return typeof given === 'string' && given.trim() !== '' ? given.trim() : undefined;
  };
  const regions = (value(CONTEXT_KEYS.regions) ?? '')
    .split(',')
    .map((region) => region.trim())
    .filter((region) => region !== '');

  const required: { key: string; why: string }[] = [];
  if (command === 'deploy') {
    required.push({
      key: ORGANIZATION_ID_CONTEXT_KEY,
      why: 'the organization id (o-...), the OrganizationId parameter of every stack',
    });
  }
  if (target === 'stackset') {
    required.push(
      {
        key: STACKSET_CONTEXT_KEYS.targetOus,
        why: 'the OU ids (ou-...) or the root id (r-...) the member StackSet deploys to',
      },
      {
        key: CONTEXT_KEYS.account,
        why: 'the security tooling account id, whose task roles the member role trusts',
      },
    );
  }
  if (target === 'management' && command !== 'destroy') {
    required.push({
      key: CONTEXT_KEYS.account,
      why: 'the security tooling account id, whose task roles the member role trusts',
    });
  }
  const missing = required.filter(({ key }) => value(key) === undefined);
  if (missing.length > 0) {
    return {
      ok: false,
      message: [
        `npm run ${command} (--target ${target}) needs ${missing.length === 1 ? 'a context value' : 'context values'}:`,
        ...missing.map(({ key, why }) => `  - -c ${key}=...: ${why}`),
        usage,
      ].join('\n'),
    };
  }

  const stacks =
    target === 'central'
      ? regions.map((region) => `ApigwRemediation-${region}`)
      : target === 'stackset'
        ? [MEMBER_STACKSET_STACK_ID]
        : [MEMBER_STACK_ID];
  const parameters: string[] = [];
  const organizationId = value(ORGANIZATION_ID_CONTEXT_KEY);
  if (command === 'deploy' && organizationId !== undefined) {
    parameters.push(`OrganizationId=${organizationId}`);
    if (target === 'management') {
      // What the StackSet passes its instances (infra/member-stackset.ts): one aggregation Region
      // is the bus Region; the roles are created in the first central Region.
      parameters.push(
        `CentralAccountId=${value(CONTEXT_KEYS.account) ?? ''}`,
        `CentralEventBusRegion=${regions.length === 1 ? (regions[0] ?? '') : ''}`,
        `GlobalResourcesRegion=${regions[0] ?? ''}`,
      );
    }
  }
  return {
    ok: true,
    argv: [command, ...stacks, ...rest, ...parameters.flatMap((parameter) => ['--parameters', parameter])],
  };
}
