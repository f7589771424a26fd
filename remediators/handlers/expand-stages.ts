/**
 * Expand-stages (part of the admit task, ./admit.ts): the stages a request covers. A request that names its stage covers that
 * stage (whether it still exists is the decide task's question); one that names none (an
 * API-level change such as UpdateRestApi) covers every stage of the API, read now.
 */
import { GetStagesCommand } from '@aws-sdk/client-api-gateway';
import { GetStagesCommand as GetV2StagesCommand } from '@aws-sdk/client-apigatewayv2';
import * as z from 'zod';
import type { StageRef } from '../core/types.js';
import { logger } from '../shared/powertools.js';
import type { ApiClientsDeps } from '../workflow/deps/core-clients.js';
import { parseTaskInput, RemediationRequestSchema, type RemediationRequest } from '../workflow/state.js';

const InputSchema = z.object({ request: RemediationRequestSchema });

export interface Expansion {
  readonly stages: readonly StageRef[];
  readonly reason: string;
}

function stageRef(request: RemediationRequest, stageName: string): StageRef {
  const { account, region, partition, apiType, apiId } = request;
  return { account, region, partition, apiType, apiId, stageName };
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'NotFoundException';
}

export function createExpandStagesHandler(deps: ApiClientsDeps) {
  return async (event: unknown): Promise<Expansion> => {
    const { request } = parseTaskInput('expand-stages', InputSchema, event);
    if (request.stageName !== null) {
      return { stages: [stageRef(request, request.stageName)], reason: 'the request names its stage' };
    }
    const clients = await deps.coreClients(request);
    let names: string[];
    try {
      names =
        request.apiType === 'REST'
          ? (
              (await clients.apiGateway.send(new GetStagesCommand({ restApiId: request.apiId }))).item ?? []
            ).map((stage) => stage.stageName ?? '')
          : (
              (await clients.apiGatewayV2.send(new GetV2StagesCommand({ ApiId: request.apiId }))).Items ?? []
            ).map((stage) => stage.StageName ?? '');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      logger.info('API gone before its stages could be listed', { apiId: request.apiId });
      return { stages: [], reason: `API ${request.apiId} no longer exists` };
    }
    const stages = names.filter((name) => name !== '').map((name) => stageRef(request, name));
    return { stages, reason: `every stage of API ${request.apiId} (${stages.length})` };
  };
}
