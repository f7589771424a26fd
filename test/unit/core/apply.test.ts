/**
 * The apply phases' edge cases that moto cannot produce: races with concurrent executions,
 * WAF association propagation delays. Everything else is proven against moto in
 * test/integration/core/.
 */
import {
  GetAccountCommand,
  GetRestApiCommand,
  GetStageCommand,
  TooManyRequestsException,
  UpdateAccountCommand,
  UpdateRestApiCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  AssociateWebACLCommand,
  CreateWebACLCommand,
  ListWebACLsCommand,
  WAFDuplicateItemException,
  WAFInvalidParameterException,
  WAFUnavailableEntityException,
} from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../config/schema.js';
import {
  BASELINE_WEB_ACL_DESCRIPTION,
  baselineWebAclEffect,
  baselineWebAclRules,
} from '../../../remediators/controls/baseline-web-acl.js';
import { bindControls } from '../../../remediators/controls/catalog.js';
import type { ResourceSettings } from '../../../remediators/controls/resources.js';
import { accessLogGroupEffect } from '../../../remediators/controls/stage-settings.js';
import { applyApiChanges, associateWebAcl, createDeployment } from '../../../remediators/core/apply.js';
import { ensurePrerequisites } from '../../../remediators/core/prerequisites.js';
import { verifyStage } from '../../../remediators/core/verify.js';
import { createCoreCache } from '../../../remediators/core/cache.js';
import { createCoreClients } from '../../../remediators/core/clients.js';
import type { RestPlan, V2Plan } from '../../../remediators/core/plan.js';
import type { StageRef } from '../../../remediators/core/types.js';
import { REST_STAGE_REF } from '../../helpers/stage-refs.js';

const settings = ConfigSchema.parse({});
const { resources } = settings;
/** The resources of a configuration with these `resources` overrides. */
const resourcesWith = (overrides: Record<string, unknown>): ResourceSettings =>
  ConfigSchema.parse({ resources: overrides }).resources;
