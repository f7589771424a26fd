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
 */
import {
  ApiGatewayV2Client,
  GetApiMappingsCommand,
  GetDomainNamesCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  type GetApiMappingsCommandInput,
  type GetApiMappingsCommandOutput,
  type GetDomainNamesCommandInput,
  type GetDomainNamesCommandOutput,
  type GetIntegrationsCommandInput,
  type GetIntegrationsCommandOutput,
  type GetRoutesCommandInput,
  type GetRoutesCommandOutput,
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

/** GetRoutes: NextToken in, NextToken out, MaxResults as page size (API Gateway V2 API reference). */
export const paginateGetRoutes = createPaginator<
  ApiGatewayV2PaginationConfiguration,
  GetRoutesCommandInput,
  GetRoutesCommandOutput
>(ApiGatewayV2Client, GetRoutesCommand, 'NextToken', 'NextToken', 'MaxResults');

export const paginateGetIntegrations = createPaginator<
  ApiGatewayV2PaginationConfiguration,
  GetIntegrationsCommandInput,
  GetIntegrationsCommandOutput
>(ApiGatewayV2Client, GetIntegrationsCommand, 'NextToken', 'NextToken', 'MaxResults');

export const paginateGetV2DomainNames = createPaginator<
  ApiGatewayV2PaginationConfiguration,
  GetDomainNamesCommandInput,
  GetDomainNamesCommandOutput
>(ApiGatewayV2Client, GetDomainNamesCommand, 'NextToken', 'NextToken', 'MaxResults');

export const paginateGetApiMappings = createPaginator<
  ApiGatewayV2PaginationConfiguration,
  GetApiMappingsCommandInput,
  GetApiMappingsCommandOutput
>(ApiGatewayV2Client, GetApiMappingsCommand, 'NextToken', 'NextToken', 'MaxResults');

/** ListWebACLs: NextMarker in and out, Limit (1–100) as page size (WAFV2 API reference, ListWebACLs). */
export const paginateListWebACLs = createPaginator<
  WAFV2PaginationConfiguration,
  ListWebACLsCommandInput,
  ListWebACLsCommandOutput
>(WAFV2Client, ListWebACLsCommand, 'NextMarker', 'NextMarker', 'Limit');
