/**
 * Reads a stage into a {@link StageSnapshot}: only the parts the selected controls declare,
 * normalised (V2 PascalCase → the camelCase of types.ts, absent booleans → false), so the
 * controls never see SDK shapes.
 *
 * Calls per part — REST: stage GetStage (also gives webAclArn, tags, methodSettings), api
 * GetRestApi, account GetAccount (cached per account+Region), customDomains GetDomainNames +
 * GetBasePathMappings per domain (cached per account+Region for a minute). V2: stage GetStage,
 * api GetApi, account GetAccount for WebSocket APIs only (their execution logs use the REST
 * account's CloudWatch role; HTTP APIs have no execution logs) (always read: the protocol, HTTP or WEBSOCKET, comes from it), routes GetRoutes,
 * integrations GetIntegrations, customDomains GetDomainNames + GetApiMappings per domain.
 *
 * A NotFoundException for the stage or the API is an outcome (GONE), not an error.
 */
import {
  GetAccountCommand,
  GetRestApiCommand,
  GetStageCommand as GetRestStageCommand,
  paginateGetBasePathMappings,
  paginateGetDomainNames as paginateGetRestDomainNames,
  type MethodSetting,
} from '@aws-sdk/client-api-gateway';
import {
  GetApiCommand,
  GetStageCommand as GetV2StageCommand,
  type RouteSettings,
} from '@aws-sdk/client-apigatewayv2';
import { accountRegionKey, createCoreCache, type CoreCache, type DomainMappingEntry } from './cache.js';
import type { ApiClients } from './clients.js';
import {
  paginateGetApiMappings,
  paginateGetIntegrations,
  paginateGetRoutes,
  paginateGetV2DomainNames,
} from './paginators.js';
import {
  SNAPSHOT_PARTS,
  type AccessLogSettings,
  type AccountState,
  type ApiState,
  type CustomDomainMapping,
  type Protocol,
  type RestMethodSettings,
  type RestStageState,
  type SnapshotPart,
  type SnapshotResult,
  type StageRef,
  type StageSnapshot,
  type V2Integration,
  type V2Route,
  type V2RouteSettings,
  type V2StageState,
} from './types.js';

export interface SnapshotOptions {
  /** Long-lived cache (warm Lambda); a fresh one per call when omitted. */
  readonly cache?: CoreCache;
  /**
   * The same stage, read moments before by the same task: its parts are taken as they are and
   * only the others are read. Prepare's decide step reads the stage and API for their tags, and
   * its snapshot step takes them (workflow/stage-read.ts), so Prepare reads the stage once. Never
   * a read from before a write or a wait: that is what Verify, and the recheck after an approval,
   * read again.
   */
  readonly earlier?: StageSnapshot;
}

function sameStage(a: StageRef, b: StageRef): boolean {
  return (
    a.partition === b.partition &&
    a.account === b.account &&
    a.region === b.region &&
    a.apiType === b.apiType &&
    a.apiId === b.apiId &&
    a.stageName === b.stageName
  );
}

/** The stage or API was deleted between the trigger and now. */
class ResourceGoneError extends Error {}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'NotFoundException';
}

async function orGone<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) throw new ResourceGoneError(`${what}: ${(error as Error).message}`);
    throw error;
  }
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

function accessLogSettingsOf(
  settings: { destinationArn?: string; format?: string } | undefined,
): AccessLogSettings | undefined {
  if (settings === undefined) return undefined;
  if (settings.destinationArn === undefined && settings.format === undefined) return undefined;
  return definedOnly({ destinationArn: settings.destinationArn, format: settings.format });
}

function restMethodSettingsOf(settings: MethodSetting): RestMethodSettings {
  return definedOnly({
    loggingLevel: settings.loggingLevel,
    dataTraceEnabled: settings.dataTraceEnabled,
    metricsEnabled: settings.metricsEnabled,
    throttlingRateLimit: settings.throttlingRateLimit,
    throttlingBurstLimit: settings.throttlingBurstLimit,
    cachingEnabled: settings.cachingEnabled,
    cacheDataEncrypted: settings.cacheDataEncrypted,
  });
}

