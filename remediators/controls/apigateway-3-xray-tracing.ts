/** APIGateway.3: REST stages must have AWS X-Ray active tracing (AWS Config rule api-gw-xray-enabled). */
import type { RestStageSnapshot, StageSnapshot } from '../core/types.js';
import { restStagePatchStatement } from './iam.js';
import { NO_PARAMS, defineControl } from './define-control.js';
import type { ControlMeta, Inspection } from './define-control.js';
import { notRestorable, restored, step, type UndoStep } from './undo.js';

function inspectRest(snapshot: RestStageSnapshot): Inspection {
  if (snapshot.stage.tracingEnabled) {
    return { compliant: true, reason: 'X-Ray tracing is enabled (tracingEnabled is true)' };
  }
  return {
    compliant: false,
    problems: ['tracingEnabled is false; expected true so requests are traced with AWS X-Ray'],
    changes: [
      {
        change: { setting: 'tracingEnabled', before: false, after: true },
        operation: { kind: 'restStagePatch', op: 'replace', path: '/tracingEnabled', value: 'true' },
      },
    ],
  };
}

/** Undo: tracing back to the recorded value (not set reads as false, as GetStage omits it). */
function undo(setting: string, snapshot: StageSnapshot): UndoStep | undefined {
  if (setting !== 'tracingEnabled' || snapshot.apiType !== 'REST') return undefined;
  return step(snapshot.stage.tracingEnabled, (before) => {
    const value = before ?? false;
    if (typeof value !== 'boolean') return notRestorable(`${JSON.stringify(before)} is not true or false`);
    return restored(
      [{ kind: 'restStagePatch', op: 'replace', path: '/tracingEnabled', value: String(value) }],
      value,
    );
  });
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const apiGateway3XRayTracingMeta = {
  id: 'APIGateway.3',
  title: 'API Gateway REST API stages should have AWS X-Ray tracing enabled',
  appliesTo: ['REST'],
  kind: 'fixing',
  defaultMode: 'auto',
  params: NO_PARAMS,
} as const satisfies ControlMeta;

export const apiGateway3XRayTracing = /* @__PURE__ */ defineControl(apiGateway3XRayTracingMeta, {
  needs: ['stage', 'api'],
  inspectRest,
  iam: (scope) => [restStagePatchStatement(scope)],
  docs: { redeploy: 'no', prerequisites: '—' },
  undo,
  // CloudFormation AWS::ApiGateway::Stage TracingEnabled ("Specifies whether active tracing with
  // X-ray is enabled for the Stage"); aws-cdk-lib aws_apigateway StageOptions.tracingEnabled
  // (RestApi deployOptions); Terraform aws_api_gateway_stage xray_tracing_enabled.
  sourceFix: {
    REST: {
      cloudFormation: 'AWS::ApiGateway::Stage TracingEnabled: true',
      cdk: 'RestApi deployOptions: { tracingEnabled: true } (or Stage tracingEnabled: true)',
      terraform: 'aws_api_gateway_stage xray_tracing_enabled = true',
    },
  },
});
