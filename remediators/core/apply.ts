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
 * states (approval and the per-account deployment slot sit between them); remediateStage
 * runs them all for one stage, with the controls it is given.
 */
import {
  UpdateRestApiCommand,
  UpdateStageCommand as UpdateRestStageCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CreateDeploymentCommand as CreateV2DeploymentCommand,
  UpdateApiCommand,
  UpdateStageCommand as UpdateV2StageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { AssociateWebACLCommand } from '@aws-sdk/client-wafv2';
import { logger } from '../shared/powertools.js';
import { doublingDelay, retrying } from '../shared/retry.js';
import { errorName, type ActionTaken } from './actions.js';
import { formatStageArn } from './arn.js';
import { createCoreCache, type CoreCache } from './cache.js';
import { callsBetween, type ApiCallCounts, type CoreClients } from './clients.js';
import { applyEffects } from './effects/apply.js';
import type { WebAclEffect } from './effects/index.js';
import { snapshotPartsFor } from './parts.js';
import { PlanOperationError, planStage, settingChanges, type RestPlan, type StagePlan } from './plan.js';
import { ensurePrerequisites } from './prerequisites.js';
import { readStageSnapshot } from './snapshot.js';
import type { Control, ControlId, Evaluation, SettingChange, StageRef } from './types.js';
import { sleepFor, stageLabel, verifyStage, type VerifyOptions, type VerifyResult } from './verify.js';

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

export async function applyApiChanges(plan: StagePlan, clients: CoreClients): Promise<ActionTaken[]> {
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
export async function createDeployment(plan: StagePlan, clients: CoreClients): Promise<DeploymentResult> {
  // A REST plan has no deployment to make: its type has no redeploy (plan.ts refuses the operation).
  if (plan.apiType === 'REST' || !plan.redeploy) return { actions: [] };
  const { ref } = plan;
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
  clients: CoreClients,
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
    const found = await applyEffects([webAclEffectOf(plan)], { ref, clients, cache });
    actions.push(...found.actions);
    arn = found.webAclArn;
  }
  if (arn === undefined) throw new Error(`stage ${stageLabel(ref)}: no web ACL to associate`);
  const resourceArn = formatStageArn(ref);
  await associateWhenAvailable(clients, { WebACLArn: arn, ResourceArn: resourceArn }, retry);
  actions.push({ action: 'AssociateWebACL', resource: resourceArn, detail: `web ACL ${arn}` });
  return actions;
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

const OUTCOME_OF: Readonly<Record<VerifyResult['status'], RemediationOutcome>> = {
  VERIFIED: 'REMEDIATED',
  FAILING: 'UNVERIFIED',
  GONE: 'RESOURCE_GONE',
};

/**
 * Plans, applies and verifies one stage with the given controls (bound to their parameters, in
 * catalog order: remediators/controls/catalog.ts bindControls).
 */
export async function remediateStage(
  ref: StageRef,
  controls: readonly Control[],
  options: { readonly dryRun: boolean },
  deps: RemediationDeps,
): Promise<RemediationResult> {
  const { clients } = deps;
  const cache = deps.cache ?? createCoreCache();
  const before = clients.counter.counts();
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

  const snapshot = await readStageSnapshot(ref, snapshotPartsFor(controls), clients, { cache });
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

  const plan = planStage(snapshot, controls);
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
  if (options.dryRun) {
    return finish({
      outcome: 'DRY_RUN',
      evaluations: plan.evaluations,
      actions: [],
      changes,
      verified: false,
    });
  }

  const prerequisites = await ensurePrerequisites(plan, clients, cache);
  const apiActions = await applyApiChanges(plan, clients);
  const deployment = await createDeployment(plan, clients);
  const stageActions = await updateStage(plan, clients, deployment.deploymentId);
  const wafActions = await associateWebAcl(plan, clients, prerequisites.webAclArn, cache, {
    ...(deps.verify?.sleep === undefined ? {} : { sleep: deps.verify.sleep }),
  });
  const actions = [
    ...prerequisites.actions,
    ...apiActions,
    ...deployment.actions,
    ...stageActions,
    ...wafActions,
  ];

  const changed = new Set(plan.plans.filter((control) => control.changes.length > 0).map((c) => c.controlId));
  const changedControls = controls.filter((control) => changed.has(control.id));
  const verification = await verifyStage(ref, changedControls, clients, { ...deps.verify, cache });
  return finish({
    outcome: OUTCOME_OF[verification.status],
    evaluations: plan.evaluations,
    evaluationsAfter: verification.status === 'GONE' ? [] : verification.evaluations,
    actions,
    changes,
    verified: verification.status === 'VERIFIED',
  });
}