function v2RouteSettingsOf(settings: RouteSettings | undefined): V2RouteSettings {
  return definedOnly({
    loggingLevel: settings?.LoggingLevel,
    dataTraceEnabled: settings?.DataTraceEnabled,
    detailedMetricsEnabled: settings?.DetailedMetricsEnabled,
    throttlingRateLimit: settings?.ThrottlingRateLimit,
    throttlingBurstLimit: settings?.ThrottlingBurstLimit,
  });
}

async function readRestStage(ref: StageRef, clients: ApiClients): Promise<RestStageState> {
  const stage = await orGone(`stage ${ref.stageName} of REST API ${ref.apiId}`, () =>
    clients.apiGateway.send(new GetRestStageCommand({ restApiId: ref.apiId, stageName: ref.stageName })),
  );
  const methodSettings = Object.fromEntries(
    Object.entries(stage.methodSettings ?? {}).map(([key, settings]) => [
      key,
      restMethodSettingsOf(settings),
    ]),
  );
  return definedOnly({
    deploymentId: stage.deploymentId,
    tracingEnabled: stage.tracingEnabled ?? false,
    cacheClusterEnabled: stage.cacheClusterEnabled ?? false,
    clientCertificateId: stage.clientCertificateId,
    webAclArn: stage.webAclArn,
    accessLogSettings: accessLogSettingsOf(stage.accessLogSettings),
    methodSettings,
    tags: stage.tags ?? {},
  });
}

async function readV2Stage(ref: StageRef, clients: ApiClients): Promise<V2StageState> {
  const stage = await orGone(`stage ${ref.stageName} of API ${ref.apiId}`, () =>
    clients.apiGatewayV2.send(new GetV2StageCommand({ ApiId: ref.apiId, StageName: ref.stageName })),
  );
  const routeSettings = Object.fromEntries(
    Object.entries(stage.RouteSettings ?? {}).map(([routeKey, settings]) => [
      routeKey,
      v2RouteSettingsOf(settings),
    ]),
  );
  return definedOnly({
    deploymentId: stage.DeploymentId,
    autoDeploy: stage.AutoDeploy ?? false,
    clientCertificateId: stage.ClientCertificateId,
    accessLogSettings: accessLogSettingsOf(
      stage.AccessLogSettings && {
        destinationArn: stage.AccessLogSettings.DestinationArn,
        format: stage.AccessLogSettings.Format,
      },
    ),
    defaultRouteSettings: v2RouteSettingsOf(stage.DefaultRouteSettings),
    routeSettings,
    tags: stage.Tags ?? {},
  });
}

async function readRestApi(ref: StageRef, clients: ApiClients): Promise<ApiState> {
  const api = await orGone(`REST API ${ref.apiId}`, () =>
    clients.apiGateway.send(new GetRestApiCommand({ restApiId: ref.apiId })),
  );
  return {
    name: api.name ?? '',
    protocol: 'REST',
    disableExecuteApiEndpoint: api.disableExecuteApiEndpoint ?? false,
    endpointTypes: api.endpointConfiguration?.types ?? [],
    tags: api.tags ?? {},
  };
}

function v2Protocol(ref: StageRef, protocolType: string | undefined): Protocol {
  if (protocolType === 'HTTP' || protocolType === 'WEBSOCKET') return protocolType;
  throw new Error(
    `API ${ref.apiId}: GetApi returned ProtocolType ${JSON.stringify(protocolType)}; expected HTTP or WEBSOCKET`,
  );
}