const clients = createCoreClients({
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
const apiGateway = mockClient(clients.apiGateway);
const accountSettings = mockClient(clients.apiGatewayAccountSettings);
const logs = mockClient(clients.logs);
const waf = mockClient(clients.wafv2);

const ref: StageRef = REST_STAGE_REF;
const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/apigw-remediation-baseline/1';
const LOG_GROUP = accessLogGroupEffect(resources, ref, 'REST');
const ROLE = { kind: 'accountCloudWatchRole', roleName: resources.cloudWatchRole.name } as const;
const WEB_ACL = baselineWebAclEffect(resources);

function plan(overrides: Partial<RestPlan>): RestPlan {
  return {
    apiType: 'REST',
    ref,
    evaluations: [],
    plans: [],
    changes: [],
    prerequisites: [],
    stagePatchOperations: [],
    apiPatchOperations: [],
    associateWebAcl: false,
    ...overrides,
  };
}

function v2Plan(overrides: Partial<V2Plan>): V2Plan {
  return {
    apiType: 'V2',
    ref: { ...ref, apiType: 'V2' },
    evaluations: [],
    plans: [],
    changes: [],
    prerequisites: [],
    redeploy: false,
    ...overrides,
  };
}

/** A REST plan that points the stage at the service's access log group (which it must create). */
function withAccessLogGroup(otherPrerequisites: RestPlan['prerequisites'] = []): Partial<RestPlan> {
  return {
    prerequisites: [LOG_GROUP, ...otherPrerequisites],
    stagePatchOperations: [
      {
        op: 'replace',
        path: '/accessLogSettings/destinationArn',
        value: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/apigateway/access-logs/a1b2c3d4e5/prod',
      },
    ],
  };
}

beforeEach(() => {
  apiGateway.reset();
  accountSettings.reset();
  logs.reset();
  waf.reset();
});

describe('ensurePrerequisites', () => {
  it('creates the log group with tags and retention only when it is absent', async () => {
    logs
      .on(DescribeLogGroupsCommand)
      .resolves({ logGroups: [{ logGroupName: '/aws/apigateway/access-logs/a1b2c3d4e5/prod-old' }] });

    const result = await ensurePrerequisites(plan(withAccessLogGroup()), clients);

    const logGroupName = '/aws/apigateway/access-logs/a1b2c3d4e5/prod';
    expect(logs).toHaveReceivedCommandWith(CreateLogGroupCommand, {
      logGroupName,
      tags: resources.tags,
    });
    expect(logs).toHaveReceivedCommandWith(PutRetentionPolicyCommand, { logGroupName, retentionInDays: 365 });
    expect(result.actions.map((action) => action.action)).toEqual(['CreateLogGroup', 'PutRetentionPolicy']);
  });

  it('leaves an existing log group with retention alone', async () => {
    const logGroupName = '/aws/apigateway/access-logs/a1b2c3d4e5/prod';
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName, retentionInDays: 30 }] });

    const result = await ensurePrerequisites(plan(withAccessLogGroup()), clients);

    expect(result.actions).toEqual([]);
    expect(logs).not.toHaveReceivedCommand(CreateLogGroupCommand);
    expect(logs).not.toHaveReceivedCommand(PutRetentionPolicyCommand);
  });

  it('sets the retention of its log group when an earlier run stopped between create and retention', async () => {
    const logGroupName = '/aws/apigateway/access-logs/a1b2c3d4e5/prod';
    // First run: the group is created, then PutRetentionPolicy fails (the task will be retried).
    logs.on(DescribeLogGroupsCommand).resolvesOnce({ logGroups: [] });
    logs.on(CreateLogGroupCommand).resolves({});
    logs
      .on(PutRetentionPolicyCommand)
      .rejectsOnce(new Error('Task timed out after 120.00 seconds'))
      .resolves({});
    await expect(ensurePrerequisites(plan(withAccessLogGroup()), clients)).rejects.toThrow('Task timed out');

    // The retry finds the group, without retention.
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName }] });
    const result = await ensurePrerequisites(plan(withAccessLogGroup()), clients);

    expect(logs).toHaveReceivedCommandTimes(CreateLogGroupCommand, 1);
    expect(logs).toHaveReceivedNthCommandWith(PutRetentionPolicyCommand, 2, {
      logGroupName,
      retentionInDays: 365,
    });
    expect(result.actions.map((action) => action.action)).toEqual(['PutRetentionPolicy']);
  });

  it('takes a log group created concurrently as present, without retention changes', async () => {
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    logs
      .on(CreateLogGroupCommand)
      .rejects(new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} }));

    const result = await ensurePrerequisites(plan(withAccessLogGroup()), clients);

    expect(result.actions).toEqual([]);
    expect(logs).not.toHaveReceivedCommand(PutRetentionPolicyCommand);
  });

  it('creates the HTTP stage log group under /aws/vendedlogs/, the name the plan points the stage at', async () => {
    const logGroupName = '/aws/vendedlogs/apigateway/access-logs/z9y8x7w6v5/live';
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    const httpRef: StageRef = { ...ref, apiType: 'V2', apiId: 'z9y8x7w6v5', stageName: 'live' };
    const httpPlan = v2Plan({
      ref: httpRef,
      prerequisites: [accessLogGroupEffect(resources, httpRef, 'HTTP')],
      stageUpdate: {
        AccessLogSettings: {
          DestinationArn: `arn:aws:logs:us-east-1:111122223333:log-group:${logGroupName}`,
          Format: '$context.requestId',
        },
      },
    });

    await ensurePrerequisites(httpPlan, clients);

    expect(logs).toHaveReceivedCommandWith(CreateLogGroupCommand, { logGroupName });
  });

  it('refuses to associate a web ACL the plan does not name', async () => {
    await expect(associateWebAcl(plan({ associateWebAcl: true }), clients)).rejects.toThrow(
      'the plan associates a web ACL but has no webAcl prerequisite naming it',
    );
    expect(waf).not.toHaveReceivedCommand(AssociateWebACLCommand);
  });

  it('leaves a CloudWatch role set since the plan alone, and sets the baseline role when none is set', async () => {
    apiGateway
      .on(GetAccountCommand)
      .resolvesOnce({ cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/theirs' });
    const prerequisites = plan({ prerequisites: [ROLE] });

    expect((await ensurePrerequisites(prerequisites, clients)).actions).toEqual([]);
    expect(accountSettings).not.toHaveReceivedCommand(UpdateAccountCommand);

    apiGateway.on(GetAccountCommand).resolves({});
    await ensurePrerequisites(prerequisites, clients);
    expect(accountSettings).toHaveReceivedCommandWith(UpdateAccountCommand, {
      patchOperations: [
        {
          op: 'replace',
          path: '/cloudwatchRoleArn',
          value: 'arn:aws:iam::111122223333:role/apigw-remediation-apigateway-cloudwatch',
        },
      ],
    });
  });

  it('reads the account again when its UpdateAccount is throttled (1 per 20 s): set by another run, nothing to do or undo', async () => {
    const prerequisites = plan({ prerequisites: [ROLE] });
    const throttled = new TooManyRequestsException({ message: 'Too Many Requests', $metadata: {} });
    accountSettings.on(UpdateAccountCommand).rejects(throttled);
    apiGateway.on(GetAccountCommand).resolvesOnce({}).resolvesOnce({
      cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/apigw-remediation-apigateway-cloudwatch',
    });

    expect((await ensurePrerequisites(prerequisites, clients)).actions).toEqual([]);
    // Sent once: the client for account settings does not retry what cannot succeed for 20 s.
    expect(accountSettings).toHaveReceivedCommandTimes(UpdateAccountCommand, 1);
    expect(apiGateway).toHaveReceivedCommandTimes(GetAccountCommand, 2);

    // Still unset: the throttling goes up (the state machine's Retry runs the task again).
    apiGateway.on(GetAccountCommand).resolves({});
    await expect(ensurePrerequisites(prerequisites, clients)).rejects.toBe(throttled);
  });

  it('creates the REGIONAL baseline web ACL with the managed rule groups, the rate rule and tags', async () => {
    waf.on(ListWebACLsCommand).resolves({ WebACLs: [{ Name: 'someone-else', ARN: 'arn:other' }] });
    waf.on(CreateWebACLCommand).resolves({ Summary: { ARN: ACL_ARN } });

    const result = await ensurePrerequisites(plan({ prerequisites: [WEB_ACL] }), clients);

    expect(result.webAclArn).toBe(ACL_ARN);
    expect(waf).toHaveReceivedCommandWith(CreateWebACLCommand, {
      Name: 'apigw-remediation-baseline',
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: baselineWebAclRules(resources.webAcl),
      Tags: [{ Key: 'managed-by', Value: 'apigw-remediation' }],
    });
    // Managed groups start in Count mode (nothing blocked until observed); only the rate rule blocks.
    expect(
      baselineWebAclRules(resources.webAcl).map((rule) => [
        rule.Name,
        rule.Priority,
        rule.OverrideAction,
        rule.Action,
      ]),
    ).toEqual([
      ['AWS-AWSManagedRulesCommonRuleSet', 0, { Count: {} }, undefined],
      ['AWS-AWSManagedRulesKnownBadInputsRuleSet', 1, { Count: {} }, undefined],
      ['AWS-AWSManagedRulesAmazonIpReputationList', 2, { Count: {} }, undefined],
      ['RateLimitPerIp', 3, undefined, { Block: {} }],
    ]);
  });

  it('lets a managed group block once the configuration moves it out of Count mode', () => {
    const blocking = resourcesWith({
      webAcl: { ruleGroupActions: { AWSManagedRulesKnownBadInputsRuleSet: 'block' } },
    }).webAcl;

    const actions = Object.fromEntries(
      baselineWebAclRules(blocking).map((rule) => [rule.Name, rule.OverrideAction ?? rule.Action]),
    );

    expect(actions).toEqual({
      'AWS-AWSManagedRulesCommonRuleSet': { Count: {} },
      'AWS-AWSManagedRulesKnownBadInputsRuleSet': { None: {} },
      'AWS-AWSManagedRulesAmazonIpReputationList': { Count: {} },
      RateLimitPerIp: { Block: {} },
    });
  });

  it('sends only names, description and metric names WAF accepts (WAFV2 API model patterns)', async () => {
    // From the WAFV2 API model (EntityDescription, EntityName, MetricName); WAF answers
    // WAFInvalidParameterException to anything else, moto does not check.
    const ENTITY_DESCRIPTION = /^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]$/;
    const ENTITY_NAME = /^[\w-]{1,128}$/;
    const METRIC_NAME = /^[\w#:.\-/]{1,255}$/;
    waf.on(ListWebACLsCommand).resolves({ WebACLs: [] });
    waf.on(CreateWebACLCommand).resolves({ Summary: { ARN: ACL_ARN } });
    const everyGroup = resourcesWith({
      webAcl: {
        name: 'a'.repeat(128),
        managedRuleGroups: [
          'AWSManagedRulesCommonRuleSet',
          'AWSManagedRulesKnownBadInputsRuleSet',
          'AWSManagedRulesAmazonIpReputationList',
          'AWSManagedRulesAnonymousIpList',
          'AWSManagedRulesSQLiRuleSet',
        ],
      },
    });

    for (const config of [resources, everyGroup]) {
      waf.resetHistory();
      await ensurePrerequisites(
        plan({ prerequisites: [baselineWebAclEffect(config)] }),
        clients,
        createCoreCache(),
      );
      const input = waf.commandCalls(CreateWebACLCommand)[0]?.args[0].input;
      expect(input?.Description).toBe(BASELINE_WEB_ACL_DESCRIPTION);
      expect(input?.Description).toMatch(ENTITY_DESCRIPTION);
      expect(input?.Description?.length).toBeLessThanOrEqual(256);
      expect(input?.Name).toMatch(ENTITY_NAME);
      expect(input?.VisibilityConfig?.MetricName).toMatch(METRIC_NAME);
      for (const rule of input?.Rules ?? []) {
        expect(rule.Name).toMatch(ENTITY_NAME);
        expect(rule.VisibilityConfig?.MetricName).toMatch(METRIC_NAME);
      }
    }
  });

  it('sends no Tags and no tags when no resource tags are configured (WAF rejects an empty Tags list)', async () => {
    const untagged = resourcesWith({ tags: {} });
    waf.on(ListWebACLsCommand).resolves({ WebACLs: [] });
    waf.on(CreateWebACLCommand).resolves({ Summary: { ARN: ACL_ARN } });
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    logs.on(CreateLogGroupCommand).resolves({});
    logs.on(PutRetentionPolicyCommand).resolves({});

    await ensurePrerequisites(
      plan({
        prerequisites: [accessLogGroupEffect(untagged, ref, 'REST'), baselineWebAclEffect(untagged)],
      }),
      clients,
      createCoreCache(),
    );

    const createAcl = waf.commandCalls(CreateWebACLCommand)[0]?.args[0].input;
    expect(createAcl).toBeDefined();
    expect(createAcl).not.toHaveProperty('Tags');
    const createGroup = logs.commandCalls(CreateLogGroupCommand)[0]?.args[0].input;
    expect(createGroup).toEqual({ logGroupName: '/aws/apigateway/access-logs/a1b2c3d4e5/prod' });
  });

  it('pages through ListWebACLs to find the baseline web ACL instead of creating a second one', async () => {
    waf
      .on(ListWebACLsCommand)
      .resolvesOnce({ WebACLs: [{ Name: 'a', ARN: 'arn:a' }], NextMarker: 'page2' })
      .resolvesOnce({ WebACLs: [{ Name: 'apigw-remediation-baseline', ARN: ACL_ARN }], NextMarker: 'page3' });

    const result = await ensurePrerequisites(plan({ prerequisites: [WEB_ACL] }), clients);

    expect(result.webAclArn).toBe(ACL_ARN);
    expect(waf).not.toHaveReceivedCommand(CreateWebACLCommand);
    expect(waf).toHaveReceivedNthCommandWith(ListWebACLsCommand, 2, {
      Scope: 'REGIONAL',
      Limit: 100,
      NextMarker: 'page2',
    });
  });

  it('uses the web ACL a concurrent execution created between the lookup and the create', async () => {
    waf
      .on(ListWebACLsCommand)
      .resolvesOnce({ WebACLs: [] })
      .resolves({ WebACLs: [{ Name: 'apigw-remediation-baseline', ARN: ACL_ARN }] });
    waf.on(CreateWebACLCommand).rejects(new WAFDuplicateItemException({ message: 'exists', $metadata: {} }));

    const result = await ensurePrerequisites(plan({ prerequisites: [WEB_ACL] }), clients);

    expect(result).toEqual({ actions: [], webAclArn: ACL_ARN });
  });
});

