import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CATALOG,
  baselineControlIds,
  controlsFor,
  CONTROL_IDS,
  getControl,
} from '../../../remediators/controls/catalog.js';
import { snapshotPartsFor } from '../../../remediators/core/parts.js';
import { NO_PARAMS, defineControl, protocolOf } from '../../../remediators/controls/define-control.js';
import type {
  ControlId,
  Protocol,
  RestMethodSettings,
  StageSnapshot,
  V2RouteSettings,
} from '../../../remediators/core/types.js';
import { applyPlan } from './apply-plan.js';
import { BASELINE, PROTOCOLS, mapping, restSnapshot, snapshotOf, testable, v2Snapshot } from './snapshots.js';

const CONTROLS = CATALOG.map(testable);

const REST_BASELINE: ControlId[] = [
  'APIGateway.1',
  'APIGateway.3',
  'APIGateway.4',
  'APIGateway.5',
  'Baseline.RestAccessLogging',
  'Baseline.StageThrottling',
  'Baseline.DefaultEndpoint',
  'APIGateway.2',
  'APIGateway.11',
];
const HTTP_BASELINE: ControlId[] = [
  'APIGateway.9',
  'Baseline.StageThrottling',
  'Baseline.DefaultEndpoint',
  'APIGateway.8',
  'APIGateway.10',
  'APIGateway.11',
];
const WEBSOCKET_BASELINE: ControlId[] = [
  'APIGateway.1',
  'APIGateway.9',
  'Baseline.StageThrottling',
  'Baseline.DefaultEndpoint',
  'APIGateway.8',
  'APIGateway.11',
];

function idsOf(controls: readonly { readonly id: ControlId }[]): ControlId[] {
  return controls.map((control) => control.id);
}

/** What the shell does for one stage: plan every control, apply all changes, re-evaluate. */
function remediateAll(snapshot: StageSnapshot): StageSnapshot {
  return CONTROLS.reduce((current, control) => applyPlan(current, control.plan(current, BASELINE)), snapshot);
}

function expectBaselineMet(snapshot: StageSnapshot): void {
  for (const control of CONTROLS.filter((candidate) => candidate.kind === 'fixing')) {
    expect(control.evaluate(snapshot, BASELINE).status, control.id).not.toBe('NON_COMPLIANT');
    expect(control.plan(snapshot, BASELINE).changes, control.id).toEqual([]);
  }
}

describe('catalog', () => {
  it('holds all 12 controls once, in the order of CONTROL_IDS', () => {
    expect(idsOf(CATALOG)).toEqual([...CONTROL_IDS]);
  });

  it('marks exactly the report-only controls as report', () => {
    const reportOnly = CATALOG.filter((control) => control.kind === 'reporting').map((control) => control.id);
    expect(reportOnly).toEqual(['APIGateway.2', 'APIGateway.8', 'APIGateway.10', 'APIGateway.11']);
  });

  it('finds every control by id and names the known ids for an unknown one', () => {
    for (const id of CONTROL_IDS) expect(getControl(id).id).toBe(id);
    expect(() => getControl('APIGateway.6' as ControlId)).toThrow(
      `unknown control id "APIGateway.6"; expected one of ${CONTROL_IDS.join(', ')}`,
    );
  });

  it('gives the whole baseline per protocol', () => {
    expect(idsOf(controlsFor('REST'))).toEqual(REST_BASELINE);
    expect(idsOf(controlsFor('HTTP'))).toEqual(HTTP_BASELINE);
    expect(idsOf(controlsFor('WEBSOCKET'))).toEqual(WEBSOCKET_BASELINE);
  });

  it('gives CloudTrail drift on a V2 API the union of the HTTP and WebSocket baselines', () => {
    expect(baselineControlIds('REST')).toEqual(REST_BASELINE);
    expect(baselineControlIds('V2')).toEqual([
      'APIGateway.1',
      'APIGateway.9',
      'Baseline.StageThrottling',
      'Baseline.DefaultEndpoint',
      'APIGateway.8',
      'APIGateway.10',
      'APIGateway.11',
    ]);
  });

  it('reads stage and api always, plus the union of what the controls need, in a fixed order', () => {
    expect(snapshotPartsFor([])).toEqual(['stage', 'api']);
    expect(snapshotPartsFor([getControl('APIGateway.3')])).toEqual(['stage', 'api']);
    expect(snapshotPartsFor([getControl('APIGateway.8'), getControl('APIGateway.1')])).toEqual([
      'stage',
      'api',
      'account',
      'routes',
    ]);
    expect(snapshotPartsFor(CATALOG)).toEqual([
      'stage',
      'api',
      'account',
      'customDomains',
      'routes',
      'integrations',
    ]);
  });

  it.each(PROTOCOLS)(
    'evaluates every control that does not apply to %s as NOT_APPLICABLE with an empty plan',
    (protocol) => {
      const snapshot = snapshotOf(protocol);
      for (const control of CONTROLS.filter((candidate) => !candidate.appliesTo.includes(protocol))) {
        expect(control.evaluate(snapshot, BASELINE).status, control.id).toBe('NOT_APPLICABLE');
        expect(control.plan(snapshot, BASELINE), control.id).toEqual({
          controlId: control.id,
          changes: [],
          prerequisites: [],
          redeploy: false,
        });
      }
    },
  );

  it.each(PROTOCOLS)(
    'brings an insecure %s stage behind a custom domain to the baseline, then plans nothing',
    (protocol) => {
      const parts = { customDomains: [mapping('api.example.com')], account: {} };
      // As API Gateway creates it, plus (REST) a cache that stores responses unencrypted.
      const insecure: StageSnapshot =
        protocol === 'REST'
          ? restSnapshot({
              ...parts,
              stage: {
                cacheClusterEnabled: true,
                methodSettings: { '*/*': { cachingEnabled: true, cacheDataEncrypted: false } },
              },
            })
          : v2Snapshot(protocol, { ...parts, routes: [], integrations: [] });
      const failing = CONTROLS.filter(
        (control) =>
          control.kind === 'fixing' && control.evaluate(insecure, BASELINE).status === 'NON_COMPLIANT',
      );
      expect(idsOf(failing)).toEqual(
        idsOf(controlsFor(protocol).filter((control) => control.kind === 'fixing')),
      );
      expectBaselineMet(remediateAll(insecure));
    },
  );

  it('plans purely: the same snapshot gives the same plan and is never modified', () => {
    const snapshot = restSnapshot({
      customDomains: [mapping('api.example.com')],
      stage: { methodSettings: { '*/*': { loggingLevel: 'OFF', cachingEnabled: true } } },
    });
    const before = structuredClone(snapshot);
    const plans = CONTROLS.map((control) => control.plan(snapshot, BASELINE));
    expect(CONTROLS.map((control) => control.plan(snapshot, BASELINE))).toEqual(plans);
    expect(snapshot).toEqual(before);
  });
});

