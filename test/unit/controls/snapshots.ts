/**
 * Real-shaped stage snapshots for the control tests: what the snapshot reader builds from
 * GetStage / GetRestApi / GetApi / GetAccount / GetRoutes / GetIntegrations / custom domain
 * mappings. Every builder starts from a stage as API Gateway creates it (nothing configured)
 * and takes the parts a test cares about.
 */
import { ConfigSchema } from '../../../config/schema.js';
import type { ControlSettings } from '../../../remediators/controls/catalog.js';
import type { CatalogControl } from '../../../remediators/controls/define-control.js';
import type {
  Control,
  ControlPlan,
  Evaluation,
  AccountState,
  ApiState,
  CustomDomainMapping,
  Protocol,
  RestStageSnapshot,
  RestStageState,
  SnapshotPart,
  StageRef,
  StageSnapshot,
  V2Integration,
  V2Route,
  V2StageSnapshot,
  V2StageState,
} from '../../../remediators/core/types.js';

/** Every control's parameters and the resources with every default, as a configuration without overrides gives them. */
export const BASELINE: ControlSettings = ConfigSchema.parse({});

/** The settings of a configuration with these `parameters` / `resources` overrides. */
export function baselineWith(overrides: {
  readonly parameters?: Record<string, unknown>;
  readonly resources?: Record<string, unknown>;
}): ControlSettings {
  return ConfigSchema.parse(overrides);
}

/** A catalog entry a test can evaluate and plan with any settings: bound anew on each call. */
export interface TestableControl extends Omit<CatalogControl, 'bind'> {
  evaluate(snapshot: StageSnapshot, settings: ControlSettings): Evaluation;
  plan(snapshot: StageSnapshot, settings: ControlSettings): ControlPlan;
  bound(settings: ControlSettings): Control;
}

export function testable(entry: CatalogControl): TestableControl {
  const bound = (settings: ControlSettings) =>
    entry.bind(entry.params.parse(settings.parameters[entry.id] ?? {}), settings.resources);
  return {
    ...entry,
    bound,
    evaluate: (snapshot, settings) => bound(settings).evaluate(snapshot),
    plan: (snapshot, settings) => bound(settings).plan(snapshot),
  };
}

export const ACCOUNT = '111122223333';
export const REST_REF: StageRef = {
  partition: 'aws',
  region: 'us-east-1',
  account: ACCOUNT,
  apiType: 'REST',
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
};
export const V2_REF: StageRef = { ...REST_REF, apiType: 'V2', apiId: 'z9y8x7w6v5', stageName: 'live' };

export const EXISTING_WEB_ACL_ARN = `arn:aws:wafv2:us-east-1:${ACCOUNT}:regional/webacl/team-acl/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`;
export const EXISTING_FIREHOSE_ARN = `arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/amazon-apigateway-team-logs`;
export const CLOUDWATCH_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/apigw-remediation-apigateway-cloudwatch`;

/** The account CloudWatch role effect with the default role name. */
export const CLOUDWATCH_ROLE_EFFECT = {
  kind: 'accountCloudWatchRole',
  roleName: 'apigw-remediation-apigateway-cloudwatch',
} as const;

/** The access log group effect of a stage, with the default retention and tags. */
export function logGroupEffect(logGroupArn: string) {
  return {
    kind: 'accessLogGroup',
    name: logGroupArn.split(':log-group:')[1] ?? logGroupArn,
    retentionDays: 365,
    tags: { 'managed-by': 'apigw-remediation' },
  } as const;
}

interface SharedParts {
  readonly api?: Partial<ApiState>;
  readonly account?: AccountState;
  readonly customDomains?: readonly CustomDomainMapping[];
  readonly ref?: Partial<StageRef>;
}

/** The parts a snapshot carries: 'stage' and 'api' always, then the optional parts given. */
function partsOf(optional: Partial<Record<SnapshotPart, unknown>>): SnapshotPart[] {
  const parts: SnapshotPart[] = ['stage', 'api'];
  for (const part of ['account', 'customDomains', 'routes', 'integrations'] as const) {
    if (optional[part] !== undefined) parts.push(part);
  }
  return parts;
}

export function restSnapshot(
  options: SharedParts & { readonly stage?: Partial<RestStageState> } = {},
): RestStageSnapshot {
  const { account, customDomains } = options;
  return {
    status: 'FOUND',
    apiType: 'REST',
    ref: { ...REST_REF, ...options.ref },
    parts: partsOf({ account, customDomains }),
    api: {
      name: 'pets',
      protocol: 'REST',
      disableExecuteApiEndpoint: false,
      endpointTypes: ['REGIONAL'],
      tags: {},
      ...options.api,
    },
    stage: {
      deploymentId: 'abc123',
      tracingEnabled: false,
      cacheClusterEnabled: false,
      methodSettings: {},
      tags: {},
      ...options.stage,
    },
    ...(account === undefined ? {} : { account }),
    ...(customDomains === undefined ? {} : { customDomains }),
  };
}

export function v2Snapshot(
  protocol: Exclude<Protocol, 'REST'>,
  options: SharedParts & {
    readonly stage?: Partial<V2StageState>;
    readonly routes?: readonly V2Route[];
    readonly integrations?: readonly V2Integration[];
  } = {},
): V2StageSnapshot {
  const { account, customDomains, routes, integrations } = options;
  return {
    status: 'FOUND',
    apiType: 'V2',
    ref: { ...V2_REF, ...options.ref },
    parts: partsOf({ account, customDomains, routes, integrations }),
    api: {
      name: protocol === 'HTTP' ? 'orders' : 'chat',
      protocol,
      disableExecuteApiEndpoint: false,
      endpointTypes: [],
      tags: {},
      ...options.api,
    },
    stage: {
      deploymentId: 'def456',
      autoDeploy: false,
      defaultRouteSettings: {},
      routeSettings: {},
      tags: {},
      ...options.stage,
    },
    ...(account === undefined ? {} : { account }),
    ...(customDomains === undefined ? {} : { customDomains }),
    ...(routes === undefined ? {} : { routes }),
    ...(integrations === undefined ? {} : { integrations }),
  };
}

/** One snapshot per protocol, for NOT_APPLICABLE checks: every optional part present and empty. */
export function snapshotOf(protocol: Protocol): RestStageSnapshot | V2StageSnapshot {
  const parts = { account: {}, customDomains: [] };
  return protocol === 'REST'
    ? restSnapshot(parts)
    : v2Snapshot(protocol, { ...parts, routes: [], integrations: [] });
}

export const PROTOCOLS: readonly Protocol[] = ['REST', 'HTTP', 'WEBSOCKET'];

export function mapping(
  domainName: string,
  securityPolicy = 'TLS_1_2',
  basePath = '(none)',
): CustomDomainMapping {
  return { domainName, basePath, securityPolicy };
}
