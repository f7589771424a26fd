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
import {
  FIXING_CONTROL_IDS,
  baselineControlIds,
  bindControls,
} from '../../../remediators/controls/catalog.js';
import { accessLogGroupArn, accessLogGroupName } from '../../../remediators/controls/stage-settings.js';
import { remediateStage as remediateStageUnchecked } from '../../../remediators/core/apply.js';
import { formatStageArn } from '../../../remediators/core/arn.js';
import { createCoreCache } from '../../../remediators/core/cache.js';
import { createCoreClients, type CoreClients } from '../../../remediators/core/clients.js';
import type { ControlId } from '../../../remediators/core/types.js';
import { seedInsecureRestStage } from '../../helpers/insecure-apis.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials, useMoto } from '../../helpers/moto.js';
import { asMemberRole } from '../../strict-aws/scopes.js';

const moto = useMoto();
/** The core's calls, checked as the member role's (test/strict-aws). */
const remediateStage = asMemberRole(MOTO_ACCOUNT, remediateStageUnchecked);
const config = ConfigSchema.parse({});
const { resources, parameters } = config;
const REST_REMEDIABLE: readonly ControlId[] = baselineControlIds('REST').filter((id) =>
  (FIXING_CONTROL_IDS as readonly string[]).includes(id),
);
const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

let clients: CoreClients;
let apiGateway: APIGatewayClient;
beforeEach(() => {
  clients = createCoreClients({
    region: MOTO_REGION,
    endpoint: moto.endpoint,
    credentials: motoCredentials,
    retry: FAST_RETRY,
  });
  apiGateway = new APIGatewayClient({
    region: MOTO_REGION,
    endpoint: moto.endpoint,
    credentials: motoCredentials,
  });
});

function remediate(ref: Parameters<typeof remediateStage>[0], controlIds: readonly ControlId[]) {
  return remediateStage(ref, bindControls(controlIds, config), config, {
    clients,
    cache: createCoreCache(),
    verify: { attempts: 1 },
  });
}

