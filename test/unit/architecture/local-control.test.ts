/**
 * Adding a control is local: a control defined here, registered in a test catalog, shows up in
 * every derived artefact (config schema and JSON Schema, default configuration, member role
 * statements, docs table) without any other file knowing it.
 */
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { configSchemaOf } from '../../../config/schema.js';
import {
  CATALOG,
  bindControls,
  defaultControlModes,
  remediationIamStatements,
} from '../../../remediators/controls/catalog.js';
import { defineControl, type Inspection } from '../../../remediators/controls/define-control.js';
import { planStage } from '../../../remediators/core/plan.js';
import type { RestStageSnapshot } from '../../../remediators/core/types.js';
import {
  controlsTable,
  defaultConfiguration,
  memberRoleStatements,
} from '../../../scripts/catalog-artefacts.js';
import { configJsonSchemaText } from '../../../scripts/export-config-schema.js';
import { restSnapshot } from '../controls/snapshots.js';

/** A report-only control: the stage web ACL must have a rate rule at most N (read from a made-up tag). */
const rateRuleReported = defineControl({
  id: 'Fixture.RateRule',
  title: 'Stage web ACLs should have a rate rule',
  appliesTo: ['REST'],
  kind: 'reporting',
  defaultMode: 'off',
  params: z.object({ maximumPer5Minutes: z.number().int().min(10).default(1000) }).strict(),
  needs: ['stage', 'api'],
  inspectRest: (snapshot: RestStageSnapshot, { params }): Inspection =>
    Number(snapshot.stage.tags['rate-limit'] ?? Infinity) <= params.maximumPer5Minutes
      ? { compliant: true, reason: 'rate limited' }
      : { compliant: false, problems: [`no rate rule at most ${params.maximumPer5Minutes}`], changes: [] },
});

/** A fixing control with its own IAM and an effect: tracing via a new sid. */
const tracingFixed = defineControl({
  id: 'Fixture.Tracing',
  title: 'Fixture tracing',
  appliesTo: ['REST'],
  kind: 'fixing',
  defaultMode: 'approve',
  params: z.object({ enabled: z.enum(['true']).default('true') }).strict(),
  needs: ['stage', 'api'],
  inspectRest: (snapshot, { params }) =>
    snapshot.stage.tracingEnabled
      ? { compliant: true, reason: 'traced' }
      : {
          compliant: false,
          problems: ['tracingEnabled is false'],
          changes: [
            {
              change: { setting: 'tracingEnabled', before: false, after: true },
              operation: {
                kind: 'restStagePatch',
                op: 'replace',
                path: '/tracingEnabled',
                value: params.enabled,
              },
            },
          ],
        },
  effects: ['accountCloudWatchRole'],
  prerequisites: (_snapshot, { resources }) => [
    { kind: 'accountCloudWatchRole', roleName: resources.cloudWatchRole.name },
  ],
  iam: ({ partition }) => [
    {
      sid: 'FixtureTracing',
      actions: ['apigateway:PATCH'],
      resources: [`arn:${partition}:apigateway:*::/fixture/*`],
    },
  ],
  docs: { redeploy: 'no', prerequisites: 'account CloudWatch role' },
  undo: () => undefined,
  sourceFix: {
    REST: {
      cloudFormation: 'Fixture TracingEnabled: true',
      cdk: 'fixture: true',
      terraform: 'fixture = true',
    },
  },
});

const TEST_CATALOG = [...CATALOG, tracingFixed, rateRuleReported] as const;

describe('a control added in a test catalog', () => {
  it('gets a mode key (notify/off only when reporting) and its own parameters section in the config schema', () => {
    const schema = configSchemaOf(TEST_CATALOG);
    const parsed = schema.parse({
      controls: { 'Fixture.RateRule': 'notify' },
      parameters: { 'Fixture.RateRule': { maximumPer5Minutes: 500 } },
    });
    expect(parsed.controls['Fixture.RateRule']).toBe('notify');
    expect(parsed.parameters['Fixture.RateRule']).toEqual({ maximumPer5Minutes: 500 });
    expect(schema.safeParse({ controls: { 'Fixture.RateRule': 'auto' } }).success).toBe(false);
    expect(schema.safeParse({ parameters: { 'Fixture.RateRule': { maximumPer5Minutes: 5 } } }).success).toBe(
      false,
    );
    expect(schema.safeParse({ parameters: { 'Fixture.Tracing': { other: 1 } } }).success).toBe(false);
  });

  it('appears in the exported JSON Schema', async () => {
    const text = await configJsonSchemaText(TEST_CATALOG);
    expect(JSON.parse(text).properties.parameters.properties['Fixture.RateRule'].properties).toHaveProperty(
      'maximumPer5Minutes',
    );
    expect(JSON.parse(text).properties.controls.properties['Fixture.RateRule'].enum).toEqual([
      'notify',
      'off',
    ]);
  });

  it('appears in the default configuration with its default mode and parameters', () => {
    expect(defaultControlModes(TEST_CATALOG)).toMatchObject({
      'Fixture.RateRule': 'off',
      'Fixture.Tracing': 'approve',
    });
    expect(defaultConfiguration(TEST_CATALOG)).toMatchObject({
      parameters: {
        'Fixture.RateRule': { maximumPer5Minutes: 1000 },
        'Fixture.Tracing': { enabled: 'true' },
      },
    });
  });

  it("adds a fixing control's IAM and its effects' to the member role statements; a reporting one adds none", () => {
    const statements = memberRoleStatements(TEST_CATALOG);
    expect(statements).toContainEqual({
      sid: 'FixtureTracing',
      actions: ['apigateway:PATCH'],
      resources: ['arn:{partition}:apigateway:*::/fixture/*'],
    });
    const onlyFixture = remediationIamStatements(
      {
        partition: 'aws',
        account: '111122223333',
        resources: configSchemaOf(TEST_CATALOG).parse({}).resources,
      },
      [tracingFixed, rateRuleReported],
    );
    expect(onlyFixture.map((statement) => statement.sid)).toEqual([
      'FixtureTracing',
      'UpdateStagesAndApis',
      'PassApiGatewayCloudWatchRole',
    ]);
  });

  it('gets a row in the docs table', () => {
    expect(controlsTable(TEST_CATALOG)).toContain('| Fixture.RateRule | REST | report only | off | — | — |');
    expect(controlsTable(TEST_CATALOG)).toContain(
      '| Fixture.Tracing | REST | auto-fix | approve | no | account CloudWatch role |',
    );
  });

  it('is planned by core like any other, with its parameters and effects', () => {
    const settings = configSchemaOf(TEST_CATALOG).parse({});
    const plan = planStage(
      restSnapshot(),
      bindControls(['Fixture.Tracing', 'Fixture.RateRule'], settings, TEST_CATALOG),
    );
    expect(plan.apiType === 'REST' && plan.stagePatchOperations).toEqual([
      { op: 'replace', path: '/tracingEnabled', value: 'true' },
    ]);
    expect(plan.prerequisites).toEqual([
      { kind: 'accountCloudWatchRole', roleName: 'apigw-remediation-apigateway-cloudwatch' },
    ]);
    expect(plan.evaluations.map((evaluation) => [evaluation.controlId, evaluation.status])).toEqual([
      ['Fixture.Tracing', 'NON_COMPLIANT'],
      ['Fixture.RateRule', 'NON_COMPLIANT'],
    ]);
  });
});
