/**
 * Vitest global setup of the integration and workflow suites: synthesizes the CDK app once per
 * run (Lambda bundling skipped: only the templates are read) and provides them to every test file.
 */
import type { TestProject } from 'vitest/node';
import { synthesizeApp } from '../infra/synth.js';
import { MOTO_REGION } from '../helpers/moto.js';
import type { CfnTemplate, SynthesizedTemplates } from './templates.js';

declare module 'vitest' {
  export interface ProvidedContext {
    strictAwsTemplates: SynthesizedTemplates;
  }
}

export default function setup(project: TestProject): void {
  const synthesized = synthesizeApp([MOTO_REGION]);
  project.provide('strictAwsTemplates', {
    central: synthesized.central.toJSON() as CfnTemplate,
    member: synthesized.member.toJSON() as CfnTemplate,
    region: MOTO_REGION,
  });
}
