/**
 * Can this deployment work? Pure checks over the parsed configuration file and the CDK context,
 * run by the CDK app before it builds anything (so `cdk synth` and `cdk deploy` refuse a deployment
 * that cannot work) and meant for any other front end that takes a configuration (a CLI
 * `--config`): the same function, the same messages.
 *
 * The schema (config/schema.ts) says whether each value is well-formed; this says whether the
 * values together, in this deployment, can do what they ask:
 * - approvals need a Slack channel. `approve` can come from `controls`, from a built-in default
 *   (config/defaults.ts), from `accounts`, and from a tag any team can put on an API or a stage at
 *   any time, which synth cannot see. So every deployment can be asked for an approval, and every
 *   deployment needs the channel (docs/decisions/0013-cdk-feature-flags-and-deployability.md). The
 *   Slack secret is created by the central stack itself (output SlackSecretArn) and wired to the
 *   approval functions; its values are set after the first deploy (docs/approvals.md);
 * - `onTimeout: apply` applies a change nobody approved when the wait ends, so the wait must be
 *   chosen in the file, not taken from the default;
 * - the Regions must be Regions of one partition the service supports, as the CDK's region-info
 *   database (aws-cdk-lib/region-info, maintained with every CDK release) knows them.
 * Account ids in `accounts` are checked by the schema (12 digits).
 */
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { DEFAULT_CONTROL_MODES } from './defaults.js';
import { formatPath } from './issues.js';
import { SLACK_CHANNEL_ID_PATTERN, type RemediationConfig } from './schema.js';
import { FIXING_CONTROL_IDS } from '../remediators/controls/catalog.js';
import { PARTITIONS, type Partition } from '../remediators/core/types.js';

/** The CDK context keys a deployment reads (`-c key=value` or the `context` of cdk.json). */
export const CONTEXT_KEYS = {
  slackChannelId: 'slackChannelId',
  regions: 'regions',
  account: 'account',
} as const;

/** An example of Slack's channel id form, for messages and for synthesizing without a workspace. */
export const EXAMPLE_SLACK_CHANNEL_ID = 'C0123456789';

export interface DeploymentInput {
  /** The configuration file as read: its name (for messages), its JSON and what the schema made of it. */
  readonly file: { readonly name: string; readonly raw: unknown; readonly config: RemediationConfig };
  /** CDK context values as given; `account` may also be the CLI's CDK_DEFAULT_ACCOUNT. */
  readonly context: {
    readonly slackChannelId?: unknown;
    readonly regions?: unknown;
    readonly account?: unknown;
  };
}

/** Everything the stacks need, checked. */
export interface Deployment {
  readonly config: RemediationConfig;
  /** The channel approval requests are posted to, from the file or the `slackChannelId` context. */
  readonly slackChannelId: string;
  /** The central Regions, all in `partition`. */
  readonly regions: readonly string[];
  readonly partition: Partition;
  readonly account?: string;
}

/** One reason the deployment cannot work: where (file or context key), which field, what, how to fix. */
export interface DeployabilityProblem {
  /** The configuration file's name, or `context "<key>"`. */
  readonly where: string;
  /** The field in the file, when the problem is in the file. */
  readonly field?: string;
  readonly problem: string;
  readonly fix: string;
}

export type DeployabilityResult =
  | { readonly ok: true; readonly deployment: Deployment }
  | { readonly ok: false; readonly problems: readonly DeployabilityProblem[] };

const contextKey = (key: string) => `context "${key}"`;

/** Every place the configuration itself turns on `approve`, as `field=approve (why)`. */
export function approveModeSources(config: RemediationConfig): string[] {
  const sources: string[] = [];
  for (const controlId of FIXING_CONTROL_IDS) {
    const configured = config.controls[controlId];
    if (configured === 'approve') sources.push(`${formatPath(['controls', controlId])}=approve`);
    else if (configured === undefined && DEFAULT_CONTROL_MODES[controlId] === 'approve') {
      sources.push(`${controlId} (built-in default approve)`);
    }
  }
  for (const [account, override] of Object.entries(config.accounts)) {
    if (override.mode === 'approve') sources.push(`${formatPath(['accounts', account, 'mode'])}=approve`);
    for (const [controlId, mode] of Object.entries(override.controls ?? {})) {
      if (mode === 'approve') {
        sources.push(`${formatPath(['accounts', account, 'controls', controlId])}=approve`);
      }
    }
  }
  return sources;
}

