/**
 * The IAM roles of the synthesized templates, as the strict AWS model evaluates them.
 *
 * The global setup (global-setup.ts) synthesizes the CDK app once per run and hands the raw
 * templates over; this module turns one role of them into concrete policy documents for the
 * account and Region a test runs in, resolving the CloudFormation intrinsics the CDK emits
 * (Ref of pseudo parameters, parameters and resources, Fn::GetAtt …Arn, Fn::Join, Fn::Sub,
 * Fn::Select, Fn::Split, Fn::If). Resources the templates leave unnamed (the locks table, the
 * topic) get the physical name the test stands up for them ({@link ResolveContext.physicalNames}).
 */

/** A CloudFormation template as JSON. */
export interface CfnTemplate {
  readonly Parameters?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** What the global setup provides to every test file (vitest `provide`/`inject`). */
export interface SynthesizedTemplates {
  /** The central stack of {@link region}. */
  readonly central: CfnTemplate;
  readonly member: CfnTemplate;
  readonly region: string;
}

export interface ResolveContext {
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  /** Values of the template's parameters, by logical id. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Physical names of unnamed resources, by the start of their logical id (the construct id). */
  readonly physicalNames: Readonly<Record<string, string>>;
  /** Values of the template's conditions (default: true). */
  readonly conditions?: Readonly<Record<string, boolean>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

export interface ResolvedRole {
  readonly logicalId: string;
  readonly roleName: string;
  readonly arn: string;
  readonly account: string;
  /** Inline policies of the role plus every AWS::IAM::Policy attached to it. */
  readonly identityPolicies: readonly { name: string; policy: PolicyDocument }[];
  readonly trustPolicy: PolicyDocument;
}

const NAME_PROPERTIES = ['RoleName', 'TableName', 'TopicName', 'LogGroupName', 'FunctionName', 'Name'];

function physicalName(template: CfnTemplate, logicalId: string, context: ResolveContext): string {
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new Error(`the template has no resource ${logicalId}`);
  for (const property of NAME_PROPERTIES) {
    const value = resource.Properties?.[property];
    if (value !== undefined) return String(resolveIntrinsics(value, template, context));
  }
  const override = Object.entries(context.physicalNames).find(([prefix]) => logicalId.startsWith(prefix));
  // CloudFormation generates a name from the stack and logical id; the logical id stands for it.
  return override?.[1] ?? logicalId;
}

/** The ARN CloudFormation returns for `Fn::GetAtt [id, Arn]` (or `Ref` where Ref is the ARN). */
function resourceArn(template: CfnTemplate, logicalId: string, context: ResolveContext): string {
  const { partition, region, account } = context;
  const type = template.Resources[logicalId]?.Type;
  const name = physicalName(template, logicalId, context);
  switch (type) {
    case 'AWS::DynamoDB::Table':
      return `arn:${partition}:dynamodb:${region}:${account}:table/${name}`;
    case 'AWS::SNS::Topic':
      return `arn:${partition}:sns:${region}:${account}:${name}`;
    case 'AWS::IAM::Role':
      return `arn:${partition}:iam::${account}:role/${name}`;
    case 'AWS::KMS::Key':
      return `arn:${partition}:kms:${region}:${account}:key/${name}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${partition}:logs:${region}:${account}:log-group:${name}:*`;
    case 'AWS::SecretsManager::Secret':
      return `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}`;
    case 'AWS::Lambda::Function':
      return `arn:${partition}:lambda:${region}:${account}:function:${name}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:${partition}:states:${region}:${account}:stateMachine:${name}`;
    case 'AWS::SQS::Queue':
      return `arn:${partition}:sqs:${region}:${account}:${name}`;
    case 'AWS::Events::EventBus':
      return `arn:${partition}:events:${region}:${account}:event-bus/${name}`;
    default:
      return `arn:${partition}:unresolved:${region}:${account}:${type ?? 'missing'}/${logicalId}`;
  }
}

/** `Ref` of a resource: the ARN for the types whose Ref is their ARN, else the physical name. */
function resourceRef(template: CfnTemplate, logicalId: string, context: ResolveContext): string {
  const type = template.Resources[logicalId]?.Type;
  const refIsArn = ['AWS::SNS::Topic', 'AWS::SecretsManager::Secret', 'AWS::StepFunctions::StateMachine'];
  return type !== undefined && refIsArn.includes(type)
    ? resourceArn(template, logicalId, context)
    : physicalName(template, logicalId, context);
}

function pseudoParameter(name: string, context: ResolveContext): string | undefined {
  const values: Record<string, string> = {
    'AWS::Partition': context.partition,
    'AWS::AccountId': context.account,
    'AWS::Region': context.region,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'strict-aws-test-stack',
  };
  return values[name];
}

function resolveRef(name: string, template: CfnTemplate, context: ResolveContext): string | undefined {
  // Fn::If branches use it to leave a property out.
  if (name === 'AWS::NoValue') return undefined;
  const pseudo = pseudoParameter(name, context);
  if (pseudo !== undefined) return pseudo;
  if (template.Parameters?.[name] !== undefined) {
    const value = context.parameters[name];
    if (value === undefined) throw new Error(`no test value for the template parameter ${name}`);
    return value;
  }
  if (template.Resources[name] !== undefined) return resourceRef(template, name, context);
  throw new Error(`Ref to ${name}, which the template does not define`);
}

/** Resolves every intrinsic function in `value` (deeply) to the concrete value it has in `context`. */
export function resolveIntrinsics(value: unknown, template: CfnTemplate, context: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value
      .map((item) => resolveIntrinsics(item, template, context))
      .filter((item) => item !== undefined);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first !== undefined) {
    const [key, argument] = first;
    const resolve = (item: unknown) => resolveIntrinsics(item, template, context);
    switch (key) {
      case 'Ref':
        return resolveRef(String(argument), template, context);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument)
          ? (argument as string[])
          : String(argument).split('.');
        if (attribute === 'Arn' || attribute === 'TopicArn') {
          return resourceArn(template, String(logicalId), context);
        }
        throw new Error(`Fn::GetAtt ${String(logicalId)}.${String(attribute)} is not modelled`);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (resolve(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number | string, unknown];
        return (resolve(list) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return String(resolve(source)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument)
          ? (argument as [string, Record<string, unknown>])
          : [String(argument), {}];
        return text.replace(/\$\{([^}!]+)\}/g, (_match, name: string) => {
          if (name in variables) return String(resolve(variables[name]));
          if (name.includes('.')) return String(resolve({ 'Fn::GetAtt': name.split('.') }));
          return resolveRef(name, template, context) ?? '';
        });
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
        return resolve(context.conditions?.[condition] === false ? whenFalse : whenTrue);
      }
      default:
        break;
    }
  }
  return Object.fromEntries(
    entries
      .map(([key, item]) => [key, resolveIntrinsics(item, template, context)] as const)
      .filter(([, item]) => item !== undefined),
  );
}

