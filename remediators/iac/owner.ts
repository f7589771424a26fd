/**
 * Who owns a stage's settings (pure, docs/decisions/0029): an infrastructure-as-code deployment
 * that will put its own values back on its next run, or nobody. Read from what the snapshot
 * already holds (GetStage and GetRestApi / GetApi return the resource's tags) and from the drift
 * event's user agent; no extra API call.
 *
 * - CloudFormation: "CloudFormation automatically creates the following stack-level tags with the
 *   aws: prefix: aws:cloudformation:logical-id, aws:cloudformation:stack-id,
 *   aws:cloudformation:stack-name" (CloudFormation template reference, "CloudFormation resource
 *   tagging", aws-properties-resource-tags). CDK, SAM and the Serverless Framework all deploy
 *   through CloudFormation, so their resources carry these tags too. The tool is named only when
 *   the logical ids show it:
 *   - SAM: "AWS::ApiGateway::RestApi LogicalId: <api-LogicalId>; AWS::ApiGateway::Stage LogicalId:
 *     <api-LogicalId><stage-name>Stage" (SAM developer guide, "CloudFormation resources generated
 *     when AWS::Serverless::Api is specified"), and the implicit APIs of SAM functions are
 *     `ServerlessRestApi` / `ServerlessHttpApi` (same guide, "…when AWS::Serverless::Function is
 *     specified"). An HTTP API's `$default` stage is `<api-LogicalId>ApiGatewayDefaultStage`.
 *   - Serverless Framework: "ApiGateway::RestApi ApiGatewayRestApi", "ApiGateway::Stage
 *     ApiGatewayStage" (serverless docs/providers/aws/guide/resources.md, "AWS CloudFormation
 *     Resource Reference"), `HttpApi` / `HttpApiStage` and `WebsocketsApi`
 *     (lib/plugins/aws/lib/naming.js getHttpApiLogicalId, getHttpApiStageLogicalId,
 *     getWebsocketsApiLogicalId), in a stack named `{service}-{stage}` by default ("Every stage you
 *     deploy to with serverless.yml using the aws provider is a single AWS CloudFormation stack").
 *     Both the logical id and the stack name's `-{stage}` ending must match (`ApiGatewayRestApi` is
 *     also a name a person might choose), or, for an HTTP API (whose stage is `$default`), both the
 *     API's and the stage's names (`HttpApi`, `HttpApiStage`).
 *   - CDK: a construct's logical id is its path's components followed by an eight-character
 *     uppercase hexadecimal hash (AWS CDK developer guide, "Identifiers", Logical IDs; aws-cdk-lib
 *     core/lib/private/uniqueid.ts: HASH_LEN 8, `.toUpperCase()`), e.g.
 *     `ApiDeploymentStageprod3EB9684E`. The `aws:cdk:path` metadata would say it outright, but only
 *     the stack's template holds it (it is not a tag), and reading templates is a CloudFormation
 *     call this service does not make.
 * - Terraform: the AWS provider's user agent, which CloudTrail records as `userAgent`, starts with
 *   `APN/1.0 HashiCorp/1.0 Terraform/{version} (+https://www.terraform.io)
 *   terraform-provider-aws/{version}` (hashicorp/terraform#9806 set the `APN/1.0 HashiCorp/1.0
 *   Terraform/…` format; a real one, crossplane-contrib/provider-jet-aws#180: `APN/1.0 HashiCorp/1.0
 *   Terraform/1.0.5 (+https://www.terraform.io) terraform-provider-aws/3.56.0
 *   (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.40.29 (go1.16; linux;
 *   amd64)`). Terraform tags nothing by itself, so a resource carries a Terraform marker only when
 *   its team adds one (`default_tags`): configuration `iac.ownerTags` names those tags.
 * CloudFormation wins over Terraform: a stack Terraform deploys (aws_cloudformation_stack) still
 * owns its resources' settings.
 */
import * as z from 'zod';

export const CLOUDFORMATION_TAG = {
  stackName: 'aws:cloudformation:stack-name',
  logicalId: 'aws:cloudformation:logical-id',
  stackId: 'aws:cloudformation:stack-id',
} as const;

export const CLOUDFORMATION_TOOLS = ['cdk', 'sam', 'serverless', 'unknown'] as const;
export type CloudFormationTool = (typeof CLOUDFORMATION_TOOLS)[number];

