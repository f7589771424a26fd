/**
 * The shared vocabulary of the remediation core.
 *
 * Functional core, imperative shell: the shell reads a {@link StageSnapshot}, the controls
 * (pure) evaluate it and produce {@link ControlPlan}s, the shell merges the plans and
 * applies them (one UpdateStage call per stage), then re-reads and re-evaluates.
 */
import type { Effect } from './effects/index.js';

export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type Partition = (typeof PARTITIONS)[number];

/** REST = API Gateway v1 REST API; V2 = API Gateway v2 (HTTP or WebSocket: a stage ARN does not tell). */
export type ApiType = 'REST' | 'V2';
/** The protocol, known once the API has been read. */
export type Protocol = 'REST' | 'HTTP' | 'WEBSOCKET';

/** What a stage ARN says: the account is not part of an API Gateway ARN. */
export interface StageLocator {
  readonly partition: Partition;
  readonly region: string;
  readonly apiType: ApiType;
  readonly apiId: string;
  readonly stageName: string;
}

/** A stage in a specific account: everything needed to reach it. */
export interface StageRef extends StageLocator {
  readonly account: string;
}

/** REST method settings, keyed in the stage by `*\/*` or `{resourcePath with / as ~1}/{HTTP_METHOD}`. */
export interface RestMethodSettings {
  readonly loggingLevel?: string;
  readonly dataTraceEnabled?: boolean;
  readonly metricsEnabled?: boolean;
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
  readonly cachingEnabled?: boolean;
  readonly cacheDataEncrypted?: boolean;
}

/** V2 route settings (stage default or per route key such as `GET /pets` or `$connect`). */
export interface V2RouteSettings {
  readonly loggingLevel?: string;
  readonly dataTraceEnabled?: boolean;
  readonly detailedMetricsEnabled?: boolean;
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
}

export interface AccessLogSettings {
  readonly destinationArn?: string;
  readonly format?: string;
}

/**
 * Parts of the world a control may need. The snapshot reader fetches only the parts that
 * the selected controls declare, so one control on one stage costs as few calls as possible.
 *
 * - stage: GetStage (REST: includes webAclArn and tags; V2: includes tags)
 * - api: GetRestApi / GetApi (name, protocol, disableExecuteApiEndpoint, tags)
 * - account: GetAccount (REST) - the Region's API Gateway CloudWatch role, cached per account+Region
 * - customDomains: custom domain names whose base path / API mappings target this API
 * - routes: V2 GetRoutes (authorization type per route)
 * - integrations: V2 GetIntegrations (connection type and TLS config)
 */
export const SNAPSHOT_PARTS = ['stage', 'api', 'account', 'customDomains', 'routes', 'integrations'] as const;
export type SnapshotPart = (typeof SNAPSHOT_PARTS)[number];

