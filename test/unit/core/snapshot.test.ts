import {
  GetAccountCommand,
  GetBasePathMappingsCommand,
  GetDomainNamesCommand,
  GetRestApiCommand,
  GetStageCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import {
  GetApiCommand,
  GetApiMappingsCommand,
  GetDomainNamesCommand as GetV2DomainNamesCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand as GetV2StageCommand,
  NotFoundException as V2NotFoundException,
} from '@aws-sdk/client-apigatewayv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCoreCache } from '../../../remediators/core/cache.js';
import { createCoreClients } from '../../../remediators/core/clients.js';
import { partsToRead, readStageSnapshot } from '../../../remediators/core/snapshot.js';
import type { StageRef } from '../../../remediators/core/types.js';
import { REST_STAGE_REF } from '../../helpers/stage-refs.js';

const clients = createCoreClients({
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
const rest = mockClient(clients.apiGateway);
const v2 = mockClient(clients.apiGatewayV2);

const REST_REF: StageRef = REST_STAGE_REF;
const V2_REF: StageRef = { ...REST_REF, apiType: 'V2', apiId: 'z9y8x7w6v5', stageName: '$default' };

beforeEach(() => {
  rest.reset();
  v2.reset();
  rest.on(GetStageCommand).resolves({
    stageName: 'prod',
    deploymentId: 'abc123',
    webAclArn: 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/team/1',
    methodSettings: {
      '*/*': {
        loggingLevel: 'ERROR',
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        metricsEnabled: false,
      },
      '~1pets/GET': { cachingEnabled: true, cacheDataEncrypted: false },
    },
    accessLogSettings: {
      destinationArn: 'arn:aws:logs:us-east-1:111122223333:log-group:team',
      format: '$context.requestId',
    },
    tags: { env: 'prod' },
  });
  rest.on(GetRestApiCommand).resolves({
    name: 'pets',
    endpointConfiguration: { types: ['REGIONAL'] },
    tags: { team: 'payments' },
  });
  rest.on(GetAccountCommand).resolves({ cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/cw' });
});

describe('readStageSnapshot (REST)', () => {
  it('reads only the stage and the API when the controls need no more, and normalises absent flags', async () => {
    const snapshot = await readStageSnapshot(REST_REF, ['stage', 'api'], clients);

    expect(snapshot).toEqual({
      status: 'FOUND',
      apiType: 'REST',
      ref: REST_REF,
      parts: ['stage', 'api'],
      stage: {
        deploymentId: 'abc123',
        tracingEnabled: false,
        cacheClusterEnabled: false,
        webAclArn: 'arn:aws:wafv2:us-east-1:111122223333:regional/webacl/team/1',
        accessLogSettings: {
          destinationArn: 'arn:aws:logs:us-east-1:111122223333:log-group:team',
          format: '$context.requestId',
        },
        methodSettings: {
          '*/*': {
            loggingLevel: 'ERROR',
            throttlingRateLimit: 100,
            throttlingBurstLimit: 200,
            metricsEnabled: false,
          },
          '~1pets/GET': { cachingEnabled: true, cacheDataEncrypted: false },
        },
        tags: { env: 'prod' },
      },
      api: {
        name: 'pets',
        protocol: 'REST',
        disableExecuteApiEndpoint: false,
        endpointTypes: ['REGIONAL'],
        tags: { team: 'payments' },
      },
    });
    expect(rest).not.toHaveReceivedCommand(GetAccountCommand);
    expect(rest).not.toHaveReceivedCommand(GetDomainNamesCommand);
  });

  it('caches GetAccount per account and Region across stages', async () => {
    const cache = createCoreCache();

    await readStageSnapshot(REST_REF, ['account'], clients, { cache });
    const second = await readStageSnapshot({ ...REST_REF, stageName: 'dev' }, ['account'], clients, {
      cache,
    });
    await readStageSnapshot({ ...REST_REF, region: 'eu-west-1' }, ['account'], clients, { cache });
    await readStageSnapshot({ ...REST_REF, account: '444455556666' }, ['account'], clients, { cache });

    expect(second.status === 'FOUND' && second.account).toEqual({
      cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/cw',
    });
    expect(rest).toHaveReceivedCommandTimes(GetAccountCommand, 3);
  });

  it('collects the custom domain mappings of this API across pages, and caches the account-wide list', async () => {
    rest
      .on(GetDomainNamesCommand)
      .resolvesOnce({ items: [{ domainName: 'a.example.com', securityPolicy: 'TLS_1_0' }], position: 'next' })
      .resolvesOnce({ items: [{ domainName: 'b.example.com', securityPolicy: 'TLS_1_2' }] });
    rest
      .on(GetBasePathMappingsCommand, { domainName: 'a.example.com' })
      .resolves({ items: [{ basePath: '(none)', restApiId: REST_REF.apiId, stage: 'prod' }] });
    rest.on(GetBasePathMappingsCommand, { domainName: 'b.example.com' }).resolves({
      items: [
        { basePath: 'v2', restApiId: REST_REF.apiId, stage: 'prod' },
        { basePath: 'other', restApiId: 'otherapi00', stage: 'prod' },
      ],
    });
    const cache = createCoreCache();

    const snapshot = await readStageSnapshot(REST_REF, ['customDomains'], clients, { cache });
    await readStageSnapshot({ ...REST_REF, stageName: 'dev' }, ['customDomains'], clients, { cache });

    expect(snapshot.status === 'FOUND' && snapshot.customDomains).toEqual([
      { domainName: 'a.example.com', basePath: '(none)', stage: 'prod', securityPolicy: 'TLS_1_0' },
      { domainName: 'b.example.com', basePath: 'v2', stage: 'prod', securityPolicy: 'TLS_1_2' },
    ]);
    expect(rest).toHaveReceivedCommandTimes(GetDomainNamesCommand, 2);
    expect(rest).toHaveReceivedNthCommandWith(GetDomainNamesCommand, 2, { position: 'next', limit: 500 });
    expect(rest).toHaveReceivedCommandTimes(GetBasePathMappingsCommand, 2);
    expect(rest).toHaveReceivedCommandWith(GetBasePathMappingsCommand, { limit: 500 });
  });

  it('answers GONE, quoting AWS, when the stage or the API no longer exists', async () => {
    rest
      .on(GetStageCommand)
      .rejects(new NotFoundException({ message: 'Invalid stage identifier specified', $metadata: {} }));

    const snapshot = await readStageSnapshot(REST_REF, ['stage', 'api'], clients);

    expect(snapshot).toEqual({
      status: 'GONE',
      ref: REST_REF,
      reason: 'stage prod of REST API a1b2c3d4e5: Invalid stage identifier specified',
    });
    expect(rest).not.toHaveReceivedCommand(GetRestApiCommand);
  });

  it('lets other errors through', async () => {
    rest.on(GetStageCommand).rejects(new Error('AccessDeniedException: not authorized'));

    await expect(readStageSnapshot(REST_REF, ['stage'], clients)).rejects.toThrow('not authorized');
  });
  it('takes the stage and API of an earlier read of the same stage and reads only the parts it lacks', async () => {
    const earlier = await readStageSnapshot(REST_REF, ['stage', 'api'], clients);
    if (earlier.status !== 'FOUND') throw new Error('expected FOUND');
    rest.resetHistory();

    const snapshot = await readStageSnapshot(REST_REF, ['stage', 'api', 'account'], clients, { earlier });

    expect(rest).toHaveReceivedCommandTimes(GetStageCommand, 0);
    expect(rest).toHaveReceivedCommandTimes(GetRestApiCommand, 0);
    expect(rest).toHaveReceivedCommandTimes(GetAccountCommand, 1);
    expect(snapshot).toEqual({
      ...earlier,
      parts: ['stage', 'api', 'account'],
      account: { cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/cw' },
    });
  });

  it('reads the API when the earlier read did not, and everything when the earlier read is of another stage', async () => {
    const stageOnly = await readStageSnapshot(REST_REF, ['stage'], clients);
    if (stageOnly.status !== 'FOUND') throw new Error('expected FOUND');
    rest.resetHistory();

    await readStageSnapshot(REST_REF, ['stage', 'api'], clients, { earlier: stageOnly });
    expect(rest).toHaveReceivedCommandTimes(GetStageCommand, 0);
    expect(rest).toHaveReceivedCommandTimes(GetRestApiCommand, 1);

    rest.resetHistory();
    const otherStage = { ...stageOnly, ref: { ...REST_REF, stageName: 'test' } };
    await readStageSnapshot(REST_REF, ['stage', 'api'], clients, { earlier: otherStage });
    expect(rest).toHaveReceivedCommandTimes(GetStageCommand, 1);
    expect(rest).toHaveReceivedCommandTimes(GetRestApiCommand, 1);
  });
});

describe('readStageSnapshot (V2)', () => {
  beforeEach(() => {
    v2.on(GetV2StageCommand).resolves({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { DetailedMetricsEnabled: false, ThrottlingRateLimit: 50 },
      RouteSettings: { 'GET /pets': { ThrottlingBurstLimit: 10 } },
      AccessLogSettings: {
        DestinationArn: 'arn:aws:logs:us-east-1:111122223333:log-group:x',
        Format: '$context.requestId',
      },
      Tags: { env: 'live' },
    });
    v2.on(GetApiCommand).resolves({
      Name: 'orders',
      ProtocolType: 'HTTP',
      DisableExecuteApiEndpoint: true,
      Tags: {},
    });
  });

  it('converts the PascalCase of API Gateway V2 into the snapshot types', async () => {
    const snapshot = await readStageSnapshot(V2_REF, ['stage'], clients);

    expect(snapshot).toEqual({
      status: 'FOUND',
      apiType: 'V2',
      ref: V2_REF,
      parts: ['stage', 'api'],
      stage: {
        autoDeploy: true,
        accessLogSettings: {
          destinationArn: 'arn:aws:logs:us-east-1:111122223333:log-group:x',
          format: '$context.requestId',
        },
        defaultRouteSettings: { detailedMetricsEnabled: false, throttlingRateLimit: 50 },
        routeSettings: { 'GET /pets': { throttlingBurstLimit: 10 } },
        tags: { env: 'live' },
      },
      api: { name: 'orders', protocol: 'HTTP', disableExecuteApiEndpoint: true, endpointTypes: [], tags: {} },
    });
    expect(v2).toHaveReceivedCommandWith(GetV2StageCommand, { ApiId: V2_REF.apiId, StageName: '$default' });
  });

  it('reads routes, integrations and API mappings when asked; GetAccount only for WebSocket APIs', async () => {
    v2.on(GetRoutesCommand).resolves({ Items: [{ RouteKey: 'GET /pets', AuthorizationType: 'JWT' }] });
    v2.on(GetIntegrationsCommand).resolves({
      Items: [
        {
          IntegrationId: 'int1',
          ConnectionType: 'VPC_LINK',
          IntegrationUri: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/x',
          TlsConfig: { ServerNameToVerify: 'backend.internal' },
        },
      ],
    });
    v2.on(GetV2DomainNamesCommand).resolves({
      Items: [
        { DomainName: 'orders.example.com', DomainNameConfigurations: [{ SecurityPolicy: 'TLS_1_2' }] },
      ],
    });
    v2.on(GetApiMappingsCommand).resolves({
      Items: [{ ApiId: V2_REF.apiId, ApiMappingKey: '', Stage: '$default' }],
    });

    const http = await readStageSnapshot(
      V2_REF,
      ['account', 'customDomains', 'routes', 'integrations'],
      clients,
    );

    expect(http.status === 'FOUND' && http.parts).toEqual([
      'stage',
      'api',
      'customDomains',
      'routes',
      'integrations',
    ]);
    expect(http).toMatchObject({
      routes: [{ routeKey: 'GET /pets', authorizationType: 'JWT' }],
      integrations: [
        {
          integrationId: 'int1',
          connectionType: 'VPC_LINK',
          integrationUri: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/x',
          tlsConfigured: true,
          tlsServerNameToVerify: 'backend.internal',
        },
      ],
      customDomains: [
        {
          domainName: 'orders.example.com',
          basePath: '(none)',
          stage: '$default',
          securityPolicy: 'TLS_1_2',
        },
      ],
    });
    expect(rest).not.toHaveReceivedCommand(GetAccountCommand);

    v2.on(GetApiCommand).resolves({ Name: 'chat', ProtocolType: 'WEBSOCKET' });
    const webSocket = await readStageSnapshot(V2_REF, ['account'], clients);
    expect(webSocket.status === 'FOUND' && webSocket.account).toEqual({
      cloudwatchRoleArn: 'arn:aws:iam::111122223333:role/cw',
    });
  });

  it('follows NextToken through every page of routes and integrations, and answers GONE when a later page is', async () => {
    v2.on(GetRoutesCommand)
      .resolvesOnce({ Items: [{ RouteKey: 'GET /pets', AuthorizationType: 'JWT' }], NextToken: 'routes2' })
      .resolvesOnce({ Items: [{ RouteKey: 'POST /pets' }] });
    v2.on(GetIntegrationsCommand)
      .resolvesOnce({ Items: [{ IntegrationId: 'int1' }], NextToken: 'integrations2' })
      .rejectsOnce(new V2NotFoundException({ message: 'Invalid API identifier specified', $metadata: {} }));

    const routesOnly = await readStageSnapshot(V2_REF, ['routes'], clients);
    expect(routesOnly).toMatchObject({
      status: 'FOUND',
      routes: [
        { routeKey: 'GET /pets', authorizationType: 'JWT' },
        { routeKey: 'POST /pets', authorizationType: 'NONE' },
      ],
    });
    expect(v2).toHaveReceivedCommandTimes(GetRoutesCommand, 2);
    expect(v2).toHaveReceivedNthCommandWith(GetRoutesCommand, 2, {
      ApiId: V2_REF.apiId,
      NextToken: 'routes2',
    });

    const gone = await readStageSnapshot(V2_REF, ['integrations'], clients);
    expect(gone.status).toBe('GONE');
    expect(v2).toHaveReceivedCommandTimes(GetIntegrationsCommand, 2);
  });

  it('takes the stage and API of an earlier read of the same stage', async () => {
    const earlier = await readStageSnapshot(V2_REF, ['stage'], clients);
    if (earlier.status !== 'FOUND') throw new Error('expected FOUND');
    v2.resetHistory();

    const snapshot = await readStageSnapshot(V2_REF, ['stage', 'api'], clients, { earlier });

    expect(v2).toHaveReceivedCommandTimes(GetV2StageCommand, 0);
    expect(v2).toHaveReceivedCommandTimes(GetApiCommand, 0);
    expect(snapshot).toEqual(earlier);
  });

  it('answers GONE when the API was deleted', async () => {
    v2.on(GetV2StageCommand).rejects(
      new V2NotFoundException({ message: 'Invalid API identifier specified z9y8x7w6v5', $metadata: {} }),
    );

    const snapshot = await readStageSnapshot(V2_REF, ['stage'], clients);

    expect(snapshot.status).toBe('GONE');
  });
});

describe('partsToRead', () => {
  it('always reads the stage, the API for V2, and never V2-only parts for REST', () => {
    expect(partsToRead(REST_REF, ['routes', 'account'])).toEqual(['stage', 'account']);
    expect(partsToRead(V2_REF, [])).toEqual(['stage', 'api']);
  });
});
