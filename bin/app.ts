/**
 * The CDK app. Offline and without credentials: no lookups. The configuration is read from
 * config/remediation.json (`-c config=path` must say the same, since the functions bundle
 * config/remediation.json), the Slack channel from the file or `-c slackChannelId=...`, the
 * Regions from context (`-c regions=...`, default in cdk.json) and the account, if any, from
 * `-c account=...` or the CLI's CDK_DEFAULT_ACCOUNT. A deployment that cannot work stops here
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
