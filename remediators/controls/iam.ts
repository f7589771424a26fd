/**
 * The IAM statements the controls' own operations share, as plain data (core/iam.ts). API Gateway
 * ARNs carry no account, so resources are narrowed by path; `??????????` (an API id is always 10
 * characters) keeps UpdateRestApi / UpdateApi on the API itself, where `*` would also match every
 * method, integration and authorizer below it. Statements with one sid merge across controls.
 */
import { API_ID_PATTERN, apiGatewayArn, type IamScope, type IamStatement } from '../core/iam.js';

const PATCH_SID = 'UpdateStagesAndApis';

/** UpdateStage on REST stages (apigateway:PATCH on the stage). */
export function restStagePatchStatement({ partition }: IamScope): IamStatement {
  return {
    sid: PATCH_SID,
    actions: ['apigateway:PATCH'],
    resources: [apiGatewayArn(partition, `/restapis/${API_ID_PATTERN}/stages/*`)],
  };
}

/** UpdateStage on HTTP and WebSocket stages. */
export function v2StagePatchStatement({ partition }: IamScope): IamStatement {
  return {
    sid: PATCH_SID,
    actions: ['apigateway:PATCH'],
    resources: [apiGatewayArn(partition, `/apis/${API_ID_PATTERN}/stages/*`)],
  };
}

/** UpdateRestApi / UpdateApi on the API itself. */
export function apiPatchStatement({ partition }: IamScope): IamStatement {
  return {
    sid: PATCH_SID,
    actions: ['apigateway:PATCH'],
    resources: [`/restapis/${API_ID_PATTERN}`, `/apis/${API_ID_PATTERN}`].map((path) =>
      apiGatewayArn(partition, path),
    ),
  };
}
