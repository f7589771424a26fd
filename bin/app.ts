/**
 * The CDK app. Offline and without credentials: no lookups. The configuration is read from
 * `-c config=path` (default config/remediation.json; the functions bundle the same file), the
 * Slack channel from the file or `-c slackChannelId=...`, the Regions from context
 * (`-c regions=...`, default in cdk.json), the account, if any, from `-c account=...` or the CLI's
 * CDK_DEFAULT_ACCOUNT, and the member StackSet's OUs and Regions from `-c memberOus=...` and
 * `-c memberRegions=...` (infra/member-stackset.ts). A deployment that cannot work stops here
 * with one message naming every problem and how to fix it, and a non-zero exit, no stack trace.
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { DeployabilityError } from '../config/deployability.js';
import { ConfigError } from '../config/load.js';
import { buildApp, deploymentFromContext, synthesizeWithoutDeprecations } from '../infra/app.js';

const app = new App();
try {
  const deployment = deploymentFromContext((key) => app.node.tryGetContext(key), process.env);
  synthesizeWithoutDeprecations(app, () =>
    buildApp(app, { ...deployment, projectRoot: fileURLToPath(new URL('..', import.meta.url)) }),
  );
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof DeployabilityError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
