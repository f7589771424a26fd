/**
 * Owner detection (docs/decisions/0029) on real-shaped resources: the tags CloudFormation puts on
 * what the CDK, SAM and the Serverless Framework deploy, and the user agents CloudTrail records for
 * Terraform, the CLI and the console.
 */
import { describe, expect, it } from 'vitest';
import {
  callerIsOwner,
  describeOwner,
  detectOwner,
  isTerraformUserAgent,
  type OwnerInput,
} from '../../../remediators/iac/owner.js';

const STACK_ID =
  'arn:aws:cloudformation:eu-west-1:111122223333:stack/OrdersStack/5b6f5ec0-8a1e-11ef-9d3b-0a1b2c3d4e5f';

function cfnTags(stackName: string, logicalId: string): Record<string, string> {
  return {
    'aws:cloudformation:stack-name': stackName,
    'aws:cloudformation:logical-id': logicalId,
    'aws:cloudformation:stack-id': STACK_ID,
  };
}

function input(partial: Partial<OwnerInput>): OwnerInput {
  return { stageName: 'prod', stageTags: {}, apiTags: {}, ownerTags: {}, ...partial };
}

/** What the Terraform AWS provider v5 sends (aws-sdk-go-v2), as CloudTrail records it. */
const TERRAFORM_UA =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1 ' +
  '(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux ' +
  'lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/apigateway#1.27.2';
/** Provider v3 (aws-sdk-go v1), the shape of crossplane-contrib/provider-jet-aws#180. */
const TERRAFORM_V3_UA =
  'APN/1.0 HashiCorp/1.0 Terraform/1.0.5 (+https://www.terraform.io) terraform-provider-aws/3.56.0 ' +
  '(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.40.29 (go1.16; linux; amd64)';
const CLI_UA =
  'aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#debian.12 md/prompt#off md/command#apigateway.update-stage';

describe('detectOwner: CloudFormation and the tool that made the stack', () => {
  it('a CDK RestApi stage: stack, the stage logical id with its 8-character hash, tool cdk', () => {
    const owner = detectOwner(
      input({
        stageTags: cfnTags('OrdersStack', 'OrdersApiDeploymentStageprod3EB9684E'),
        apiTags: cfnTags('OrdersStack', 'OrdersApi5B1C9D2F'),
      }),
    );
    expect(owner).toStrictEqual({
      kind: 'cloudformation',
      tool: 'cdk',
      stackName: 'OrdersStack',
      logicalId: 'OrdersApiDeploymentStageprod3EB9684E',
      stackId: STACK_ID,
    });
    expect(describeOwner(owner)).toBe(
      'CloudFormation stack OrdersStack (AWS CDK), logical id OrdersApiDeploymentStageprod3EB9684E',
    );
  });

  it('a SAM implicit API (ServerlessRestApi, stage ServerlessRestApiProdStage): tool sam', () => {
    expect(
      detectOwner(
        input({
          stageName: 'Prod',
          stageTags: cfnTags('sam-app', 'ServerlessRestApiProdStage'),
          apiTags: cfnTags('sam-app', 'ServerlessRestApi'),
        }),
      ),
    ).toMatchObject({
      kind: 'cloudformation',
      tool: 'sam',
      stackName: 'sam-app',
      logicalId: 'ServerlessRestApiProdStage',
    });
  });

  it('a SAM AWS::Serverless::Api: the stage is <api-LogicalId><stage-name>Stage', () => {
    expect(
      detectOwner(
        input({
          stageName: 'Gamma',
          stageTags: cfnTags('orders', 'MyRestApiGammaStage'),
          apiTags: cfnTags('orders', 'MyRestApi'),
        }),
      ),
    ).toMatchObject({ tool: 'sam' });
    expect(
      detectOwner(
        input({
          stageName: '$default',
          stageTags: cfnTags('orders', 'MyHttpApiApiGatewayDefaultStage'),
          apiTags: cfnTags('orders', 'MyHttpApi'),
        }),
      ),
    ).toMatchObject({ tool: 'sam' });
  });

  it('a Serverless Framework REST API: ApiGatewayRestApi in a {service}-{stage} stack, stage without tags', () => {
    expect(
      detectOwner(input({ stageName: 'dev', apiTags: cfnTags('orders-service-dev', 'ApiGatewayRestApi') })),
    ).toStrictEqual({
      kind: 'cloudformation',
      tool: 'serverless',
      stackName: 'orders-service-dev',
      logicalId: 'ApiGatewayRestApi',
      stackId: STACK_ID,
    });
    expect(
      detectOwner(
        input({
          stageName: '$default',
          stageTags: cfnTags('orders-service-dev', 'HttpApiStage'),
          apiTags: cfnTags('orders-service-dev', 'HttpApi'),
        }),
      ),
    ).toMatchObject({ tool: 'serverless' });
  });

  it('ApiGatewayRestApi in a stack whose name does not end with the stage is not called Serverless', () => {
    expect(
      detectOwner(input({ stageName: 'prod', apiTags: cfnTags('handwritten', 'ApiGatewayRestApi') })),
    ).toMatchObject({ kind: 'cloudformation', tool: 'unknown', stackName: 'handwritten' });
  });

  it('a hand-written template: CloudFormation, tool unknown; a word of 8 capitals is no CDK hash', () => {
    expect(
      detectOwner(
        input({ stageTags: cfnTags('legacy', 'ProdStage'), apiTags: cfnTags('legacy', 'PublicApi') }),
      ),
    ).toMatchObject({ tool: 'unknown' });
    expect(detectOwner(input({ apiTags: cfnTags('legacy', 'ORDERSAPIRESTAPIS') }))).toMatchObject({
      tool: 'unknown',
    });
    expect(describeOwner(detectOwner(input({ apiTags: cfnTags('legacy', 'PublicApi') })))).toBe(
      'CloudFormation stack legacy, logical id PublicApi',
    );
  });

  it('CloudFormation wins over a Terraform user agent (Terraform deploying a stack)', () => {
    expect(
      detectOwner(input({ apiTags: cfnTags('tf-managed-stack', 'PublicApi'), userAgent: TERRAFORM_UA })),
    ).toMatchObject({ kind: 'cloudformation' });
  });
});

