/**
 * The IAM permissions of the remediation itself (API Gateway, WAFv2, CloudWatch Logs,
 * iam:PassRole), in one place: the member role holds them in every account, and the central
 * functions hold the same ones for the home account, where they act without assuming a role.
 *
 * API Gateway ARNs carry no account (`arn:aws:apigateway:{region}::/restapis/{id}`), so
 * resources are narrowed by path. An API id is always 10 characters: `??????????` keeps
 * UpdateRestApi / UpdateApi on the API itself, where `*` would also match every method,
 * integration and authorizer below it.
 */
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { BaselineConfig } from '../config/schema.js';

export interface RemediationScope {
  readonly partition: string;
  readonly account: string;
  readonly baseline: Pick<BaselineConfig, 'accessLogs' | 'webAcl' | 'cloudWatchRoleName'>;
}

const API_ID = '??????????';

/** Why the wildcards left in these statements are acceptable (cdk-nag AwsSolutions-IAM5). */
export const REMEDIATION_WILDCARDS_REASON =
  'Resources are narrowed to API Gateway paths (API ids matched by ten ? characters), the baseline web ACL ' +
  'name, the access-log group prefix and the account; wildcards remain only for the Region (stages live in ' +
  'every Region), stage names, the web ACL id WAF assigns, the account’s own rule sets, rule groups, IP sets ' +
  'and regex pattern sets a new web ACL may reference (CreateWebACL is authorized on them), and the actions ' +
  'AWS documents without a resource type (wafv2:ListWebACLs, logs:DescribeLogGroups and the HTTP API ' +
  'log-delivery actions); Security Hub imports name the account’s own default product in any Region the ' +
  'stage may be in.';

/**
 * What a web ACL may reference, in the account's regional scope (SAR ARN formats
 * `{scope}/managedruleset/{name}/{id}`, `{scope}/rulegroup/…`, `{scope}/ipset/…`,
 * `{scope}/regexpatternset/…`). `managedruleset/*` also matches the name-less ARN AWS checks.
 */
export function wafReferencedResourceArns(partition: string, account: string): string[] {
  return ['managedruleset/*', 'rulegroup/*/*', 'ipset/*/*', 'regexpatternset/*/*'].map(
    (path) => `arn:${partition}:wafv2:*:${account}:regional/${path}`,
  );
}

function apiGateway(partition: string, path: string): string {
  return `arn:${partition}:apigateway:*::${path}`;
}

/**
 * What reading a stage (snapshot, expand, decide, verify) needs: GET only. The stage's web ACL
 * (`webAclArn`) and tags come with GetStage / GetRestApi / GetApi, so neither WAF read actions nor
 * the `/tags` resource are needed.
 */
export function remediationReadStatements({
  partition,
}: Omit<RemediationScope, 'baseline' | 'account'>): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'ReadApiGateway',
      effect: Effect.ALLOW,
      actions: ['apigateway:GET'],
      resources: ['/restapis/*', '/apis/*', '/account', '/domainnames', '/domainnames/*'].map((path) =>
        apiGateway(partition, path),
      ),
    }),
  ];
}

