/**
 * The edges defineControl decides once for every control (issue 16): applicability and its reason,
 * the reason of a pass and of a failure, report-only controls, empty plans, deployments and
 * declared effects. The controls here are made up, so each test shows one rule and nothing else.
 */
import { describe, expect, it } from 'vitest';
import {
  NO_PARAMS,
  defineControl,
  inspectionOf,
  protocolOf,
  requirePart,
  type Inspection,
} from '../../../remediators/controls/define-control.js';
import type { UndoStep } from '../../../remediators/controls/undo.js';
import type { EffectKind } from '../../../remediators/core/effects/index.js';
import { planStage } from '../../../remediators/core/plan.js';
import type { PlannedChange, StageSnapshot } from '../../../remediators/core/types.js';
import { BASELINE, CLOUDWATCH_ROLE_EFFECT, restSnapshot, v2Snapshot } from './snapshots.js';

const TRACING: PlannedChange = {
  change: { setting: 'tracingEnabled', before: false, after: true },
  operation: { kind: 'restStagePatch', op: 'replace', path: '/tracingEnabled', value: 'true' },
};
const FAILING: Inspection = {
  compliant: false,
  problems: ['tracing is off', 'it should be on'],
  changes: [TRACING],
};
const STATEMENT = { sid: 'Tracing', actions: ['apigateway:PATCH'], resources: ['*'] };
const DOCS = { redeploy: 'no', prerequisites: '—' };
const FIX = { cloudFormation: 'TracingEnabled: true', cdk: 'tracingEnabled: true', terraform: 'xray = true' };
const SOURCE_FIX = { REST: FIX, HTTP: FIX };

function fixing(
  inspection: Inspection,
  extra: {
    redeploy?: (snapshot: StageSnapshot) => boolean;
    prerequisites?: () => (typeof CLOUDWATCH_ROLE_EFFECT)[];
  } = {},
  effects: readonly EffectKind[] = [],
) {
  return defineControl({
    id: 'APIGateway.3',
    title: 'tracing',
    appliesTo: ['REST', 'HTTP'],
    kind: 'fixing',
    defaultMode: 'auto',
    params: NO_PARAMS,
    needs: ['stage'],
    effects,
    iam: () => [STATEMENT],
    docs: DOCS,
    undo: () => undefined,
    sourceFix: SOURCE_FIX,
    inspectRest: () => inspection,
    inspectV2: () => inspection,
    ...extra,
  });
}

/** Made inside each test: Stryker credits a mutant only to the tests during which its code ran. */
const reporting = () =>
  defineControl({
    id: 'APIGateway.11',
    title: 'report only',
    appliesTo: ['REST'],
    kind: 'reporting',
    defaultMode: 'notify',
    params: NO_PARAMS,
    needs: ['stage'],
    inspectRest: () => FAILING,
  });

const bound = (entry: ReturnType<typeof fixing> | ReturnType<typeof reporting>) =>
  entry.bind({}, BASELINE.resources);

describe('defineControl: report-only controls', () => {
  it('a report-only control never plans a change, even when its inspection lists one', () => {
    expect(bound(reporting()).plan(restSnapshot())).toStrictEqual({
      controlId: 'APIGateway.11',
      changes: [],
      prerequisites: [],
      redeploy: false,
    });
  });

  it('a report-only control adds nothing to the stage plan', () => {
    const plan = planStage(restSnapshot(), [bound(reporting())]);

    expect(plan.changes).toStrictEqual([]);
    expect(plan).toMatchObject({ stagePatchOperations: [], apiPatchOperations: [], associateWebAcl: false });
  });

  it('a report-only control still reports the stage as NON_COMPLIANT with its problems', () => {
    expect(bound(reporting()).evaluate(restSnapshot())).toStrictEqual({
      controlId: 'APIGateway.11',
      status: 'NON_COMPLIANT',
      reason: 'tracing is off; it should be on',
    });
  });

  it('a report-only control has no IAM statements, effects or docs row', () => {
    expect(
      reporting().iam({ partition: 'aws', account: '111122223333', resources: BASELINE.resources }),
    ).toStrictEqual([]);
    expect(reporting().effects).toStrictEqual([]);
    expect(reporting().docs).toBeUndefined();
  });
});