function fieldValue(raw: unknown, path: readonly string[]): unknown {
  let current = raw;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function checkSlackChannel(input: DeploymentInput, problems: DeployabilityProblem[]): string | undefined {
  const { file, context } = input;
  const fromFile = file.config.approval.slack.channelId;
  const given = context.slackChannelId;
  // Stryker disable next-line ConditionalExpression: equivalent for `given === undefined` made false (fromContext is then `given`, undefined too); the empty string is pinned by deployability-edges.test.ts
  const fromContext = given === undefined || given === '' ? undefined : given;
  const how =
    `pass -c ${CONTEXT_KEYS.slackChannelId}=<channel id> or set approval.slack.channelId in ${file.name} ` +
    `(the id is at the bottom of the channel's details in Slack, e.g. ${EXAMPLE_SLACK_CHANNEL_ID})`;

  if (
    fromContext !== undefined &&
    (typeof fromContext !== 'string' || !SLACK_CHANNEL_ID_PATTERN.test(fromContext))
  ) {
    problems.push({
      where: contextKey(CONTEXT_KEYS.slackChannelId),
      problem: `got ${JSON.stringify(fromContext)}, which is not a Slack channel id (C or G, then capital letters and digits; a channel's name is not its id)`,
      fix: how,
    });
    return undefined;
  }
  if (fromContext !== undefined && fromFile !== undefined && fromContext !== fromFile) {
    problems.push({
      where: contextKey(CONTEXT_KEYS.slackChannelId),
      problem: `is ${fromContext} but approval.slack.channelId in ${file.name} is ${fromFile}: approval requests would go to one of them only`,
      fix: `set the channel in one place: drop -c ${CONTEXT_KEYS.slackChannelId} or approval.slack.channelId`,
    });
    return undefined;
  }
  const channel = fromContext ?? fromFile;
  if (channel === undefined) {
    const sources = approveModeSources(file.config);
    const modeKey = file.config.tags.modeKey;
    problems.push({
      where: file.name,
      field: 'approval.slack.channelId',
      problem:
        `missing, and no ${contextKey(CONTEXT_KEYS.slackChannelId)} either: approval requests would go nowhere and ` +
        'every approval would time out; approvals are asked for by ' +
        [...sources, `any API or stage tagged ${modeKey}=approve or ${modeKey}:<ControlId>=approve`].join(
          ', ',
        ),
      fix: how,
    });
  }
  return channel;
}

function checkApprovalTimeout(input: DeploymentInput, problems: DeployabilityProblem[]): void {
  const { file } = input;
  if (file.config.approval.onTimeout !== 'apply') return;
  if (fieldValue(file.raw, ['approval', 'timeoutSeconds']) !== undefined) return;
  problems.push({
    where: file.name,
    field: 'approval.timeoutSeconds',
    problem:
      `missing while approval.onTimeout is apply: a change nobody approved is applied when the wait ends, so the wait ` +
      `must be chosen, not taken from the default (${file.config.approval.timeoutSeconds} s)`,
    fix: 'set approval.timeoutSeconds (300 to 604800 seconds), or set approval.onTimeout to skip',
  });
}

/** The partitions the service handles (stage ARNs, Security Hub products), as the CDK names them. */
const SUPPORTED_PARTITIONS: ReadonlySet<string> = new Set(PARTITIONS);

function checkRegions(
  value: unknown,
  problems: DeployabilityProblem[],
): { regions: string[]; partition: Partition } | undefined {
  const where = contextKey(CONTEXT_KEYS.regions);
  const fix =
    `pass -c ${CONTEXT_KEYS.regions}=<Region>[,<Region>...] with Regions of one partition, e.g. eu-west-1 or ` +
    'eu-west-1,eu-central-1 (the default is in cdk.json)';
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({
      where,
      problem: `is ${JSON.stringify(value)}; expected a comma-separated list of AWS Regions`,
      fix,
    });
    return undefined;
  }
  const regions = value.split(',').map((region) => region.trim());
  const known = new Map(RegionInfo.regions.map((region) => [region.name, region.partition]));
  const unknown = regions.filter((region) => !known.has(region));
  if (unknown.length > 0) {
    problems.push({
      where,
      problem: `has ${unknown.map((region) => JSON.stringify(region)).join(', ')}, not AWS Region names the CDK knows`,
      fix,
    });
    return undefined;
  }
  const repeated = regions.filter((region, index) => regions.indexOf(region) !== index);
  if (repeated.length > 0) {
    problems.push({ where, problem: `lists ${[...new Set(repeated)].join(', ')} twice`, fix });
    return undefined;
  }
  // Stryker disable next-line StringLiteral: equivalent, every Region is known here (unknown ones returned above); the fallback is for the Map's type
  const partitions = [...new Set(regions.map((region) => known.get(region) ?? ''))];
  if (partitions.length > 1) {
    problems.push({
      where,
      // The fallback alone is disabled (equivalent, as above); the message's own strings stay mutated.
      problem: `mixes partitions (${regions.map((region) => `${region}: ${known.get(region) ?? /* Stryker disable StringLiteral: equivalent, as above */ ''}`).join(/* Stryker restore StringLiteral */ ', ')}); one tooling account lives in one partition`,
      fix,
    });
    return undefined;
  }
  const [partition] = partitions;
  // Stryker disable next-line ConditionalExpression: equivalent for `partition === undefined`, never true (a non-empty Region list has a partition) and there for the type; the partition check itself is pinned (us-iso-east-1)
  if (partition === undefined || !SUPPORTED_PARTITIONS.has(partition)) {
    problems.push({
      where,
      problem: `is in partition ${String(partition)}; the service supports ${[...SUPPORTED_PARTITIONS].join(', ')}`,
      fix,
    });
    return undefined;
  }
  return { regions, partition: partition as Partition };
}

