/**
 * The plan handed from the snapshot task to the apply tasks is checked with the core's own schema
 * (core/stage-plan.ts): a real plan survives the trip through the state machine's JSON as it was
 * made, and a plan that does not fit fails the task with an error naming what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG, bindControls } from '../../../remediators/controls/catalog.js';
import { planStage } from '../../../remediators/core/plan.js';
import { InvalidTaskInputError, parseTaskInput } from '../../../remediators/workflow/state.js';
import { PlannedItemSchema, stagePlanOf } from '../../../remediators/workflow/planned-item.js';
import { BASELINE, mapping, restSnapshot, v2Snapshot } from '../controls/snapshots.js';
import { workItem } from './fixtures.js';

const ALL_CONTROLS = CATALOG.map((control) => control.id);

const insecureRest = restSnapshot({
  account: {},
  customDomains: [mapping('api.example.com')],
  stage: {
    methodSettings: { '*/*': { loggingLevel: 'OFF' }, '~1pets/GET': { cachingEnabled: true } },
  },
});

const insecureWebSocket = v2Snapshot('WEBSOCKET', {
  account: {},
  customDomains: [],
  routes: [],
  integrations: [],
  stage: {
    defaultRouteSettings: { loggingLevel: 'OFF', detailedMetricsEnabled: true },
    routeSettings: { $connect: { loggingLevel: 'OFF' } },
  },
});

/** The planned item as the next task receives it: JSON, as Step Functions passes state. */
function travelled(stagePlan: unknown): unknown {
  const item = workItem({ lock: { key: 'stage-lock', owner: 'rem-1', expiresAt: 1_800_000_000 } });
  return JSON.parse(JSON.stringify({ ...item, plan: { ...item.plan, stagePlan } }));
}

describe('the stage plan at the task boundary', () => {
  it.each([
    ['REST', insecureRest],
    ['WebSocket', insecureWebSocket],
  ])('a %s plan of every control arrives as it was made', (_name, snapshot) => {
    const plan = planStage(snapshot, bindControls(ALL_CONTROLS, BASELINE));
    expect(plan.changes.length).toBeGreaterThan(0);
    const item = parseTaskInput('apply', PlannedItemSchema, travelled(plan));
    expect(stagePlanOf(item)).toEqual(JSON.parse(JSON.stringify(plan)));
  });

  it('refuses a prerequisite without its kind (a plan from before effects were data) and names it', () => {
    const plan = planStage(insecureRest, bindControls(ALL_CONTROLS, BASELINE));
    const old = { ...plan, prerequisites: ['accessLogGroup'] };
    expect(() => parseTaskInput('apply', PlannedItemSchema, travelled(old))).toThrow(InvalidTaskInputError);
    expect(() => parseTaskInput('apply', PlannedItemSchema, travelled(old))).toThrow(
      /apply: the task input does not have the expected shape:[\s\S]*plan\.stagePlan\.prerequisites\[0\]/,
    );
  });

  it('refuses an operation of a kind the core does not know', () => {
    const plan = planStage(insecureRest, bindControls(ALL_CONTROLS, BASELINE));
    const [first, ...rest] = plan.changes;
    const unknown = { ...plan, changes: [{ ...first, operation: { kind: 'deleteStage' } }, ...rest] };
    expect(() => parseTaskInput('update-stage', PlannedItemSchema, travelled(unknown))).toThrow(
      /update-stage: [\s\S]*plan\.stagePlan\.changes\[0\]\.operation/,
    );
  });

  it('refuses a plan without its stage reference', () => {
    const plan = planStage(insecureRest, bindControls(ALL_CONTROLS, BASELINE));
    const withoutRef = Object.fromEntries(Object.entries(plan).filter(([key]) => key !== 'ref'));
    expect(() => parseTaskInput('redeploy', PlannedItemSchema, travelled(withoutRef))).toThrow(
      /plan\.stagePlan\.ref/,
    );
  });
});