async function readV2Api(ref: StageRef, clients: ApiClients): Promise<ApiState> {
  const api = await orGone(`API ${ref.apiId}`, () =>
    clients.apiGatewayV2.send(new GetApiCommand({ ApiId: ref.apiId })),
  );
  return {
    name: api.Name ?? '',
    protocol: v2Protocol(ref, api.ProtocolType),
    disableExecuteApiEndpoint: api.DisableExecuteApiEndpoint ?? false,
    endpointTypes: [],
    tags: api.Tags ?? {},
  };
}

async function readAccount(ref: StageRef, clients: ApiClients, cache: CoreCache): Promise<AccountState> {
  return cache.accountSettings.getOrLoad(accountRegionKey(ref), async () => {
    const account = await clients.apiGateway.send(new GetAccountCommand({}));
    return definedOnly({ cloudwatchRoleArn: account.cloudwatchRoleArn || undefined });
  });
}

const ROOT_BASE_PATH = '(none)';

async function listRestDomainMappings(clients: ApiClients): Promise<DomainMappingEntry[]> {
  const mappings: DomainMappingEntry[] = [];
  const client = clients.apiGateway;
  for await (const page of paginateGetRestDomainNames({ client, pageSize: 500 }, {})) {
    for (const domain of page.items ?? []) {
      if (domain.domainName === undefined) continue;
      const domainName = domain.domainName;
      for await (const mappingPage of paginateGetBasePathMappings(
        { client, pageSize: 500 },
        { domainName },
      )) {
        for (const mapping of mappingPage.items ?? []) {
          if (mapping.restApiId === undefined) continue;
          mappings.push(
            definedOnly({
              apiId: mapping.restApiId,
              domainName,
              basePath: mapping.basePath || ROOT_BASE_PATH,
              stage: mapping.stage,
              securityPolicy: domain.securityPolicy,
            }),
          );
        }
      }
    }
  }
  return mappings;
}

async function listV2DomainMappings(clients: ApiClients): Promise<DomainMappingEntry[]> {
  const mappings: DomainMappingEntry[] = [];
  const client = clients.apiGatewayV2;
  for await (const page of paginateGetV2DomainNames({ client }, {})) {
    for (const domain of page.Items ?? []) {
      if (domain.DomainName === undefined) continue;
      const domainName = domain.DomainName;
      const securityPolicy = domain.DomainNameConfigurations?.[0]?.SecurityPolicy;
      for await (const mappingPage of paginateGetApiMappings({ client }, { DomainName: domainName })) {
        for (const mapping of mappingPage.Items ?? []) {
          if (mapping.ApiId === undefined) continue;
          mappings.push(
            definedOnly({
              apiId: mapping.ApiId,
              domainName,
              basePath: mapping.ApiMappingKey || ROOT_BASE_PATH,
              stage: mapping.Stage,
              securityPolicy,
            }),
          );
        }
      }
    }
  }
  return mappings;
}

async function readCustomDomains(
  ref: StageRef,
  clients: ApiClients,
  cache: CoreCache,
): Promise<CustomDomainMapping[]> {
  const key = `${accountRegionKey(ref)}:${ref.apiType}`;
  const all = await cache.customDomains.getOrLoad(key, () =>
    ref.apiType === 'REST' ? listRestDomainMappings(clients) : listV2DomainMappings(clients),
  );
  return all.filter((mapping) => mapping.apiId === ref.apiId).map(({ apiId: _apiId, ...mapping }) => mapping);
}

/** Every page of a per-API V2 listing; a NotFoundException on any page means the API is gone. */
async function allPages<Page>(what: string, pages: AsyncIterable<Page>): Promise<Page[]> {
  return orGone(what, async () => {
    const all: Page[] = [];
    for await (const page of pages) all.push(page);
    return all;
  });
}

async function readRoutes(ref: StageRef, clients: ApiClients): Promise<V2Route[]> {
  const pages = await allPages(
    `routes of API ${ref.apiId}`,
    paginateGetRoutes({ client: clients.apiGatewayV2 }, { ApiId: ref.apiId }),
  );
  return pages.flatMap((page) =>
    (page.Items ?? []).map((route) => ({
      routeKey: route.RouteKey ?? '',
      authorizationType: route.AuthorizationType ?? 'NONE',
    })),
  );
}

