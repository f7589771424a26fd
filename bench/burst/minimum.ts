/**
 * The quota-bound minimum of a burst: for every bucket (each quota in each account it applies to,
 * Step Functions' state transitions and StartExecution), the time its calls need when every call
 * succeeds at once and nothing else limits them: max(0, calls − burst) ÷ rate. The slowest bucket
 * wins. It counts the work the recording says (one attempt per call, no retries), so no schedule
 * of that work can finish sooner; Lambda concurrency, latency and the stage lock are left out on
 * purpose (they bound how well the workflow uses the quotas, not the quotas themselves). The work is
 * the burst's own: one StartExecution per execution (per event, or per pipe batch), the front's
 * calls as computed for each batch (ownership ≤ 100 findings a call), one per-stage path per stage item
 * (with the lock's queue, docs/decisions/0037: a full round for a stage's first item, the queued
 * path for each later one, and no later round — a lower bound no schedule beats; a first item that
 * gathers, docs/decisions/0039, counts the recorded gathered round, which plans every control).
 */
import type { PlannedPath } from './front.js';
import { ONCE_PER_ACCOUNT, quotaCounts, type CallQuota, type StepFunctionsQuotas } from './quotas.js';
import type { BucketLimit } from './token-bucket.js';
import type { Work } from './workload.js';

export interface BucketBound {
  readonly bucket: string;
  readonly calls: number;
  readonly seconds: number;
}

const bound = (calls: number, limit: BucketLimit): number =>
  Math.max(0, calls - limit.burst) / limit.ratePerSecond;

/** Every bucket's bound, the slowest first. */
export function quotaBounds(
  work: Work,
  quotas: readonly CallQuota[],
  stepFunctions: StepFunctionsQuotas,
): BucketBound[] {
  const counts = new Map<string, { quota: CallQuota; calls: number }>();
  let transitions = 0;
  const accountSettings = new Set<string>();
  const count = (path: PlannedPath, account: number): void => {
    transitions += path.states.length;
    for (const call of path.tasks.flatMap((task) => task.calls)) {
      const callAccount = call.account ?? account;
      const accountLevel = `${call.service}.${call.operation}`;
      if (ONCE_PER_ACCOUNT.has(accountLevel)) {
        if (accountSettings.has(`${callAccount}/${accountLevel}`)) continue;
        accountSettings.add(`${callAccount}/${accountLevel}`);
      }
      for (const quota of quotas) {
        if (!quotaCounts(quota, call.service, call.operation)) continue;
        const key = quota.scope === 'home' ? quota.name : `${quota.name} #${callAccount}`;
        const entry = counts.get(key) ?? { quota, calls: 0 };
        entry.calls += 1;
        counts.set(key, entry);
      }
    }
  };
  // With the lock's queue, no schedule needs more than one round for a stage: its first run's
  // round, every later run of it at least the queued path (a run that finds the lock held). A
  // first run that gathers (docs/decisions/0039) plans all of the stage's controls in that round:
  // its path is the recorded gathered one (its wait's calls, then the round).
  const gathered = work.rounds?.gathered;
  const gatheredPath: PlannedPath | undefined =
    gathered === undefined
      ? undefined
      : {
          states: [gathered.wait.state, ...gathered.round.states],
          tasks: [gathered.wait, ...gathered.round.tasks],
        };
  const stagesSeen = new Set<string>();
  for (const execution of work.executions) {
    count(execution.before, execution.account);
    for (const item of execution.items) {
      const key = `${item.account}/${item.stage}`;
      const firstPath = item.gathers === true && gatheredPath !== undefined ? gatheredPath : item.path;
      count(work.rounds !== undefined && stagesSeen.has(key) ? work.rounds.queued : firstPath, item.account);
      stagesSeen.add(key);
    }
    count(execution.after, execution.account);
  }
  const executions = work.executions.length;
  const bounds: BucketBound[] = [...counts.entries()].map(([bucket, { quota, calls }]) => ({
    bucket,
    calls,
    seconds: bound(calls, quota),
  }));
  bounds.push({
    bucket: 'Step Functions state transitions (home account)',
    calls: transitions,
    seconds: bound(transitions, stepFunctions.stateTransitions),
  });
  bounds.push({
    bucket: 'Step Functions StartExecution (home account)',
    calls: executions,
    seconds: bound(executions, stepFunctions.startExecution),
  });
  return bounds.sort((a, b) => b.seconds - a.seconds || a.bucket.localeCompare(b.bucket));
}