describe('associateWebAcl', () => {
  it('associates the given web ACL with the REST stage ARN', async () => {
    const actions = await associateWebAcl(plan({ associateWebAcl: true }), clients, ACL_ARN);

    expect(waf).toHaveReceivedCommandWith(AssociateWebACLCommand, {
      WebACLArn: ACL_ARN,
      ResourceArn: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod',
    });
    expect(waf).not.toHaveReceivedCommand(ListWebACLsCommand);
    expect(actions.map((action) => action.action)).toEqual(['AssociateWebACL']);
  });

  it('waits and retries while a just-created web ACL is not yet available to associate', async () => {
    const unavailable = () =>
      new WAFUnavailableEntityException({ message: 'AWS WAF couldn’t retrieve the resource', $metadata: {} });
    waf.on(AssociateWebACLCommand).rejectsOnce(unavailable()).rejectsOnce(unavailable()).resolves({});
    const waits: number[] = [];

    const actions = await associateWebAcl(
      plan({ associateWebAcl: true }),
      clients,
      ACL_ARN,
      createCoreCache(),
      { initialDelayMs: 1_000, sleep: async (ms) => void waits.push(ms) },
    );

    expect(waf).toHaveReceivedCommandTimes(AssociateWebACLCommand, 3);
    expect(waits).toEqual([1_000, 2_000]);
    expect(actions.map((action) => action.action)).toEqual(['AssociateWebACL']);
  });

  it('gives up after the configured attempts, and never retries other WAF errors', async () => {
    const sleep = async () => undefined;
    waf
      .on(AssociateWebACLCommand)
      .rejects(new WAFUnavailableEntityException({ message: 'still propagating', $metadata: {} }));
    await expect(
      associateWebAcl(plan({ associateWebAcl: true }), clients, ACL_ARN, createCoreCache(), {
        attempts: 3,
        sleep,
      }),
    ).rejects.toThrow('still propagating');
    expect(waf).toHaveReceivedCommandTimes(AssociateWebACLCommand, 3);

    waf.reset();
    waf
      .on(AssociateWebACLCommand)
      .rejects(new WAFInvalidParameterException({ message: 'bad ARN', $metadata: {} }));
    await expect(
      associateWebAcl(plan({ associateWebAcl: true }), clients, ACL_ARN, createCoreCache(), {
        sleep,
      }),
    ).rejects.toThrow('bad ARN');
    expect(waf).toHaveReceivedCommandTimes(AssociateWebACLCommand, 1);
  });

  it('does nothing when the plan does not associate', async () => {
    expect(await associateWebAcl(plan({}), clients, ACL_ARN)).toEqual([]);
    expect(waf).not.toHaveReceivedAnyCommand();
  });
});