describe('detectOwner: Terraform', () => {
  it('the drift call was made by the Terraform AWS provider (v5 and v3 user agents)', () => {
    expect(detectOwner(input({ userAgent: TERRAFORM_UA }))).toStrictEqual({
      kind: 'terraform',
      evidence: `the drift call's user agent: ${TERRAFORM_UA}`,
    });
    expect(detectOwner(input({ userAgent: TERRAFORM_V3_UA }))).toMatchObject({ kind: 'terraform' });
  });

  it('a configured owner tag on the stage or the API; * matches any value', () => {
    expect(
      detectOwner(
        input({ stageTags: { 'managed-by': 'terraform' }, ownerTags: { 'managed-by': 'terraform' } }),
      ),
    ).toStrictEqual({ kind: 'terraform', evidence: 'tag managed-by=terraform (iac.ownerTags)' });
    expect(
      detectOwner(input({ apiTags: { 'tf-workspace': 'orders-prod' }, ownerTags: { 'tf-workspace': '*' } })),
    ).toMatchObject({ kind: 'terraform', evidence: 'tag tf-workspace=orders-prod (iac.ownerTags)' });
    expect(
      detectOwner(input({ stageTags: { 'managed-by': 'pulumi' }, ownerTags: { 'managed-by': 'terraform' } })),
    ).toStrictEqual({ kind: 'unmanaged' });
  });
});

describe('detectOwner: unmanaged', () => {
  it('no stack tags, a CLI or console call, no owner tag', () => {
    expect(detectOwner(input({ userAgent: CLI_UA, stageTags: { team: 'orders' } }))).toStrictEqual({
      kind: 'unmanaged',
    });
    expect(detectOwner(input({ userAgent: 'AWS Internal' }))).toStrictEqual({ kind: 'unmanaged' });
    expect(isTerraformUserAgent('my-terraform-wrapper/1.0')).toBe(false);
    expect(isTerraformUserAgent(undefined)).toBe(false);
  });
});

describe('callerIsOwner: the flap guard counts only the owner putting its value back', () => {
  const cfn = detectOwner(input({ apiTags: cfnTags('OrdersStack', 'OrdersApi5B1C9D2F') }));
  const terraform = detectOwner(input({ userAgent: TERRAFORM_UA }));

  it('CloudFormation: invokedBy or sourceIPAddress cloudformation.amazonaws.com on a stack-tagged stage', () => {
    expect(callerIsOwner(cfn, { invokedBy: 'cloudformation.amazonaws.com' })).toBe(true);
    expect(
      callerIsOwner(cfn, {
        sourceIPAddress: 'cloudformation.amazonaws.com',
        userAgent: 'cloudformation.amazonaws.com',
      }),
    ).toBe(true);
    expect(callerIsOwner(cfn, { sourceIPAddress: '203.0.113.7', userAgent: CLI_UA })).toBe(false);
    expect(callerIsOwner(cfn, undefined)).toBe(false);
  });

  it('a CloudFormation call on a stage without stack tags identifies no owner', () => {
    expect(callerIsOwner({ kind: 'unmanaged' }, { invokedBy: 'cloudformation.amazonaws.com' })).toBe(false);
  });

  it('Terraform: the Terraform user agent only', () => {
    expect(callerIsOwner(terraform, { userAgent: TERRAFORM_UA })).toBe(true);
    expect(callerIsOwner(terraform, { userAgent: CLI_UA })).toBe(false);
    expect(callerIsOwner(terraform, { invokedBy: 'cloudformation.amazonaws.com' })).toBe(false);
  });
});
