/**
 * The control catalog: every control of the baseline, in one stable order (the order plans
 * are merged and reported in), and the questions the shell and the workflow ask about it.
 */
import {
  SNAPSHOT_PARTS,
  type ApiType,
  type Control,
  type ControlId,
  type Protocol,
  type SnapshotPart,
} from '../core/types.js';
import { apiGateway1ExecutionLogging } from './apigateway-1-execution-logging.js';
import { apiGateway10PrivateIntegrationHttps } from './apigateway-10-private-integration-https.js';
import { apiGateway11DomainTlsPolicy } from './apigateway-11-domain-tls-policy.js';
import { apiGateway2ClientCertificate } from './apigateway-2-client-certificate.js';
import { apiGateway3XRayTracing } from './apigateway-3-xray-tracing.js';
import { apiGateway4Waf } from './apigateway-4-waf.js';
import { apiGateway5CacheEncryption } from './apigateway-5-cache-encryption.js';
import { apiGateway8RouteAuthorization } from './apigateway-8-route-authorization.js';
import { apiGateway9V2AccessLogging } from './apigateway-9-v2-access-logging.js';
import { baselineDefaultEndpoint } from './baseline-default-endpoint.js';
import { baselineRestAccessLogging } from './baseline-rest-access-logging.js';
import { baselineStageThrottling } from './baseline-stage-throttling.js';

/** In the order of CONTROL_IDS (remediable controls first, then report-only ones). */
export const CATALOG: readonly Control[] = [
  apiGateway1ExecutionLogging,
  apiGateway3XRayTracing,
  apiGateway4Waf,
  apiGateway5CacheEncryption,
  apiGateway9V2AccessLogging,
  baselineRestAccessLogging,
  baselineStageThrottling,
  baselineDefaultEndpoint,
  apiGateway2ClientCertificate,
  apiGateway8RouteAuthorization,
  apiGateway10PrivateIntegrationHttps,
  apiGateway11DomainTlsPolicy,
];

const CONTROLS_BY_ID: ReadonlyMap<ControlId, Control> = new Map(
  CATALOG.map((control) => [control.id, control]),
);

export function getControl(id: ControlId): Control {
  const control = CONTROLS_BY_ID.get(id);
  if (control === undefined) {
    throw new Error(
      `unknown control id "${id}"; expected one of ${CATALOG.map((known) => known.id).join(', ')}`,
    );
  }
  return control;
}

/** The whole baseline for one protocol, in catalog order. */
export function controlsFor(protocol: Protocol): readonly Control[] {
  return CATALOG.filter((control) => control.appliesTo.includes(protocol));
}

/** The protocols an API type can have: a V2 stage ARN does not tell HTTP from WEBSOCKET. */
const PROTOCOLS_OF: Readonly<Record<ApiType, readonly Protocol[]>> = {
  REST: ['REST'],
  V2: ['HTTP', 'WEBSOCKET'],
};

/**
 * Control ids to check after drift seen in CloudTrail, where only the API type is known: for
 * V2 the union of the HTTP and WEBSOCKET baselines (the rest evaluate NOT_APPLICABLE later).
 */
export function baselineControlIds(apiType: ApiType): readonly ControlId[] {
  const protocols = PROTOCOLS_OF[apiType];
  return CATALOG.filter((control) => control.appliesTo.some((protocol) => protocols.includes(protocol))).map(
    (control) => control.id,
  );
}

/** Always 'stage' and 'api' (the protocol of a V2 API comes from the API), then what the controls need. */
const ALWAYS_READ: readonly SnapshotPart[] = ['stage', 'api'];

/** The union of the controls' `needs`, in a fixed order. */
export function snapshotPartsFor(controls: readonly Control[]): SnapshotPart[] {
  const wanted = new Set<SnapshotPart>([...ALWAYS_READ, ...controls.flatMap((control) => control.needs)]);
  return SNAPSHOT_PARTS.filter((part) => wanted.has(part));
}
