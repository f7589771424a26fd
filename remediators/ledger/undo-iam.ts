/**
 * What an undo's calls (undo-apply.ts) are authorized as, by operation, as plain data for
 * infra/permissions.ts (the member role and the central undo function):
 * - REST UpdateStage, V2 UpdateStage: `apigateway:PATCH` on the stage; REST UpdateRestApi, V2
 *   UpdateApi: `apigateway:PATCH` on the API (Service Authorization Reference, Amazon API Gateway
 *   Management: PATCH on the resource path).
 * - apigatewayv2 DeleteAccessLogSettings: `apigateway:DELETE` on
 *   `/apis/{apiId}/stages/{stageName}/accesslogsettings` (the API's own path, DELETE).
 * - wafv2 DisassociateWebACL of a REST stage: `wafv2:DisassociateWebACL` on the protected resource
 *   (Service Authorization Reference, AWS WAF V2: DisassociateWebACL's resource type `apigateway`,
 *   `arn:${Partition}:apigateway:${Region}::/restapis/${ApiId}/stages/${StageName}`) and
 *   `apigateway:SetWebACL` on the stage (AWS WAF developer guide, "Permissions for
 *   DisassociateWebACL": the protected resource's own permission).
 */
import { API_ID_PATTERN, apiGatewayArn, type IamScope, type IamStatement } from '../core/iam.js';

export function undoIamStatements({ partition }: Pick<IamScope, 'partition'>): IamStatement[] {
  const restStages = apiGatewayArn(partition, `/restapis/${API_ID_PATTERN}/stages/*`);
  return [
    {
      sid: 'UndoPatch',
      actions: ['apigateway:PATCH'],
      resources: [
        restStages,
        apiGatewayArn(partition, `/apis/${API_ID_PATTERN}/stages/*`),
        apiGatewayArn(partition, `/restapis/${API_ID_PATTERN}`),
        apiGatewayArn(partition, `/apis/${API_ID_PATTERN}`),
      ],
    },
    {
      sid: 'UndoV2AccessLogging',
      actions: ['apigateway:DELETE'],
      resources: [apiGatewayArn(partition, `/apis/${API_ID_PATTERN}/stages/*/accesslogsettings`)],
    },
    {
      sid: 'UndoWebAclAssociation',
      actions: ['wafv2:DisassociateWebACL', 'apigateway:SetWebACL'],
      resources: [restStages],
    },
  ];
}
