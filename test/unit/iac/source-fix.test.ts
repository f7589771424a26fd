/**
 * Each fixing control's template change (docs/decisions/0029): declared for every protocol it
 * applies to, naming the provider's own resource types and arguments, and picked in the owner's tool.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG, FIXING_CONTROL_IDS } from '../../../remediators/controls/catalog.js';
import type { Owner } from '../../../remediators/iac/owner.js';
import { describeSourceFix } from '../../../remediators/iac/schema.js';
import { iacSummary, sourceFixesFor } from '../../../remediators/iac/summary.js';

const CDK: Owner = {
  kind: 'cloudformation',
  tool: 'cdk',
  stackName: 'OrdersStack',
  logicalId: 'OrdersApiDeploymentStageprod3EB9684E',
};
const SAM: Owner = { kind: 'cloudformation', tool: 'sam', stackName: 'sam-app' };
const TERRAFORM: Owner = { kind: 'terraform', evidence: 'tag managed-by=terraform (iac.ownerTags)' };

describe('every fixing control declares its source fix', () => {
  it.each(CATALOG.filter((control) => control.kind === 'fixing'))(
    '$id: one per protocol, CloudFormation AWS:: types, CDK constructs, Terraform aws_ resources',
    (control) => {
      for (const protocol of control.appliesTo) {
        const fix = control.sourceFix?.[protocol];
        expect(fix, `${control.id} ${protocol}`).toBeDefined();
        expect(fix?.cloudFormation).toMatch(/^AWS::(ApiGateway|ApiGatewayV2|WAFv2)::[A-Za-z]+ /);
        expect(fix?.terraform).toMatch(/^aws_(api_gateway|apigatewayv2|wafv2)_[a-z_]+ /);
        expect(fix?.cdk).toMatch(/RestApi|HttpStage|WebSocketStage|HttpApi|webSocket|CfnWebACLAssociation/);
      }
    },
  );

  it('reporting controls have none', () => {
    expect(
      CATALOG.filter((control) => control.kind === 'reporting').map((control) => control.sourceFix),
    ).toStrictEqual(CATALOG.filter((control) => control.kind === 'reporting').map(() => undefined));
  });
});

describe('the texts the owner reads', () => {
  it('APIGateway.3 on a REST stage, in CloudFormation, CDK and Terraform', () => {
    expect(sourceFixesFor(SAM, 'REST', ['APIGateway.3'])).toStrictEqual([
      {
        controlId: 'APIGateway.3',
        tool: 'cloudformation',
        change: 'AWS::ApiGateway::Stage TracingEnabled: true',
      },
    ]);
    expect(sourceFixesFor(CDK, 'REST', ['APIGateway.3'])).toStrictEqual([
      {
        controlId: 'APIGateway.3',
        tool: 'cdk',
        change: 'RestApi deployOptions: { tracingEnabled: true } (or Stage tracingEnabled: true)',
      },
    ]);
    expect(sourceFixesFor(TERRAFORM, 'REST', ['APIGateway.3'])).toStrictEqual([
      {
        controlId: 'APIGateway.3',
        tool: 'terraform',
        change: 'aws_api_gateway_stage xray_tracing_enabled = true',
      },
    ]);
  });

  it('execution logging: REST method settings, WebSocket default route settings', () => {
    const [rest] = sourceFixesFor(TERRAFORM, 'REST', ['APIGateway.1']);
    const [webSocket] = sourceFixesFor(TERRAFORM, 'WEBSOCKET', ['APIGateway.1']);
    expect(rest?.change).toBe(
      'aws_api_gateway_method_settings { method_path = "*/*", settings { logging_level = "ERROR" } }',
    );
    expect(webSocket?.change).toBe(
      'aws_apigatewayv2_stage default_route_settings { logging_level = "ERROR" }',
    );
    expect(sourceFixesFor(SAM, 'REST', ['APIGateway.1'])[0]?.change).toContain(
      'AWS::ApiGateway::Stage MethodSettings: [{ ResourcePath: "/*", HttpMethod: "*", LoggingLevel: ERROR }]',
    );
  });

  it('the web ACL association, access logs, throttling and the default endpoint', () => {
    const texts = (owner: Owner, protocol: 'REST' | 'HTTP' | 'WEBSOCKET') =>
      sourceFixesFor(owner, protocol, FIXING_CONTROL_IDS).map(describeSourceFix);
    expect(texts(SAM, 'REST')).toContain(
      'APIGateway.4: AWS::WAFv2::WebACLAssociation { ResourceArn: arn:{partition}:apigateway:{region}::/restapis/{apiId}/stages/{stage}, WebACLArn: <your web ACL ARN> }',
    );
    expect(texts(TERRAFORM, 'HTTP')).toContain(
      'APIGateway.9: aws_apigatewayv2_stage access_log_settings { destination_arn = aws_cloudwatch_log_group.<group>.arn, format = <format containing $context.requestId> }',
    );
    expect(texts(CDK, 'HTTP')).toContain(
      'Baseline.StageThrottling: HttpStage throttle: { rateLimit: <at most the baseline rate>, burstLimit: <at most the baseline burst> }',
    );
    expect(texts(TERRAFORM, 'REST')).toContain(
      'Baseline.DefaultEndpoint: aws_api_gateway_rest_api disable_execute_api_endpoint = true',
    );
    expect(texts(SAM, 'REST')).toContain(
      'Baseline.RestAccessLogging: AWS::ApiGateway::Stage AccessLogSetting: { DestinationArn: <log group ARN>, Format: <format containing $context.requestId> }',
    );
  });

  it('leaves out controls that do not apply to the protocol, keeps catalog order', () => {
    expect(
      sourceFixesFor(TERRAFORM, 'HTTP', ['Baseline.DefaultEndpoint', 'APIGateway.3', 'APIGateway.9']).map(
        (fix) => fix.controlId,
      ),
    ).toStrictEqual(['APIGateway.9', 'Baseline.DefaultEndpoint']);
  });
});

describe('iacSummary', () => {
  it('CloudFormation: the owner line, the drift sentence and the fixes', () => {
    expect(iacSummary(CDK, 'REST', ['APIGateway.3'])).toStrictEqual({
      owner: CDK,
      ownerText:
        'CloudFormation stack OrdersStack (AWS CDK), logical id OrdersApiDeploymentStageprod3EB9684E',
      sourceFixes: sourceFixesFor(CDK, 'REST', ['APIGateway.3']),
      drift: 'an in-place fix makes stack OrdersStack drift and its next deployment reverts it',
    });
  });

  it('Terraform: no drift sentence; unmanaged: no source to fix', () => {
    expect(iacSummary(TERRAFORM, 'REST', ['APIGateway.3']).drift).toBeUndefined();
    expect(iacSummary({ kind: 'unmanaged' }, 'REST', ['APIGateway.3'])).toStrictEqual({
      owner: { kind: 'unmanaged' },
      ownerText: 'no infrastructure-as-code owner found (no CloudFormation stack tags, no Terraform marker)',
      sourceFixes: [],
    });
  });
});