async function readIntegrations(ref: StageRef, clients: ApiClients): Promise<V2Integration[]> {
  const pages = await allPages(
    `integrations of API ${ref.apiId}`,
    paginateGetIntegrations({ client: clients.apiGatewayV2 }, { ApiId: ref.apiId }),
  );
  return pages.flatMap((page) =>
    (page.Items ?? []).map((integration) =>
      definedOnly({
        integrationId: integration.IntegrationId ?? '',
        connectionType: integration.ConnectionType ?? 'INTERNET',
        integrationUri: integration.IntegrationUri,
        tlsConfigured: integration.TlsConfig !== undefined,
        tlsServerNameToVerify: integration.TlsConfig?.ServerNameToVerify,
      }),
    ),
  );
}

/**
 * The parts actually read: always the stage (it decides GONE), for V2 always the API (the
 * protocol), then the requested parts that exist for the API type.
 */
export function partsToRead(ref: StageRef, requested: readonly SnapshotPart[]): SnapshotPart[] {
  const wanted = new Set<SnapshotPart>(['stage', ...requested]);
  if (ref.apiType === 'V2') wanted.add('api');
  if (ref.apiType === 'REST') {
    wanted.delete('routes');
    wanted.delete('integrations');
  }
  return SNAPSHOT_PARTS.filter((part) => wanted.has(part));
}

export async function readStageSnapshot(
  ref: StageRef,
  parts: readonly SnapshotPart[],
  clients: ApiClients,
  options: SnapshotOptions = {},
): Promise<SnapshotResult> {
  const cache = options.cache ?? createCoreCache();
  const read = partsToRead(ref, parts);
  const wants = (part: SnapshotPart) => read.includes(part);
  const earlier =
    options.earlier !== undefined && sameStage(options.earlier.ref, ref) ? options.earlier : undefined;
  const earlierApi = earlier?.parts.includes('api') === true ? earlier.api : undefined;
  try {
    // The stage first: when it is gone nothing else is worth a call.
    if (ref.apiType === 'REST') {
      const stage = earlier?.apiType === 'REST' ? earlier.stage : await readRestStage(ref, clients);
      const [api, account, customDomains] = await Promise.all([
        wants('api') ? (earlierApi ?? readRestApi(ref, clients)) : undefined,
        wants('account') ? readAccount(ref, clients, cache) : undefined,
        wants('customDomains') ? readCustomDomains(ref, clients, cache) : undefined,
      ]);
      return definedOnly({
        status: 'FOUND',
        apiType: 'REST',
        ref,
        parts: read,
        stage,
        api,
        account,
        customDomains,
      });
    }
    const stage = earlier?.apiType === 'V2' ? earlier.stage : await readV2Stage(ref, clients);
    const api = earlierApi ?? (await readV2Api(ref, clients));
    // WebSocket execution logs need the same Region-wide CloudWatch role as REST; HTTP APIs have none.
    const wantsAccount = wants('account') && api.protocol === 'WEBSOCKET';
    const [account, customDomains, routes, integrations] = await Promise.all([
      wantsAccount ? readAccount(ref, clients, cache) : undefined,
      wants('customDomains') ? readCustomDomains(ref, clients, cache) : undefined,
      wants('routes') ? readRoutes(ref, clients) : undefined,
      wants('integrations') ? readIntegrations(ref, clients) : undefined,
    ]);
    return definedOnly({
      status: 'FOUND',
      apiType: 'V2',
      ref,
      parts: wantsAccount ? read : read.filter((part) => part !== 'account'),
      stage,
      api,
      account,
      customDomains,
      routes,
      integrations,
    });
  } catch (error) {
    if (error instanceof ResourceGoneError) return { status: 'GONE', ref, reason: error.message };
    throw error;
  }
}