/** What changing a stage needs, on top of {@link remediationReadStatements}. */
export function remediationWriteStatements({
  partition,
  account,
  baseline,
}: RemediationScope): PolicyStatement[] {
  const webAclArn = `arn:${partition}:wafv2:*:${account}:regional/webacl/${baseline.webAcl.name}/*`;
  const logGroupArns = [
    baseline.accessLogs.logGroupNamePrefix,
    // HTTP stages' access log groups live under /aws/vendedlogs/ (remediators/controls/stage-settings.ts).
    baseline.accessLogs.httpLogGroupNamePrefix,
  ].map((prefix) => `arn:${partition}:logs:*:${account}:log-group:${prefix}/*`);
  return [
    new PolicyStatement({
      sid: 'UpdateStagesAndApis',
      effect: Effect.ALLOW,
      actions: ['apigateway:PATCH'],
      resources: [
        `/restapis/${API_ID}`,
        `/restapis/${API_ID}/stages/*`,
        `/apis/${API_ID}`,
        `/apis/${API_ID}/stages/*`,
        '/account',
      ].map((path) => apiGateway(partition, path)),
    }),
    new PolicyStatement({
      // V2 stages without autoDeploy only: REST stages take API-level changes with the stage update
      // and are never redeployed (remediators/core/apply.ts createDeployment).
      sid: 'Redeploy',
      effect: Effect.ALLOW,
      actions: ['apigateway:POST'],
      resources: [apiGateway(partition, `/apis/${API_ID}/deployments`)],
    }),
    new PolicyStatement({
      sid: 'AssociateBaselineWebAcl',
      effect: Effect.ALLOW,
      actions: ['wafv2:AssociateWebACL', 'apigateway:SetWebACL'],
      resources: [webAclArn, apiGateway(partition, `/restapis/${API_ID}/stages/*`)],
    }),
    new PolicyStatement({
      // CreateWebACL is authorized on the web ACL and on every rule set, rule group, IP set and regex
      // pattern set it references (IAM service authorization reference, AWS WAF V2 actions table:
      // webacl*, managedruleset, rulegroup, ipset, regexpatternset). The baseline's AWS managed rule
      // groups are checked as `…:regional/managedruleset/…` in the web ACL's account (AWS's
      // AccessDenied names `…:regional/managedruleset/`, aws-samples/amazon-cloudfront-waf-secretsmanager#3),
      // so the references are granted for the account's regional scope only.
      sid: 'CreateBaselineWebAcl',
      effect: Effect.ALLOW,
      actions: ['wafv2:CreateWebACL'],
      resources: [webAclArn, ...wafReferencedResourceArns(partition, account)],
    }),
    new PolicyStatement({
      sid: 'TagBaselineWebAcl',
      effect: Effect.ALLOW,
      actions: ['wafv2:TagResource'],
      resources: [webAclArn],
    }),
    new PolicyStatement({
      // ListWebACLs has no resource type in the IAM service authorization reference.
      sid: 'FindBaselineWebAcl',
      effect: Effect.ALLOW,
      actions: ['wafv2:ListWebACLs'],
      resources: ['*'],
    }),
    new PolicyStatement({
      sid: 'AccessLogGroups',
      effect: Effect.ALLOW,
      actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource', 'logs:TagLogGroup'],
      resources: logGroupArns,
    }),
    new PolicyStatement({
      // DescribeLogGroups has no resource type in the IAM service authorization reference: a
      // statement naming log groups does not match it; only `*` does.
      sid: 'FindAccessLogGroups',
      effect: Effect.ALLOW,
      actions: ['logs:DescribeLogGroups'],
      resources: ['*'],
    }),
    new PolicyStatement({
      // The caller of a V2 UpdateStage with AccessLogSettings needs these (API Gateway developer
      // guide, "Permissions to activate logging" for HTTP APIs); they have no resource type.
      sid: 'V2AccessLogDelivery',
      effect: Effect.ALLOW,
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
      ],
      resources: ['*'],
    }),
    new PolicyStatement({
      sid: 'PassApiGatewayCloudWatchRole',
      effect: Effect.ALLOW,
      actions: ['iam:PassRole'],
      resources: [`arn:${partition}:iam::${account}:role/${baseline.cloudWatchRoleName}`],
      conditions: { StringEquals: { 'iam:PassedToService': 'apigateway.amazonaws.com' } },
    }),
  ];
}

/**
 * BatchImportFindings accepts only findings of the calling account, so the service's own
 * findings (drift seen in CloudTrail, with no AWS finding) are imported in the stage's
 * account and Region, into that account's default product. GetFindings (on the account's hub)
 * reads them first, by Id, so a re-import keeps when each was first seen (CreatedAt).
 */
export function securityHubImportStatement({
  partition,
  account,
}: Omit<RemediationScope, 'baseline'>): PolicyStatement {
  return new PolicyStatement({
    sid: 'ImportOwnFindings',
    effect: Effect.ALLOW,
    actions: ['securityhub:BatchImportFindings', 'securityhub:GetFindings'],
    resources: [
      `arn:${partition}:securityhub:*:${account}:product/${account}/default`,
      `arn:${partition}:securityhub:*:${account}:hub/default`,
    ],
  });
}

/**
 * BatchUpdateFindingsV2 is authorized as `securityhub:BatchUpdateFindings`, the same action as the
 * ASFF call; what a V2 call may change is narrowed by the `securityhub:OCSFSyntaxPath/<field>`
 * condition keys (SeverityId, StatusId, Comment; Security Hub API reference, BatchUpdateFindingsV2:
 * a Null condition "false" stops a field from being updated, StringEquals names disallowed
 * values). The service only writes StatusId 2 (In Progress) and 4 (Resolved) with a Comment, so its
 * roles are denied any V2 severity change and any other status (never Suppressed, never back to
 * New). An ASFF call carries none of these keys, so the Null guard leaves it untouched.
 */
export function ocsfUpdateGuardStatements(partition: string, account: string): PolicyStatement[] {
  const resources = [`arn:${partition}:securityhub:*:${account}:hub/default`];
  return [
    new PolicyStatement({
      sid: 'NoOcsfSeverityUpdate',
      effect: Effect.DENY,
      actions: ['securityhub:BatchUpdateFindings'],
      resources,
      conditions: { Null: { 'securityhub:OCSFSyntaxPath/SeverityId': 'false' } },
    }),
    new PolicyStatement({
      sid: 'OnlyOcsfInProgressOrResolved',
      effect: Effect.DENY,
      actions: ['securityhub:BatchUpdateFindings'],
      resources,
      conditions: {
        Null: { 'securityhub:OCSFSyntaxPath/StatusId': 'false' },
        StringNotEquals: { 'securityhub:OCSFSyntaxPath/StatusId': ['2', '4'] },
      },
    }),
  ];
}
