/**
 * The imperative shell: applies a {@link StagePlan} in a fixed order, then verifies.
 *
 * 1. ensurePrerequisites — access log group, baseline WAFv2 web ACL, the Region's API Gateway
 *    CloudWatch role; each created once and only when absent.
 * 2. applyApiChanges     — one UpdateRestApi / UpdateApi.
 * 3. createDeployment    — only for a V2 stage without autoDeploy whose API-level change cannot
 *    take effect otherwise (never REST: it takes API changes with the stage update); created
 *    WITHOUT a stage name and then pointed at by the stage update (naming an existing stage in
 *    CreateDeployment makes moto replace the stage and wipe its settings; AWS supports both forms).
 * 4. updateStage         — ONE UpdateStage with every stage change (+ the new deployment id).
 * 5. associateWebAcl     — wafv2 AssociateWebACL with the baseline web ACL.
 * Then verifyStage re-reads and re-evaluates (with retries: WAF associations take time).
 *
 * The phases are exported one by one because the state machine runs them as separate
 * states (approval and the per-account deployment slot sit between them); remediateStage
 * runs them all for one stage.
 */
import {
  GetAccountCommand,
  UpdateAccountCommand,
  UpdateRestApiCommand,
  UpdateStageCommand as UpdateRestStageCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CreateDeploymentCommand as CreateV2DeploymentCommand,
  UpdateApiCommand,
  UpdateStageCommand as UpdateV2StageCommand,
} from '@aws-sdk/client-apigatewayv2';
import {
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  AssociateWebACLCommand,
  CreateWebACLCommand,
  type Rule,
  type VisibilityConfig,
} from '@aws-sdk/client-wafv2';
import type { BaselineConfig, RemediationConfig } from '../../config/schema.js';
import { getControl, snapshotPartsFor } from '../controls/catalog.js';
import {
  describeBaselineWebAcl,
  RATE_LIMIT_RULE_NAME,
  ruleGroupAction,
} from '../controls/baseline-web-acl.js';
import { logger } from '../shared/powertools.js';
import { doublingDelay, retrying } from '../shared/retry.js';
import { formatStageArn } from './arn.js';
import { accountRegionKey, createCoreCache, type CoreCache } from './cache.js';
import { callsBetween, type ApiCallCounts, type CoreClients } from './clients.js';
import { paginateListWebACLs } from './paginators.js';
import { orderControlIds, PlanOperationError, planStage, settingChanges, type StagePlan } from './plan.js';
import { readStageSnapshot } from './snapshot.js';
import type { ControlId, Evaluation, SettingChange, StageRef } from './types.js';

export type ActionName =
  | 'CreateLogGroup'
  | 'PutRetentionPolicy'
  | 'CreateWebACL'
  | 'UpdateAccount'
  | 'UpdateRestApi'
  | 'UpdateApi'
  | 'CreateDeployment'
  | 'UpdateStage'
  | 'AssociateWebACL';

/** One write the service made, for the audit trail. */
export interface ActionTaken {
  readonly action: ActionName;
  /** What was written: a log group name, an ARN, `{apiId}/{stageName}`… */
  readonly resource: string;
  readonly detail: string;
}

