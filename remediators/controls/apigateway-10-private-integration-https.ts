/**
 * APIGateway.10: HTTP API private integrations (over a VPC link) should use HTTPS (AWS Config
 * rule apigatewayv2-integration-private-https-enabled: NON_COMPLIANT when the integration has
 * no TlsConfig). TlsConfig exists only for HTTP APIs, so WebSocket stages are not applicable.
 *
 * Report only: switching the integration to HTTPS fails every request until the backend behind
 * the VPC link serves TLS with a certificate for that name.
 */
import type { V2StageSnapshot } from '../core/types.js';
import { NO_PARAMS, defineControl, inspectionOf, requirePart } from './define-control.js';
import type { ControlMeta, Inspection } from './define-control.js';
import { compareCodePoints } from './stage-settings.js';

const CONTROL_ID = 'APIGateway.10';

function inspectV2(snapshot: V2StageSnapshot): Inspection {
  const integrations = requirePart(CONTROL_ID, snapshot, 'integrations', snapshot.integrations);
  const privateIntegrations = integrations
    .filter((integration) => integration.connectionType === 'VPC_LINK')
    .sort((left, right) => compareCodePoints(left.integrationId, right.integrationId));
  const problems = privateIntegrations
    .filter((integration) => !integration.tlsConfigured)
    .map(
      (integration) =>
        `private integration ${integration.integrationId}${integration.integrationUri ? ` (${integration.integrationUri})` : ''} ` +
        'has no TLS configuration, so traffic over the VPC link is plain HTTP; expected a tlsConfig',
    );
  return inspectionOf(
    problems,
    // Stryker disable next-line ArrayDeclaration: equivalent, defineControl never plans a reporting control's changes
    [],
    privateIntegrations.length === 0
      ? 'the API has no private (VPC_LINK) integration'
      : `every private integration uses HTTPS (${privateIntegrations.map((integration) => (integration.tlsServerNameToVerify ? `${integration.integrationId} verifies ${integration.tlsServerNameToVerify}` : `${integration.integrationId} uses TLS`)).join(', ')})`,
  );
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const apiGateway10PrivateIntegrationHttpsMeta = {
  id: CONTROL_ID,
  title: 'API Gateway V2 integrations should use HTTPS for private connections',
  appliesTo: ['HTTP'],
  kind: 'reporting',
  defaultMode: 'notify',
  params: NO_PARAMS,
} as const satisfies ControlMeta;

export const apiGateway10PrivateIntegrationHttps = /* @__PURE__ */ defineControl(
  apiGateway10PrivateIntegrationHttpsMeta,
  {
    needs: ['stage', 'api', 'integrations'],
    inspectV2,
  },
);
