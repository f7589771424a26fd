/**
 * The order of what a report-only control lists is part of its contract (issue 16): the reason is
 * written into notes and notifications, so it lists in code-point order, not in the order AWS
 * returned the items.
 */
import { describe, expect, it } from 'vitest';
import { apiGateway8RouteAuthorization } from '../../../remediators/controls/apigateway-8-route-authorization.js';
import { apiGateway10PrivateIntegrationHttps } from '../../../remediators/controls/apigateway-10-private-integration-https.js';
import { apiGateway11DomainTlsPolicy } from '../../../remediators/controls/apigateway-11-domain-tls-policy.js';
import { BASELINE, mapping, restSnapshot, testable, v2Snapshot } from './snapshots.js';

describe('report-only controls list in a stable order', () => {
  it('APIGateway.10 lists private integrations by integration id whatever order they were read in', () => {
    const integration = (integrationId: string) => ({
      integrationId,
      connectionType: 'VPC_LINK' as const,
      tlsConfigured: true,
    });
    const snapshot = v2Snapshot('HTTP', { integrations: [integration('zz99'), integration('aa11')] });

    expect(testable(apiGateway10PrivateIntegrationHttps).evaluate(snapshot, BASELINE).reason).toBe(
      'every private integration uses HTTPS (aa11 uses TLS, zz99 uses TLS)',
    );
  });

  it('APIGateway.11 lists custom domains by name whatever order they were read in', () => {
    const snapshot = restSnapshot({
      customDomains: [mapping('z.example.com'), mapping('a.example.com', 'TLS_1_3')],
    });

    expect(testable(apiGateway11DomainTlsPolicy).evaluate(snapshot, BASELINE).reason).toBe(
      'every custom domain mapping this API uses TLS 1.2 or later (a.example.com: TLS_1_3, z.example.com: TLS_1_2)',
    );
  });
});

describe('APIGateway.8 with nothing to check', () => {
  it('passes an HTTP API without routes, saying there is no route to check', () => {
    expect(
      testable(apiGateway8RouteAuthorization).evaluate(v2Snapshot('HTTP', { routes: [] }), BASELINE),
    ).toStrictEqual({ controlId: 'APIGateway.8', status: 'COMPLIANT', reason: 'no route to check' });
  });

  it('passes a WebSocket API without a $connect route, naming the route it looks for', () => {
    const snapshot = v2Snapshot('WEBSOCKET', {
      routes: [{ routeKey: 'sendMessage', authorizationType: 'NONE' }],
    });

    expect(testable(apiGateway8RouteAuthorization).evaluate(snapshot, BASELINE)).toStrictEqual({
      controlId: 'APIGateway.8',
      status: 'COMPLIANT',
      reason: 'no $connect route to check',
    });
  });
});

describe('report-only controls: what a reason or problem says when a value is missing', () => {
  it('APIGateway.10 names a private integration without a URI by its id alone', () => {
    const snapshot = v2Snapshot('HTTP', {
      integrations: [{ integrationId: 'aa11', connectionType: 'VPC_LINK', tlsConfigured: false }],
    });

    expect(testable(apiGateway10PrivateIntegrationHttps).evaluate(snapshot, BASELINE).reason).toBe(
      'private integration aa11 has no TLS configuration, so traffic over the VPC link is plain HTTP; expected a tlsConfig',
    );
  });

  it('APIGateway.10 refuses a snapshot without the integrations part, naming it', () => {
    expect(() =>
      testable(apiGateway10PrivateIntegrationHttps).evaluate(v2Snapshot('HTTP'), BASELINE),
    ).toThrow("APIGateway.10 needs the 'integrations' part");
  });

  it('APIGateway.11 says when a domain has no recorded security policy', () => {
    const snapshot = restSnapshot({ customDomains: [{ domainName: 'a.example.com', basePath: '(none)' }] });

    expect(testable(apiGateway11DomainTlsPolicy).evaluate(snapshot, BASELINE).reason).toBe(
      'every custom domain mapping this API uses TLS 1.2 or later (a.example.com: policy not recorded)',
    );
  });

  it('APIGateway.11 refuses a snapshot without the customDomains part, naming it', () => {
    expect(() => testable(apiGateway11DomainTlsPolicy).evaluate(restSnapshot(), BASELINE)).toThrow(
      "APIGateway.11 needs the 'customDomains' part",
    );
  });
});
