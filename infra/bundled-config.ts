/**
 * Which configuration file the Lambda functions bundle: the one `cdk synth` validated and built
 * the stacks from. `-c config=path` names it (config/remediation.json when absent); the path is
 * taken relative to the directory `cdk` runs in, as config/load.ts reads it.
 *
 * config/deployed.ts imports `#deployed-config` (package.json "imports": config/remediation.json);
 * for another file, esbuild's `--alias` points that import at it. esbuild resolves an aliased path
 * from its working directory (esbuild docs, "Alias"), so the path handed over is absolute.
 */
import { resolve } from 'node:path';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IConstruct } from 'constructs';

/** The CDK context key naming the configuration file (`-c config=path`). */
export const CONFIG_CONTEXT_KEY = 'config';

/** The import config/deployed.ts reads the bundled configuration through. */
export const DEPLOYED_CONFIG_IMPORT = '#deployed-config';

/** The configuration file named in the context, as an absolute path; undefined = config/remediation.json. */
export function configFileFromContext(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return resolve(value);
}

/** `bundling` with the configuration named by `scope`'s context bundled in place of config/remediation.json. */
export function withBundledConfig(scope: IConstruct, bundling: BundlingOptions): BundlingOptions {
  const file = configFileFromContext(scope.node.tryGetContext(CONFIG_CONTEXT_KEY));
  if (file === undefined) return bundling;
  return {
    ...bundling,
    // toCliArgsArray in aws-lambda-nodejs writes `--alias` as `--alias:<value>`, as esbuild reads it.
    esbuildArgs: { ...bundling.esbuildArgs, '--alias': `${DEPLOYED_CONFIG_IMPORT}=${file}` },
  };
}
