/**
 * Seeds moto_server with API Gateway stages that fail the baseline: what `apigw-remediation … --local`
 * scans, and what the demo, the bench and the integration and workflow tests start from
 * (test/helpers/insecure-apis.ts runs these as test harness work).
 *
 * - REST: API with `GET /pets` (MOCK), deployed to a stage with execution logging OFF, no
 *   tracing, throttling above the baseline, no access logs, no WAF, method caching on `~1pets/GET` without
 *   encryption, the execute-api endpoint enabled while a custom domain maps the API.
 * - HTTP: API with `GET /pets` (HTTP_PROXY), a stage with no access logs and no throttling,
 *   mapped by a custom domain with the execute-api endpoint enabled.
 * - WebSocket: API with `$connect`, a stage with execution logging OFF and no access logs.
 */
import {
  APIGatewayClient,
  CreateBasePathMappingCommand,
  CreateDeploymentCommand,
  CreateDomainNameCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateDomainNameCommand as CreateV2DomainNameCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand as CreateV2StageCommand,
} from '@aws-sdk/client-apigatewayv2';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { StageRef } from '../core/types.js';
import { MOTO_ACCOUNT, MOTO_REGION, motoCredentials } from './moto-server.js';

export interface SeedOptions {
  readonly endpoint: string;
  readonly region?: string;
  /** The account the credentials belong to (moto: 123456789012 for the default test keys). */
  readonly account?: string;
  readonly credentials?: AwsCredentialIdentity;
  readonly apiName?: string;
  readonly stageName?: string;
  /** Map the API on a custom domain (so the default-endpoint baseline fails). Default true. */
  readonly customDomain?: boolean;
  /** Tags added to the REST API's and the stage's own, e.g. CloudFormation's stack tags (docs/decisions/0029). */
  readonly apiTags?: Readonly<Record<string, string>>;
  readonly stageTags?: Readonly<Record<string, string>>;
}

export interface SeededStage {
  readonly ref: StageRef;
  /** The seeded route's per-method settings key (REST) or route key (V2). */
  readonly methodKey: string;
  readonly domainName?: string;
}

function clientConfig(options: SeedOptions) {
  return {
    region: options.region ?? MOTO_REGION,
    endpoint: options.endpoint,
    credentials: options.credentials ?? motoCredentials,
  };
}

function refOf(
  options: SeedOptions,
  apiType: StageRef['apiType'],
  apiId: string,
  stageName: string,
): StageRef {
  return {
    partition: 'aws',
    region: options.region ?? MOTO_REGION,
    account: options.account ?? MOTO_ACCOUNT,
    apiType,
    apiId,
    stageName,
  };
}

let domainCounter = 0;
function uniqueDomain(kind: string): string {
  domainCounter += 1;
  return `${kind}-${process.pid}-${domainCounter}.example.com`;
}

