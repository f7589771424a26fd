import { describe, expect, it } from 'vitest';
import { apiGateway10PrivateIntegrationHttps } from '../../../remediators/controls/apigateway-10-private-integration-https.js';
import { expectReportedNotChanged } from './apply-plan.js';
import { BASELINE, snapshotOf, v2Snapshot, testable } from './snapshots.js';

const control = testable(apiGateway10PrivateIntegrationHttps);

describe('APIGateway.10 private integrations over HTTPS (report only)', () => {
  const listener =
    'arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/orders/50dc6c495c0c9188/0467ef3c8400ae65';

  it.each(['REST', 'WEBSOCKET'] as const)(
    'does not apply to %s APIs (TlsConfig exists only for HTTP APIs)',
    (protocol) => {
      expect(control.evaluate(snapshotOf(protocol), BASELINE).status).toBe('NOT_APPLICABLE');
    },
  );

  it('passes an HTTP API without private integrations, and one whose private integrations verify TLS', () => {
    const publicOnly = v2Snapshot('HTTP', {
      integrations: [
        {
          integrationId: 'abc1234',
          connectionType: 'INTERNET',
          integrationUri: 'https://example.com',
          tlsConfigured: false,
        },
      ],
    });
    expect(control.evaluate(publicOnly, BASELINE)).toEqual({
      controlId: 'APIGateway.10',
      status: 'COMPLIANT',
      reason: 'the API has no private (VPC_LINK) integration',
    });
    const tls = v2Snapshot('HTTP', {
      integrations: [
        {
          integrationId: 'def5678',
          connectionType: 'VPC_LINK',
          integrationUri: listener,
          tlsConfigured: true,
          tlsServerNameToVerify: 'orders.internal',
        },
      ],
    });
    expect(control.evaluate(tls, BASELINE).reason).toBe(
      'every private integration uses HTTPS (def5678 verifies orders.internal)',
    );
  });

  it('reports each private integration without TLS', () => {
    const snapshot = v2Snapshot('HTTP', {
      integrations: [
        {
          integrationId: 'ghi9012',
          connectionType: 'VPC_LINK',
          integrationUri: listener,
          tlsConfigured: false,
        },
        {
          integrationId: 'abc1234',
          connectionType: 'INTERNET',
          integrationUri: 'http://example.com',
          tlsConfigured: false,
        },
      ],
    });
    expectReportedNotChanged(
      control,
      snapshot,
      BASELINE,
      `private integration ghi9012 (${listener}) has no TLS configuration, so traffic over the VPC link is plain HTTP; ` +
        'expected a tlsConfig',
    );
  });

  it('passes a private integration whose TLS config names no server (the Config rule only asks for TlsConfig)', () => {
    const snapshot = v2Snapshot('HTTP', {
      integrations: [
        {
          integrationId: 'jkl3456',
          connectionType: 'VPC_LINK',
          integrationUri: listener,
          tlsConfigured: true,
        },
      ],
    });
    expect(control.evaluate(snapshot, BASELINE)).toEqual({
      controlId: 'APIGateway.10',
      status: 'COMPLIANT',
      reason: 'every private integration uses HTTPS (jkl3456 uses TLS)',
    });
  });
});