function checkAccount(value: unknown, problems: DeployabilityProblem[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && /^\d{12}$/.test(value)) return value;
  problems.push({
    where: contextKey(CONTEXT_KEYS.account),
    problem: `got ${JSON.stringify(value)}, which is not a 12-digit AWS account id`,
    fix: `pass -c ${CONTEXT_KEYS.account}=<12-digit id of the security tooling account>, or leave it out for account-agnostic templates`,
  });
  return undefined;
}

/** Every problem of the deployment at once, or the checked deployment. */
export function checkDeployability(input: DeploymentInput): DeployabilityResult {
  const problems: DeployabilityProblem[] = [];
  const slackChannelId = checkSlackChannel(input, problems);
  checkApprovalTimeout(input, problems);
  const regions = checkRegions(input.context.regions, problems);
  const account = checkAccount(input.context.account, problems);
  if (
    problems.length > 0 ||
    // The two `=== undefined` are for the types; only they are disabled, up to the restore below.
    // Stryker disable ConditionalExpression: equivalent, an undefined channel or Region list comes with a problem
    slackChannelId === undefined ||
    regions === undefined
  ) {
    // Stryker restore ConditionalExpression
    return { ok: false, problems };
  }
  return {
    ok: true,
    deployment: {
      config: input.file.config,
      slackChannelId,
      ...regions,
      ...(account === undefined ? {} : { account }),
    },
  };
}

/** One line per problem: `<where>: <field>: <problem>. Fix: <fix>` (as config/issues.ts words file errors). */
export function describeProblem(problem: DeployabilityProblem): string {
  const field = problem.field === undefined ? '' : `: ${problem.field}`;
  return `${problem.where}${field}: ${problem.problem}. Fix: ${problem.fix}.`;
}

/** A deployment that cannot work; the message lists every problem, one per line. */
export class DeployabilityError extends Error {
  override readonly name = 'DeployabilityError';
  constructor(readonly problems: readonly DeployabilityProblem[]) {
    super(
      [
        `apigw-remediation cannot be deployed like this (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):`,
        ...problems.map((problem) => `  - ${describeProblem(problem)}`),
      ].join('\n'),
    );
  }
}

/** The checked deployment; throws {@link DeployabilityError} naming every problem. */
export function requireDeployable(input: DeploymentInput): Deployment {
  const result = checkDeployability(input);
  if (!result.ok) throw new DeployabilityError(result.problems);
  return result.deployment;
}
