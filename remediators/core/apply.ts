/**
 * The imperative shell: applies a {@link StagePlan} in a fixed order.
 *
 * 1. ensurePrerequisites — the plan's effects (core/prerequisites.ts, core/effects/): access log
 *    group, the Region's API Gateway CloudWatch role, the web ACL; each created once and only
 *    when absent.
 * 2. applyApiChanges     — one UpdateRestApi / UpdateApi.
 * 3. createDeployment    — only for a V2 stage without autoDeploy whose API-level change cannot
 *    take effect otherwise (never REST: it takes API changes with the stage update); created
 *    WITHOUT a stage name and then pointed at by the stage update (naming an existing stage in
 *    CreateDeployment makes moto replace the stage and wipe its settings; AWS supports both forms).
 * 4. updateStage         — ONE UpdateStage with every stage change (+ the new deployment id).
 * 5. associateWebAcl     — wafv2 AssociateWebACL with the plan's web ACL.
 * Then verifyStage (core/verify.ts) re-reads and re-evaluates.
 *
 * The phases are exported one by one because the state machine runs them as separate
 * states (approval and the per-account deployment slot sit between them); the state machine
 * is the one orchestration (state-machines/remediation.asl.json, docs/workflow.md).
 */
import {
  UpdateRestApiCommand,
  UpdateStageCommand as UpdateRestStageCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CreateDeploymentCommand as CreateV2DeploymentCommand,
  GetDeploymentsCommand as GetV2DeploymentsCommand,
  UpdateApiCommand,
  UpdateStageCommand as UpdateV2StageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { AssociateWebACLCommand } from '@aws-sdk/client-wafv2';
import { logger } from '../shared/powertools.js';
import { doublingDelay, retrying } from '../shared/retry.js';
import { errorName, type ActionTaken } from './actions.js';
import { formatStageArn } from './arn.js';
import { createCoreCache, type CoreCache } from './cache.js';
import type { ApiClients, StageClients } from './clients.js';
import { applyWebAcl } from './effects/apply-web-acl.js';
import type { WebAclEffect } from './effects/index.js';
import { PlanOperationError, type RestPlan, type StagePlan } from './plan.js';
import { sleepFor, stageLabel } from './verify.js';

export type { ActionName, ActionTaken } from './actions.js';

/** The web ACL a plan that associates one depends on (the control that associates it asks for it). */
function webAclEffectOf(plan: RestPlan): WebAclEffect {
  const effect = plan.prerequisites.find((prerequisite) => prerequisite.kind === 'webAcl');
  if (effect === undefined) {
    throw new PlanOperationError(
      `stage ${stageLabel(plan.ref)}: the plan associates a web ACL but has no webAcl prerequisite naming it`,
    );
  }
  return effect;
}

// ---------------------------------------------------------------------------------------
// 2. API-level changes

export async function applyApiChanges(plan: StagePlan, clients: ApiClients): Promise<ActionTaken[]> {
  const { ref } = plan;
  switch (plan.apiType) {
    case 'REST': {
      const operations = plan.apiPatchOperations;
      if (operations.length === 0) return [];
      await clients.apiGateway.send(
        new UpdateRestApiCommand({ restApiId: ref.apiId, patchOperations: [...operations] }),
      );
      return [
        {
          action: 'UpdateRestApi',
          resource: ref.apiId,
          detail: operations.map((op) => `${op.op} ${op.path} ${op.value}`).join('; '),
        },
      ];
    }
    case 'V2': {
      const fields = plan.apiUpdate;
      if (fields === undefined) return [];
      await clients.apiGatewayV2.send(new UpdateApiCommand({ ApiId: ref.apiId, ...fields }));
      return [{ action: 'UpdateApi', resource: ref.apiId, detail: JSON.stringify(fields) }];
    }
  }
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
/**
 * Creates the stage's deployment once per remediation: the description names `remediationId`, and
 * an existing deployment of the API with that description is returned instead of a second one. The
 * Remediate task runs again with the same input when a step after this one is throttled (or its
 * Lambda times out), and a deployment made by the attempt that failed must not be made twice; one
 * GetDeployments read is what that costs (docs/decisions/0035).
 */
export async function createDeployment(
  plan: StagePlan,
  clients: ApiClients,
  remediationId: string,
): Promise<DeploymentResult> {
  // A REST plan has no deployment to make: its type has no redeploy (plan.ts refuses the operation).
  if (plan.apiType === 'REST' || !plan.redeploy) return { actions: [] };
  const { ref } = plan;
  const marker = `remediation ${remediationId}`;
  const description = `apigw-remediation: ${plan.plans
    .filter((control) => control.redeploy && control.changes.length > 0)
    .map((control) => control.controlId)
    .join(', ')} on stage ${ref.stageName} (${marker})`;
  const existing = await deploymentOf(clients, ref.apiId, marker);
  if (existing !== undefined) {
    logger.info('deployment of this remediation already made: not made again', {
      apiId: ref.apiId,
      existing,
    });
    return {
      deploymentId: existing,
      actions: [
        {
          action: 'CreateDeployment',
          resource: ref.apiId,
          detail: `deployment ${existing} (made by an earlier attempt)`,
        },
      ],
    };
  }
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

/** The id of the API's deployment whose description contains `marker`, reading every page. */
async function deploymentOf(clients: ApiClients, apiId: string, marker: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await clients.apiGatewayV2.send(
      new GetV2DeploymentsCommand({
        ApiId: apiId,
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      }),
    );
    const found = page.Items?.find((deployment) => deployment.Description?.includes(marker) === true);
    if (found?.DeploymentId !== undefined) return found.DeploymentId;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return undefined;
}

// ---------------------------------------------------------------------------------------
// 4. The one stage update

export async function updateStage(
  plan: StagePlan,
  clients: ApiClients,
  deploymentId?: string,
): Promise<ActionTaken[]> {
  const { ref } = plan;
  switch (plan.apiType) {
    case 'REST': {
      const operations = [
        ...plan.stagePatchOperations,
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
    case 'V2': {
      const update = {
        ...plan.stageUpdate,
        ...(deploymentId === undefined ? {} : { DeploymentId: deploymentId }),
      };
      if (Object.keys(update).length === 0) return [];
      await clients.apiGatewayV2.send(
        new UpdateV2StageCommand({ ApiId: ref.apiId, StageName: ref.stageName, ...update }),
      );
      return [{ action: 'UpdateStage', resource: stageLabel(ref), detail: JSON.stringify(update) }];
    }
  }
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
  clients: StageClients,
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
  clients: StageClients,
  webAclArn?: string,
  cache: CoreCache = createCoreCache(),
  retry: AssociateRetryOptions = {},
): Promise<ActionTaken[]> {
  // Only REST plans associate a web ACL (plan.ts refuses the operation on a V2 stage).
  if (plan.apiType !== 'REST' || !plan.associateWebAcl) return [];
  const { ref } = plan;
  const actions: ActionTaken[] = [];
  let arn = webAclArn;
  if (arn === undefined) {
    // The web ACL effect alone (not applyEffects, which dispatches every kind and so needs Logs).
    const found = await applyWebAcl(webAclEffectOf(plan), { ref, clients, cache });
    actions.push(...found.actions);
    arn = found.arn;
  }
  if (arn === undefined) throw new Error(`stage ${stageLabel(ref)}: no web ACL to associate`);
  const resourceArn = formatStageArn(ref);
  await associateWhenAvailable(clients, { WebACLArn: arn, ResourceArn: resourceArn }, retry);
  actions.push({ action: 'AssociateWebACL', resource: resourceArn, detail: `web ACL ${arn}` });
  return actions;
}
