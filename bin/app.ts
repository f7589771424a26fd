/**
 * The CDK app. Offline and without credentials: no lookups, the configuration is read from
 * config/remediation.json (a bad file fails the synth with the loader's message), the Regions
 * come from context (`-c regions=...`, default in cdk.json) and the account, if any, from
 * `-c account=...` or the CLI's CDK_DEFAULT_ACCOUNT.
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../config/load.js';
import { buildApp, parseAccount, parseRegions } from '../infra/app.js';

const app = new App();
const account = parseAccount(app.node.tryGetContext('account') ?? process.env.CDK_DEFAULT_ACCOUNT);
buildApp(app, {
  config: loadConfig(app.node.tryGetContext('config') ?? undefined),
  regions: parseRegions(app.node.tryGetContext('regions')),
  ...(account === undefined ? {} : { account }),
  projectRoot: fileURLToPath(new URL('..', import.meta.url)),
});
app.synth();
