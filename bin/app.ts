/**
 * The CDK app. Offline and without credentials: no lookups, the configuration is read from
 * config/remediation.json (a bad file fails the synth with the loader's message; `-c config=path`
 * must say the same, since the functions bundle config/remediation.json), the Regions
 * come from context (`-c regions=...`, default in cdk.json) and the account, if any, from
 * `-c account=...` or the CLI's CDK_DEFAULT_ACCOUNT.
 */
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { buildApp, configForSynth, parseAccount, parseRegions } from '../infra/app.js';

const app = new App();
const account = parseAccount(app.node.tryGetContext('account') ?? process.env.CDK_DEFAULT_ACCOUNT);
buildApp(app, {
  config: configForSynth(app.node.tryGetContext('config')),
  regions: parseRegions(app.node.tryGetContext('regions')),
  ...(account === undefined ? {} : { account }),
  projectRoot: fileURLToPath(new URL('..', import.meta.url)),
});
app.synth();
