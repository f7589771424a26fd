/**
 * Paginators for the operations whose SDK clients ship none.
 *
 * @aws-sdk/client-api-gateway generates `paginateGetDomainNames` and `paginateGetBasePathMappings`
 * (used directly where needed), but @aws-sdk/client-apigatewayv2 generates a paginator only for
 * ListRoutingRules and @aws-sdk/client-wafv2 none at all. These are declared with the same
 * `createPaginator` of @smithy/core that the generated ones are built with, so every page loop
 * of the service has one shape: `for await (const page of paginateX({ client, pageSize }, input))`,
 * stopping when the service returns no token. Page sizes are the caller's (`pageSize`); without
 * one the request carries none and the service's default applies, as before.
 *
 * Each is built `/* @__PURE__ *\/` (createPaginator only returns a generator function), so a
 * bundle keeps only the paginators it calls and, with them, only those SDK clients: the tasks
 * that read stages do not carry WAF's client for the web ACL listing only apply makes.
 */
import {
  ApiGatewayV2Client,
  GetApiMappingsCommand,
  GetApisCommand,
  GetDomainNamesCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStagesCommand,
  type GetApiMappingsCommandInput,
  type GetApiMappingsCommandOutput,
  type GetApisCommandInput,
  type GetApisCommandOutput,
  type GetDomainNamesCommandInput,
  type GetDomainNamesCommandOutput,
  type GetIntegrationsCommandInput,
  type GetIntegrationsCommandOutput,
  type GetRoutesCommandInput,
  type GetRoutesCommandOutput,
  type GetStagesCommandInput,
  type GetStagesCommandOutput,
} from '@aws-sdk/client-apigatewayv2';
import {
  ListWebACLsCommand,
  WAFV2Client,
  type ListWebACLsCommandInput,
  type ListWebACLsCommandOutput,
} from '@aws-sdk/client-wafv2';
import { createPaginator } from '@smithy/core';
import type { PaginationConfiguration } from '@smithy/types';

interface ApiGatewayV2PaginationConfiguration extends PaginationConfiguration {
  readonly client: ApiGatewayV2Client;
}

interface WAFV2PaginationConfiguration extends PaginationConfiguration {
  readonly client: WAFV2Client;
}

/**
 * Every V2 listing the service reads pages the same way: NextToken in, NextToken out, MaxResults
 * as the page size (API Gateway V2 API reference: GetRoutes, GetIntegrations, GetDomainNames,
 * GetApiMappings, GetApis, GetStages).
 */
function apiGatewayV2Paginator<Input extends object, Output extends object>(command: unknown) {
  return createPaginator<ApiGatewayV2PaginationConfiguration, Input, Output>(
    ApiGatewayV2Client,
    command,
    'NextToken',
    'NextToken',
    'MaxResults',
  );
}

export const paginateGetRoutes = /* @__PURE__ */ apiGatewayV2Paginator<
  GetRoutesCommandInput,
  GetRoutesCommandOutput
>(GetRoutesCommand);
export const paginateGetIntegrations = /* @__PURE__ */ apiGatewayV2Paginator<
  GetIntegrationsCommandInput,
  GetIntegrationsCommandOutput
>(GetIntegrationsCommand);
export const paginateGetV2DomainNames = /* @__PURE__ */ apiGatewayV2Paginator<
  GetDomainNamesCommandInput,
  GetDomainNamesCommandOutput
>(GetDomainNamesCommand);
export const paginateGetApiMappings = /* @__PURE__ */ apiGatewayV2Paginator<
  GetApiMappingsCommandInput,
  GetApiMappingsCommandOutput
>(GetApiMappingsCommand);

/** Every HTTP and WebSocket API of the Region (the CLI's inventory). */
export const paginateGetApis = /* @__PURE__ */ apiGatewayV2Paginator<
  GetApisCommandInput,
  GetApisCommandOutput
>(GetApisCommand);
/** Every stage of one HTTP or WebSocket API (the CLI's inventory). */
export const paginateGetV2Stages = /* @__PURE__ */ apiGatewayV2Paginator<
  GetStagesCommandInput,
  GetStagesCommandOutput
>(GetStagesCommand);

/** ListWebACLs: NextMarker in and out, Limit (1–100) as page size (WAFV2 API reference, ListWebACLs). */
export const paginateListWebACLs = /* @__PURE__ */ createPaginator<
  WAFV2PaginationConfiguration,
  ListWebACLsCommandInput,
  ListWebACLsCommandOutput
>(WAFV2Client, ListWebACLsCommand, 'NextMarker', 'NextMarker', 'Limit');
