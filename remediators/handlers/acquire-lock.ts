/**
 * Acquire-lock task: takes the stage lock, or joins the run holding it when this request's
 * finding is answered by that run (workflow/join.ts: the result then carries `joined`), or queues
 * this request for that run's next round (`joined` and `queued`, docs/decisions/0037), or throws
 * StageLocked (the state machine retries with backoff and jitter). The owner is this execution's
 * remediation of this stage; the lock item also says which controls it covers, for joiners.
 *
 * The lease needs nothing the decision reads (docs/decisions/0043): the remediation id is derived
 * from the run's input and the approval timeout is the configuration's, as decide derives them. So
 * Prepare takes the lock before it decides, and a run that finds its stage held joins or queues
 * without reading the stage. A decision given (the undo's) is used as it is.
 */
import { hasFinding, joinedFinding } from '../workflow/admit.js';
import { coalescingTrigger } from '../workflow/join.js';
import { acquireStageLock, lockLease } from '../workflow/lock.js';
import { createLocksDeps, type LocksDeps } from '../workflow/deps/locks.js';
import { createClockDeps, type ClockDeps } from '../workflow/deps/clock.js';
import { remediationIdOf } from '../workflow/stage-identity.js';
import type { ConfigDeps } from '../workflow/deps/member-account.js';
import { DecisionSchema, parseTaskInput, StageWorkItemSchema, type Lock } from '../workflow/state.js';
import { lambdaHandler } from '../shared/handler.js';

const LockInputSchema = StageWorkItemSchema.extend({ decision: DecisionSchema.optional() });

/**
 * The configuration, for a run that locks before it decides (Prepare's step). The deployed
 * AcquireLock function serves the undo path, which always brings its decision, so it bundles none.
 */
export function createAcquireLockHandler(deps: LocksDeps & Pick<ClockDeps, 'now'> & Partial<ConfigDeps>) {
  const configuredTimeout = (): number => {
    if (deps.config === undefined) {
      throw new Error(
        'acquire-lock: a request without a decision needs the configuration (its approval timeout)',
      );
    }
    return deps.config().approval.timeoutSeconds;
  };
  return async (event: unknown): Promise<Lock> => {
    const item = parseTaskInput('acquire-lock', LockInputSchema, event);
    const remediationId =
      item.decision?.remediationId ?? remediationIdOf(item.executionArn, item.stage, item.request);
    const nowMs = deps.now().getTime();
    // A later round (docs/decisions/0037), or a round that gathered (0039), is the same holder: it
    // renews the lock taken before this round's request became what it is.
    const owner = item.lock !== undefined ? item.lock.owner : `${item.executionArn}/${remediationId}`;
    const lease = lockLease(
      item.stage,
      owner,
      item.decision?.approvalTimeoutSeconds ?? configuredTimeout(),
      nowMs,
    );
    const { request } = item;
    // An undo (docs/decisions/0030) covers no control and brings no finding: nothing joins it, and it joins nothing.
    const undo = request.trigger === 'undo';
    const finding =
      undo || !hasFinding(request)
        ? undefined
        : joinedFinding(request, { executionArn: item.executionArn, remediationId });
    const holder = { controls: undo ? [] : request.controls, remediationId, executionArn: item.executionArn };
    // Asked about a control the holder does not cover: queued for the holder's next round, with
    // the findings coalesced into this run, so the round records on them too.
    const coalesced = item.coalesced ?? [];
    const queueable = coalescingTrigger(request.trigger)
      ? {
          request,
          executionArn: item.executionArn,
          remediationId,
          ...(coalesced.length === 0 ? {} : { coalesced }),
        }
      : undefined;
    return acquireStageLock(deps.dynamo(), item.locksTable, lease, nowMs, holder, finding, queueable);
  };
}

export const handler = lambdaHandler(
  createAcquireLockHandler({ ...createLocksDeps(), ...createClockDeps() }),
);