describe('defineControl: fixing controls', () => {
  it('a compliant stage is COMPLIANT with the inspection reason and plans nothing', () => {
    const control = bound(fixing({ compliant: true, reason: 'tracing is on' }));

    expect(control.evaluate(restSnapshot())).toStrictEqual({
      controlId: 'APIGateway.3',
      status: 'COMPLIANT',
      reason: 'tracing is on',
    });
    expect(control.plan(restSnapshot())).toStrictEqual({
      controlId: 'APIGateway.3',
      changes: [],
      prerequisites: [],
      redeploy: false,
    });
  });

  it('a failing inspection without changes plans nothing and asks for no prerequisites or deployment', () => {
    const asked: string[] = [];
    const control = bound(
      fixing(
        { compliant: false, problems: ['x'], changes: [] },
        {
          redeploy: () => (asked.push('redeploy'), true),
          prerequisites: () => (asked.push('prerequisites'), [CLOUDWATCH_ROLE_EFFECT]),
        },
        ['accountCloudWatchRole'],
      ),
    );

    expect(control.plan(restSnapshot())).toStrictEqual({
      controlId: 'APIGateway.3',
      changes: [],
      prerequisites: [],
      redeploy: false,
    });
    expect(asked).toStrictEqual([]);
  });

  it('plans the inspection changes without a deployment when redeploy is not defined', () => {
    expect(bound(fixing(FAILING)).plan(restSnapshot())).toStrictEqual({
      controlId: 'APIGateway.3',
      changes: [TRACING],
      prerequisites: [],
      redeploy: false,
    });
  });

  it('appends a deployment change, from the current deployment id, when the control needs a redeploy', () => {
    const control = bound(fixing(FAILING, { redeploy: () => true }));

    expect(control.plan(v2Snapshot('HTTP'))).toStrictEqual({
      controlId: 'APIGateway.3',
      changes: [
        TRACING,
        {
          change: {
            setting: 'deployment',
            before: 'def456',
            after: "publishes the API's current definition",
          },
          operation: { kind: 'createDeployment' },
        },
      ],
      prerequisites: [],
      redeploy: true,
    });
  });

  it('a deployment of a stage that has none yet starts from null', () => {
    const control = bound(fixing(FAILING, { redeploy: () => true }));
    const snapshot = v2Snapshot('HTTP', { stage: { deploymentId: undefined } });

    expect(control.plan(snapshot).changes.at(-1)?.change.before).toBeNull();
  });

  it('adds no deployment when redeploy says no', () => {
    expect(bound(fixing(FAILING, { redeploy: () => false })).plan(restSnapshot()).changes).toStrictEqual([
      TRACING,
    ]);
  });

  it('plans the prerequisites a control declares', () => {
    const control = bound(
      fixing(FAILING, { prerequisites: () => [CLOUDWATCH_ROLE_EFFECT] }, ['accountCloudWatchRole']),
    );

    expect(control.plan(restSnapshot()).prerequisites).toStrictEqual([CLOUDWATCH_ROLE_EFFECT]);
  });

  it('refuses a prerequisite whose effect the control does not declare: its IAM would be missing', () => {
    const control = bound(fixing(FAILING, { prerequisites: () => [CLOUDWATCH_ROLE_EFFECT] }));

    expect(() => control.plan(restSnapshot())).toThrow(
      new Error('APIGateway.3 asked for accountCloudWatchRole but declares only the effects []'),
    );
  });

  it('lists every undeclared effect and every declared one when it refuses', () => {
    const control = bound(
      fixing(FAILING, { prerequisites: () => [CLOUDWATCH_ROLE_EFFECT, CLOUDWATCH_ROLE_EFFECT] }, [
        'accessLogGroup',
        'webAcl',
      ]),
    );

    expect(() => control.plan(restSnapshot())).toThrow(
      new Error(
        'APIGateway.3 asked for accountCloudWatchRole, accountCloudWatchRole but declares only the effects [accessLogGroup, webAcl]',
      ),
    );
  });

  it('exposes its IAM statements, declared effects and docs row', () => {
    const entry = fixing(FAILING, {}, ['accountCloudWatchRole']);

    expect(
      entry.iam({ partition: 'aws', account: '111122223333', resources: BASELINE.resources }),
    ).toStrictEqual([STATEMENT]);
    expect(entry.effects).toStrictEqual(['accountCloudWatchRole']);
    expect(entry.docs).toStrictEqual(DOCS);
  });

  it('declares no effects when the definition lists none', () => {
    const entry = defineControl({
      id: 'APIGateway.3',
      title: 't',
      appliesTo: ['REST'],
      kind: 'fixing',
      defaultMode: 'auto',
      params: NO_PARAMS,
      needs: ['stage'],
      iam: () => [],
      docs: DOCS,
      undo: () => undefined,
      sourceFix: { REST: FIX },
      inspectRest: () => FAILING,
    });
    expect(entry.effects).toStrictEqual([]);
  });
});

