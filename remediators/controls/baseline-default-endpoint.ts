/**
 * Baseline.DefaultEndpoint: when a custom domain maps the API, clients should come through
 * it, so the default execute-api endpoint (which bypasses the domain's TLS policy and any
 * protection placed in front of it) must be disabled. Without a custom domain the default
 * endpoint is the only way in: disabling it would cut every client off, so it passes.
 *
 * The setting belongs to the API, not the stage, and when it takes effect differs by API type:
 * - REST: "This setting takes affect when you update any setting on any stage, such as updating
 *   the deployment on the stage" (API Gateway developer guide, rest-api-disable-default-endpoint;
 *   updating-api lists disableExecuteApiEndpoint as "requires modifying any stage on the API").
 *   The remediation's own UpdateStage is such an update (plan.ts adds a stage patch that rewrites
 *   a current value when no other control changes the stage), so REST NEVER deploys: a
 *   CreateDeployment would publish the API's current definition, possibly unreleased work.
 * - V2: "you must deploy your API for the change to take effect, unless automatic deployments are
 *   enabled" (http-api-disable-default-endpoint). A stage without autoDeploy therefore needs a
 *   deployment, which the plan lists as a change of its own (define-control.ts deploymentChange).
 */
import type { ApiState, PlannedChange, StageSnapshot } from '../core/types.js';
import { API_ID_PATTERN, apiGatewayArn } from '../core/iam.js';
import { NO_PARAMS, defineControl, requirePart } from './define-control.js';
import { apiPatchStatement, restStagePatchStatement, v2StagePatchStatement } from './iam.js';
import type { ControlMeta, Inspection } from './define-control.js';
import { compareCodePoints } from './stage-settings.js';
import { notRestorable, restored, step, type UndoStep } from './undo.js';

const CONTROL_ID = 'Baseline.DefaultEndpoint';

function inspect(snapshot: StageSnapshot): Inspection {
  const api: ApiState = requirePart(CONTROL_ID, snapshot, 'api', snapshot.api);
  const mappings = requirePart(CONTROL_ID, snapshot, 'customDomains', snapshot.customDomains);
  if (api.disableExecuteApiEndpoint) {
    return { compliant: true, reason: 'the default execute-api endpoint is disabled' };
  }
  if (mappings.length === 0) {
    return {
      compliant: true,
      reason:
        'no custom domain maps this API, so the default execute-api endpoint is the only way in and stays enabled',
    };
  }
  const domains = [...new Set(mappings.map((mapping) => mapping.domainName))].sort(compareCodePoints);
  const change: PlannedChange['change'] = {
    setting: 'disableExecuteApiEndpoint',
    before: false,
    after: true,
  };
  return {
    compliant: false,
    problems: [
      `disableExecuteApiEndpoint is false while ${domains.length === 1 ? 'custom domain' : 'custom domains'} ` +
        `${domains.join(', ')} ${domains.length === 1 ? 'maps' : 'map'} this API, ` +
        'so clients can bypass the domain through execute-api; expected true',
    ],
    changes: [
      snapshot.apiType === 'REST'
        ? {
            change,
            operation: {
              kind: 'restApiPatch',
              op: 'replace',
              path: '/disableExecuteApiEndpoint',
              value: 'true',
            },
          }
        : { change, operation: { kind: 'v2ApiUpdate', field: 'DisableExecuteApiEndpoint', value: true } },
    ],
  };
}

/** REST: the stage update applies it. V2: auto-deploy stages pick it up themselves; others need a deployment. */
function redeploy(snapshot: StageSnapshot): boolean {
  return snapshot.apiType === 'V2' && !snapshot.stage.autoDeploy;
}

/**
 * Undo: the endpoint enabled again. REST: UpdateRestApi `replace /disableExecuteApiEndpoint false`,
 * which takes effect with the undo's own UpdateStage (as the fix's did). V2: UpdateApi, which a stage
 * without autoDeploy only serves after a deployment; an undo never deploys (a deployment publishes
 * the API's current definition), so there it is refused and the reason says so.
 */
