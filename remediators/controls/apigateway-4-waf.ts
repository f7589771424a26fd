/**
 * APIGateway.4: REST stages must be associated with an AWS WAF web ACL (AWS Config rule
 * api-gw-associated-with-waf). Any existing web ACL passes and is never replaced: the fix only
 * associates the baseline web ACL with stages that have none. The baseline web ACL's managed rule
 * groups count before they block (baseline-web-acl.ts), and the planned change says which rules
 * block and which only count.
 */
import { webAclArnPattern } from '../core/effects/web-acl.js';
import { API_ID_PATTERN, apiGatewayArn } from '../core/iam.js';
import type { RestStageSnapshot, StageSnapshot } from '../core/types.js';
import { baselineWebAclEffect, describeBaselineWebAcl } from './baseline-web-acl.js';
import { NO_PARAMS, defineControl } from './define-control.js';
import type { ControlContext, ControlMeta, Inspection } from './define-control.js';
import { notRestorable, restored, type UndoStep } from './undo.js';

function inspectRest(snapshot: RestStageSnapshot, { resources }: ControlContext<unknown>): Inspection {
  const { webAclArn } = snapshot.stage;
  if (webAclArn) {
    return { compliant: true, reason: `the stage is protected by web ACL ${webAclArn}` };
  }
  return {
    compliant: false,
    problems: [
      'webAclArn is not set, so no AWS WAF web ACL filters requests to this stage; expected a web ACL',
    ],
    changes: [
      {
        // The approver reads which rules block and which only count (baseline-web-acl.ts).
        change: { setting: 'webAclArn', before: null, after: describeBaselineWebAcl(resources.webAcl) },
        operation: { kind: 'associateBaselineWebAcl' },
      },
    ],
  };
}

/**
 * Undo: the plan's after value describes the baseline web ACL (its rules), while the stage holds
 * the ACL's ARN; the stage still holds the remediation's change when that ARN is the baseline web
 * ACL's (`arn:{partition}:wafv2:{region}:{account}:regional/webacl/{name}/{id}`, the name from the
 * configuration). The fix only ever associates a stage that had none, so the undo disassociates
 * (wafv2 DisassociateWebACL, "Disassociates the specified resource from its web ACL association").
 */
function undo(
  setting: string,
  snapshot: StageSnapshot,
  { resources }: ControlContext<unknown>,
): UndoStep | undefined {
  if (setting !== 'webAclArn' || snapshot.apiType !== 'REST') return undefined;
  const current = snapshot.stage.webAclArn ?? null;
  const { partition, region, account } = snapshot.ref;
  const baselinePrefix = `arn:${partition}:wafv2:${region}:${account}:regional/webacl/${resources.webAcl.name}/`;
  return {
    current,
    holds: () => current?.startsWith(baselinePrefix) === true,
    restore: (before) =>
      before === null
        ? restored([{ kind: 'disassociateWebAcl' }], null)
        : notRestorable(
            `the stage had web ACL ${String(before)} before, and this control never replaces one; associate it by hand`,
          ),
  };
}

/** What the control is (catalog-meta.ts lists it); the control below adds what it does. */
export const apiGateway4WafMeta = {
  id: 'APIGateway.4',
  title: 'API Gateway should be associated with a WAF Web ACL',
  appliesTo: ['REST'],
  kind: 'fixing',
  // A web ACL can block a client's traffic: a human decides.
  defaultMode: 'approve',
  params: NO_PARAMS,
} as const satisfies ControlMeta;

export const apiGateway4Waf = /* @__PURE__ */ defineControl(apiGateway4WafMeta, {
  needs: ['stage', 'api'],
  inspectRest,
  effects: ['webAcl'],
  prerequisites: (_snapshot, { resources }) => [baselineWebAclEffect(resources)],
  iam: (scope) => [
    {
      sid: 'AssociateBaselineWebAcl',
      actions: ['wafv2:AssociateWebACL', 'apigateway:SetWebACL'],
      resources: [
        webAclArnPattern(scope, scope.resources.webAcl.name),
        apiGatewayArn(scope.partition, `/restapis/${API_ID_PATTERN}/stages/*`),
      ],
    },
  ],
  docs: { redeploy: 'no', prerequisites: 'baseline web ACL' },
  undo,
  // CloudFormation AWS::WAFv2::WebACLAssociation (ResourceArn: for an API Gateway stage
  // "arn:partition:apigateway:region::/restapis/api-id/stages/stage-name"; WebACLArn); aws-cdk-lib
  // aws_wafv2 CfnWebACLAssociation (there is no L2); Terraform aws_wafv2_web_acl_association
  // resource_arn / web_acl_arn (aws_api_gateway_stage exports arn).
  sourceFix: {
    REST: {
      cloudFormation:
        'AWS::WAFv2::WebACLAssociation { ResourceArn: arn:{partition}:apigateway:{region}::/restapis/{apiId}/stages/{stage}, WebACLArn: <your web ACL ARN> }',
      cdk: "new wafv2.CfnWebACLAssociation(this, 'StageWebAcl', { resourceArn: api.deploymentStage.stageArn, webAclArn: <your web ACL ARN> })",
      terraform:
        'aws_wafv2_web_acl_association { resource_arn = aws_api_gateway_stage.<stage>.arn, web_acl_arn = <your web ACL ARN> }',
    },
  },
});