/** The one role whose logical id starts with `prefix` (CDK appends a hash). */
export function roleLogicalId(template: CfnTemplate, prefix: string): string {
  const matches = Object.entries(template.Resources)
    .filter(([logicalId, resource]) => resource.Type === 'AWS::IAM::Role' && logicalId.startsWith(prefix))
    .map(([logicalId]) => logicalId);
  const [only] = matches;
  if (matches.length !== 1 || only === undefined) {
    throw new Error(`expected one IAM role whose logical id starts with ${prefix}, found ${matches.length}`);
  }
  return only;
}

/** A role of the template with its identity and trust policies resolved for `context`. */
export function resolveRole(template: CfnTemplate, logicalId: string, context: ResolveContext): ResolvedRole {
  const role = template.Resources[logicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${logicalId} is not an IAM role`);
  const properties = role.Properties ?? {};
  const roleName = physicalName(template, logicalId, context);
  const inline = ((properties.Policies ?? []) as { PolicyName: unknown; PolicyDocument: unknown }[]).map(
    (policy) => ({
      name: String(resolveIntrinsics(policy.PolicyName, template, context)),
      policy: resolveIntrinsics(policy.PolicyDocument, template, context) as PolicyDocument,
    }),
  );
  const attached = Object.entries(template.Resources)
    .filter(
      ([, resource]) =>
        resource.Type === 'AWS::IAM::Policy' &&
        ((resource.Properties?.Roles ?? []) as unknown[]).some(
          (entry) => (entry as { Ref?: string }).Ref === logicalId,
        ),
    )
    .map(([policyId, resource]) => ({
      name: policyId,
      policy: resolveIntrinsics(resource.Properties?.PolicyDocument, template, context) as PolicyDocument,
    }));
  return {
    logicalId,
    roleName,
    arn: `arn:${context.partition}:iam::${context.account}:role/${roleName}`,
    account: context.account,
    identityPolicies: [...inline, ...attached],
    trustPolicy: resolveIntrinsics(properties.AssumeRolePolicyDocument, template, context) as PolicyDocument,
  };
}