describe('defineControl: the source fix (docs/decisions/0029)', () => {
  it('refuses a fixing control without a source fix for a protocol it applies to, naming it', () => {
    expect(() =>
      defineControl({
        id: 'APIGateway.3',
        title: 't',
        appliesTo: ['REST', 'HTTP'],
        kind: 'fixing',
        defaultMode: 'auto',
        params: NO_PARAMS,
        needs: ['stage'],
        iam: () => [],
        docs: DOCS,
        undo: () => undefined,
        sourceFix: { REST: FIX },
        inspectRest: () => FAILING,
        inspectV2: () => FAILING,
      }),
    ).toThrow('APIGateway.3 applies to [REST, HTTP] but declares no source fix for HTTP');
  });

  it('names every protocol without a source fix, joined by commas', () => {
    expect(() =>
      defineControl({
        id: 'Baseline.StageThrottling',
        title: 't',
        appliesTo: ['REST', 'HTTP', 'WEBSOCKET'],
        kind: 'fixing',
        defaultMode: 'auto',
        params: NO_PARAMS,
        needs: ['stage'],
        iam: () => [],
        docs: DOCS,
        undo: () => undefined,
        sourceFix: { REST: FIX },
        inspectRest: () => FAILING,
        inspectV2: () => FAILING,
      }),
    ).toThrow(
      'Baseline.StageThrottling applies to [REST, HTTP, WEBSOCKET] but declares no source fix for HTTP, WEBSOCKET',
    );
  });

  it('keeps the source fix of a fixing control and has none for a reporting one', () => {
    expect(fixing(FAILING).sourceFix).toStrictEqual(SOURCE_FIX);
    expect(reporting().sourceFix).toBeUndefined();
  });
});

describe('defineControl: applicability', () => {
  it('a control is NOT_APPLICABLE on a protocol it does not apply to, naming the one it applies to', () => {
    expect(bound(reporting()).evaluate(v2Snapshot('WEBSOCKET'))).toStrictEqual({
      controlId: 'APIGateway.11',
      status: 'NOT_APPLICABLE',
      reason: "APIGateway.11 applies only to REST stages; this stage's API protocol is WEBSOCKET",
    });
  });

  it('names several protocols as a list ending in "and"', () => {
    const control = bound(fixing(FAILING));

    expect(control.evaluate(v2Snapshot('WEBSOCKET')).reason).toBe(
      "APIGateway.3 applies only to REST and HTTP stages; this stage's API protocol is WEBSOCKET",
    );
  });

  it('names three protocols with commas and "and"', () => {
    const control = defineControl({
      id: 'APIGateway.3',
      title: 't',
      appliesTo: ['REST', 'HTTP', 'WEBSOCKET'],
      kind: 'reporting',
      defaultMode: 'notify',
      params: NO_PARAMS,
      needs: ['stage'],
      inspectRest: () => FAILING,
      inspectV2: () => FAILING,
    }).bind({}, BASELINE.resources);
    // A protocol none of the three: the list names all of them.
    const other = v2Snapshot('HTTP', { api: { protocol: 'GRPC' as unknown as 'HTTP' } });

    expect(control.evaluate(other).reason).toBe(
      "APIGateway.3 applies only to REST, HTTP and WEBSOCKET stages; this stage's API protocol is GRPC",
    );
  });

  it('plans nothing on a protocol it does not apply to', () => {
    expect(bound(fixing(FAILING)).plan(v2Snapshot('WEBSOCKET'))).toStrictEqual({
      controlId: 'APIGateway.3',
      changes: [],
      prerequisites: [],
      redeploy: false,
    });
  });

  it('refuses a control that applies to REST without a REST inspector', () => {
    expect(() =>
      defineControl({
        id: 'APIGateway.3',
        title: 't',
        appliesTo: ['REST'],
        kind: 'reporting',
        defaultMode: 'notify',
        params: NO_PARAMS,
        needs: ['stage'],
        inspectV2: () => FAILING,
      }),
    ).toThrow('APIGateway.3 applies to [REST] but lacks an inspector for one of them');
  });

  it('refuses a control that applies to a V2 protocol without a V2 inspector', () => {
    expect(() =>
      defineControl({
        id: 'APIGateway.3',
        title: 't',
        appliesTo: ['WEBSOCKET'],
        kind: 'reporting',
        defaultMode: 'notify',
        params: NO_PARAMS,
        needs: ['stage'],
        inspectRest: () => FAILING,
      }),
    ).toThrow('APIGateway.3 applies to [WEBSOCKET] but lacks an inspector for one of them');
  });

  it('passes the V2 inspector the protocol of the stage', () => {
    const seen: string[] = [];
    defineControl({
      id: 'APIGateway.3',
      title: 't',
      appliesTo: ['WEBSOCKET'],
      kind: 'reporting',
      defaultMode: 'notify',
      params: NO_PARAMS,
      needs: ['stage'],
      inspectV2: (_snapshot, _context, protocol) => (seen.push(protocol), { compliant: true, reason: 'ok' }),
    })
      .bind({}, BASELINE.resources)
      .evaluate(v2Snapshot('WEBSOCKET'));

    expect(seen).toStrictEqual(['WEBSOCKET']);
  });
});