describe('the phases by API type', () => {
  it("sends one UpdateRestApi with the REST plan's API patch operations, none when it has none", async () => {
    apiGateway.on(UpdateRestApiCommand).resolves({});
    const disable = { op: 'replace', path: '/disableExecuteApiEndpoint', value: 'true' } as const;
    expect(await applyApiChanges(plan({}), clients)).toEqual([]);
    expect(apiGateway).not.toHaveReceivedCommand(UpdateRestApiCommand);
    const actions = await applyApiChanges(plan({ apiPatchOperations: [disable] }), clients);
    expect(apiGateway).toHaveReceivedCommandWith(UpdateRestApiCommand, {
      restApiId: ref.apiId,
      patchOperations: [disable],
    });
    expect(actions.map((action) => action.action)).toEqual(['UpdateRestApi']);
  });

  it('never deploys for a REST plan and never associates a web ACL for a V2 plan', async () => {
    expect(await createDeployment(plan({}), clients, 'remediation-1')).toEqual({ actions: [] });
    expect(await associateWebAcl(v2Plan({ prerequisites: [WEB_ACL] }), clients, ACL_ARN)).toEqual([]);
    expect(apiGateway).not.toHaveReceivedAnyCommand();
    expect(waf).not.toHaveReceivedAnyCommand();
  });
});

