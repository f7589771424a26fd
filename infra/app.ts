/**
 * Builds the whole CDK app: one central stack per central Region and the member-account stack
 * (synthesized once; deployed through a service-managed StackSet). Shared by bin/app.ts and the
 * tests, so the tests check exactly what `cdk synth` produces.
 */
import { isDeepStrictEqual } from 'node:util';
import type { App } from 'aws-cdk-lib';
import { deployedConfig } from '../config/deployed.js';
import { loadConfig } from '../config/load.js';
import type { RemediationConfig } from '../config/schema.js';
import { CentralStack } from './central-stack.js';
import { MemberStack } from './member-stack.js';
import { addNagPacks } from './nag.js';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export interface AppSettings {
  readonly config: RemediationConfig;
  /** One aggregation Region, or every Region when the central stack runs per Region. */
  readonly regions: readonly string[];
  /** The security tooling account, when known (the stacks stay account-agnostic otherwise). */
  readonly account?: string;
  readonly projectRoot: string;
}

export interface ServiceStacks {
  readonly central: readonly CentralStack[];
  readonly member: MemberStack;
}

/** Reads `-c regions=eu-west-1,eu-central-1` (or the cdk.json default) into a validated list. */
export function parseRegions(value: unknown): string[] {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(
      `context "regions" is ${JSON.stringify(value)}; expected a comma-separated list of AWS Regions such as "us-east-1" or "eu-west-1,eu-central-1"`,
    );
  }
  const regions = value.split(',').map((region) => region.trim());
  const invalid = regions.filter((region) => !REGION.test(region));
  if (invalid.length > 0) {
    throw new Error(
      `context "regions" has ${invalid.map((region) => JSON.stringify(region)).join(', ')}; expected AWS Region names such as "us-east-1"`,
    );
  }
  if (new Set(regions).size !== regions.length) {
    throw new Error(`context "regions" lists a Region twice: ${JSON.stringify(value)}`);
  }
  return regions;
}

export function parseAccount(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{12}$/.test(value)) {
    throw new Error(`account ${JSON.stringify(value)} is not a 12-digit AWS account id`);
  }
  return value;
}

/**
 * The configuration to synthesize with: config/remediation.json, or the file named by
 * `-c config=path`. The Lambdas always run with config/remediation.json (bundled into their code,
 * config/deployed.ts), so another file is accepted only when it says the same: otherwise the
 * stacks (role names, IAM resources, event patterns, web ACL and log names, approval settings)
 * and the functions would silently disagree.
 */
export function configForSynth(
  contextPath: unknown,
  load: (path?: string) => RemediationConfig = loadConfig,
  bundled: () => RemediationConfig = deployedConfig,
): RemediationConfig {
  if (contextPath === undefined || contextPath === '') return load();
  if (typeof contextPath !== 'string') {
    throw new Error(
      `context "config" is ${JSON.stringify(contextPath)}; expected a path to a configuration file`,
    );
  }
  const config = load(contextPath);
  // The $schema pointer is for editors only: a copy elsewhere may point at the schema differently.
  const settingsOf = ({ $schema: _schema, ...settings }: RemediationConfig) => settings;
  if (!isDeepStrictEqual(settingsOf(config), settingsOf(bundled()))) {
    throw new Error(
      `context "config" names ${contextPath}, which differs from config/remediation.json; the Lambda functions ` +
        'bundle config/remediation.json and would run with it, not with the file the stacks were built from. ' +
        `Copy ${contextPath} to config/remediation.json and synthesize again.`,
    );
  }
  return config;
}

export function buildApp(app: App, settings: AppSettings): ServiceStacks {
  const central = settings.regions.map(
    (region) =>
      new CentralStack(app, `ApigwRemediation-${region}`, {
        description: `apigw-remediation central stack (${region}): event rules, workflow, approvals, alarms`,
        config: settings.config,
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