describe('define-control', () => {
  it('refuses a V2 snapshot without the api part: only GetApi tells HTTP from WebSocket', () => {
    const withoutApi: StageSnapshot = { ...v2Snapshot('HTTP'), api: undefined, parts: ['stage'] };
    expect(() => protocolOf(withoutApi)).toThrow(
      "V2 stage z9y8x7w6v5/live: the snapshot has parts [stage] but no 'api'; the protocol (HTTP or WEBSOCKET) " +
        'is read from GetApi, so the snapshot must include the api part',
    );
  });

  it('refuses a control that applies to a protocol it cannot inspect', () => {
    expect(() =>
      defineControl({
        id: 'APIGateway.3',
        title: 'incomplete',
        appliesTo: ['REST', 'HTTP'],
        kind: 'reporting',
        defaultMode: 'notify',
        params: NO_PARAMS,
        needs: ['stage'],
        inspectRest: () => ({ compliant: true, reason: 'ok' }),
      }),
    ).toThrow('APIGateway.3 applies to [REST, HTTP] but lacks an inspector for one of them');
  });
});

describe('any stage settings (property)', () => {
  const limit = fc.oneof(
    fc.constant(undefined),
    fc.constant(-1),
    fc.constant(0),
    fc.integer({ min: 1, max: 20_000 }),
  );
  const level = fc.constantFrom(undefined, 'OFF', 'ERROR', 'INFO');
  const flag = fc.constantFrom(undefined, true, false);
  const methodSettings: fc.Arbitrary<RestMethodSettings> = fc.record(
    {
      loggingLevel: level,
      throttlingRateLimit: limit,
      throttlingBurstLimit: limit,
      cachingEnabled: flag,
      cacheDataEncrypted: flag,
    },
    { requiredKeys: [] },
  );
  const routeSettings: fc.Arbitrary<V2RouteSettings> = fc.record(
    { loggingLevel: level, throttlingRateLimit: limit, throttlingBurstLimit: limit },
    { requiredKeys: [] },
  );
  const methodKey = fc.constantFrom('*/*', '~1pets/GET', '~1pets~1{petId}/DELETE', '~1orders/POST');
  const routeKey = fc.constantFrom('$connect', '$default', 'GET /orders', 'sendmessage');

  it('never plans a throttle of 0 away and never calls 0 "no limit" (Baseline.StageThrottling)', () => {
    const throttling = testable(getControl('Baseline.StageThrottling'));
    fc.assert(
      fc.property(
        fc.dictionary(methodKey, methodSettings),
        routeSettings,
        fc.dictionary(routeKey, routeSettings),
        (methods, defaults, routes) => {
          const snapshots = [
            restSnapshot({ stage: { methodSettings: methods } }),
            v2Snapshot('HTTP', { stage: { defaultRouteSettings: defaults, routeSettings: routes } }),
          ];
          for (const snapshot of snapshots) {
            const { changes } = throttling.plan(snapshot, BASELINE);
            expect(changes.filter(({ change }) => change.before === 0)).toEqual([]);
            for (const { change } of changes) expect(change.after).toBeGreaterThan(0);
            expect(throttling.evaluate(snapshot, BASELINE).reason).not.toMatch(/no limit/);
          }
        },
      ),
    );
  });

  it('REST: one pass of every plan meets the baseline and a second pass changes nothing', () => {
    fc.assert(
      fc.property(fc.dictionary(methodKey, methodSettings), fc.boolean(), (settings, tracing) => {
        const snapshot = restSnapshot({
          customDomains: [],
          account: {},
          stage: { methodSettings: settings, tracingEnabled: tracing },
        });
        expectBaselineMet(remediateAll(snapshot));
      }),
    );
  });

  it.each(['HTTP', 'WEBSOCKET'] as Exclude<Protocol, 'REST'>[])(
    '%s: one pass of every plan meets the baseline and a second pass changes nothing',
    (protocol) => {
      fc.assert(
        fc.property(routeSettings, fc.dictionary(routeKey, routeSettings), (defaults, routes) => {
          const snapshot = v2Snapshot(protocol, {
            customDomains: [mapping('api.example.com')],
            routes: [],
            integrations: [],
            stage: { defaultRouteSettings: defaults, routeSettings: routes },
          });
          expectBaselineMet(remediateAll(snapshot));
        }),
      );
    },
  );
});
