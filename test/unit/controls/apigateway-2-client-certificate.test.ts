import { describe, expect, it } from 'vitest';
import { apiGateway2ClientCertificate } from '../../../remediators/controls/apigateway-2-client-certificate.js';
import { expectReportedNotChanged } from './apply-plan.js';
import { BASELINE, restSnapshot, snapshotOf, testable } from './snapshots.js';

const control = testable(apiGateway2ClientCertificate);

describe('APIGateway.2 client certificate (report only)', () => {
  it.each(['HTTP', 'WEBSOCKET'] as const)('does not apply to %s APIs', (protocol) => {
    expect(control.evaluate(snapshotOf(protocol), BASELINE).status).toBe('NOT_APPLICABLE');
  });

  it('passes a REST stage with a client certificate', () => {
    expect(control.evaluate(restSnapshot({ stage: { clientCertificateId: 'q1w2e3' } }), BASELINE)).toEqual({
      controlId: 'APIGateway.2',
      status: 'COMPLIANT',
      reason: 'the stage presents client certificate q1w2e3 to its backend',
    });
  });

  it('reports a REST stage without one and plans nothing', () => {
    expectReportedNotChanged(
      control,
      restSnapshot(),
      BASELINE,
      'clientCertificateId is not set, so the backend cannot verify that requests come from API Gateway; ' +
        'generate a client certificate, configure the backend to trust it, then attach it to the stage',
    );
  });
});