export interface PrerequisitesResult {
  readonly actions: readonly ActionTaken[];
  /** The baseline web ACL, when the plan needs it (pass it on to associateWebAcl). */
  readonly webAclArn?: string;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function stageLabel(ref: StageRef): string {
  return `${ref.apiId}/${ref.stageName}`;
}

// ---------------------------------------------------------------------------------------
// 1. Prerequisites

/**
 * The log group the plan points the stage at, read from the planned destination ARN
 * (`arn:…:log-group:{name}`): the prefix depends on the protocol (HTTP access logs live under
 * /aws/vendedlogs/, see stage-settings.ts), which only the control that planned it knew.
 */
function plannedAccessLogGroupName(plan: StagePlan): string {
  const destination =
    plan.ref.apiType === 'REST'
      ? plan.restStagePatchOperations.find(
          (operation) => operation.path === '/accessLogSettings/destinationArn',
        )?.value
      : plan.v2StageUpdate?.AccessLogSettings?.DestinationArn;
  const name = destination?.split(':log-group:')[1];
  if (name === undefined || name === '') {
    throw new Error(
      `stage ${stageLabel(plan.ref)}: the plan needs an access log group but sets no log group destination ` +
        `(got ${JSON.stringify(destination)})`,
    );
  }
  return name;
}

async function ensureAccessLogGroup(plan: StagePlan, baseline: BaselineConfig, clients: CoreClients) {
  const logGroupName = plannedAccessLogGroupName(plan);
  const existing = await clients.logs.send(
    new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }),
  );
  const found = existing.logGroups?.find((group) => group.logGroupName === logGroupName);
  if (found !== undefined) {
    if (found.retentionInDays !== undefined) return [];
    // Our group without retention: an earlier run created it and stopped before PutRetentionPolicy
    // (a timeout or throttling between the two calls); a retry must not leave it to never expire.
    await clients.logs.send(
      new PutRetentionPolicyCommand({ logGroupName, retentionInDays: baseline.accessLogs.retentionDays }),
    );
    return [
      {
        action: 'PutRetentionPolicy',
        resource: logGroupName,
        detail: `retention ${baseline.accessLogs.retentionDays} days (the existing group had none)`,
      },
    ] satisfies ActionTaken[];
  }
  try {
    await clients.logs.send(
      new CreateLogGroupCommand({
        logGroupName,
        ...(Object.keys(baseline.resourceTags).length === 0 ? {} : { tags: baseline.resourceTags }),
      }),
    );
  } catch (error) {
    // Another execution created it between our read and our write: it is there, which is all we need.
    if (errorName(error) === 'ResourceAlreadyExistsException') return [];
    throw error;
  }
  await clients.logs.send(
    new PutRetentionPolicyCommand({ logGroupName, retentionInDays: baseline.accessLogs.retentionDays }),
  );
  return [
    { action: 'CreateLogGroup', resource: logGroupName, detail: 'access log group for the stage' },
    {
      action: 'PutRetentionPolicy',
      resource: logGroupName,
      detail: `retention ${baseline.accessLogs.retentionDays} days`,
    },
  ] satisfies ActionTaken[];
}

export function cloudWatchRoleArn(ref: StageRef, baseline: BaselineConfig): string {
  return `arn:${ref.partition}:iam::${ref.account}:role/${baseline.cloudWatchRoleName}`;
}

async function ensureAccountCloudWatchRole(
  ref: StageRef,
  baseline: BaselineConfig,
  clients: CoreClients,
  cache: CoreCache,
): Promise<ActionTaken[]> {
  // Read now, not from the snapshot: another execution (or a person) may have set it since the plan.
  const account = await clients.apiGateway.send(new GetAccountCommand({}));
  const key = accountRegionKey(ref);
  if (account.cloudwatchRoleArn) {
    cache.accountSettings.set(key, { cloudwatchRoleArn: account.cloudwatchRoleArn });
    return [];
  }
  const roleArn = cloudWatchRoleArn(ref, baseline);
  await clients.apiGateway.send(
    new UpdateAccountCommand({
      patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: roleArn }],
    }),
  );
  cache.accountSettings.set(key, { cloudwatchRoleArn: roleArn });
  return [
    {
      action: 'UpdateAccount',
      resource: `${ref.account}/${ref.region}`,
      detail: `cloudwatchRoleArn set to ${roleArn} (API Gateway account setting of the Region)`,
    },
  ];
}

async function findWebAclArn(name: string, clients: CoreClients): Promise<string | undefined> {
  for await (const page of paginateListWebACLs(
    { client: clients.wafv2, pageSize: 100 },
    { Scope: 'REGIONAL' },
  )) {
    const found = page.WebACLs?.find((acl) => acl.Name === name);
    if (found?.ARN !== undefined) return found.ARN;
    // An empty page ends the listing even if it carries a marker.
    if (!page.WebACLs?.length) break;
  }
  return undefined;
}

/**
 * WAF accepts only `^[\w+=:#@/\-,\.][\w+=:#@/\-,\.\s]+[\w+=:#@/\-,\.]$` as a description
 * (EntityDescription in the WAFV2 API model): no parentheses, quotes or other punctuation.
 */
export const BASELINE_WEB_ACL_DESCRIPTION =
  'Baseline web ACL for API Gateway stages, managed by apigw-remediation';

function visibility(metricName: string): VisibilityConfig {
  return { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metricName };
}

