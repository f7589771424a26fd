import {
  APIGatewayClient,
  DeleteRestApiCommand,
  DeleteStageCommand,
  GetAccountCommand,
  GetRestApiCommand,
  GetStageCommand,
  UpdateAccountCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetWebACLCommand, GetWebACLForResourceCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema, DEFAULT_ACCESS_LOG_FORMAT } from '../../../config/schema.js';
import { FIXING_CONTROL_IDS, baselineControlIds } from '../../../remediators/controls/catalog.js';
import { accessLogGroupArn, accessLogGroupName } from '../../../remediators/controls/stage-settings.js';
import { formatStageArn } from '../../../remediators/core/arn.js';
import { callsBetween } from '../../../remediators/core/clients.js';
import type { ControlId, StageRef } from '../../../remediators/core/types.js';
import type { OutcomeRecord } from '../../../remediators/workflow/outcome.js';
import { seedInsecureRestStage } from '../../helpers/insecure-apis.js';
import { MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';
import {
  coreCallCounts,
  createWorkflowHarness,
  onlyControls,
  stageDriftEvent,
  type WorkflowHarness,
} from '../../workflow/harness.js';

const moto = useMoto();
const config = ConfigSchema.parse({});
const { resources, parameters } = config;
const REST_REMEDIABLE: readonly ControlId[] = baselineControlIds('REST').filter((id) =>
  (FIXING_CONTROL_IDS as readonly string[]).includes(id),
);

let apiGateway: APIGatewayClient;
beforeEach(() => {
  apiGateway = new APIGatewayClient({
    region: MOTO_REGION,
    endpoint: moto.endpoint,
    credentials: motoCredentials,
  });
});

/** A harness whose drift events check exactly `controlIds` on the stage (each in mode auto). */
function harnessFor(controlIds: readonly ControlId[], config: Record<string, unknown> = {}) {
  return createWorkflowHarness({
    endpoint: moto.endpoint,
    config: { ...config, controls: onlyControls(controlIds) },
  });
}

/**
 * Runs the real state machine once for the stage (a person's UpdateStage, as CloudTrail reports it)
 * and returns the one outcome it recorded with the core's calls this run made.
 */
async function remediate(harness: WorkflowHarness, ref: StageRef) {
  const before = harness.records.length;
  const callsBefore = coreCallCounts(harness);
  await harness.run(stageDriftEvent(ref));
  const records = harness.records.slice(before);
  expect(records).toHaveLength(1);
  return { record: records[0] as OutcomeRecord, calls: callsBetween(callsBefore, coreCallCounts(harness)) };
}

const failing = (record: OutcomeRecord) =>
  record.evaluations.filter((evaluation) => evaluation.compliance === 'FAILED');

describe('the state machine on an insecure REST stage (moto)', () => {
  it('fixes every remediable control with one UpdateStage and the prerequisites, without a deployment', async () => {
    const { ref, methodKey } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const seededStage = await apiGateway.send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }),
    );

    const { record, calls } = await remediate(await harnessFor(REST_REMEDIABLE), ref);

    expect(record.outcome).toBe('REMEDIATED');
    expect(failing(record)).toEqual([]);
    expect(calls.updateStageCalls).toBe(1);
    expect(calls.deployments).toBe(0);
    expect(calls.byOperation).toMatchObject({
      'CloudWatchLogs.CreateLogGroup': 1,
      'CloudWatchLogs.PutRetentionPolicy': 1,
      'APIGateway.UpdateAccount': 1,
      'WAFV2.CreateWebACL': 1,
      'APIGateway.UpdateRestApi': 1,
      'APIGateway.UpdateStage': 1,
      'WAFV2.AssociateWebACL': 1,
    });
    const changedControls = new Set(record.changes.map((change) => change.controlId));
    expect([...changedControls].sort()).toEqual([...REST_REMEDIABLE].sort());

    const stage = await apiGateway.send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }),
    );
    const stageWide = stage.methodSettings?.['*/*'];
    const method = stage.methodSettings?.[methodKey];
    expect(stageWide?.loggingLevel).toBe('ERROR');
    // The seeded method has no level of its own (moto does not materialise it): it inherits `*/*`.
    expect(method?.loggingLevel ?? stageWide?.loggingLevel).toBe('ERROR');
    expect(stage.tracingEnabled).toBe(true);
    expect(method?.cacheDataEncrypted).toBe(true);
    expect(stageWide?.throttlingRateLimit).toBe(parameters['Baseline.StageThrottling'].rateLimit);
    expect(stageWide?.throttlingBurstLimit).toBe(parameters['Baseline.StageThrottling'].burstLimit);
    expect(stage.accessLogSettings).toEqual({
      destinationArn: accessLogGroupArn(resources, ref, 'REST'),
      format: DEFAULT_ACCESS_LOG_FORMAT,
    });
    // No deployment: the stage still serves the deployment it had (nothing unreleased was published).
    expect(stage.deploymentId).toBe(seededStage.deploymentId);
    expect(stage.tags).toEqual({ env: ref.stageName });

    const waf = new WAFV2Client({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const association = await waf.send(new GetWebACLForResourceCommand({ ResourceArn: formatStageArn(ref) }));
    expect(association.WebACL?.Name).toBe(resources.webAcl.name);
    expect(stage.webAclArn).toBe(association.WebACL?.ARN);
    const webAcl = await waf.send(
      new GetWebACLCommand({ Name: resources.webAcl.name, Scope: 'REGIONAL', Id: association.WebACL?.Id }),
    );
    const rules = webAcl.WebACL?.Rules ?? [];
    expect(rules.map((rule) => rule.Statement?.ManagedRuleGroupStatement?.Name).filter(Boolean)).toEqual([
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
    ]);
    expect(
      rules.find((rule) => rule.Statement?.RateBasedStatement)?.Statement?.RateBasedStatement,
    ).toMatchObject({
      Limit: resources.webAcl.rateLimitPer5Minutes,
      AggregateKeyType: 'IP',
    });
    expect(rules.find((rule) => rule.Statement?.RateBasedStatement)?.Action).toEqual({ Block: {} });
    // The managed groups read back in Count mode: the new web ACL blocks nothing but the rate rule.
    expect(
      rules.filter((rule) => rule.Statement?.ManagedRuleGroupStatement).map((rule) => rule.OverrideAction),
    ).toEqual([{ Count: {} }, { Count: {} }, { Count: {} }]);

    const logs = new CloudWatchLogsClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const groupName = accessLogGroupName(resources, ref, 'REST');
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: groupName }));
    expect(groups.logGroups?.map((group) => [group.logGroupName, group.retentionInDays])).toEqual([
      [groupName, resources.accessLogGroups.retentionDays],
    ]);
    const groupTags = await logs.send(
      new ListTagsForResourceCommand({ resourceArn: accessLogGroupArn(resources, ref, 'REST') }),
    );
    expect(groupTags.tags).toEqual(resources.tags);

    const account = await apiGateway.send(new GetAccountCommand({}));
    expect(account.cloudwatchRoleArn).toBe(
      `arn:aws:iam::${ref.account}:role/${resources.cloudWatchRole.name}`,
    );
    const api = await apiGateway.send(new GetRestApiCommand({ restApiId: ref.apiId }));
    expect(api.disableExecuteApiEndpoint).toBe(true);
  });

  it('makes zero writes when run again on the fixed stage', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const harness = await harnessFor(REST_REMEDIABLE);
    await remediate(harness, ref);

    const again = await remediate(harness, ref);

    expect(again.record.outcome).toBe('ALREADY_COMPLIANT');
    expect(again.record.changes).toEqual([]);
    expect(again.calls.writes).toBe(0);
    expect(again.calls.updateStageCalls).toBe(0);
    expect(again.calls.reads).toBeGreaterThan(0);
    expect(again.record.evaluations.every((evaluation) => evaluation.compliance === 'PASSED')).toBe(true);
  });

  it('fixes one control with exactly its own change and no unrelated writes', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });

    const { record, calls } = await remediate(await harnessFor(['APIGateway.3']), ref);

    expect(record.outcome).toBe('REMEDIATED');
    expect(record.changes).toEqual([
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
    ]);
    expect(calls.byOperation).toMatchObject({ 'APIGateway.UpdateStage': 1 });
    expect(calls.writes).toBe(1);
    const stage = await apiGateway.send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }),
    );
    expect(stage.tracingEnabled).toBe(true);
    expect(stage.methodSettings?.['*/*']?.loggingLevel).toBe('OFF');
  });

  it('disables the default endpoint with UpdateRestApi and a stage update that changes nothing: no deployment', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const before = await apiGateway.send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }),
    );

    const { record, calls } = await remediate(await harnessFor(['Baseline.DefaultEndpoint']), ref);

    expect(record.outcome).toBe('REMEDIATED');
    expect(record.changes).toEqual([
      {
        controlId: 'Baseline.DefaultEndpoint',
        setting: 'disableExecuteApiEndpoint',
        before: false,
        after: true,
      },
    ]);
    expect(calls.deployments).toBe(0);
    // The API-level change takes effect with one update of a stage setting (its current value).
    expect(calls.byOperation).toMatchObject({ 'APIGateway.UpdateRestApi': 1, 'APIGateway.UpdateStage': 1 });
    expect(calls.writes).toBe(2);
    const api = await apiGateway.send(new GetRestApiCommand({ restApiId: ref.apiId }));
    expect(api.disableExecuteApiEndpoint).toBe(true);
    const after = await apiGateway.send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }),
    );
    expect(after.deploymentId).toBe(before.deploymentId);
    expect(after.tracingEnabled).toBe(before.tracingEnabled ?? false);
    expect(after.methodSettings).toEqual(before.methodSettings);
  });

  it('reuses prerequisites that already exist instead of creating them again', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const existingRole = `arn:aws:iam::${ref.account}:role/someone-elses-role`;
    await apiGateway.send(
      new UpdateAccountCommand({
        patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: existingRole }],
      }),
    );
    const logs = new CloudWatchLogsClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const logGroupName = accessLogGroupName(resources, ref, 'REST');
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: 30 }));

    const { record, calls } = await remediate(
      await harnessFor(['APIGateway.1', 'Baseline.RestAccessLogging']),
      ref,
    );

    expect(record.outcome).toBe('REMEDIATED');
    expect(
      Object.keys(calls.byOperation).filter((operation) => !/\.(Get|List|Describe)/.test(operation)),
    ).toEqual(['APIGateway.UpdateStage']);
    const account = await apiGateway.send(new GetAccountCommand({}));
    expect(account.cloudwatchRoleArn).toBe(existingRole);
    const [group] =
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }))).logGroups ?? [];
    expect(group?.retentionInDays).toBe(30);
  });

  it('gives its access log group the baseline retention when an earlier run left it without one', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const logs = new CloudWatchLogsClient({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const logGroupName = accessLogGroupName(resources, ref, 'REST');
    // Created, then the run stopped before PutRetentionPolicy.
    await logs.send(new CreateLogGroupCommand({ logGroupName }));

    const { record, calls } = await remediate(await harnessFor(['Baseline.RestAccessLogging']), ref);

    expect(record.outcome).toBe('REMEDIATED');
    expect(calls.byOperation).toMatchObject({
      'CloudWatchLogs.PutRetentionPolicy': 1,
      'APIGateway.UpdateStage': 1,
    });
    expect(calls.byOperation['CloudWatchLogs.CreateLogGroup']).toBeUndefined();
    const [group] =
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }))).logGroups ?? [];
    expect(group?.retentionInDays).toBe(resources.accessLogGroups.retentionDays);
  });

  it('creates the baseline web ACL once and associates it with every stage of the account', async () => {
    const first = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'first' });
    const second = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'second' });
    const harness = await harnessFor(['APIGateway.4']);

    const one = await remediate(harness, first.ref);
    const two = await remediate(harness, second.ref);

    expect([one.record.outcome, two.record.outcome]).toEqual(['REMEDIATED', 'REMEDIATED']);
    expect(one.calls.byOperation).toMatchObject({ 'WAFV2.CreateWebACL': 1, 'WAFV2.AssociateWebACL': 1 });
    expect(two.calls.byOperation['WAFV2.CreateWebACL']).toBeUndefined();
    expect(two.calls.byOperation['WAFV2.AssociateWebACL']).toBe(1);
    const waf = new WAFV2Client({
      region: MOTO_REGION,
      endpoint: moto.endpoint,
      credentials: motoCredentials,
    });
    const [firstAcl, secondAcl] = await Promise.all(
      [first.ref, second.ref].map((ref) =>
        waf.send(new GetWebACLForResourceCommand({ ResourceArn: formatStageArn(ref) })),
      ),
    );
    expect(firstAcl?.WebACL?.ARN).toBeDefined();
    expect(secondAcl?.WebACL?.ARN).toBe(firstAcl?.WebACL?.ARN);
  });

  it('finds a baseline web ACL created earlier by name (cold Lambdas have no cache)', async () => {
    const first = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'first' });
    const second = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'second' });
    await remediate(await harnessFor(['APIGateway.4']), first.ref);

    const { record, calls } = await remediate(await harnessFor(['APIGateway.4']), second.ref);

    expect(record.outcome).toBe('REMEDIATED');
    expect(calls.byOperation['WAFV2.CreateWebACL']).toBeUndefined();
    expect(calls.byOperation['WAFV2.AssociateWebACL']).toBe(1);
    expect(calls.byOperation['WAFV2.ListWebACLs']).toBe(1);
  });

  it('records RESOURCE_GONE for a deleted stage and for a deleted API, with no writes', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const harness = await harnessFor(REST_REMEDIABLE);
    await apiGateway.send(new DeleteStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }));

    const stageGone = await remediate(harness, ref);

    expect(stageGone.record.outcome).toBe('RESOURCE_GONE');
    expect(stageGone.record.reason).toContain('no longer exists');
    expect(stageGone.calls.writes).toBe(0);

    await apiGateway.send(new DeleteRestApiCommand({ restApiId: ref.apiId }));
    const apiGone = await remediate(harness, ref);
    expect(apiGone.record.outcome).toBe('RESOURCE_GONE');
    expect(apiGone.calls.writes).toBe(0);
  });

  it('reports report-only failures without changing anything', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });

    const { record, calls } = await remediate(await harnessFor(['APIGateway.2']), ref);

    expect(record.outcome).toBe('SKIPPED');
    expect(record.evaluations.map(({ controlId, compliance }) => [controlId, compliance])).toEqual([
      ['APIGateway.2', 'FAILED'],
    ]);
    expect(calls.writes).toBe(0);
  });

  it('plans without writing in dry-run mode', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });

    const { record, calls } = await remediate(await harnessFor(REST_REMEDIABLE, { dryRun: true }), ref);

    expect(record.outcome).toBe('DRY_RUN');
    expect(record.changes.length).toBeGreaterThan(0);
    expect(calls.writes).toBe(0);
    const stage = await apiGateway.send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }),
    );
    expect(stage.tracingEnabled ?? false).toBe(false);
  });
});
