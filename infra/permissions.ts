/**
 * The IAM permissions of the remediation itself (API Gateway, WAFv2, CloudWatch Logs,
 * iam:PassRole): the member role holds them in every account, and the central functions hold the
 * same ones for the home account, where they act without assuming a role. What changing a stage
 * needs is derived from the control catalog (each control's `iam` and its effects',
 * remediators/controls/catalog.ts remediationIamStatements, docs/decisions/0016); this module
 * turns that plain data into CDK PolicyStatements.
 *
 * API Gateway ARNs carry no account (`arn:aws:apigateway:{region}::/restapis/{id}`), so
 * resources are narrowed by path (remediators/core/iam.ts).
 */
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CATALOG, remediationIamStatements, type Catalog } from '../remediators/controls/catalog.js';
import type { ResourceSettings } from '../remediators/controls/resources.js';
import { apiGatewayArn, type IamStatement } from '../remediators/core/iam.js';
import { undoIamStatements } from '../remediators/ledger/undo-iam.js';

export interface RemediationScope {
  readonly partition: string;
  readonly account: string;
  /** The configuration's `resources`: the names the statements are scoped to. */
  readonly resources: ResourceSettings;
}

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
 * What reading a stage (snapshot, expand, decide, verify) needs: GET only. The stage's web ACL
 * (`webAclArn`) and tags come with GetStage / GetRestApi / GetApi, so neither WAF read actions nor
 * the `/tags` resource are needed.
 */
export function remediationReadStatements({
  partition,
}: Omit<RemediationScope, 'resources' | 'account'>): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'ReadApiGateway',
      effect: Effect.ALLOW,
      actions: ['apigateway:GET'],
      resources: ['/restapis/*', '/apis/*', '/account', '/domainnames', '/domainnames/*'].map((path) =>
        apiGatewayArn(partition, path),
      ),
    }),
  ];
}

/** A statement of the catalog (plain data) as a CDK PolicyStatement. */
export function toPolicyStatement(statement: IamStatement): PolicyStatement {
  return new PolicyStatement({
    sid: statement.sid,
    effect: Effect.ALLOW,
    actions: [...statement.actions],
    resources: [...statement.resources],
    ...(statement.conditions === undefined ? {} : { conditions: statement.conditions }),
  });
}

/**
 * What changing a stage needs, on top of {@link remediationReadStatements}: derived from the
 * control catalog (each control's `iam` and its effects', remediators/controls/catalog.ts).
 */
export function remediationWriteStatements(
  scope: RemediationScope,
  catalog: Catalog = CATALOG,
): PolicyStatement[] {
  return remediationIamStatements(scope, catalog).map(toPolicyStatement);
}

/** What taking a remediation back calls (remediators/ledger/undo-iam.ts): the undo task and the CLI's `undo`. */
export function remediationUndoStatements({
  partition,
}: Pick<RemediationScope, 'partition'>): PolicyStatement[] {
  return undoIamStatements({ partition }).map(toPolicyStatement);
}

/**
 * The CLI's `scan --role-name` through the member role: GetRestApis and GetApis list an account's
 * APIs, authorized as `apigateway:GET` on the collections `/restapis` and `/apis` themselves (the
 * workflow never lists them: it reads the API a finding or a CloudTrail event names).
 */
export function cliScanStatement({ partition }: Pick<RemediationScope, 'partition'>): PolicyStatement {
  return new PolicyStatement({
    sid: 'ListApis',
    effect: Effect.ALLOW,
    actions: ['apigateway:GET'],
    resources: ['/restapis', '/apis'].map((path) => apiGatewayArn(partition, path)),
  });
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
}: Omit<RemediationScope, 'resources'>): PolicyStatement {
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
