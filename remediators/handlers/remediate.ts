/**
 * Remediate task (docs/decisions/0035): the old Recheck, Apply, ClaimDeploySlot / WaitForDeploySlot,
 * Redeploy and UpdateStage states in one invocation, each step's result merged at its old path.
 *
 * - After an approval wait (the plan said APPROVE) the recheck comes first: re-read, re-plan and
 *   compare with what the approver saw; when nothing may be applied any more the task ends there
 *   (Verify passes such a state on, Finish records what the recheck said).
 * - When the plan needs a deployment, the account's deployment slot is claimed BEFORE any change: a
 *   refused claim throws DeploySlotBusy, which the state's own Retry waits out, and that retry runs
 *   nothing that changed the stage.
 * - Then the brakes and API-level changes (the apply step), the deployment (once per remediation,
 *   core/apply.ts createDeployment) and the one UpdateStage.
 *
 * Retries (throttling, DeploySlotBusy, a Lambda timeout caught as States.Timeout is not retried)
 * run the task again with the same input. Re-sent on a retry: the recheck's reads, the slot claim,
 * the kill switch read, the change budget claim (the same owner takes no second unit), the
 * prerequisites' lookups and the API-level patches (the same values), the UpdateStage patch (the
 * same values); never sent twice: CreateDeployment (the earlier attempt's deployment is found by
 * its description). Any other error ends the run with `error` set and what was done so far kept.
 */
import * as z from 'zod';
import { lambdaHandler } from '../shared/handler.js';
import { logger } from '../shared/powertools.js';
import {
  caughtError,
  DEPLOY_SLOT_BUSY_ERROR,
  DeploySlotBusyError,
  retriedByStateMachine,
  RETRIED_ERRORS,
} from '../workflow/coarse.js';
import { versionedState, type RunStateRecord, type Step } from '../workflow/coarse-steps.js';
import { createClockDeps } from '../workflow/deps/clock.js';
import { createCoreClientsDeps } from '../workflow/deps/core-clients.js';
import { createKillSwitchDeps } from '../workflow/deps/kill-switch.js';
import { createLocksDeps } from '../workflow/deps/locks.js';
import { createMemberAccountDeps } from '../workflow/deps/member-account.js';
import { createApplyHandler } from './apply.js';
import { createDeploySlotHandler } from './deploy-slot.js';
import { createRecheckHandler } from './recheck.js';
import { createRedeployHandler } from './redeploy.js';
import { createUpdateStageHandler } from './update-stage.js';
import { createDynamoPacer } from '../workflow/pacing.js';

export interface RemediateSteps {
  readonly recheck: Step;
  readonly claimDeploySlot: Step;
  readonly apply: Step;
  readonly redeploy: Step;
  readonly updateStage: Step;
}

/** What of the state decides the steps (each step parses the whole of what it needs itself). */
const RouteSchema = z.looseObject({
  plan: z.looseObject({
    next: z.string(),
    stagePlan: z.looseObject({ apiType: z.string(), redeploy: z.boolean().optional() }).optional(),
  }),
});
const SlotSchema = z.looseObject({ granted: z.boolean(), waitSeconds: z.number().optional() });
const AppliedSchema = z.looseObject({ redeploy: z.boolean() });

const RETRIED = [...RETRIED_ERRORS, DEPLOY_SLOT_BUSY_ERROR];

/** Only a V2 stage without autoDeploy ever needs a deployment (as the apply step says after the fact). */
function needsDeployment(state: RunStateRecord): boolean {
  const { stagePlan } = RouteSchema.parse(state).plan;
  return stagePlan?.apiType === 'V2' && stagePlan.redeploy === true;
}

export function createRemediateTask(steps: RemediateSteps) {
  return async (event: unknown): Promise<RunStateRecord> => {
    let state = versionedState('remediate', event);
    try {
      if (RouteSchema.parse(state).plan.next === 'APPROVE') {
        state = { ...state, plan: await steps.recheck(state) };
        if (RouteSchema.parse(state).plan.next !== 'APPLY') return state;
      }
      if (needsDeployment(state)) {
        const slot = SlotSchema.parse(await steps.claimDeploySlot(state));
        if (!slot.granted) {
          throw new DeploySlotBusyError(
            `the account's deployment slot is taken for ${slot.waitSeconds ?? 1} s: nothing changed yet, retried`,
          );
        }
        state = { ...state, deploySlot: slot };
      }
      state = { ...state, applied: await steps.apply(state) };
      if (AppliedSchema.parse(state.applied).redeploy) {
        state = { ...state, deployment: await steps.redeploy(state) };
      }
      return { ...state, stageUpdate: await steps.updateStage(state) };
    } catch (error) {
      if (retriedByStateMachine(error, RETRIED)) throw error;
      logger.error('remediate failed', { stage: state.stage, error });
      return { ...state, error: caughtError(error) };
    }
  };
}

const account = createMemberAccountDeps();
// One client set and cache for every step: the web ACL apply finds is the one update-stage associates.
const locks = createLocksDeps();
const pacer = createDynamoPacer({ db: locks.dynamo });
const core = createCoreClientsDeps(account, { pacer });
const clock = createClockDeps();
export const handler = lambdaHandler(
  createRemediateTask({
    recheck: createRecheckHandler({ ...account, ...core }),
    claimDeploySlot: createDeploySlotHandler({ ...locks, ...clock }),
    apply: createApplyHandler({
      ...account,
      ...core,
      ...locks,
      ...createKillSwitchDeps({ pacer }),
      ...clock,
    }),
    redeploy: createRedeployHandler(core),
    updateStage: createUpdateStageHandler({ ...account, ...core }),
  }),
);