/**
 * The baseline web ACL's rules: the configured AWS managed rule groups, each in Count mode unless
 * `ruleGroupActions` says block (OverrideAction Count: "override the rule group evaluation result
 * to count only", WAFV2 API reference OverrideAction; None lets the group's rules block), then a
 * per-IP rate limit that blocks. See controls/baseline-web-acl.ts for why groups start counting.
 */
export function baselineWebAclRules(baseline: BaselineConfig): Rule[] {
  const { name, managedRuleGroups, rateLimitPer5Minutes } = baseline.webAcl;
  const managed: Rule[] = managedRuleGroups.map((group, index) => ({
    Name: `AWS-${group}`,
    Priority: index,
    Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: group } },
    OverrideAction: ruleGroupAction(baseline, group) === 'block' ? { None: {} } : { Count: {} },
    VisibilityConfig: visibility(`${name}-${group}`),
  }));
  const rateLimit: Rule = {
    Name: RATE_LIMIT_RULE_NAME,
    Priority: managed.length,
    Statement: { RateBasedStatement: { Limit: rateLimitPer5Minutes, AggregateKeyType: 'IP' } },
    Action: { Block: {} },
    VisibilityConfig: visibility(`${name}-${RATE_LIMIT_RULE_NAME}`),
  };
  return [...managed, rateLimit];
}

async function findOrCreateWebAcl(
  ref: StageRef,
  baseline: BaselineConfig,
  clients: CoreClients,
  cache: CoreCache,
): Promise<{ arn: string; actions: ActionTaken[] }> {
  const { name } = baseline.webAcl;
  const key = `${accountRegionKey(ref)}:${name}`;
  const cached = cache.webAclArns.get(key);
  if (cached !== undefined) return { arn: cached, actions: [] };
  const existing = await findWebAclArn(name, clients);
  if (existing !== undefined) {
    cache.webAclArns.set(key, existing);
    return { arn: existing, actions: [] };
  }
  const tags = Object.entries(baseline.resourceTags).map(([Key, Value]) => ({ Key, Value }));
  try {
    const created = await clients.wafv2.send(
      new CreateWebACLCommand({
        Name: name,
        Scope: 'REGIONAL',
        Description: BASELINE_WEB_ACL_DESCRIPTION,
        DefaultAction: { Allow: {} },
        Rules: baselineWebAclRules(baseline),
        VisibilityConfig: visibility(name),
        // WAF rejects an empty Tags list (at least one item): no tags configured, no Tags field.
        ...(tags.length === 0 ? {} : { Tags: tags }),
      }),
    );
    const arn = created.Summary?.ARN;
    if (arn === undefined) throw new Error(`wafv2 CreateWebACL ${name} returned no ARN`);
    cache.webAclArns.set(key, arn);
    return {
      arn,
      actions: [
        { action: 'CreateWebACL', resource: arn, detail: `${describeBaselineWebAcl(baseline)} (REGIONAL)` },
      ],
    };
  } catch (error) {
    if (errorName(error) !== 'WAFDuplicateItemException') throw error;
    // Created by a concurrent execution since our read.
    const raced = await findWebAclArn(name, clients);
    if (raced === undefined) throw error;
    cache.webAclArns.set(key, raced);
    return { arn: raced, actions: [] };
  }
}

export async function ensurePrerequisites(
  plan: StagePlan,
  baseline: BaselineConfig,
  clients: CoreClients,
  cache: CoreCache = createCoreCache(),
): Promise<PrerequisitesResult> {
  const { ref } = plan;
  const actions: ActionTaken[] = [];
  if (plan.prerequisites.includes('accessLogGroup')) {
    actions.push(...(await ensureAccessLogGroup(plan, baseline, clients)));
  }
  if (plan.prerequisites.includes('accountCloudWatchRole')) {
    actions.push(...(await ensureAccountCloudWatchRole(ref, baseline, clients, cache)));
  }
  if (plan.prerequisites.includes('baselineWebAcl') || plan.associateWebAcl) {
    const webAcl = await findOrCreateWebAcl(ref, baseline, clients, cache);
    actions.push(...webAcl.actions);
    return { actions, webAclArn: webAcl.arn };
  }
  return { actions };
}

// ---------------------------------------------------------------------------------------
// 2. API-level changes

