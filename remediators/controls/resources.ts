/**
 * What the effects create, as the configuration's `resources` section sets it: shared by every
 * control whose fix needs the resource, so it belongs to the effect, not to one control
 * (docs/decisions/0016). Builds the effects' data and their IAM inputs from these settings.
 */
import * as z from 'zod';
import { accessLogGroup } from '../core/effects/access-log-group.js';
import { accountCloudWatchRole } from '../core/effects/account-cloudwatch-role.js';
import type { EffectKind } from '../core/effects/index.js';
import { webAcl } from '../core/effects/web-acl.js';
import type { IamScope, IamStatement } from '../core/iam.js';

/** CloudWatch Logs PutRetentionPolicy accepts only these values (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesAnonymousIpList',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** CloudWatch Logs (CreateLogGroup) and WAF (CreateWebACL) tag limits, the stricter of the two. */
const MAX_RESOURCE_TAGS = 50;
const RESOURCE_TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const RESOURCE_TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const logGroupPrefix = () => z.string().regex(/^[\w\-/.#]+$/, 'letters, digits and _ - / . # only');

export const AccessLogGroupsSchema = z
  .object({
    /** Log group per REST or WebSocket stage: `{namePrefix}/{apiId}/{stageName}`. */
    namePrefix: logGroupPrefix().default('/aws/apigateway/access-logs'),
    /**
     * Log group per HTTP API stage. HTTP access logs go through CloudWatch Logs log delivery and
     * its account resource policy (5,120 characters): under `/aws/vendedlogs/` the policy does
     * not grow per log group (remediators/controls/stage-settings.ts).
     */
    httpNamePrefix: logGroupPrefix()
      .refine((prefix) => prefix.startsWith('/aws/vendedlogs/'), {
        message:
          'HTTP access log groups must be under /aws/vendedlogs/ so log delivery does not grow the CloudWatch Logs resource policy (5,120 characters) per log group',
      })
      .default('/aws/vendedlogs/apigateway/access-logs'),
    retentionDays: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        message: `retentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(365),
  })
  .strict();

export const WebAclSchema = z
  .object({
    /** Name of the baseline web ACL, found or created once per account and Region. */
    name: z
      .string()
      .regex(/^[\w-]{1,128}$/)
      .default('apigw-remediation-baseline'),
    managedRuleGroups: z
      .array(z.enum(MANAGED_RULE_GROUPS))
      .min(1)
      .default([
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'AWSManagedRulesAmazonIpReputationList',
      ]),
    /** Rate-based rule: requests per 5 minutes per client IP before blocking. */
    rateLimitPer5Minutes: z.number().int().min(10).max(2_000_000_000).default(2000),
    /**
     * What each managed rule group does in a web ACL the service creates: `count` (the default
     * for every group: OverrideAction Count, matches are counted and nothing is blocked) or
     * `block` (OverrideAction None: the group's own rule actions apply). Start in count, watch
     * the group's metrics and sampled requests, then set `block` (docs/controls.md). The
     * rate-based rule always blocks. A web ACL that already exists is never changed.
     */
    ruleGroupActions: z.partialRecord(z.enum(MANAGED_RULE_GROUPS), z.enum(['count', 'block'])).default({}),
  })
  .strict();

/** An IAM role name (1-64 of letters, digits and `+=,.@_-`), with its default. */
export const iamRoleName = (fallback: string) =>
  z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/)
    .default(fallback);

export const CloudWatchRoleSchema = z
  .object({
    /** Name of the API Gateway CloudWatch Logs role the member stack creates in every account. */
    name: iamRoleName('apigw-remediation-apigateway-cloudwatch'),
  })
  .strict();

/**
 * Tags put on every resource the service creates (log groups, web ACLs). Within what both
 * CloudWatch Logs and WAF accept: at most 50 tags, keys of 1-128 and values of at most 256
 * letters, digits, spaces and `_ . : / = + - @`, and no key in the reserved `aws:` prefix.
 */
export const ResourceTagsSchema = z
  .record(
    z
      .string()
      .regex(RESOURCE_TAG_KEY_PATTERN, 'a tag key of 1-128 letters, digits, spaces and _ . : / = + - @')
      .refine((key) => !key.toLowerCase().startsWith('aws:'), {
        message: 'tag keys starting with aws: are reserved for AWS',
      }),
    z
      .string()
      .regex(
        RESOURCE_TAG_VALUE_PATTERN,
        'a tag value of at most 256 letters, digits, spaces and _ . : / = + - @',
      ),
  )
  .refine((tags) => Object.keys(tags).length <= MAX_RESOURCE_TAGS, {
    message: `at most ${MAX_RESOURCE_TAGS} resource tags (the CloudWatch Logs and WAF limit)`,
  })
  .default({ 'managed-by': 'apigw-remediation' });

/** The configuration's `resources` section: one key per effect's settings, plus the tags they all put on. */
export const ResourceSettingsSchema = z
  .object({
    /** The accessLogGroup effect (APIGateway.9, Baseline.RestAccessLogging). */
    accessLogGroups: AccessLogGroupsSchema.prefault({}),
    /** The webAcl effect (APIGateway.4). */
    webAcl: WebAclSchema.prefault({}),
    /** The accountCloudWatchRole effect (APIGateway.1, APIGateway.9 on WebSocket, Baseline.RestAccessLogging). */
    cloudWatchRole: CloudWatchRoleSchema.prefault({}),
    tags: ResourceTagsSchema,
  })
  .strict();

export type ResourceSettings = z.infer<typeof ResourceSettingsSchema>;

/** Each effect's IAM, for every resource these settings let it create. */
export function effectIamStatements(
  kind: EffectKind,
  scope: IamScope,
  resources: ResourceSettings,
): IamStatement[] {
  switch (kind) {
    case 'accessLogGroup':
      return accessLogGroup.iam(scope, {
        // HTTP stages' access log groups live under /aws/vendedlogs/ (stage-settings.ts).
        namePrefixes: [resources.accessLogGroups.namePrefix, resources.accessLogGroups.httpNamePrefix],
      });
    case 'accountCloudWatchRole':
      return accountCloudWatchRole.iam(scope, { roleName: resources.cloudWatchRole.name });
    case 'webAcl':
      return webAcl.iam(scope, { name: resources.webAcl.name });
  }
}
