/** Narrowing for tests that read one API type's fields of a stage plan. */
import type { RestPlan, StagePlan, V2Plan } from '../../../remediators/core/plan.js';

/** The plan of a REST stage, or the test fails: only REST plans have patch operations and a web ACL. */
export function rest(plan: StagePlan): RestPlan {
  if (plan.apiType !== 'REST') throw new Error(`expected a REST plan, got a ${plan.apiType} one`);
  return plan;
}

/** The plan of a V2 stage, or the test fails: only V2 plans have an UpdateStage input and a deployment. */
export function v2(plan: StagePlan): V2Plan {
  if (plan.apiType !== 'V2') throw new Error(`expected a V2 plan, got a ${plan.apiType} one`);
  return plan;
}
