/**
 * Every stage of one account and Region: REST APIs with the SDK's GetRestApis paginator (pages of
 * 500, the API's maximum `limit`) and GetStages (which returns all of an API's stages in one
 * answer: it takes no position or limit, API Gateway API reference, GetStages); HTTP and WebSocket
 * APIs with GetApis and their stages with GetStages, both paged by NextToken (core/paginators.ts).
 */
import { GetStagesCommand, paginateGetRestApis } from '@aws-sdk/client-api-gateway';
import { paginateGetApis, paginateGetV2Stages } from '../core/paginators.js';
import type { StageRef } from '../core/types.js';
import type { Target } from './access.js';
import { withContext } from './aws-errors.js';

export interface StageFilter {
  readonly apiId?: string;
  readonly stageName?: string;
}

function apiGatewayResource(target: Target, path: string): string {
  return `arn:${target.partition}:apigateway:${target.region}::${path}`;
}

function refOf(target: Target, apiType: StageRef['apiType'], apiId: string, stageName: string): StageRef {
  return {
    partition: target.partition,
    region: target.region,
    account: target.account,
    apiType,
    apiId,
    stageName,
  };
}

async function restStages(target: Target, filter: StageFilter): Promise<StageRef[]> {
  const client = target.clients.apiGateway;
  const context = {
    operation: 'APIGateway.GetRestApis',
    iamAction: 'apigateway:GET',
    resource: apiGatewayResource(target, '/restapis'),
    account: target.account,
    region: target.region,
  };
  const apiIds = await withContext(context, async () => {
    const ids: string[] = [];
    for await (const page of paginateGetRestApis({ client, pageSize: 500 }, {})) {
      for (const api of page.items ?? []) if (api.id !== undefined) ids.push(api.id);
    }
    return ids;
  });
  const refs: StageRef[] = [];
  for (const restApiId of apiIds.filter((id) => filter.apiId === undefined || id === filter.apiId)) {
    const stages = await withContext(
      {
        ...context,
        operation: 'APIGateway.GetStages',
        resource: apiGatewayResource(target, `/restapis/${restApiId}/stages`),
      },
      () => client.send(new GetStagesCommand({ restApiId })),
    );
    for (const stage of stages.item ?? []) {
      if (stage.stageName === undefined) continue;
      if (filter.stageName !== undefined && stage.stageName !== filter.stageName) continue;
      refs.push(refOf(target, 'REST', restApiId, stage.stageName));
    }
  }
  return refs;
}

async function v2Stages(target: Target, filter: StageFilter): Promise<StageRef[]> {
  const client = target.clients.apiGatewayV2;
  const context = {
    operation: 'ApiGatewayV2.GetApis',
    iamAction: 'apigateway:GET',
    resource: apiGatewayResource(target, '/apis'),
    account: target.account,
    region: target.region,
  };
  const apiIds = await withContext(context, async () => {
    const ids: string[] = [];
    for await (const page of paginateGetApis({ client }, {})) {
      for (const api of page.Items ?? []) if (api.ApiId !== undefined) ids.push(api.ApiId);
    }
    return ids;
  });
  const refs: StageRef[] = [];
  for (const apiId of apiIds.filter((id) => filter.apiId === undefined || id === filter.apiId)) {
    const stageNames = await withContext(
      {
        ...context,
        operation: 'ApiGatewayV2.GetStages',
        resource: apiGatewayResource(target, `/apis/${apiId}/stages`),
      },
      async () => {
        const names: string[] = [];
        for await (const page of paginateGetV2Stages({ client }, { ApiId: apiId })) {
          for (const stage of page.Items ?? [])
            if (stage.StageName !== undefined) names.push(stage.StageName);
        }
        return names;
      },
    );
    for (const stageName of stageNames) {
      if (filter.stageName !== undefined && stageName !== filter.stageName) continue;
      refs.push(refOf(target, 'V2', apiId, stageName));
    }
  }
  return refs;
}

/** The stages of one target that match the filter: REST first, then HTTP and WebSocket, in listing order. */
export async function listStages(target: Target, filter: StageFilter): Promise<StageRef[]> {
  return [...(await restStages(target, filter)), ...(await v2Stages(target, filter))];
}