export async function seedInsecureRestStage(options: SeedOptions): Promise<SeededStage> {
  const client = new APIGatewayClient(clientConfig(options));
  const stageName = options.stageName ?? 'prod';
  const api = await client.send(
    new CreateRestApiCommand({
      name: options.apiName ?? 'insecure-rest',
      endpointConfiguration: { types: ['REGIONAL'] },
      tags: { team: 'payments', ...options.apiTags },
    }),
  );
  const restApiId = api.id ?? '';
  const resources = await client.send(new GetResourcesCommand({ restApiId }));
  const rootId = resources.items?.find((resource) => resource.path === '/')?.id ?? '';
  const pets = await client.send(
    new CreateResourceCommand({ restApiId, parentId: rootId, pathPart: 'pets' }),
  );
  const resourceId = pets.id ?? '';
  await client.send(
    new PutMethodCommand({ restApiId, resourceId, httpMethod: 'GET', authorizationType: 'NONE' }),
  );
  await client.send(
    new PutIntegrationCommand({
      restApiId,
      resourceId,
      httpMethod: 'GET',
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
    }),
  );
  const deployment = await client.send(new CreateDeploymentCommand({ restApiId }));
  await client.send(
    new CreateStageCommand({
      restApiId,
      stageName,
      deploymentId: deployment.id ?? '',
      cacheClusterEnabled: true,
      cacheClusterSize: '0.5',
      tags: { env: stageName, ...options.stageTags },
    }),
  );
  const methodKey = '~1pets/GET';
  await client.send(
    new UpdateStageCommand({
      restApiId,
      stageName,
      patchOperations: [
        { op: 'replace', path: '/*/*/logging/loglevel', value: 'OFF' },
        // Above the baseline (1000 rps / 2000 burst): moto otherwise fills in exactly the baseline values.
        { op: 'replace', path: '/*/*/throttling/rateLimit', value: '10000' },
        { op: 'replace', path: '/*/*/throttling/burstLimit', value: '5000' },
        { op: 'replace', path: `/${methodKey}/caching/enabled`, value: 'true' },
        { op: 'replace', path: `/${methodKey}/caching/dataEncrypted`, value: 'false' },
      ],
    }),
  );
  let domainName: string | undefined;
  if (options.customDomain ?? true) {
    domainName = uniqueDomain('rest');
    await client.send(
      new CreateDomainNameCommand({
        domainName,
        regionalCertificateArn: `arn:aws:acm:${options.region ?? MOTO_REGION}:${options.account ?? MOTO_ACCOUNT}:certificate/seed`,
        endpointConfiguration: { types: ['REGIONAL'] },
        securityPolicy: 'TLS_1_2',
      }),
    );
    await client.send(
      new CreateBasePathMappingCommand({ domainName, restApiId, stage: stageName, basePath: 'v1' }),
    );
  }
  return {
    ref: refOf(options, 'REST', restApiId, stageName),
    methodKey,
    ...(domainName ? { domainName } : {}),
  };
}

async function seedV2(
  options: SeedOptions,
  protocol: 'HTTP' | 'WEBSOCKET',
  routeKey: string,
  defaultStageName: string,
): Promise<SeededStage> {
  const client = new ApiGatewayV2Client(clientConfig(options));
  const api = await client.send(
    new CreateApiCommand({
      Name: options.apiName ?? `insecure-${protocol.toLowerCase()}`,
      ProtocolType: protocol,
      ...(protocol === 'WEBSOCKET' ? { RouteSelectionExpression: '$request.body.action' } : {}),
      Tags: { team: 'payments' },
    }),
  );
  const apiId = api.ApiId ?? '';
  const integration = await client.send(
    new CreateIntegrationCommand({
      ApiId: apiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      IntegrationUri: 'https://backend.example.com',
      PayloadFormatVersion: '1.0',
    }),
  );
  await client.send(
    new CreateRouteCommand({
      ApiId: apiId,
      RouteKey: routeKey,
      Target: `integrations/${integration.IntegrationId}`,
    }),
  );
  const stageName = options.stageName ?? defaultStageName;
  await client.send(
    new CreateV2StageCommand({
      ApiId: apiId,
      StageName: stageName,
      ...(protocol === 'WEBSOCKET'
        ? {
            DefaultRouteSettings: {
              LoggingLevel: 'OFF',
              DataTraceEnabled: false,
              DetailedMetricsEnabled: false,
            },
          }
        : {}),
      Tags: { env: stageName },
    }),
  );
  let domainName: string | undefined;
  if (options.customDomain ?? true) {
    domainName = uniqueDomain(protocol.toLowerCase());
    await client.send(
      new CreateV2DomainNameCommand({
        DomainName: domainName,
        DomainNameConfigurations: [
          {
            CertificateArn: `arn:aws:acm:${options.region ?? MOTO_REGION}:${options.account ?? MOTO_ACCOUNT}:certificate/seed`,
            EndpointType: 'REGIONAL',
            SecurityPolicy: 'TLS_1_2',
          },
        ],
      }),
    );
    await client.send(
      new CreateApiMappingCommand({
        DomainName: domainName,
        ApiId: apiId,
        Stage: stageName,
        ApiMappingKey: '',
      }),
    );
  }
  return {
    ref: refOf(options, 'V2', apiId, stageName),
    methodKey: routeKey,
    ...(domainName ? { domainName } : {}),
  };
}

export function seedInsecureHttpStage(options: SeedOptions): Promise<SeededStage> {
  return seedV2(options, 'HTTP', 'GET /pets', 'live');
}

export function seedInsecureWebSocketStage(options: SeedOptions): Promise<SeededStage> {
  return seedV2(options, 'WEBSOCKET', '$connect', 'live');
}
