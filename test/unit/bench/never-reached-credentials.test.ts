/**
 * The credential providers SERVICE_BUNDLING leaves out of every bundle
 * (NEVER_REACHED_CREDENTIAL_PROVIDERS, docs/decisions/0021) are really never needed where Lambda
 * runs the function: a bundle built with the deployed options, with nothing beside it to resolve
 * them from, gets the execution role's credentials from the environment Lambda sets; only
 * without them does the SDK's default chain go on to a provider that is not in the bundle.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor, PROJECT_ROOT } from '../../../bench/bundle-size.js';
import { NODE_BIN } from '../../../bench/cold-start.js';
import { SERVICE_BUNDLING } from '../../../infra/functions.js';

const run = promisify(execFile);

const FIXTURE = `import { SNSClient } from '@aws-sdk/client-sns';

export const resolveCredentials = () => new SNSClient({ region: 'us-east-1' }).config.credentials();
`;

const CHILD = `const m = await import(process.env.BUNDLE_URL);
try {
  const credentials = await m.resolveCredentials();
  console.log(JSON.stringify({ accessKeyId: credentials.accessKeyId }));
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message }));
}`;

let dir: string;
let outfile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'never-reached-credentials-'));
  await writeFile(join(dir, 'fixture.ts'), FIXTURE);
  const options = esbuildOptionsFor(
    SERVICE_BUNDLING,
    PROJECT_ROOT,
    join(dir, 'fixture.ts'),
    join(dir, 'out'),
  );
  // The fixture sits outside the project: resolve its imports from the project's node_modules.
  await build({ ...options, nodePaths: [join(PROJECT_ROOT, 'node_modules')] });
  outfile = options.outfile;
  await mkdir(join(dir, 'home'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function resolveIn(env: Record<string, string>): Promise<Record<string, unknown>> {
  const { stdout } = await run(NODE_BIN, ['--input-type=module', '--eval', CHILD], {
    // An empty HOME: no ~/.aws files; nothing beside the bundle to resolve an external module from.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: join(dir, 'home'),
      BUNDLE_URL: pathToFileURL(outfile).href,
      ...env,
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
}

describe('the credential providers left out of the bundles', () => {
  it('are not needed with the credentials Lambda puts in the environment', async () => {
    const resolved = await resolveIn({
      AWS_ACCESS_KEY_ID: 'ASIAEXECUTIONROLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    expect(resolved).toEqual({ accessKeyId: 'ASIAEXECUTIONROLE' });
  });

  it('are really out of the bundle: without those variables the chain fails on the first of them', async () => {
    const resolved = await resolveIn({});
    expect(resolved.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(String(resolved.message)).toContain('@aws-sdk/credential-provider-ini');
  });
});