function undo(setting: string, snapshot: StageSnapshot): UndoStep | undefined {
  if (setting !== 'disableExecuteApiEndpoint') return undefined;
  const api = requirePart(CONTROL_ID, snapshot, 'api', snapshot.api);
  return step(api.disableExecuteApiEndpoint, (before) => {
    const value = before ?? false;
    if (typeof value !== 'boolean') return notRestorable(`${JSON.stringify(before)} is not true or false`);
    if (snapshot.apiType === 'REST') {
      return restored(
        [{ kind: 'restApiPatch', op: 'replace', path: '/disableExecuteApiEndpoint', value: String(value) }],
        value,
      );
    }
    if (!snapshot.stage.autoDeploy) {
      return notRestorable(
        "the stage does not deploy automatically, so the API's endpoint setting would take effect only with a deployment, " +
          "which publishes the API's current definition and which an undo never makes",
      );
    }
    return restored([{ kind: 'v2ApiUpdate', field: 'DisableExecuteApiEndpoint', value }], value);
  });
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const baselineDefaultEndpointMeta = {
  id: CONTROL_ID,
  title: 'API Gateway APIs reachable through a custom domain should disable the default execute-api endpoint',
  appliesTo: ['REST', 'HTTP', 'WEBSOCKET'],
  kind: 'fixing',
  // Disabling the execute-api endpoint cuts clients that still use it: a human decides.
  defaultMode: 'approve',
  params: NO_PARAMS,
} as const satisfies ControlMeta;

export const baselineDefaultEndpoint = /* @__PURE__ */ defineControl(baselineDefaultEndpointMeta, {
  needs: ['stage', 'api', 'customDomains'],
  inspectRest: inspect,
  inspectV2: inspect,
  redeploy,
  iam: (scope) => [
    apiPatchStatement(scope),
    // REST: the stage update that makes the API change take effect (core/plan.ts); V2: the stage
    // update pointing at the new deployment.
    restStagePatchStatement(scope),
    v2StagePatchStatement(scope),
    {
      // V2 stages without autoDeploy only: REST stages take API-level changes with the stage update
      // and are never redeployed (remediators/core/apply.ts createDeployment).
      sid: 'Redeploy',
      actions: ['apigateway:POST'],
      resources: [apiGatewayArn(scope.partition, `/apis/${API_ID_PATTERN}/deployments`)],
    },
  ],
  docs: { redeploy: 'REST never; V2 without auto-deploy', prerequisites: '—' },
  undo,
  undoNeeds: ['api'],
  // CloudFormation AWS::ApiGateway::RestApi and AWS::ApiGatewayV2::Api DisableExecuteApiEndpoint;
  // aws-cdk-lib aws_apigateway RestApiBaseProps.disableExecuteApiEndpoint and aws_apigatewayv2
  // HttpApiProps.disableExecuteApiEndpoint (a WebSocketApi through its CfnApi); Terraform
  // aws_api_gateway_rest_api and aws_apigatewayv2_api disable_execute_api_endpoint.
  sourceFix: {
    REST: {
      cloudFormation: 'AWS::ApiGateway::RestApi DisableExecuteApiEndpoint: true',
      cdk: 'RestApi disableExecuteApiEndpoint: true',
      terraform: 'aws_api_gateway_rest_api disable_execute_api_endpoint = true',
    },
    HTTP: {
      cloudFormation: 'AWS::ApiGatewayV2::Api DisableExecuteApiEndpoint: true',
      cdk: 'HttpApi disableExecuteApiEndpoint: true',
      terraform: 'aws_apigatewayv2_api disable_execute_api_endpoint = true',
    },
    WEBSOCKET: {
      cloudFormation: 'AWS::ApiGatewayV2::Api DisableExecuteApiEndpoint: true',
      cdk: '(webSocketApi.node.defaultChild as apigatewayv2.CfnApi).disableExecuteApiEndpoint = true',
      terraform: 'aws_apigatewayv2_api disable_execute_api_endpoint = true',
    },
  },
});
