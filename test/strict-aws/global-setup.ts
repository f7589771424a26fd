/**
 * Vitest global setup of the integration and workflow suites: synthesizes the CDK app at most once
 * per run (Lambda bundling skipped: only the templates are read) and provides the templates to
 * every test file.
 *
 * Synthesis costs about 10 s of CPU, which is most of what the strict model adds to a run, so the
 * templates are kept in node_modules/.cache/strict-aws/ under a hash of everything the CDK app
 * reads (bin/, infra/, config/, state-machines/, remediators/, cdk.json, package-lock.json). Any
 * change to those files synthesizes again; `STRICT_AWS_SYNTH=always` forces it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT, synthesizeApp } from '../infra/synth.js';
import { MOTO_REGION } from '../helpers/moto.js';
import type { CfnTemplate, SynthesizedTemplates } from './templates.js';

declare module 'vitest' {
  export interface ProvidedContext {
    strictAwsTemplates: SynthesizedTemplates;
  }
}

const SYNTH_INPUTS = [
  'bin',
  'infra',
  'config',
  'state-machines',
  'remediators',
  'cdk.json',
  'package-lock.json',
];

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => filesUnder(join(path, entry)));
}

function inputsHash(): string {
  const hash = createHash('sha256').update(MOTO_REGION);
  for (const file of SYNTH_INPUTS.flatMap((input) => filesUnder(join(PROJECT_ROOT, input)))) {
    hash.update(relative(PROJECT_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

function synthesized(): SynthesizedTemplates {
  const app = synthesizeApp([MOTO_REGION]);
  return {
    central: app.central.toJSON() as CfnTemplate,
    member: app.member.toJSON() as CfnTemplate,
    region: MOTO_REGION,
  };
}

export default function setup(project: TestProject): void {
  const cacheDir = join(PROJECT_ROOT, 'node_modules', '.cache', 'strict-aws');
  const cacheFile = join(cacheDir, `templates-${inputsHash()}.json`);
  let templates: SynthesizedTemplates | undefined;
  if (process.env.STRICT_AWS_SYNTH !== 'always') {
    try {
      templates = JSON.parse(readFileSync(cacheFile, 'utf8')) as SynthesizedTemplates;
    } catch {
      templates = undefined;
    }
  }
  if (templates === undefined) {
    templates = synthesized();
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cacheFile, JSON.stringify(templates));
  }
  project.provide('strictAwsTemplates', templates);
}
