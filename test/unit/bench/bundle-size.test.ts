import type { Metafile } from 'esbuild';
import { LogLevel, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import {
  esbuildOptionsFor,
  formatTable,
  lambdaEntries,
  runtimeModules,
  shortInputPath,
  topInputs,
} from '../../../bench/bundle-size.js';
import { INTAKE_ENRICHMENT_ENTRY } from '../../../infra/central-stack.js';
import { APPROVAL_API_ENTRY, APPROVAL_REDRIVE_ENTRY } from '../../../infra/approval-api.js';
import { NEVER_REACHED_CREDENTIAL_PROVIDERS, SERVICE_BUNDLING } from '../../../infra/functions.js';
import { TASKS } from '../../../state-machines/tasks.js';

function metafile(inputs: Record<string, number>): Metafile {
  return {
    inputs: {},
    outputs: {
      'out/index.mjs': {
        bytes: Object.values(inputs).reduce((sum, bytes) => sum + bytes, 0),
        inputs: Object.fromEntries(
          Object.entries(inputs).map(([path, bytesInOutput]) => [path, { bytesInOutput }]),
        ),
        imports: [],
        exports: [],
      },
    },
  };
}

describe('esbuildOptionsFor', () => {
  it('translates the service bundling options as aws-cdk-lib does for the esbuild CLI', () => {
    const options = esbuildOptionsFor(
      SERVICE_BUNDLING,
      '/project',
      'remediators/handlers/apply.ts',
      '/tmp/out/apply',
    );
    expect(options).toEqual({
      absWorkingDir: '/project',
      entryPoints: ['/project/remediators/handlers/apply.ts'],
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      outfile: '/tmp/out/apply/index.mjs',
      minify: true,
      sourcemap: true,
      external: [...NEVER_REACHED_CREDENTIAL_PROVIDERS],
      logLevel: 'error',
      banner: { js: SERVICE_BUNDLING.banner },
      mainFields: ['module', 'main'],
      metafile: true,
    });
    expect(options.banner?.js).toContain('createRequire');
  });

  it("uses CDK's defaults: SDK v3 external, index.js for CommonJS, named source map modes", () => {
    const options = esbuildOptionsFor(
      {
        target: 'node24',
        format: OutputFormat.CJS,
        sourceMapMode: SourceMapMode.INLINE,
        logLevel: LogLevel.WARNING,
      },
      '/p',
      'a.ts',
      '/o',
    );
    expect(options).toMatchObject({
      external: ['@aws-sdk/*'],
      outfile: '/o/index.js',
      sourcemap: 'inline',
      format: 'cjs',
      logLevel: 'warning',
    });
    expect(esbuildOptionsFor({ target: 'node24' }, '/p', 'a.ts', '/o')).not.toHaveProperty('sourcemap');
  });

  it('refuses options it would otherwise silently ignore', () => {
    expect(() =>
      esbuildOptionsFor({ ...SERVICE_BUNDLING, nodeModules: ['zod'] }, '/p', 'a.ts', '/o'),
    ).toThrow(/nodeModules/);
    expect(() => esbuildOptionsFor({ ...SERVICE_BUNDLING, target: undefined }, '/p', 'a.ts', '/o')).toThrow(
      /target/,
    );
    expect(() =>
      esbuildOptionsFor(
        { target: 'node24', sourceMap: false, sourceMapMode: SourceMapMode.BOTH },
        '/p',
        'a.ts',
        '/o',
      ),
    ).toThrow(/sourceMapMode/);
  });
});

describe('lambdaEntries', () => {
  it("lists every task function once plus the approval API handler, its re-drive sweep and the Pipe's enrichment", () => {
    const entries = lambdaEntries();
    expect(entries.map((entry) => entry.entry)).toEqual([
      ...TASKS.map((task) => task.entry),
      APPROVAL_API_ENTRY,
      APPROVAL_REDRIVE_ENTRY,
      INTAKE_ENRICHMENT_ENTRY,
    ]);
    expect(entries).toContainEqual({ name: 'intake', entry: 'remediators/handlers/intake.ts' });
    expect(entries).toContainEqual({
      name: 'request-approval',
      entry: 'remediators/handlers/request-approval.ts',
    });
    expect(entries).toContainEqual({ name: 'approval-api', entry: 'remediators/handlers/approval-api.ts' });
    expect(new Set(entries.map((entry) => entry.name)).size).toBe(entries.length);
  });
});

describe('topInputs', () => {
  it('ranks inputs by bytes in the output, ties by path, and keeps the top N', () => {
    const meta = metafile({
      'a.ts': 10,
      'node_modules/zod/x.js': 300,
      'b.ts': 50,
      'c.ts': 50,
      'd.ts': 1,
      'e.ts': 2,
    });
    expect(topInputs(meta, 'out/index.mjs')).toEqual([
      { path: 'node_modules/zod/x.js', bytes: 300 },
      { path: 'b.ts', bytes: 50 },
      { path: 'c.ts', bytes: 50 },
      { path: 'a.ts', bytes: 10 },
      { path: 'e.ts', bytes: 2 },
    ]);
    expect(topInputs(meta, 'out/index.mjs', 1)).toEqual([{ path: 'node_modules/zod/x.js', bytes: 300 }]);
  });

  it('names the outputs it has when asked for another', () => {
    expect(() => topInputs(metafile({}), 'other.mjs')).toThrow(/out\/index\.mjs/);
  });
});

describe('runtimeModules', () => {
  it("lists what the bundle imports from outside itself, once each and sorted, without Node's own modules", () => {
    const meta: Metafile = {
      inputs: {},
      outputs: {
        'out/index.mjs': {
          bytes: 1,
          inputs: {},
          imports: [
            { path: '@aws-sdk/client-sns', kind: 'import-statement', external: true },
            { path: 'node:module', kind: 'import-statement', external: true },
            { path: 'crypto', kind: 'require-call', external: true },
            { path: '@aws-sdk/client-dynamodb', kind: 'import-statement', external: true },
            { path: '@aws-sdk/client-sns', kind: 'dynamic-import', external: true },
            { path: 'out/chunk.mjs', kind: 'import-statement' },
          ],
          exports: [],
        },
      },
    };
    expect(runtimeModules(meta, 'out/index.mjs')).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-sns',
    ]);
    expect(runtimeModules(meta, 'out/index.mjs', 'atLoad')).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-sns',
    ]);
    const lazyOnly: Metafile = {
      inputs: {},
      outputs: {
        'out/index.mjs': {
          bytes: 1,
          inputs: {},
          imports: [{ path: '@aws-sdk/credential-provider-sso', kind: 'dynamic-import', external: true }],
          exports: [],
        },
      },
    };
    expect(runtimeModules(lazyOnly, 'out/index.mjs')).toEqual(['@aws-sdk/credential-provider-sso']);
    expect(runtimeModules(lazyOnly, 'out/index.mjs', 'atLoad')).toEqual([]);
    expect(runtimeModules(metafile({}), 'out/index.mjs')).toEqual([]);
    expect(() => runtimeModules(meta, 'other.mjs')).toThrow(/other\.mjs/);
  });
});

describe('shortInputPath', () => {
  it('keeps the package and the last two path segments', () => {
    expect(shortInputPath('node_modules/@aws-sdk/client-securityhub/dist-es/schemas/schemas_0.js')).toBe(
      '@aws-sdk/client-securityhub/…/schemas/schemas_0.js',
    );
    expect(shortInputPath('node_modules/zod/v4/core/schemas.js')).toBe('zod/…/core/schemas.js');
    expect(shortInputPath('node_modules/zod/index.js')).toBe('zod/index.js');
    expect(shortInputPath('remediators/handlers/apply.ts')).toBe('remediators/handlers/apply.ts');
  });
});

describe('formatTable', () => {
  it('left-aligns the first column and right-aligns the others', () => {
    expect(
      formatTable(
        ['name', 'bytes'],
        [
          ['a', '1'],
          ['long', '100'],
        ],
      ),
    ).toBe(['name  bytes', '----  -----', 'a         1', 'long    100'].join('\n'));
  });
});
