/**
 * The member StackSet as part of the CDK app (infra/member-stackset.ts): which context it needs
 * and how it refuses a bad one, and the synthesized stack: a service-managed StackSet of exactly
 * the member template, auto-deployment on, the OUs and Regions of the context, CallAs as given,
 * passing cdk-nag and cfn-lint like the other templates.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeployabilityError } from '../../config/deployability.js';
import { deploymentFromContext } from '../../infra/app.js';
import {
  MEMBER_STACKSET_NAME,
  TEMPLATE_BODY_MAX_BYTES,
  memberStackSetFromContext,
} from '../../infra/member-stackset.js';
import { nagPacks } from '../../infra/nag.js';
import { EXAMPLE_SLACK_CHANNEL_ID } from '../../config/deployability.js';
import { cdkJsonContext, synthesizeApp, type SynthesizedApp } from './synth.js';

const TOOLING = '111122223333';
const ROOT = 'r-abcd';
const OU = 'ou-abcd-12345678';

const contextOf =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

describe('memberStackSetFromContext', () => {
  const aggregation = { regions: ['eu-west-1'], account: TOOLING };

  it('makes no StackSet when no OU is given: the central and member templates need no organization', () => {
    expect(memberStackSetFromContext(contextOf({}), aggregation)).toEqual({ ok: true, settings: undefined });
  });

  it('defaults the member Regions to the central ones and CallAs to SELF (the management account)', () => {
    expect(memberStackSetFromContext(contextOf({ memberOus: `${ROOT}` }), aggregation)).toEqual({
      ok: true,
      settings: {
        targetOus: [ROOT],
        memberRegions: ['eu-west-1'],
        callAs: 'SELF',
        centralAccountId: TOOLING,
        centralEventBusRegion: 'eu-west-1',
        globalResourcesRegion: 'eu-west-1',
      },
    });
  });

  it('forwards every member Region to the one aggregation Region, and creates the roles there', () => {
    const result = memberStackSetFromContext(
      contextOf({
        memberOus: `${OU}, ou-efgh-87654321`,
        memberRegions: 'us-east-1,eu-west-1',
        stackSetCallAs: 'DELEGATED_ADMIN',
        stackSetAccount: '444455556666',
      }),
      aggregation,
    );
    expect(result).toEqual({
      ok: true,
      settings: {
        targetOus: [OU, 'ou-efgh-87654321'],
        memberRegions: ['us-east-1', 'eu-west-1'],
        callAs: 'DELEGATED_ADMIN',
        centralAccountId: TOOLING,
        centralEventBusRegion: 'eu-west-1',
        globalResourcesRegion: 'eu-west-1',
        stackSetAccount: '444455556666',
      },
    });
  });

  it('with one central stack per Region, leaves the bus Region empty and refuses a member Region without one', () => {
    const perRegion = { regions: ['eu-west-1', 'eu-central-1'], account: TOOLING };
    const ok = memberStackSetFromContext(contextOf({ memberOus: ROOT }), perRegion);
    expect(ok).toMatchObject({
      ok: true,
      settings: { centralEventBusRegion: '', globalResourcesRegion: 'eu-west-1' },
    });
    const refused = memberStackSetFromContext(
      contextOf({ memberOus: ROOT, memberRegions: 'eu-west-1,us-east-1' }),
      perRegion,
    );
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problems.map((problem) => problem.problem)).toEqual([
      'has us-east-1, which have no central stack; with one central stack per Region (-c regions=eu-west-1,eu-central-1) every member Region needs its own',
    ]);
  });

  it('names every problem of a bad context at once', () => {
    const result = memberStackSetFromContext(
      contextOf({
        memberOus: 'Engineering',
        memberRegions: 'Frankfurt',
        stackSetCallAs: 'ADMIN',
        stackSetAccount: '123',
      }),
      { regions: ['eu-west-1'] },
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((problem) => problem.where)).toEqual([
      'context "memberOus"',
      'context "memberRegions"',
      'context "stackSetCallAs"',
      'context "account"',
      'context "stackSetAccount"',
    ]);
  });

  it('is checked by deploymentFromContext: a bad StackSet context stops the synth with one message', () => {
    const context = contextOf({
      ...cdkJsonContext(),
      slackChannelId: EXAMPLE_SLACK_CHANNEL_ID,
      memberOus: ROOT,
    });
    expect(() => deploymentFromContext(context)).toThrow(DeployabilityError);
    expect(() => deploymentFromContext(context)).toThrow(
      'context "account": missing: the member StackSet needs the security tooling account, whose task roles the member role trusts. Fix: pass -c account=<12-digit id of the security tooling account>.',
    );
  });
});

describe('the member StackSet stack', () => {
  let synthesized: SynthesizedApp;
  beforeAll(() => {
    synthesized = synthesizeApp(['eu-west-1'], {
      account: TOOLING,
      memberOus: ROOT,
      memberRegions: 'eu-west-1,us-east-1',
      stackSetCallAs: 'DELEGATED_ADMIN',
    });
  });

  const stackSetTemplate = () => {
    const stack = synthesized.stacks.memberStackSet;
    if (stack === undefined) throw new Error('no member StackSet stack was built');
    return JSON.parse(
      readFileSync(join(synthesized.outdir, `${stack.artifactId}.template.json`), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  };

  it('holds one service-managed StackSet of the member template, auto-deployed to the OUs and Regions', () => {
    const stackSets = Object.values(stackSetTemplate().Resources).filter(
      (resource) => resource.Type === 'AWS::CloudFormation::StackSet',
    );
    expect(stackSets).toHaveLength(1);
    const [stackSet] = stackSets;
    expect(stackSet?.Properties).toMatchObject({
      StackSetName: MEMBER_STACKSET_NAME,
      PermissionModel: 'SERVICE_MANAGED',
      CallAs: 'DELEGATED_ADMIN',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: [ROOT] }, Regions: ['eu-west-1', 'us-east-1'] },
      ],
      Parameters: [
        { ParameterKey: 'OrganizationId', ParameterValue: { Ref: 'OrganizationId' } },
        { ParameterKey: 'CentralAccountId', ParameterValue: TOOLING },
        { ParameterKey: 'CentralEventBusRegion', ParameterValue: 'eu-west-1' },
        { ParameterKey: 'GlobalResourcesRegion', ParameterValue: 'eu-west-1' },
      ],
    });
    const body = stackSet?.Properties['TemplateBody'];
    expect(typeof body).toBe('string');
    // Exactly the template `cdk synth` writes for the member stack, within TemplateBody's limit.
    const memberFile = join(synthesized.outdir, `${synthesized.stacks.member.artifactId}.template.json`);
    expect(JSON.parse(body as string)).toEqual(JSON.parse(readFileSync(memberFile, 'utf8')));
    expect(Buffer.byteLength(body as string)).toBeLessThanOrEqual(TEMPLATE_BODY_MAX_BYTES);
  });

  it('passes cdk-nag with nothing unacknowledged', () => {
    const stack = synthesized.stacks.memberStackSet;
    expect(stack).toBeDefined();
    for (const pack of nagPacks(synthesized.app)) {
      const report = pack.validateScope(synthesized.app);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    }
  });

  it('passes cfn-lint, the StackSet template and the member template it carries', () => {
    const stack = synthesized.stacks.memberStackSet;
    if (stack === undefined) throw new Error('no member StackSet stack was built');
    const file = join(synthesized.outdir, `${stack.artifactId}.template.json`);
    const carried = join(synthesized.outdir, 'carried-member.template.json');
    const [stackSet] = Object.values(stackSetTemplate().Resources);
    writeFileSync(carried, String(stackSet?.Properties['TemplateBody']));
    const run = spawnSync('cfn-lint', ['--format', 'json', file, carried], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    const findings = JSON.parse(run.stdout || '[]') as { Level: string; Rule: { Id: string } }[];
    expect(findings.filter((finding) => finding.Level === 'Error')).toEqual([]);
    expect((run.status ?? 2) & 2).toBe(0);
  });
});
