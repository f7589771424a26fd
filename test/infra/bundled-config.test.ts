/**
 * `-c config=path` bundles THAT file into the Lambda functions (infra/bundled-config.ts): a real
 * esbuild bundle of one service function, with and without the context, read back from the asset.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { configFileFromContext } from '../../infra/bundled-config.js';
import { ServiceFunction } from '../../infra/functions.js';
import { PROJECT_ROOT } from './synth.js';

/** The bundled code of the intake function (which reads the configuration), synthesized with `context`. */
function bundledIntake(context: Record<string, string>): string {
  const outdir = mkdtempSync(join(tmpdir(), 'apigw-remediation-bundle-'));
  const app = new App({ outdir, context });
  const stack = new Stack(app, 'Bundle');
  new ServiceFunction(stack, 'Intake', {
    projectRoot: PROJECT_ROOT,
    entry: 'remediators/handlers/intake.ts',
    description: 'bundled-config test',
    timeout: Duration.seconds(10),
    logRetention: RetentionDays.ONE_WEEK,
    logLevel: 'INFO',
  });
  app.synth();
  const [asset] = readdirSync(outdir).filter((entry) => entry.startsWith('asset.'));
  if (asset === undefined) throw new Error('no asset was bundled');
  return readFileSync(join(outdir, asset, 'index.mjs'), 'utf8');
}

describe('the configuration bundled into the functions', () => {
  it('is config/remediation.json without -c config, and the named file with it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'apigw-remediation-prod-')), 'prod.json');
    writeFileSync(file, JSON.stringify({ crossAccount: { memberRoleName: 'prod-member-role-bundled' } }));

    // The shipped file's own name for its schema, in no default (`includes` keeps a failure short).
    const shippedMarker = './remediation.schema.json';
    const shipped = bundledIntake({});
    expect(shipped.includes(shippedMarker)).toBe(true);
    expect(shipped.includes('prod-member-role-bundled')).toBe(false);

    const prod = bundledIntake({ config: file });
    expect(prod.includes('prod-member-role-bundled')).toBe(true);
    expect(prod.includes(shippedMarker)).toBe(false);
  }, 120_000);

  it('takes the path relative to the directory cdk runs in, as the loader reads it', () => {
    expect(configFileFromContext('config/prod.json')).toBe(resolve('config/prod.json'));
    expect(configFileFromContext('/etc/prod.json')).toBe('/etc/prod.json');
    expect(configFileFromContext(undefined)).toBeUndefined();
    expect(configFileFromContext('')).toBeUndefined();
  });
});
