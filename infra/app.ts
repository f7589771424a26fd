/**
 * Builds the whole CDK app: one central stack per central Region and the member-account stack
 * (synthesized once; deployed through a service-managed StackSet). Shared by bin/app.ts and the
 * tests, so the tests check exactly what `cdk synth` produces.
 */
import { isDeepStrictEqual } from 'node:util';
import type { App } from 'aws-cdk-lib';
import { deployedConfig } from '../config/deployed.js';
import {
  CONTEXT_KEYS,
  checkDeployability,
  DeployabilityError,
  type DeployabilityProblem,
  type Deployment,
} from '../config/deployability.js';
import { ConfigError, loadConfigFile, type LoadedConfigFile } from '../config/load.js';
import type { RemediationConfig } from '../config/schema.js';
import { CentralStack } from './central-stack.js';
import { MemberStack } from './member-stack.js';
import { addNagPacks } from './nag.js';

export interface AppSettings extends Deployment {
  readonly projectRoot: string;
}

export interface ServiceStacks {
  readonly central: readonly CentralStack[];
  readonly member: MemberStack;
}

/**
 * The configuration file to synthesize with: config/remediation.json, or the file named by
 * `-c config=path` (see {@link differsFromBundled}).
 */
export function configForSynth(
  contextPath: unknown,
  load: (path?: string) => LoadedConfigFile = loadConfigFile,
): LoadedConfigFile {
  if (contextPath === undefined || contextPath === '') return load();
  if (typeof contextPath !== 'string') {
    throw new ConfigError('context "config"', [
      `got ${JSON.stringify(contextPath)}; expected a path to a configuration file`,
    ]);
  }
  return load(contextPath);
}

/**
 * The Lambdas always run with config/remediation.json (bundled into their code,
 * config/deployed.ts), so a file named by `-c config=path` can be deployed only when it says the
 * same: otherwise the stacks (role names, IAM resources, event patterns, web ACL and log names,
 * approval settings) and the functions would silently disagree.
 */
export function differsFromBundled(
  file: LoadedConfigFile,
  contextPath: unknown,
  bundled: () => RemediationConfig = deployedConfig,
): DeployabilityProblem[] {
  if (contextPath === undefined || contextPath === '') return [];
  // The $schema pointer is for editors only: a copy elsewhere may point at the schema differently.
  const settingsOf = ({ $schema: _schema, ...settings }: RemediationConfig) => settings;
  if (isDeepStrictEqual(settingsOf(file.config), settingsOf(bundled()))) return [];
  return [
    {
      where: 'context "config"',
      problem:
        `names ${file.name}, which differs from config/remediation.json; the Lambda functions bundle ` +
        'config/remediation.json and would run with it, not with the file the stacks were built from',
      fix: `copy ${file.name} to config/remediation.json and synthesize again`,
    },
  ];
}

/**
 * The checked deployment from the CDK context: the configuration file (`config`), the Slack
 * channel (`slackChannelId`), the Regions (`regions`) and the account (`account`, else the CLI's
 * CDK_DEFAULT_ACCOUNT). Throws ConfigError for a file that is not a valid configuration, and
 * DeployabilityError naming every problem of a deployment that cannot work
 * (config/deployability.ts).
 */
export function deploymentFromContext(
  context: (key: string) => unknown,
  env: Readonly<Record<string, string | undefined>> = {},
): Deployment {
  const file = configForSynth(context('config'));
  const result = checkDeployability({
    file,
    context: {
      slackChannelId: context(CONTEXT_KEYS.slackChannelId),
      regions: context(CONTEXT_KEYS.regions),
      account: context(CONTEXT_KEYS.account) ?? env['CDK_DEFAULT_ACCOUNT'],
    },
  });
  const problems = [...differsFromBundled(file, context('config')), ...(result.ok ? [] : result.problems)];
  if (!result.ok || problems.length > 0) throw new DeployabilityError(problems);
  return result.deployment;
}

export function buildApp(app: App, settings: AppSettings): ServiceStacks {
  const central = settings.regions.map(
    (region) =>
      new CentralStack(app, `ApigwRemediation-${region}`, {
        description: `apigw-remediation central stack (${region}): event rules, workflow, approvals, alarms`,
        config: settings.config,
        slackChannelId: settings.slackChannelId,
        region,
        projectRoot: settings.projectRoot,
        ...(settings.account === undefined ? {} : { env: { account: settings.account } }),
      }),
  );
  const member = new MemberStack(app, 'ApigwRemediationMember', {
    description:
      'apigw-remediation member account role, API Gateway CloudWatch role and event forwarding (StackSet)',
    config: settings.config,
  });
  addNagPacks(app);
  return { central, member };
}

/**
 * Builds and synthesizes the app with no deprecated CDK API in it: while the stacks are built,
 * jsii's deprecation warnings are errors (JSII_DEPRECATED=fail), so a deprecated property or
 * method used here fails the synth. While the app synthesizes, they are quiet: the only code
 * running then is the CDK's and the cdk-nag packs', and cdk-nag's AwsSolutions-EVB1 reads
 * `CfnEventBusPolicy#principal` (deprecated) on every event bus policy to check it for open access,
 * including ours, which uses the statement form (docs/decisions/0013-cdk-feature-flags-and-deployability.md).
 */
export function synthesizeWithoutDeprecations<T>(app: App, build: () => T): T {
  const previous = process.env['JSII_DEPRECATED'];
  try {
    process.env['JSII_DEPRECATED'] = 'fail';
    const built = build();
    process.env['JSII_DEPRECATED'] = 'quiet';
    app.synth();
    return built;
  } finally {
    if (previous === undefined) Reflect.deleteProperty(process.env, 'JSII_DEPRECATED');
    else process.env['JSII_DEPRECATED'] = previous;
  }
}
