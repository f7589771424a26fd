import { describe, expect, it } from 'vitest';
import { apiGateway11DomainTlsPolicy } from '../../../remediators/controls/apigateway-11-domain-tls-policy.js';
import { expectReportedNotChanged } from './apply-plan.js';
import { BASELINE, mapping, restSnapshot, v2Snapshot, testable } from './snapshots.js';

const control = testable(apiGateway11DomainTlsPolicy);

describe('APIGateway.11 custom domain TLS policy (report only)', () => {
  it('passes when no custom domain maps the API', () => {
    expect(control.evaluate(restSnapshot({ customDomains: [] }), BASELINE)).toEqual({
      controlId: 'APIGateway.11',
      status: 'COMPLIANT',
      reason: 'no custom domain maps this API; the execute-api endpoint uses the TLS policy AWS sets',
    });
  });

  it.each(['REST', 'HTTP', 'WEBSOCKET'] as const)('passes %s APIs behind TLS 1.2+ domains', (protocol) => {
    const customDomains = [
      mapping('api.example.com', 'TLS_1_2'),
      mapping('pq.example.com', 'SecurityPolicy_TLS13_1_3_2025_09'),
    ];
    const snapshot =
      protocol === 'REST' ? restSnapshot({ customDomains }) : v2Snapshot(protocol, { customDomains });
    expect(control.evaluate(snapshot, BASELINE).reason).toBe(
      'every custom domain mapping this API uses TLS 1.2 or later (api.example.com: TLS_1_2, pq.example.com: SecurityPolicy_TLS13_1_3_2025_09)',
    );
  });

  it('reports each TLS_1_0 domain once, however many base paths map the API', () => {
    const snapshot = v2Snapshot('HTTP', {
      customDomains: [
        mapping('legacy.example.com', 'TLS_1_0', 'v1'),
        mapping('legacy.example.com', 'TLS_1_0', 'v2'),
        mapping('api.example.com', 'TLS_1_2'),
      ],
    });
    expectReportedNotChanged(
      control,
      snapshot,
      BASELINE,
      'custom domain legacy.example.com uses security policy TLS_1_0, which accepts TLS 1.0 and 1.1; ' +
        'expected TLS_1_2 or a SecurityPolicy_TLS13_* policy',
    );
  });
});
