import { describe, expect, it } from 'vitest';
import { baselineDefaultEndpoint } from '../../../remediators/controls/baseline-default-endpoint.js';
import { expectPlanFixes } from './apply-plan.js';
import { BASELINE, mapping, restSnapshot, v2Snapshot, testable } from './snapshots.js';

const control = testable(baselineDefaultEndpoint);

describe('Baseline.DefaultEndpoint', () => {
  it('leaves the default endpoint enabled when no custom domain maps the API: it is the only way in', () => {
    const snapshot = restSnapshot({ customDomains: [] });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'Baseline.DefaultEndpoint',
      status: 'COMPLIANT',
      reason:
        'no custom domain maps this API, so the default execute-api endpoint is the only way in and stays enabled',
    });
    expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
  });

  it('passes an API whose default endpoint is already disabled', () => {
    const snapshot = v2Snapshot('HTTP', {
      api: { disableExecuteApiEndpoint: true },
      customDomains: [mapping('api.example.com')],
    });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'Baseline.DefaultEndpoint',
      status: 'COMPLIANT',
      reason: 'the default execute-api endpoint is disabled',
    });
  });

  it('disables a REST API default endpoint behind a custom domain without a deployment', () => {
    const snapshot = restSnapshot({
      customDomains: [
        mapping('api.example.com', 'TLS_1_2', 'v1'),
        mapping('api.example.com', 'TLS_1_2', 'v2'),
        mapping('pets.example.org'),
      ],
    });
    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'disableExecuteApiEndpoint is false while custom domains api.example.com, pets.example.org map this API, ' +
        'so clients can bypass the domain through execute-api; expected true',
    );
    expect(control.plan(snapshot, BASELINE)).toEqual({
      controlId: 'Baseline.DefaultEndpoint',
      changes: [
        {
          change: { setting: 'disableExecuteApiEndpoint', before: false, after: true },
          operation: {
            kind: 'restApiPatch',
            op: 'replace',
            path: '/disableExecuteApiEndpoint',
            value: 'true',
          },
        },
      ],
      prerequisites: [],
      redeploy: false,
    });
    expectPlanFixes(control, snapshot, BASELINE);
  });

  it.each(['HTTP', 'WEBSOCKET'] as const)(
    'disables a %s API default endpoint and, without autoDeploy, lists the deployment as a change',
    (protocol) => {
      const snapshot = v2Snapshot(protocol, {
        stage: { autoDeploy: false, deploymentId: 'dep123' },
        customDomains: [mapping('api.example.com')],
      });
      expect(control.plan(snapshot, BASELINE)).toEqual({
        controlId: 'Baseline.DefaultEndpoint',
        changes: [
          {
            change: { setting: 'disableExecuteApiEndpoint', before: false, after: true },
            operation: { kind: 'v2ApiUpdate', field: 'DisableExecuteApiEndpoint', value: true },
          },
          {
            change: {
              setting: 'deployment',
              before: 'dep123',
              after: "publishes the API's current definition",
            },
            operation: { kind: 'createDeployment' },
          },
        ],
        prerequisites: [],
        redeploy: true,
      });
      expectPlanFixes(control, snapshot, BASELINE);
    },
  );

  it('disables an auto-deploy HTTP API default endpoint without a deployment', () => {
    const snapshot = v2Snapshot('HTTP', {
      stage: { autoDeploy: true },
      customDomains: [mapping('api.example.com')],
    });
    expect(control.plan(snapshot, BASELINE)).toEqual({
      controlId: 'Baseline.DefaultEndpoint',
      changes: [
        {
          change: { setting: 'disableExecuteApiEndpoint', before: false, after: true },
          operation: { kind: 'v2ApiUpdate', field: 'DisableExecuteApiEndpoint', value: true },
        },
      ],
      prerequisites: [],
      redeploy: false,
    });
    expectPlanFixes(control, snapshot, BASELINE);
  });

  it('refuses to decide without the customDomains part rather than guess "no custom domain"', () => {
    const snapshot = restSnapshot();
    expect(() => control.evaluate(snapshot, BASELINE)).toThrow(
      "Baseline.DefaultEndpoint needs the 'customDomains' part of stage a1b2c3d4e5/prod, but the snapshot has only [stage, api]",
    );
  });
});
