/**
 * Every control's metadata (define-control.ts ControlMeta: id, title, protocols, kind, default
 * mode, parameters), in catalog order. The configuration, the intake and the id lists read this
 * instead of the catalog, so their bundles leave the controls' inspections, plans, undo and texts
 * out (docs/decisions/0021).
 *
 * Generated from catalog.ts: run `npx tsx scripts/catalog-artefacts.ts` after adding a control there.
 * test/unit/architecture/derived.test.ts fails when this file differs from what the catalog gives.
 */
import type { ControlMeta } from './define-control.js';
import { apiGateway1ExecutionLoggingMeta } from './apigateway-1-execution-logging.js';
import { apiGateway3XRayTracingMeta } from './apigateway-3-xray-tracing.js';
import { apiGateway4WafMeta } from './apigateway-4-waf.js';
import { apiGateway5CacheEncryptionMeta } from './apigateway-5-cache-encryption.js';
import { apiGateway9V2AccessLoggingMeta } from './apigateway-9-v2-access-logging.js';
import { baselineRestAccessLoggingMeta } from './baseline-rest-access-logging.js';
import { baselineStageThrottlingMeta } from './baseline-stage-throttling.js';
import { baselineDefaultEndpointMeta } from './baseline-default-endpoint.js';
import { apiGateway2ClientCertificateMeta } from './apigateway-2-client-certificate.js';
import { apiGateway8RouteAuthorizationMeta } from './apigateway-8-route-authorization.js';
import { apiGateway10PrivateIntegrationHttpsMeta } from './apigateway-10-private-integration-https.js';
import { apiGateway11DomainTlsPolicyMeta } from './apigateway-11-domain-tls-policy.js';

export const CATALOG_META = [
  apiGateway1ExecutionLoggingMeta,
  apiGateway3XRayTracingMeta,
  apiGateway4WafMeta,
  apiGateway5CacheEncryptionMeta,
  apiGateway9V2AccessLoggingMeta,
  baselineRestAccessLoggingMeta,
  baselineStageThrottlingMeta,
  baselineDefaultEndpointMeta,
  apiGateway2ClientCertificateMeta,
  apiGateway8RouteAuthorizationMeta,
  apiGateway10PrivateIntegrationHttpsMeta,
  apiGateway11DomainTlsPolicyMeta,
] as const satisfies readonly ControlMeta[];