export const OwnerSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('cloudformation'),
    tool: z.enum(CLOUDFORMATION_TOOLS),
    stackName: z.string().min(1),
    /** The logical id of the stage when it carries the tags, else of the API. */
    logicalId: z.string().min(1).optional(),
    stackId: z.string().min(1).optional(),
  }),
  z.object({
    kind: z.literal('terraform'),
    /** What showed it: the user agent of the drift call, or the configured tag. */
    evidence: z.string().min(1),
  }),
  z.object({ kind: z.literal('unmanaged') }),
]);
export type Owner = z.infer<typeof OwnerSchema>;

/** What owner detection reads. */
export interface OwnerInput {
  readonly stageName: string;
  readonly stageTags: Readonly<Record<string, string>>;
  readonly apiTags: Readonly<Record<string, string>>;
  /** CloudTrail `userAgent` of the call that drifted the stage, when a drift event started the run. */
  readonly userAgent?: string;
  /** Configuration `iac.ownerTags`: tags that mark a Terraform-managed resource (`*` matches any value). */
  readonly ownerTags: Readonly<Record<string, string>>;
}

/** `Terraform/1.9.8` or `terraform-provider-aws/5.70.0` anywhere in the user agent. */
const TERRAFORM_USER_AGENT = /(?:^|\s)(?:Terraform\/\d[^\s]*|terraform-provider-aws\/[^\s]+)/;

/** Whether a CloudTrail user agent is the Terraform AWS provider's. */
export function isTerraformUserAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && TERRAFORM_USER_AGENT.test(userAgent);
}

/** CDK's logical ids end in an eight-character uppercase hexadecimal hash of the construct path. */
const CDK_LOGICAL_ID = /^[A-Za-z][A-Za-z0-9]*[0-9A-F]{8}$/;
/** A CDK hash has digits and letters; eight letters alone (`…RESTAPIS`) are more likely a word. */
const CDK_HASH_HAS_DIGIT = /\d/;

const SAM_IMPLICIT_APIS = new Set(['ServerlessRestApi', 'ServerlessHttpApi']);
const SERVERLESS_APIS = new Set(['ApiGatewayRestApi', 'HttpApi', 'WebsocketsApi']);

function isCdkLogicalId(logicalId: string | undefined): boolean {
  return (
    logicalId !== undefined && CDK_LOGICAL_ID.test(logicalId) && CDK_HASH_HAS_DIGIT.test(logicalId.slice(-8))
  );
}

/** Logical ids in CloudFormation allow only letters and digits: SAM drops what else a stage name holds. */
function alphanumeric(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}

function toolOf(
  stackName: string,
  stageName: string,
  apiLogicalId: string | undefined,
  stageLogicalId: string | undefined,
): CloudFormationTool {
  if (apiLogicalId !== undefined && SAM_IMPLICIT_APIS.has(apiLogicalId)) return 'sam';
  if (
    apiLogicalId !== undefined &&
    stageLogicalId !== undefined &&
    (stageLogicalId === `${apiLogicalId}${alphanumeric(stageName)}Stage` ||
      (stageName === '$default' && stageLogicalId === `${apiLogicalId}ApiGatewayDefaultStage`))
  ) {
    return 'sam';
  }
  // An HTTP API's stage is `$default` whatever the framework's stage, so the pair of names shows it.
  const serverlessHttp = apiLogicalId === 'HttpApi' && stageLogicalId === 'HttpApiStage';
  if (
    serverlessHttp ||
    (apiLogicalId !== undefined && SERVERLESS_APIS.has(apiLogicalId) && stackName.endsWith(`-${stageName}`))
  ) {
    return 'serverless';
  }
  if (isCdkLogicalId(stageLogicalId) || isCdkLogicalId(apiLogicalId)) return 'cdk';
  return 'unknown';
}

function ownerTagMatch(
  tags: Readonly<Record<string, string>>,
  ownerTags: Readonly<Record<string, string>>,
): string | undefined {
  for (const [key, wanted] of Object.entries(ownerTags)) {
    const value = tags[key];
    if (value !== undefined && (wanted === '*' || value === wanted)) return `${key}=${value}`;
  }
  return undefined;
}

