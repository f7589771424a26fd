/**
 * Verify task: re-reads the stage once and re-evaluates the changed controls. Still failing
 * throws VerificationPending, which the state machine retries with backoff (a WAF association
 * can take minutes to show) instead of keeping a Lambda asleep. The task (docs/decisions/0035)
 * merges the verification into the state at `verification`, and passes on unchanged a state in
 * which nothing was applied: Remediate caught an error, or the recheck after an approval wait left
 * nothing to apply (Finish records either).
 */
import { bindControls } from '../controls/catalog.js';
import { verifyStage } from '../core/verify.js';
import { PlannedItemSchema } from '../workflow/planned-item.js';
import { createMemberAccountDeps, type ConfigDeps } from '../workflow/deps/member-account.js';
import { createApiClientsDeps, type ApiClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput, type Verification } from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';
import { versionedState, type RunStateRecord, type Step } from '../workflow/coarse-steps.js';
import { createLocksDeps } from '../workflow/deps/locks.js';
import { createDynamoPacer } from '../workflow/pacing.js';

export class VerificationPendingError extends Error {
  override readonly name = 'VerificationPending';
}

export function createVerifyHandler(deps: ConfigDeps & ApiClientsDeps) {
  return async (event: unknown): Promise<Verification> => {
    const item = parseTaskInput('verify', PlannedItemSchema, event);
    const result = await verifyStage(
      item.stage,
      bindControls(item.plan.applyControls, deps.config()),
      await deps.coreClients(item.stage),
      { cache: deps.coreCache },
    );
    if (result.status === 'GONE') return { status: 'GONE', evaluations: [] };
    if (result.status === 'FAILING') {
      const reasons = result.evaluations
        .filter((evaluation) => evaluation.status === 'NON_COMPLIANT')
        .map((evaluation) => `${evaluation.controlId}: ${evaluation.reason}`);
      throw new VerificationPendingError(`still failing after the changes: ${reasons.join('; ')}`);
    }
    return { status: 'VERIFIED', evaluations: [...result.evaluations] };
  };
}

export function createVerifyTask(verify: Step) {
  return async (event: unknown): Promise<RunStateRecord> => {
    const state = versionedState('verify', event);
    if (state.error !== undefined || state.stageUpdate === undefined) return state;
    return { ...state, verification: await verify(state) };
  };
}

const account = createMemberAccountDeps();
const pacer = createDynamoPacer({ db: createLocksDeps().dynamo });
export const handler = lambdaHandler(
  createVerifyTask(createVerifyHandler({ ...account, ...createApiClientsDeps(account, { pacer }) })),
);
