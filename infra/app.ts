/**
 * Builds the whole CDK app: one central stack per central Region and the member-account stack
 * (synthesized once; deployed through a service-managed StackSet). Shared by bin/app.ts and the
 * tests, so the tests check exactly what `cdk synth` produces.
 */
import type { App } from 'aws-cdk-lib';
import {
  CONTEXT_KEYS,
  checkDeployability,
  DeployabilityError,
  type Deployment,
} from '../config/deployability.js';
import { ConfigError, loadConfigFile, type LoadedConfigFile } from '../config/load.js';
import { CONFIG_CONTEXT_KEY } from './bundled-config.js';
import { CentralStack } from './central-stack.js';
import { MemberStack } from './member-stack.js';
import {
  MEMBER_STACKSET_NAME,
  MEMBER_STACKSET_STACK_ID,
  MemberStackSetStack,
  memberStackSetFromContext,
  type MemberStackSetSettings,
} from './member-stackset.js';
import { addNagPacks } from './nag.js';

/** The checked deployment, and the member StackSet's settings when the context asks for it. */
export interface AppDeployment extends Deployment {
  readonly memberStackSet?: MemberStackSetSettings;
}

export interface AppSettings extends AppDeployment {
  readonly projectRoot: string;
}

export interface ServiceStacks {
  readonly central: readonly CentralStack[];
  readonly member: MemberStack;
  /** Present when `-c memberOus=...` is given (infra/member-stackset.ts). */
  readonly memberStackSet?: MemberStackSetStack;
}

/**
 * The configuration file to synthesize with: config/remediation.json, or the file named by
 * `-c config=path`. The same file is bundled into the Lambda functions (infra/bundled-config.ts),
 * so the stacks and the functions run with one configuration; it is validated here, with the
 * schema and messages of config/load.ts, before anything is built.
 */
export function configForSynth(
  contextPath: unknown,
  load: (path?: string) => LoadedConfigFile = loadConfigFile,
): LoadedConfigFile {
  if (contextPath === undefined || contextPath === '') return load();
  if (typeof contextPath !== 'string') {
    throw new ConfigError(`context "${CONFIG_CONTEXT_KEY}"`, [
      `got ${JSON.stringify(contextPath)}; expected a path to a configuration file`,
    ]);
  }
  return load(contextPath);
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
): AppDeployment {
  const file = configForSynth(context(CONFIG_CONTEXT_KEY));
  const result = checkDeployability({
    file,
    context: {
      slackChannelId: context(CONTEXT_KEYS.slackChannelId),
      regions: context(CONTEXT_KEYS.regions),
      account: context(CONTEXT_KEYS.account) ?? env['CDK_DEFAULT_ACCOUNT'],
    },
  });
  if (!result.ok) throw new DeployabilityError(result.problems);
  const stackSet = memberStackSetFromContext(context, result.deployment);
  if (!stackSet.ok) throw new DeployabilityError(stackSet.problems);
  return {
    ...result.deployment,
    ...(stackSet.settings === undefined ? {} : { memberStackSet: stackSet.settings }),
  };
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
  const stackSet = settings.memberStackSet;
  const memberStackSet =
    stackSet === undefined
      ? undefined
      : new MemberStackSetStack(app, MEMBER_STACKSET_STACK_ID, {
          description: `apigw-remediation member StackSet (${MEMBER_STACKSET_NAME}), for the management or delegated StackSets administrator account`,
          member,
          settings: stackSet,
          env: {
            region: settings.regions[0],
            ...(stackSet.stackSetAccount === undefined ? {} : { account: stackSet.stackSetAccount }),
          },
        });
  addNagPacks(app);
  return { central, member, ...(memberStackSet === undefined ? {} : { memberStackSet }) };
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
