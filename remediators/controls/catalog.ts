/**
 * The control catalog: every control of the baseline, in one stable order (the order plans
 * are merged and reported in), and the questions the shell and the workflow ask about it.
 *
 * It is the single source of what a control is: the control ids, the default modes, the
 * configuration's `parameters` section, the member role's remediation statements and the
 * controls table of docs/controls.md are all derived from it (docs/decisions/0016). Every
 * derivation takes a catalog argument, this one by default, so a test can derive from its own.
 *
 * What needs only what a control is (ids, kinds, default modes, protocols: the configuration, the
 * intake, the event rules) reads CATALOG_META (catalog-meta.ts, generated from this list), so a
 * bundle that uses only those leaves every control's behaviour out (docs/decisions/0021).
 */
import type * as z from 'zod';
import { EFFECT_KINDS } from '../core/effects/index.js';
import { mergeIamStatements, type IamStatement } from '../core/iam.js';
import type { ControlKind, Control, ApiType, Protocol } from '../core/types.js';
import { CATALOG_META } from './catalog-meta.js';
import type { CatalogControl, ControlIamScope, ControlMode, MetaCatalog } from './define-control.js';
import { effectIamStatements, type ResourceSettings } from './resources.js';
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

/** Fixing controls first, then reporting ones; this order is the order of every derived artefact. */
export const CATALOG = [
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
] as const satisfies readonly CatalogControl[];

export type Catalog = readonly CatalogControl[];
type ProductionControl = (typeof CATALOG)[number];

/** The id of a control of the production catalog. */
export type ControlId = ProductionControl['id'];

/** The ids in catalog order, typed as a tuple (the `ControlId` union is its element type). */
function idsOf<const C extends readonly [MetaCatalog[number], ...MetaCatalog]>(
  catalog: C,
): { readonly [K in keyof C]: C[K]['id'] } {
  return catalog.map((control) => control.id) as { readonly [K in keyof C]: C[K]['id'] };
}

export const CONTROL_IDS = idsOf(CATALOG_META);

/** The ids of one kind of control, in catalog order. */
export function controlIdsOf<C extends MetaCatalog>(kind: ControlKind, catalog: C): C[number]['id'][] {
  return catalog.filter((control) => control.kind === kind).map((control) => control.id);
}

export const FIXING_CONTROL_IDS: readonly ControlId[] = controlIdsOf('fixing', CATALOG_META);
export const REPORTING_CONTROL_IDS: readonly ControlId[] = controlIdsOf('reporting', CATALOG_META);

/** Each control's built-in mode, used when neither the configuration nor a tag says otherwise. */
export function defaultControlModes(catalog: MetaCatalog = CATALOG_META): Record<string, ControlMode> {
  return Object.fromEntries(catalog.map((control) => [control.id, control.defaultMode]));
}

/**
 * What the fixing controls of a catalog call, as plain data: each control's own statements, then
 * those of every effect kind one of them may ask for, merged by sid. The member role (and the
 * central functions acting in their own account) hold exactly these (infra/permissions.ts).
 */
export function remediationIamStatements(scope: ControlIamScope, catalog: Catalog = CATALOG): IamStatement[] {
  const fixing = catalog.filter((control) => control.kind === 'fixing');
  const effects = EFFECT_KINDS.filter((kind) => fixing.some((control) => control.effects.includes(kind)));
  return mergeIamStatements([
    ...fixing.flatMap((control) => control.iam(scope)),
    ...effects.flatMap((kind) => effectIamStatements(kind, scope, scope.resources)),
  ]);
}

/** The resolved `parameters` of every control, by id (the configuration's `parameters` section). */
export type ControlParameters = { readonly [C in ProductionControl as C['id']]: z.output<C['params']> };

/** What binding the controls reads from the configuration. */
export interface ControlSettings {
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly resources: ResourceSettings;
}

// Searches, not a map built at load: a module-level `new Map(CATALOG…)` would keep every
// control's behaviour in bundles that never call getControl.
function find<C extends MetaCatalog>(catalog: C, id: string): C[number] {
  const control = catalog.find((known) => known.id === id);
  if (control === undefined) {
    throw new Error(
      `unknown control id "${id}"; expected one of ${catalog.map((known) => known.id).join(', ')}`,
    );
  }
  return control;
}

export function getControl(id: string): ProductionControl {
  return find(CATALOG, id);
}

/** What one control is (its metadata), for code that needs no more: its bundle leaves the behaviour out. */
export function getControlMeta(id: string): (typeof CATALOG_META)[number] {
  return find(CATALOG_META, id);
}

/**
 * The given controls as core runs them: in catalog order, each once, bound to its parameters
 * (parsed by the configuration; a control absent from `parameters` takes its defaults) and the
 * shared resource settings.
 */
export function bindControls(
  ids: readonly string[],
  settings: ControlSettings,
  catalog: Catalog = CATALOG,
): Control[] {
  const wanted = new Set(ids);
  for (const id of wanted) {
    if (!catalog.some((control) => control.id === id)) {
      throw new Error(
        `unknown control id "${id}"; expected one of ${catalog.map((known) => known.id).join(', ')}`,
      );
    }
  }
  return catalog
    .filter((control) => wanted.has(control.id))
    .map((control) =>
      control.bind(control.params.parse(settings.parameters[control.id] ?? {}), settings.resources),
    );
}

/** Every control of the catalog, bound (for tests, benches and the whole-baseline checks). */
export function bindCatalog(settings: ControlSettings, catalog: Catalog = CATALOG): Control[] {
  return bindControls(
    catalog.map((control) => control.id),
    settings,
    catalog,
  );
}

/** The whole baseline for one protocol, in catalog order. */
export function controlsFor(protocol: Protocol): readonly ProductionControl[] {
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
  return CATALOG_META.filter((control) =>
    control.appliesTo.some((protocol) => protocols.includes(protocol)),
  ).map((control) => control.id);
}