describe('define-control helpers', () => {
  it('inspectionOf passes with the reason when nothing failed, and fails with problems and changes otherwise', () => {
    expect(inspectionOf([], [TRACING], 'fine')).toStrictEqual({ compliant: true, reason: 'fine' });
    expect(inspectionOf(['bad'], [TRACING], 'fine')).toStrictEqual({
      compliant: false,
      problems: ['bad'],
      changes: [TRACING],
    });
  });

  it('protocolOf reads REST from the API type and HTTP or WEBSOCKET from the api part', () => {
    expect(protocolOf(restSnapshot())).toBe('REST');
    expect(protocolOf({ ...restSnapshot(), api: undefined } as unknown as StageSnapshot)).toBe('REST');
    expect(protocolOf(v2Snapshot('WEBSOCKET'))).toBe('WEBSOCKET');
  });

  it('protocolOf refuses a V2 snapshot without the api part, listing the parts it has', () => {
    const withoutApi = { ...v2Snapshot('HTTP', { account: {} }), api: undefined };
    expect(() => protocolOf(withoutApi as unknown as StageSnapshot)).toThrow(
      new Error(
        "V2 stage z9y8x7w6v5/live: the snapshot has parts [stage, api, account] but no 'api'; " +
          'the protocol (HTTP or WEBSOCKET) is read from GetApi, so the snapshot must include the api part',
      ),
    );
  });

  it('requirePart returns a part that was read and refuses one that was not, naming the control and part', () => {
    const snapshot = restSnapshot();
    expect(requirePart('APIGateway.3', snapshot, 'account', {})).toStrictEqual({});
    expect(() => requirePart('APIGateway.3', snapshot, 'account', undefined)).toThrow(
      new Error(
        `APIGateway.3 needs the 'account' part of stage ${snapshot.ref.apiId}/${snapshot.ref.stageName}, but the snapshot has only [${snapshot.parts.join(', ')}]`,
      ),
    );
  });
});

describe('defineControl: undo (controls/undo.ts)', () => {
  const STEP: UndoStep = {
    current: null,
    holds: () => true,
    restore: () => ({ possible: false, why: 'no' }),
  };

  it('an undo reads the stage, then the parts its control declares', () => {
    expect(fixing(FAILING).undoNeeds).toStrictEqual(['stage']);
    const withApi = defineControl({
      id: 'APIGateway.3',
      title: 't',
      appliesTo: ['REST'],
      kind: 'fixing',
      defaultMode: 'auto',
      params: NO_PARAMS,
      needs: ['stage'],
      iam: () => [],
      docs: DOCS,
      undo: () => undefined,
      undoNeeds: ['api'],
      sourceFix: { REST: FIX },
      inspectRest: () => FAILING,
    });
    expect(withApi.undoNeeds).toStrictEqual(['stage', 'api']);
  });

  it('a report-only control reads nothing to undo and has no undo (it changes nothing)', () => {
    expect(reporting().undoNeeds).toStrictEqual([]);
    expect(reporting().bindUndo({}, BASELINE.resources)).toBeUndefined();
  });

  it('the bound undo passes the setting, the snapshot and the control’s parameters and resources', () => {
    const calls: unknown[][] = [];
    const entry = defineControl({
      id: 'APIGateway.3',
      title: 't',
      appliesTo: ['REST'],
      kind: 'fixing',
      defaultMode: 'auto',
      params: NO_PARAMS,
      needs: ['stage'],
      iam: () => [],
      docs: DOCS,
      undo: (...args) => {
        calls.push(args);
        return STEP;
      },
      sourceFix: { REST: FIX },
      inspectRest: () => FAILING,
    });
    const snapshot = restSnapshot();
    const undo = entry.bindUndo({}, BASELINE.resources);
    expect(undo?.('tracingEnabled', snapshot)).toBe(STEP);
    expect(calls).toStrictEqual([
      ['tracingEnabled', snapshot, { params: {}, resources: BASELINE.resources }],
    ]);
  });
});
