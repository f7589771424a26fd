/**
 * Synthesizes the real CDK app for the infra tests: the same context (cdk.json, so the same
 * feature flags), the same checks (deploymentFromContext) and the same buildApp() as bin/app.ts,
 * with the deployed configuration and the example Slack channel, into a temporary directory.
 * Lambda bundling is skipped (the `aws:cdk:bundling-stacks` context) because these tests read
 * templates, not code; the CLI synth test bundles for real.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_SLACK_CHANNEL_ID } from '../../config/deployability.js';
import type { RemediationConfig } from '../../config/schema.js';
import {
  buildApp,
  deploymentFromContext,
  synthesizeWithoutDeprecations,
  type ServiceStacks,
} from '../../infra/app.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES_DIR = join(PROJECT_ROOT, '..', 'shared', 'fixtures', 'events');

/** The `context` of cdk.json: the default Region list and the CDK feature flags. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface SynthesizedApp {
  readonly app: App;
  readonly stacks: ServiceStacks;
  readonly config: RemediationConfig;
  readonly outdir: string;
  readonly central: Template;
  readonly member: Template;
}

/** `extraContext`: more `-c key=value` context, e.g. the member StackSet's (infra/member-stackset.ts). */
export function synthesizeApp(
  regions: readonly string[],
  extraContext: Readonly<Record<string, string>> = {},
): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'apigw-remediation-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      'aws:cdk:bundling-stacks': [],
      regions: regions.join(','),
      slackChannelId: EXAMPLE_SLACK_CHANNEL_ID,
      ...extraContext,
    },
  });
  const deployment = deploymentFromContext((key) => app.node.tryGetContext(key));
  const stacks = synthesizeWithoutDeprecations(app, () =>
    buildApp(app, { ...deployment, projectRoot: PROJECT_ROOT }),
  );
  const [firstCentral] = stacks.central;
  if (firstCentral === undefined) throw new Error('buildApp made no central stack');
  return {
    app,
    stacks,
    config: deployment.config,
    outdir,
    central: Template.fromStack(firstCentral),
    member: Template.fromStack(stacks.member),
  };
}

/** The single resource of a type whose logical id starts with `prefix` (CDK adds a hash). */
export function resourceByPrefix(
  template: Template,
  type: string,
  prefix: string,
): { logicalId: string; properties: Record<string, unknown> } {
  const matches = Object.entries(template.findResources(type)).filter(([logicalId]) =>
    logicalId.startsWith(prefix),
  );
  if (matches.length !== 1) {
    throw new Error(`expected one ${type} whose logical id starts with ${prefix}, found ${matches.length}`);
  }
  const [logicalId, resource] = matches[0] as [string, { Properties: Record<string, unknown> }];
  return { logicalId, properties: resource.Properties };
}