export interface RestStageState {
  readonly deploymentId?: string;
  readonly tracingEnabled: boolean;
  readonly cacheClusterEnabled: boolean;
  readonly clientCertificateId?: string;
  readonly webAclArn?: string;
  readonly accessLogSettings?: AccessLogSettings;
  readonly methodSettings: Readonly<Record<string, RestMethodSettings>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface V2StageState {
  readonly deploymentId?: string;
  readonly autoDeploy: boolean;
  readonly clientCertificateId?: string;
  readonly accessLogSettings?: AccessLogSettings;
  readonly defaultRouteSettings: V2RouteSettings;
  readonly routeSettings: Readonly<Record<string, V2RouteSettings>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface ApiState {
  readonly name: string;
  readonly protocol: Protocol;
  readonly disableExecuteApiEndpoint: boolean;
  /** REST endpoint types (EDGE, REGIONAL, PRIVATE); empty for V2. */
  readonly endpointTypes: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface AccountState {
  /** The Region's API Gateway CloudWatch Logs role (GetAccount cloudwatchRoleArn), if set. */
  readonly cloudwatchRoleArn?: string;
}

export interface CustomDomainMapping {
  readonly domainName: string;
  /** Base path (REST) or API mapping key (V2); '(none)' for the root. */
  readonly basePath: string;
  readonly stage?: string;
  /** TLS security policy of the custom domain, e.g. TLS_1_0 / TLS_1_2. */
  readonly securityPolicy?: string;
}

export interface V2Route {
  readonly routeKey: string;
  readonly authorizationType: string;
}

export interface V2Integration {
  readonly integrationId: string;
  readonly connectionType: string;
  readonly integrationUri?: string;
  /** TlsConfig is present (even empty): private integration traffic then uses HTTPS. */
  readonly tlsConfigured: boolean;
  readonly tlsServerNameToVerify?: string;
}

interface SnapshotBase {
  readonly status: 'FOUND';
  readonly ref: StageRef;
  /** Which parts were read; a control must never read a part it did not declare. */
  readonly parts: readonly SnapshotPart[];
  readonly api?: ApiState;
  readonly account?: AccountState;
  readonly customDomains?: readonly CustomDomainMapping[];
}

export interface RestStageSnapshot extends SnapshotBase {
  readonly apiType: 'REST';
  readonly stage: RestStageState;
}

export interface V2StageSnapshot extends SnapshotBase {
  readonly apiType: 'V2';
  readonly stage: V2StageState;
  readonly routes?: readonly V2Route[];
  readonly integrations?: readonly V2Integration[];
}

export type StageSnapshot = RestStageSnapshot | V2StageSnapshot;

/** The API or the stage no longer exists: an outcome, not an exception. */
export interface GoneSnapshot {
  readonly status: 'GONE';
  readonly ref: StageRef;
  readonly reason: string;
}

export type SnapshotResult = StageSnapshot | GoneSnapshot;

// ---------------------------------------------------------------------------------------
// Controls

/**
 * A control's id, e.g. `APIGateway.1`. Core knows no control: the catalog (remediators/controls)
 * owns the list and hands core the controls it runs.
 */
export type ControlId = string;

/** A control that changes what fails, or one that only reports it (never changed, modes notify/off). */
export type ControlKind = 'fixing' | 'reporting';

export type EvaluationStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

export interface Evaluation {
  readonly controlId: ControlId;
  readonly status: EvaluationStatus;
  /** A sentence a human can act on, e.g. "methodSettings[*\/*].loggingLevel is OFF (expected ERROR or INFO)". */
  readonly reason: string;
}

/** Resources a change depends on (effects as data), created once and only if absent. */
export type Prerequisite = Effect;

/** What a human (approver, auditor) reads: one setting, before and after. */
export interface SettingChange {
  /** e.g. `methodSettings[*\/*].loggingLevel`, `tracingEnabled`, `webAclArn`, `disableExecuteApiEndpoint`. */
  readonly setting: string;
  readonly before: string | number | boolean | null;
  readonly after: string | number | boolean | null;
}

/**
 * The change a plan lists for a deployment (V2 stages without autoDeploy only), so the approver,
 * the Security Hub note and the notification all read `deployment: {current deployment id} →
 * publishes the API's current definition`.
 */
export const DEPLOYMENT_SETTING = 'deployment';
export const DEPLOYMENT_AFTER = "publishes the API's current definition";

/** The machine side of a change; the shell merges these into as few calls as possible. */
export type Operation =
  /** One REST UpdateStage patch operation; all of a stage's go into ONE UpdateStage call. */
  | { readonly kind: 'restStagePatch'; readonly op: 'replace'; readonly path: string; readonly value: string }
  /** One field of a V2 UpdateStage; merged with the current settings into ONE UpdateStage call. */
  | {
      readonly kind: 'v2RouteSetting';
      /** 'default' = DefaultRouteSettings, otherwise RouteSettings[routeKey]. */
      readonly scope: 'default' | { readonly routeKey: string };
      readonly field: 'LoggingLevel' | 'ThrottlingRateLimit' | 'ThrottlingBurstLimit';
      readonly value: string | number;
    }
  | { readonly kind: 'v2AccessLog'; readonly destinationArn: string; readonly format: string }
  /** REST UpdateRestApi patch operation. */
  | { readonly kind: 'restApiPatch'; readonly op: 'replace'; readonly path: string; readonly value: string }
  /** V2 UpdateApi field. */
  | { readonly kind: 'v2ApiUpdate'; readonly field: 'DisableExecuteApiEndpoint'; readonly value: boolean }
  /** wafv2 AssociateWebACL with the baseline web ACL (its ARN is resolved at apply time). */
  | { readonly kind: 'associateBaselineWebAcl' }
  /**
   * V2 CreateDeployment, only for a stage without autoDeploy that cannot take an API-level change
   * otherwise. It publishes the API's CURRENT definition (whatever was changed and not yet
   * deployed), so it is a change of its own that the approver sees. Never planned for REST.
   */
  | { readonly kind: 'createDeployment' };

export interface PlannedChange {
  readonly change: SettingChange;
  readonly operation: Operation;
}

export interface ControlPlan {
  readonly controlId: ControlId;
  readonly changes: readonly PlannedChange[];
  readonly prerequisites: readonly Prerequisite[];
  /**
   * True when the change only takes effect after a new deployment of the API (V2 stages without
   * autoDeploy only); the changes then include the `deployment` change the approver reads.
   */
  readonly redeploy: boolean;
}

/**
 * A control as core runs it: bound to its parameters and the shared resource settings by the
 * catalog (remediators/controls), so core needs neither the catalog nor the configuration.
 */
export interface Control {
  readonly id: ControlId;
  readonly title: string;
  /** Protocols the control applies to; other stages evaluate NOT_APPLICABLE. */
  readonly appliesTo: readonly Protocol[];
  /** 'reporting' controls are evaluated and reported, never changed. */
  readonly kind: ControlKind;
  /** Snapshot parts evaluate() and plan() read. */
  readonly needs: readonly SnapshotPart[];
  evaluate(snapshot: StageSnapshot): Evaluation;
  /** Empty changes when compliant or reporting. Must be pure and deterministic. */
  plan(snapshot: StageSnapshot): ControlPlan;
}
