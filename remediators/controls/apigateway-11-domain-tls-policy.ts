/**
 * APIGateway.11: custom domain names should use a recommended TLS security policy (AWS Config
 * rule apigateway-domain-name-tls-check: NON_COMPLIANT when securityPolicy is TLS_1_0). The
 * control is about domains; a stage is checked through the custom domains that map its API.
 *
 * Report only: a domain is shared by every API mapped to it, and raising its TLS floor cuts off
 * clients that only speak TLS 1.0/1.1, so the domain owner must decide.
 */
import type { StageSnapshot } from '../core/types.js';
import { NO_PARAMS, defineControl, inspectionOf, requirePart } from './define-control.js';
import type { ControlMeta, Inspection } from './define-control.js';
import { compareCodePoints } from './stage-settings.js';

const CONTROL_ID = 'APIGateway.11';
const WEAK_POLICY = 'TLS_1_0';

function inspect(snapshot: StageSnapshot): Inspection {
  const mappings = requirePart(CONTROL_ID, snapshot, 'customDomains', snapshot.customDomains);
  // A domain with several base paths for this API appears once per mapping: judge each domain once.
  const policyByDomain = new Map(mappings.map((mapping) => [mapping.domainName, mapping.securityPolicy]));
  const domains = [...policyByDomain.keys()].sort(compareCodePoints);
  const problems = domains
    .filter((domain) => policyByDomain.get(domain) === WEAK_POLICY)
    .map(
      (domain) =>
        `custom domain ${domain} uses security policy ${WEAK_POLICY}, which accepts TLS 1.0 and 1.1; expected TLS_1_2 or a SecurityPolicy_TLS13_* policy`,
    );
  return inspectionOf(
    problems,
    // Stryker disable next-line ArrayDeclaration: equivalent, defineControl never plans a reporting control's changes
    [],
    domains.length === 0
      ? 'no custom domain maps this API; the execute-api endpoint uses the TLS policy AWS sets'
      : `every custom domain mapping this API uses TLS 1.2 or later (${domains.map((domain) => `${domain}: ${policyByDomain.get(domain) ?? 'policy not recorded'}`).join(', ')})`,
  );
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const apiGateway11DomainTlsPolicyMeta = {
  id: CONTROL_ID,
  title: 'API Gateway domain names should use recommended security policies',
  appliesTo: ['REST', 'HTTP', 'WEBSOCKET'],
  kind: 'reporting',
  defaultMode: 'notify',
  params: NO_PARAMS,
} as const satisfies ControlMeta;

export const apiGateway11DomainTlsPolicy = /* @__PURE__ */ defineControl(apiGateway11DomainTlsPolicyMeta, {
  needs: ['stage', 'api', 'customDomains'],
  inspectRest: inspect,
  inspectV2: inspect,
});