describe('verifyStage', () => {
  beforeEach(() => {
    apiGateway.on(GetRestApiCommand).resolves({ name: 'pets' });
  });

  it('reads the stage once and verifies when the WAF association shows', async () => {
    apiGateway.on(GetStageCommand).resolves({ stageName: 'prod', webAclArn: ACL_ARN });

    const result = await verifyStage(ref, bindControls(['APIGateway.4'], settings), clients, {
      cache: createCoreCache(),
    });

    expect(result).toMatchObject({ status: 'VERIFIED' });
    expect(apiGateway).toHaveReceivedCommandTimes(GetStageCommand, 1);
  });

  it('reads once and returns the evaluations of the controls still failing: reading again is the state machine’s', async () => {
    apiGateway.on(GetStageCommand).resolves({ stageName: 'prod' });

    const result = await verifyStage(ref, bindControls(['APIGateway.3', 'APIGateway.4'], settings), clients);

    expect(result.status).toBe('FAILING');
    expect(
      result.status === 'GONE' ? [] : result.evaluations.map(({ controlId, status }) => [controlId, status]),
    ).toEqual([
      ['APIGateway.3', 'NON_COMPLIANT'],
      ['APIGateway.4', 'NON_COMPLIANT'],
    ]);
    expect(apiGateway).toHaveReceivedCommandTimes(GetStageCommand, 1);
  });
});