export async function applyApiChanges(plan: StagePlan, clients: CoreClients): Promise<ActionTaken[]> {
  const { ref, apiUpdate } = plan;
  if (apiUpdate === undefined) return [];
  if (apiUpdate.apiType === 'REST') {
    await clients.apiGateway.send(
      new UpdateRestApiCommand({ restApiId: ref.apiId, patchOperations: [...apiUpdate.patchOperations] }),
    );
    return [
      {
        action: 'UpdateRestApi',
        resource: ref.apiId,
        detail: apiUpdate.patchOperations.map((op) => `${op.op} ${op.path} ${op.value}`).join('; '),
      },
    ];
  }
  await clients.apiGatewayV2.send(new UpdateApiCommand({ ApiId: ref.apiId, ...apiUpdate.fields }));
  return [{ action: 'UpdateApi', resource: ref.apiId, detail: JSON.stringify(apiUpdate.fields) }];
}

// ---------------------------------------------------------------------------------------
// 3. Deployment

export interface DeploymentResult {
  readonly actions: readonly ActionTaken[];
  /** Set when a deployment was created: fold it into the stage update. */
  readonly deploymentId?: string;
}

/**
 * Only V2 stages without autoDeploy ever get here (plan.ts refuses a createDeployment operation
 * anywhere else): a deployment publishes the API's current definition, including work nobody has
 * released, so REST stages take their API-level change with the stage update instead.
 */
export async function createDeployment(plan: StagePlan, clients: CoreClients): Promise<DeploymentResult> {
  const { ref } = plan;
  if (!plan.redeploy) return { actions: [] };
  if (ref.apiType === 'REST') {
    throw new PlanOperationError(
      `refusing CreateDeployment for REST API ${ref.apiId}: REST stages take every change with the stage update, ` +
        "and a deployment would publish the API's current definition",
    );
  }
  const description = `apigw-remediation: ${plan.plans
    .filter((control) => control.redeploy && control.changes.length > 0)
    .map((control) => control.controlId)
    .join(', ')} on stage ${ref.stageName}`;
  const { DeploymentId: deploymentId } = await clients.apiGatewayV2.send(
    new CreateV2DeploymentCommand({ ApiId: ref.apiId, Description: description }),
  );
  if (deploymentId === undefined)
    throw new Error(`CreateDeployment for API ${ref.apiId} returned no deployment id`);
  return {
    deploymentId,
    actions: [{ action: 'CreateDeployment', resource: ref.apiId, detail: `deployment ${deploymentId}` }],
  };
}

// ---------------------------------------------------------------------------------------
// 4. The one stage update

export async function updateStage(
  plan: StagePlan,
  clients: CoreClients,
  deploymentId?: string,
): Promise<ActionTaken[]> {
  const { ref } = plan;
  if (ref.apiType === 'REST') {
    const operations = [
      ...plan.restStagePatchOperations,
      ...(deploymentId === undefined
        ? []
        : [{ op: 'replace' as const, path: '/deploymentId', value: deploymentId }]),
    ];
    if (operations.length === 0) return [];
    await clients.apiGateway.send(
      new UpdateRestStageCommand({
        restApiId: ref.apiId,
        stageName: ref.stageName,
        patchOperations: operations,
      }),
    );
    return [
      {
        action: 'UpdateStage',
        resource: stageLabel(ref),
        detail: operations.map((op) => `${op.op} ${op.path} ${op.value}`).join('; '),
      },
    ];
  }
  const update = {
    ...plan.v2StageUpdate,
    ...(deploymentId === undefined ? {} : { DeploymentId: deploymentId }),
  };
  if (Object.keys(update).length === 0) return [];
  await clients.apiGatewayV2.send(
    new UpdateV2StageCommand({ ApiId: ref.apiId, StageName: ref.stageName, ...update }),
  );
  return [{ action: 'UpdateStage', resource: stageLabel(ref), detail: JSON.stringify(update) }];
}

// ---------------------------------------------------------------------------------------
// 5. WAF association