describe('remediateStage on an insecure REST stage (moto)', () => {
  it('fixes every remediable control with one UpdateStage and the prerequisites, without a deployment', async () => {
    const { ref, methodKey } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    const seededStage = await apiGateway.send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }),
    );

    const result = await remediate(ref, REST_REMEDIABLE);

    expect(result.outcome).toBe('REMEDIATED');
    expect(result.verified).toBe(true);
    expect(result.evaluationsAfter.filter((evaluation) => evaluation.status === 'NON_COMPLIANT')).toEqual([]);
    expect(result.apiCalls.updateStageCalls).toBe(1);
    expect(result.apiCalls.deployments).toBe(0);
    expect(result.actions.map((action) => action.action)).toEqual([
      'CreateLogGroup',
      'PutRetentionPolicy',
      'UpdateAccount',
      'CreateWebACL',
      'UpdateRestApi',
      'UpdateStage',
      'AssociateWebACL',
    ]);
    const changedControls = new Set(result.changes.map((change) => change.controlId));
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
    await remediate(ref, REST_REMEDIABLE);

    const again = await remediate(ref, REST_REMEDIABLE);

    expect(again.outcome).toBe('ALREADY_COMPLIANT');
    expect(again.verified).toBe(true);
    expect(again.actions).toEqual([]);
    expect(again.changes).toEqual([]);
    expect(again.apiCalls.writes).toBe(0);
    expect(again.apiCalls.updateStageCalls).toBe(0);
    expect(again.apiCalls.reads).toBeGreaterThan(0);
    expect(again.evaluations.every((evaluation) => evaluation.status === 'COMPLIANT')).toBe(true);
  });

  it('fixes one control with exactly its own change and no unrelated writes', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });

    const result = await remediate(ref, ['APIGateway.3']);

    expect(result.outcome).toBe('REMEDIATED');
    expect(result.changes).toEqual([
      { controlId: 'APIGateway.3', setting: 'tracingEnabled', before: false, after: true },
    ]);
    expect(result.apiCalls.byOperation).toMatchObject({ 'APIGateway.UpdateStage': 1 });
    expect(result.apiCalls.writes).toBe(1);
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

    const result = await remediate(ref, ['Baseline.DefaultEndpoint']);

    expect(result.outcome).toBe('REMEDIATED');
    expect(result.changes).toEqual([
      {
        controlId: 'Baseline.DefaultEndpoint',
        setting: 'disableExecuteApiEndpoint',
        before: false,
        after: true,
      },
    ]);
    expect(result.apiCalls.deployments).toBe(0);
    expect(result.actions.map(({ action, detail }) => `${action}: ${detail}`)).toEqual([
      'UpdateRestApi: replace /disableExecuteApiEndpoint true',
      // The API-level change takes effect with this update of a stage setting (its current value).
      'UpdateStage: replace /tracingEnabled false',
    ]);
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

    const result = await remediate(ref, ['APIGateway.1', 'Baseline.RestAccessLogging']);

    expect(result.outcome).toBe('REMEDIATED');
    expect(result.actions.map((action) => action.action)).toEqual(['UpdateStage']);
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

    const result = await remediate(ref, ['Baseline.RestAccessLogging']);

    expect(result.outcome).toBe('REMEDIATED');
    expect(result.actions.map((action) => action.action)).toEqual(
      expect.arrayContaining(['PutRetentionPolicy', 'UpdateStage']),
    );
    expect(result.actions.map((action) => action.action)).not.toContain('CreateLogGroup');
    const [group] =
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }))).logGroups ?? [];
    expect(group?.retentionInDays).toBe(resources.accessLogGroups.retentionDays);
  });

  it('creates the baseline web ACL once and associates it with every stage of the account', async () => {
    const first = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'first' });
    const second = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'second' });
    const cache = createCoreCache();

    const one = await remediateStage(first.ref, bindControls(['APIGateway.4'], config), config, {
      clients,
      cache,
      verify: { attempts: 1 },
    });
    const two = await remediateStage(second.ref, bindControls(['APIGateway.4'], config), config, {
      clients,
      cache,
      verify: { attempts: 1 },
    });

    expect(one.actions.map((action) => action.action)).toEqual(['CreateWebACL', 'AssociateWebACL']);
    expect(two.actions.map((action) => action.action)).toEqual(['AssociateWebACL']);
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

  it('finds a baseline web ACL created earlier by name (a cold Lambda has no cache)', async () => {
    const first = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'first' });
    const second = await seedInsecureRestStage({ endpoint: moto.endpoint, apiName: 'second' });
    await remediate(first.ref, ['APIGateway.4']);

    const result = await remediate(second.ref, ['APIGateway.4']);

    expect(result.actions.map((action) => action.action)).toEqual(['AssociateWebACL']);
    expect(result.apiCalls.byOperation['WAFV2.ListWebACLs']).toBe(1);
  });

  it('reports RESOURCE_GONE for a deleted stage and for a deleted API, with no writes', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });
    await apiGateway.send(new DeleteStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }));

    const stageGone = await remediate(ref, REST_REMEDIABLE);

    expect(stageGone.outcome).toBe('RESOURCE_GONE');
    expect(stageGone.goneReason).toContain(`stage ${ref.stageName} of REST API ${ref.apiId}`);
    expect(stageGone.apiCalls.writes).toBe(0);

    await apiGateway.send(new DeleteRestApiCommand({ restApiId: ref.apiId }));
    const apiGone = await remediate(ref, REST_REMEDIABLE);
    expect(apiGone.outcome).toBe('RESOURCE_GONE');
    expect(apiGone.apiCalls.writes).toBe(0);
  });

  it('reports report-only failures without changing anything', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });

    const result = await remediate(ref, ['APIGateway.2']);

    expect(result.outcome).toBe('REPORTED_ONLY');
    expect(result.evaluations.map((evaluation) => evaluation.status)).toEqual(['NON_COMPLIANT']);
    expect(result.apiCalls.writes).toBe(0);
  });

  it('plans without writing in dry-run mode', async () => {
    const { ref } = await seedInsecureRestStage({ endpoint: moto.endpoint });

    const result = await remediateStage(
      ref,
      bindControls(REST_REMEDIABLE, config),
      { dryRun: true },
      { clients },
    );

    expect(result.outcome).toBe('DRY_RUN');
    expect(result.changes.length).toBeGreaterThan(0);
    expect(result.apiCalls.writes).toBe(0);
    const stage = await apiGateway.send(
      new GetStageCommand({ restApiId: ref.apiId, stageName: ref.stageName }),
    );
    expect(stage.tracingEnabled ?? false).toBe(false);
  });
});
