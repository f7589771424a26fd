import { describe, expect, it } from 'vitest';
import { apiGateway3XRayTracing } from '../../../remediators/controls/apigateway-3-xray-tracing.js';
import { expectPlanFixes } from './apply-plan.js';
import { BASELINE, restSnapshot, snapshotOf, testable } from './snapshots.js';

const control = testable(apiGateway3XRayTracing);

describe('APIGateway.3 X-Ray tracing', () => {
  it.each(['HTTP', 'WEBSOCKET'] as const)('does not apply to %s APIs', (protocol) => {
    const snapshot = snapshotOf(protocol);
    expect(control.evaluate(snapshot, BASELINE).status).toBe('NOT_APPLICABLE');
    expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
  });

  it('passes a REST stage with tracing on', () => {
    const snapshot = restSnapshot({ stage: { tracingEnabled: true } });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.3',
      status: 'COMPLIANT',
      reason: 'X-Ray tracing is enabled (tracingEnabled is true)',
    });
    expect(control.plan(snapshot, BASELINE).changes).toEqual([]);
  });

  it('turns tracing on with one stage patch and no redeploy', () => {
    const snapshot = restSnapshot({ stage: { tracingEnabled: false } });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.3',
      status: 'NON_COMPLIANT',
      reason: 'tracingEnabled is false; expected true so requests are traced with AWS X-Ray',
    });
    expect(control.plan(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.3',
      changes: [
        {
          change: { setting: 'tracingEnabled', before: false, after: true },
          operation: { kind: 'restStagePatch', op: 'replace', path: '/tracingEnabled', value: 'true' },
        },
      ],
      prerequisites: [],
      redeploy: false,
    });
    expectPlanFixes(control, snapshot, BASELINE);
  });
});