export interface AssociateRetryOptions {
  /** AssociateWebACL calls in all while WAF says the web ACL is not available yet. */
  readonly attempts?: number;
  /** Wait before the second call; doubles after each further call. */
  readonly initialDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * A web ACL created moments ago may not be associable yet: WAF answers
 * WAFUnavailableEntityException until the new ACL has propagated (seconds to minutes, per the
 * AssociateWebACL reference), and the SDK does not retry that error. The first remediation in
 * an account and Region creates the ACL and associates it right away, so it waits and retries
 * (6 calls over about a minute by default) instead of failing.
 */
async function associateWhenAvailable(
  clients: CoreClients,
  input: { readonly WebACLArn: string; readonly ResourceArn: string },
  options: AssociateRetryOptions,
): Promise<void> {
  await retrying(() => clients.wafv2.send(new AssociateWebACLCommand(input)), {
    maxAttempts: options.attempts ?? 6,
    delayMs: doublingDelay(options.initialDelayMs ?? 2_000),
    retryable: (error) => errorName(error) === 'WAFUnavailableEntityException',
    onRetry: (_error, attempt) =>
      logger.info('web ACL not yet available for association; retrying', {
        webAclArn: input.WebACLArn,
        resourceArn: input.ResourceArn,
        attempt,
      }),
    sleep: options.sleep ?? sleepFor,
  });
}

export async function associateWebAcl(
  plan: StagePlan,
  baseline: BaselineConfig,
  clients: CoreClients,
  webAclArn?: string,
  cache: CoreCache = createCoreCache(),
  retry: AssociateRetryOptions = {},
): Promise<ActionTaken[]> {
  if (!plan.associateWebAcl) return [];
  const { ref } = plan;
  const actions: ActionTaken[] = [];
  let arn = webAclArn;
  if (arn === undefined) {
    const webAcl = await findOrCreateWebAcl(ref, baseline, clients, cache);
    actions.push(...webAcl.actions);
    arn = webAcl.arn;
  }
  const resourceArn = formatStageArn(ref);
  await associateWhenAvailable(clients, { WebACLArn: arn, ResourceArn: resourceArn }, retry);
  actions.push({ action: 'AssociateWebACL', resource: resourceArn, detail: `web ACL ${arn}` });
  return actions;
}

// ---------------------------------------------------------------------------------------
// Verification

export interface VerifyOptions {
  /** Reads in all; WAF association can take seconds to minutes to show. */
  readonly attempts?: number;
  /** Wait before the second read; doubles after each further read. */
  readonly initialDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly cache?: CoreCache;
}

export interface VerifyResult {
  readonly verified: boolean;
  readonly gone: boolean;
  readonly evaluations: readonly Evaluation[];
  /** Controls still failing after the last read. */
  readonly failing: readonly ControlId[];
  readonly reads: number;
}

/**
 * Re-reads the stage and re-evaluates the controls. The account settings come from the cache
 * when it has them: ensurePrerequisites read them fresh and recorded what it set.
 * Verified when none of them is NON_COMPLIANT; report-only controls that are expected to stay
 * NON_COMPLIANT should not be passed in.
 */
export async function verifyStage(
  ref: StageRef,
  controlIds: readonly ControlId[],
  baseline: BaselineConfig,
  clients: CoreClients,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const attempts = options.attempts ?? 5;
  const sleep = options.sleep ?? sleepFor;
  let delay = options.initialDelayMs ?? 2_000;
  const ids = orderControlIds(controlIds);
  const parts = snapshotPartsFor(ids.map(getControl));
  let last: VerifyResult = { verified: false, gone: false, evaluations: [], failing: ids, reads: 0 };
  for (let read = 1; read <= attempts; read++) {
    if (read > 1) {
      await sleep(delay);
      delay *= 2;
    }
    const snapshot = await readStageSnapshot(ref, parts, clients, { cache: options.cache });
    if (snapshot.status === 'GONE')
      return { verified: false, gone: true, evaluations: [], failing: ids, reads: read };
    const evaluations = ids.map((id) => getControl(id).evaluate(snapshot, baseline));
    const failing = evaluations
      .filter((evaluation) => evaluation.status === 'NON_COMPLIANT')
      .map((e) => e.controlId);
    last = { verified: failing.length === 0, gone: false, evaluations, failing, reads: read };
    if (last.verified) return last;
    logger.info('stage not yet verified; reading again', { stage: formatStageArn(ref), failing, read });
  }
  return last;
}

// ---------------------------------------------------------------------------------------
// The whole remediation of one stage

export type RemediationOutcome =
  /** Every change applied and the re-read shows the controls passing. */
  | 'REMEDIATED'
  /** Nothing to change: every selected control passes (or does not apply). */
  | 'ALREADY_COMPLIANT'
  /** Only report-only controls fail: reported, nothing changed. */
  | 'REPORTED_ONLY'
  /** config.dryRun: the changes were planned, not applied. */
  | 'DRY_RUN'
  /** The stage or API no longer exists. */
  | 'RESOURCE_GONE'
  /** Changes applied, but the re-read still shows failing controls. */
  | 'UNVERIFIED';

export interface RemediationResult {
  readonly ref: StageRef;
  readonly outcome: RemediationOutcome;
  /** Before the changes. */
  readonly evaluations: readonly Evaluation[];
  /** After the changes (the last verification read); empty when nothing was applied. */
  readonly evaluationsAfter: readonly Evaluation[];
  readonly actions: readonly ActionTaken[];
  readonly changes: readonly (SettingChange & { readonly controlId: ControlId })[];
  readonly verified: boolean;
  readonly goneReason?: string;
  readonly apiCalls: ApiCallCounts;
}

export interface RemediationDeps {
  /** Clients for the stage's account and Region (see clientsForStage in credentials.ts). */
  readonly clients: CoreClients;
  /** Keep one per warm Lambda; a fresh one per call when omitted. */
  readonly cache?: CoreCache;
  readonly verify?: Omit<VerifyOptions, 'cache'>;
}

export async function remediateStage(
  ref: StageRef,
  controlIds: readonly ControlId[],
  config: RemediationConfig,
  deps: RemediationDeps,
): Promise<RemediationResult> {
  const { clients } = deps;
  const cache = deps.cache ?? createCoreCache();
  const { baseline } = config;
  const before = clients.counter.counts();
  const ids = orderControlIds(controlIds);
  const finish = (
    result: Omit<RemediationResult, 'ref' | 'apiCalls' | 'evaluationsAfter'> & {
      evaluationsAfter?: readonly Evaluation[];
    },
  ): RemediationResult => {
    const done: RemediationResult = {
      ref,
      evaluationsAfter: [],
      ...result,
      apiCalls: callsBetween(before, clients.counter.counts()),
    };
    logger.info('stage remediation finished', {
      stage: formatStageArn(ref),
      account: ref.account,
      outcome: done.outcome,
      actions: done.actions.map((action) => action.action),
      apiCalls: done.apiCalls,
    });
    return done;
  };

  const snapshot = await readStageSnapshot(ref, snapshotPartsFor(ids.map(getControl)), clients, { cache });
  if (snapshot.status === 'GONE') {
    return finish({
      outcome: 'RESOURCE_GONE',
      evaluations: [],
      actions: [],
      changes: [],
      verified: false,
      goneReason: snapshot.reason,
    });
  }

  const plan = planStage(snapshot, ids, baseline);
  const changes = settingChanges(plan);
  if (changes.length === 0) {
    const anyFailing = plan.evaluations.some((evaluation) => evaluation.status === 'NON_COMPLIANT');
    return finish({
      outcome: anyFailing ? 'REPORTED_ONLY' : 'ALREADY_COMPLIANT',
      evaluations: plan.evaluations,
      actions: [],
      changes: [],
      verified: !anyFailing,
    });
  }
  if (config.dryRun) {
    return finish({
      outcome: 'DRY_RUN',
      evaluations: plan.evaluations,
      actions: [],
      changes,
      verified: false,
    });
  }

  const prerequisites = await ensurePrerequisites(plan, baseline, clients, cache);
  const apiActions = await applyApiChanges(plan, clients);
  const deployment = await createDeployment(plan, clients);
  const stageActions = await updateStage(plan, clients, deployment.deploymentId);
  const wafActions = await associateWebAcl(plan, baseline, clients, prerequisites.webAclArn, cache, {
    ...(deps.verify?.sleep === undefined ? {} : { sleep: deps.verify.sleep }),
  });
  const actions = [
    ...prerequisites.actions,
    ...apiActions,
    ...deployment.actions,
    ...stageActions,
    ...wafActions,
  ];

  const changedControls = plan.plans.filter((control) => control.changes.length > 0).map((c) => c.controlId);
  const verification = await verifyStage(ref, changedControls, baseline, clients, { ...deps.verify, cache });
  return finish({
    outcome: verification.gone ? 'RESOURCE_GONE' : verification.verified ? 'REMEDIATED' : 'UNVERIFIED',
    evaluations: plan.evaluations,
    evaluationsAfter: verification.evaluations,
    actions,
    changes,
    verified: verification.verified,
  });
}
