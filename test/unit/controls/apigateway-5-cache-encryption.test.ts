import { describe, expect, it } from 'vitest';
import { apiGateway5CacheEncryption } from '../../../remediators/controls/apigateway-5-cache-encryption.js';
import { expectPlanFixes } from './apply-plan.js';
import { BASELINE, restSnapshot, snapshotOf, testable } from './snapshots.js';

const control = testable(apiGateway5CacheEncryption);

const encryptPatch = (key: string) => ({
  kind: 'restStagePatch',
  op: 'replace',
  path: `/${key}/caching/dataEncrypted`,
  value: 'true',
});

describe('APIGateway.5 cache encryption', () => {
  it.each(['HTTP', 'WEBSOCKET'] as const)('does not apply to %s APIs, which have no cache', (protocol) => {
    const snapshot = snapshotOf(protocol);
    expect(control.evaluate(snapshot, BASELINE).status).toBe('NOT_APPLICABLE');
    expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
  });

  it('passes a stage where nothing caches, even with unencrypted settings', () => {
    const snapshot = restSnapshot({
      stage: { methodSettings: { '*/*': { cachingEnabled: false, cacheDataEncrypted: false } } },
    });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.5',
      status: 'COMPLIANT',
      reason: 'every method with caching enabled encrypts its cache (or none caches)',
    });
    expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
  });

  it('passes when every caching method encrypts', () => {
    const snapshot = restSnapshot({
      stage: {
        cacheClusterEnabled: true,
        methodSettings: {
          '*/*': { cachingEnabled: true, cacheDataEncrypted: true },
          '~1pets/GET': { cachingEnabled: true, cacheDataEncrypted: true },
        },
      },
    });
    expect(control.evaluate(snapshot, BASELINE).status).toBe('COMPLIANT');
  });

  it('encrypts */* when it caches unencrypted; methods inheriting from it need no patch of their own', () => {
    const snapshot = restSnapshot({
      stage: {
        cacheClusterEnabled: true,
        methodSettings: { '*/*': { cachingEnabled: true, cacheDataEncrypted: false }, '~1pets/GET': {} },
      },
    });
    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'methodSettings[*/*].cacheDataEncrypted is false while methodSettings[*/*].cachingEnabled is true; ' +
        'expected true for every method with caching enabled; ' +
        'methodSettings[~1pets/GET].cacheDataEncrypted is not set and inherits false from */* while ' +
        'methodSettings[~1pets/GET].cachingEnabled is true (inherited from */*); expected true for every method with caching enabled',
    );
    expect(control.plan(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.5',
      changes: [
        {
          change: { setting: 'methodSettings[*/*].cacheDataEncrypted', before: false, after: true },
          operation: encryptPatch('*/*'),
        },
      ],
      prerequisites: [],
      redeploy: false,
    });
    expectPlanFixes(control, snapshot, BASELINE);
  });

  it('patches only the per-method overrides that cache unencrypted (partially compliant)', () => {
    const snapshot = restSnapshot({
      stage: {
        cacheClusterEnabled: true,
        methodSettings: {
          '*/*': { cachingEnabled: false, cacheDataEncrypted: true },
          '~1pets/GET': { cachingEnabled: true, cacheDataEncrypted: false },
          '~1pets~1{petId}/GET': { cachingEnabled: true, cacheDataEncrypted: true },
          '~1orders/GET': { cachingEnabled: false, cacheDataEncrypted: false },
        },
      },
    });
    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'methodSettings[~1pets/GET].cacheDataEncrypted is false while methodSettings[~1pets/GET].cachingEnabled is true; ' +
        'expected true for every method with caching enabled',
    );
    expect(control.plan(snapshot, BASELINE).changes).toEqual([
      {
        change: { setting: 'methodSettings[~1pets/GET].cacheDataEncrypted', before: false, after: true },
        operation: encryptPatch('~1pets/GET'),
      },
    ]);
    expectPlanFixes(control, snapshot, BASELINE);
  });

  it('fixes */* when a caching method inherits unencrypted storage from a non-caching */*', () => {
    const snapshot = restSnapshot({
      stage: {
        cacheClusterEnabled: true,
        methodSettings: {
          '*/*': { cachingEnabled: false, cacheDataEncrypted: false },
          '~1pets/GET': { cachingEnabled: true },
          '~1toys/GET': { cachingEnabled: true },
        },
      },
    });
    const plan = control.plan(snapshot, BASELINE);
    // Both methods inherit from */*: one patch at the source fixes both.
    expect(plan.changes).toEqual([
      {
        change: { setting: 'methodSettings[*/*].cacheDataEncrypted', before: false, after: true },
        operation: encryptPatch('*/*'),
      },
    ]);
    expectPlanFixes(control, snapshot, BASELINE);
  });

  it('orders */* before per-method keys whatever revealed it', () => {
    const snapshot = restSnapshot({
      stage: {
        methodSettings: {
          '*/*': {},
          '~1a/GET': { cachingEnabled: true, cacheDataEncrypted: false },
          '~1b/GET': { cachingEnabled: true },
        },
      },
    });
    expect(control.plan(snapshot, BASELINE).changes.map((change) => change.change)).toEqual([
      { setting: 'methodSettings[*/*].cacheDataEncrypted', before: null, after: true },
      { setting: 'methodSettings[~1a/GET].cacheDataEncrypted', before: false, after: true },
    ]);
    expectPlanFixes(control, snapshot, BASELINE);
  });
});
