/**
 * APIGateway.2: REST stages should present an SSL client certificate to their backend (AWS
 * Config rule api-gw-ssl-enabled). Report only: a certificate is useful only once the backend
 * is set up to verify it, and the certificate API is a write the backend owner must plan.
 */
import type { RestStageSnapshot } from '../core/types.js';
import { NO_PARAMS, defineControl } from './define-control.js';
import type { ControlMeta, Inspection } from './define-control.js';

function inspectRest(snapshot: RestStageSnapshot): Inspection {
  const { clientCertificateId } = snapshot.stage;
  if (clientCertificateId) {
    return {
      compliant: true,
      reason: `the stage presents client certificate ${clientCertificateId} to its backend`,
    };
  }
  return {
    compliant: false,
    problems: [
      'clientCertificateId is not set, so the backend cannot verify that requests come from API Gateway; ' +
        'generate a client certificate, configure the backend to trust it, then attach it to the stage',
    ],
    // Stryker disable next-line ArrayDeclaration: equivalent, defineControl never plans a reporting control's changes
    changes: [],
  };
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const apiGateway2ClientCertificateMeta = {
  id: 'APIGateway.2',
  title:
    'API Gateway REST API stages should be configured to use SSL certificates for backend authentication',
  appliesTo: ['REST'],
  kind: 'reporting',
  defaultMode: 'notify',
  params: NO_PARAMS,
} as const satisfies ControlMeta;

export const apiGateway2ClientCertificate = /* @__PURE__ */ defineControl(apiGateway2ClientCertificateMeta, {
  needs: ['stage', 'api'],
  inspectRest,
});