/** The owner of a stage's settings. Pure. */
export function detectOwner(input: OwnerInput): Owner {
  const { stageTags, apiTags } = input;
  const stackName = stageTags[CLOUDFORMATION_TAG.stackName] ?? apiTags[CLOUDFORMATION_TAG.stackName];
  if (stackName !== undefined && stackName !== '') {
    const stageLogicalId = stageTags[CLOUDFORMATION_TAG.logicalId];
    const apiLogicalId = apiTags[CLOUDFORMATION_TAG.logicalId];
    const logicalId = stageLogicalId ?? apiLogicalId;
    const stackId = stageTags[CLOUDFORMATION_TAG.stackId] ?? apiTags[CLOUDFORMATION_TAG.stackId];
    return {
      kind: 'cloudformation',
      tool: toolOf(stackName, input.stageName, apiLogicalId, stageLogicalId),
      stackName,
      ...(logicalId === undefined || logicalId === '' ? {} : { logicalId }),
      ...(stackId === undefined || stackId === '' ? {} : { stackId }),
    };
  }
  if (isTerraformUserAgent(input.userAgent)) {
    return { kind: 'terraform', evidence: `the drift call's user agent: ${input.userAgent ?? ''}` };
  }
  const tagged = ownerTagMatch(stageTags, input.ownerTags) ?? ownerTagMatch(apiTags, input.ownerTags);
  if (tagged !== undefined) return { kind: 'terraform', evidence: `tag ${tagged} (iac.ownerTags)` };
  return { kind: 'unmanaged' };
}

const TOOL_NAMES: Readonly<Record<CloudFormationTool, string>> = {
  cdk: 'AWS CDK',
  sam: 'AWS SAM',
  serverless: 'Serverless Framework',
  unknown: 'CloudFormation',
};

/** One line for people: `CloudFormation stack orders-prod (AWS CDK), logical id ApiDeploymentStageprod3EB9684E`. */
export function describeOwner(owner: Owner, options: { readonly logicalId?: boolean } = {}): string {
  switch (owner.kind) {
    case 'cloudformation': {
      const tool = owner.tool === 'unknown' ? '' : ` (${TOOL_NAMES[owner.tool]})`;
      const logical =
        owner.logicalId === undefined || options.logicalId === false ? '' : `, logical id ${owner.logicalId}`;
      return `CloudFormation stack ${owner.stackName}${tool}${logical}`;
    }
    case 'terraform':
      return `Terraform (${owner.evidence})`;
    case 'unmanaged':
      return 'no infrastructure-as-code owner found (no CloudFormation stack tags, no Terraform marker)';
  }
}

/** Who made a CloudTrail call, as far as owner detection and the flap guard need it. */
export interface CallerInfo {
  /** `userIdentity.invokedBy`: the AWS service that made the call for the principal. */
  readonly invokedBy?: string;
  readonly sourceIPAddress?: string;
  readonly userAgent?: string;
}

/**
 * CloudTrail names the service that made a call on someone's behalf: `userIdentity.invokedBy`
 * ("The name of the AWS service that made the request") and `sourceIPAddress` ("If the request
 * was made by an AWS service on behalf of the user, … the DNS name of the service") (CloudTrail
 * user guide, "CloudTrail userIdentity element" and "CloudTrail record contents").
 */
export const CLOUDFORMATION_SERVICE = 'cloudformation.amazonaws.com';

/**
 * Whether a drift call was the owner's own deployment putting its values back. A CloudFormation
 * call counts only on a stage whose stack tags name the stack: the call itself names no stack,
 * and the CDK's deployment role (cdk-hnb659fds-cfn-exec-role-…) is shared by every stack of the
 * account, so a role alone identifies none. A Terraform call is one with Terraform's user agent.
 */
export function callerIsOwner(owner: Owner, caller: CallerInfo | undefined): boolean {
  if (caller === undefined) return false;
  switch (owner.kind) {
    case 'cloudformation':
      return caller.invokedBy === CLOUDFORMATION_SERVICE || caller.sourceIPAddress === CLOUDFORMATION_SERVICE;
    case 'terraform':
      return isTerraformUserAgent(caller.userAgent);
    case 'unmanaged':
      return false;
  }
}

/** One entry of configuration `iac.ownerChannels`. */
export interface OwnerChannel {
  readonly tagKey: string;
  readonly tagValue?: string;
  readonly topicArn: string;
}

/** The topic of the first channel whose tag the stage, else its API, carries. Pure. */
export function ownerTopicFor(
  stageTags: Readonly<Record<string, string>>,
  apiTags: Readonly<Record<string, string>>,
  channels: readonly OwnerChannel[],
): string | undefined {
  const matches = (tags: Readonly<Record<string, string>>, channel: OwnerChannel) => {
    const value = tags[channel.tagKey];
    return value !== undefined && (channel.tagValue === undefined || channel.tagValue === value);
  };
  return (
    channels.find((channel) => matches(stageTags, channel)) ??
    channels.find((channel) => matches(apiTags, channel))
  )?.topicArn;
}
