/**
 * The service configuration: one zod schema, validated at synth time and when a Lambda loads it.
 *
 * Owned by config/; `config/remediation.json` is the deployed instance and
 * `config/remediation.schema.json` is exported from this schema for editors.
 */
import * as z from 'zod';
import { REMEDIABLE_CONTROL_IDS, REPORT_ONLY_CONTROL_IDS } from '../remediators/core/types.js';

export const CONTROL_MODES = ['auto', 'approve', 'notify', 'off'] as const;
export type ControlMode = (typeof CONTROL_MODES)[number];

/** CloudWatch Logs PutRetentionPolicy accepts only these values (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The seeds' JSON access log format; `$context.requestId` is mandatory (APIGateway.9, REST access logging). */
export const DEFAULT_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  errorMessage: '$context.error.message',
});

/**
 * HTTP and WebSocket APIs accept only their own context variables in an access log format and
 * refuse the stage update otherwise ("The following context variables are not supported"):
 * `$context.resourcePath`, for one, exists only for REST APIs. These are the API Gateway console's
 * JSON defaults for each API type, plus the error message.
 */
export const DEFAULT_HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  errorMessage: '$context.error.message',
});

export const DEFAULT_WEBSOCKET_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  requestTime: '$context.requestTime',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  status: '$context.status',
  connectionId: '$context.connectionId',
  errorMessage: '$context.error.message',
});

const accessLogFormat = (fallback: string) =>
  z
    .string()
    .refine((format) => format.includes('$context.requestId'), {
      message: 'the access log format must contain $context.requestId',
    })
    .default(fallback);

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

export const BaselineSchema = z
  .object({
    /** APIGateway.1: the execution log level to set (ERROR or INFO both pass the control). */
    executionLogLevel: z.enum(['ERROR', 'INFO']).default('ERROR'),
    throttling: z
      .object({
        /** Requests per second; a stage or method above this (or unset) fails. */
        rateLimit: z.number().positive().max(10_000).default(1000),
        burstLimit: z.number().int().positive().max(5_000).default(2000),
      })
      .strict()
      .prefault({}),
    accessLogs: z
      .object({
        /** REST stages (Baseline.RestAccessLogging) and the approval API. */
        format: accessLogFormat(DEFAULT_ACCESS_LOG_FORMAT),
        /** HTTP API stages (APIGateway.9): only HTTP API context variables. */
        httpFormat: accessLogFormat(DEFAULT_HTTP_ACCESS_LOG_FORMAT),
        /** WebSocket API stages (APIGateway.9): only WebSocket API context variables. */
        webSocketFormat: accessLogFormat(DEFAULT_WEBSOCKET_ACCESS_LOG_FORMAT),
        /** Log group per REST or WebSocket stage: `{prefix}/{apiId}/{stageName}`. */
        logGroupNamePrefix: z
          .string()
          .regex(/^[\w\-/.#]+$/, 'letters, digits and _ - / . # only')
          .default('/aws/apigateway/access-logs'),
        /**
         * Log group per HTTP API stage. HTTP access logs go through CloudWatch Logs log delivery and
         * its account resource policy (5,120 characters): under `/aws/vendedlogs/` the policy does
         * not grow per log group (remediators/controls/stage-settings.ts).
         */
        httpLogGroupNamePrefix: z
          .string()
          .regex(/^[\w\-/.#]+$/, 'letters, digits and _ - / . # only')
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
      .strict()
      .prefault({}),
    webAcl: z
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
        ruleGroupActions: z
          .partialRecord(z.enum(MANAGED_RULE_GROUPS), z.enum(['count', 'block']))
          .default({}),
      })
      .strict()
      .prefault({}),
    /** Name of the API Gateway CloudWatch Logs role the member stack creates in every account. */
    cloudWatchRoleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/)
      .default('apigw-remediation-apigateway-cloudwatch'),
    /**
     * Tags put on every resource the service creates (log groups, web ACLs). Within what both
     * CloudWatch Logs and WAF accept: at most 50 tags, keys of 1-128 and values of at most 256
     * letters, digits, spaces and `_ . : / = + - @`, and no key in the reserved `aws:` prefix.
     */
    resourceTags: z
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
      .default({ 'managed-by': 'apigw-remediation' }),
  })
  .strict();

export type BaselineConfig = z.infer<typeof BaselineSchema>;

/** Report-only controls are evaluated and reported, never changed: only these modes make sense for them. */
export const REPORT_ONLY_MODES = ['notify', 'off'] as const satisfies readonly ControlMode[];

const ControlModeSchema = z.enum(CONTROL_MODES);
const ReportOnlyModeSchema = z.enum(REPORT_ONLY_MODES);

/**
 * One optional key per control, so a typo in a control id is an "unknown key" error that lists the
 * known ids, and a report-only control set to auto or approve is rejected with its allowed modes.
 */
const ControlModesSchema = z
  .object({
    ...(Object.fromEntries(REMEDIABLE_CONTROL_IDS.map((id) => [id, ControlModeSchema.optional()])) as Record<
      (typeof REMEDIABLE_CONTROL_IDS)[number],
      z.ZodOptional<typeof ControlModeSchema>
    >),
    ...(Object.fromEntries(
      REPORT_ONLY_CONTROL_IDS.map((id) => [id, ReportOnlyModeSchema.optional()]),
    ) as Record<(typeof REPORT_ONLY_CONTROL_IDS)[number], z.ZodOptional<typeof ReportOnlyModeSchema>>),
  })
  .strict();

export const AccountIdSchema = z.string().regex(/^\d{12}$/, 'an AWS account id of 12 digits');

export const AccountOverrideSchema = z
  .object({
    /** Mode for every control in this account (report-only controls take notify instead of auto/approve). */
    mode: ControlModeSchema.optional(),
    /** Mode per control in this account; wins over `mode`. */
    controls: ControlModesSchema.optional(),
    /** Dry run for this account; wins over the global `dryRun` (e.g. a pilot account applies for real). */
    dryRun: z.boolean().optional(),
  })
  .strict();

export type AccountOverride = z.infer<typeof AccountOverrideSchema>;

/** API Gateway tag keys: 1-128 letters, digits, spaces and `_ . : / = + - @`. */
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,100}$/u;

export const TagsSchema = z
  .object({
    /**
     * Tag key a team puts on an API or a stage: `<modeKey>` = auto|approve|notify|off applies to every
     * control, `<modeKey>:<ControlId>` to one control. At most 100 characters so that the per-control
     * keys stay within the 128-character tag key limit.
     */
    modeKey: z
      .string()
      .regex(TAG_KEY_PATTERN, 'a tag key of 1-100 letters, digits, spaces and _ . : / = + - @')
      .default('apigw-remediation:mode'),
  })
  .strict();

/** Slack's channel ids: C (public) or G (private), then capital letters and digits, e.g. C0123456789. */
export const SLACK_CHANNEL_ID_PATTERN = /^[CG][A-Z0-9]{2,}$/;

export const ApprovalSchema = z
  .object({
    /** How long an approval request waits for a decision (Step Functions task timeout). */
    timeoutSeconds: z
      .number()
      .int()
      .min(300)
      .max(7 * 24 * 3600)
      .default(24 * 3600),
    /** What the workflow does when nobody decides in time: record EXPIRED and skip, or apply anyway. */
    onTimeout: z.enum(['skip', 'apply']).default('skip'),
    /** Optional allow-list; empty lists mean any member of the Slack channel may decide. */
    approvers: z
      .object({
        /** Slack user ids, e.g. U024BE7LH. */
        userIds: z
          .array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U024BE7LH'))
          .default([]),
        /** A Slack user group id (S...); its members may decide. */
        userGroupId: z
          .string()
          .regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id such as S0614TZR7')
          .optional(),
      })
      .strict()
      .prefault({}),
    slack: z
      .object({
        /**
         * Channel the approval requests are posted to. No default: a missing channel is missing.
         * It may come from the CDK context instead (`-c slackChannelId=...`, config/deployability.ts).
         */
        channelId: z
          .string()
          .regex(SLACK_CHANNEL_ID_PATTERN, 'a Slack channel id such as C0123456789')
          .optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const CrossAccountSchema = z
  .object({
    /** Role the member stack creates in every account; the remediators assume it. */
    memberRoleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/)
      .default('apigw-remediation-member'),
    /** Fixed session name so CloudTrail tells the service's own calls apart. */
    sessionName: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/)
      .default('apigw-remediation'),
  })
  .strict();

/** Brakes on how much the service may change on its own (docs/decisions/0012). */
export const LimitsSchema = z
  .object({
    /**
     * Blast-radius cap: at most this many stages changed per account per hour (per central
     * Region: the counter lives in that Region's locks table). A stage over the cap is notified,
     * not changed, and its record says why. At most 1,000 so the hour's counter item (the ids of
     * the remediations it counted) stays far below DynamoDB's 400 KB item size.
     */
    maxStagesChangedPerAccountPerHour: z.number().int().min(1).max(1000).default(20),
  })
  .strict();

/**
 * Which Security Hub a finding comes from: `asff`, Security Hub CSPM ("Security Hub Findings -
 * Imported", written back with BatchUpdateFindings); `ocsf`, the new Security Hub ("Findings
 * Imported V2", written back with BatchUpdateFindingsV2). See docs/decisions/0015-ocsf-findings.md.
 */
export const FINDING_FORMATS = ['asff', 'ocsf'] as const;
export type FindingFormat = (typeof FINDING_FORMATS)[number];

export const SecurityHubSchema = z
  .object({
    /**
     * The Security Hubs whose findings start remediations: a rule per format, and intake ignores
     * findings of a format not listed. Both by default: an organization moving to the new Security
     * Hub gets each control finding in both formats, and the two end in one remediation.
     */
    formats: z
      .array(z.enum(FINDING_FORMATS))
      .min(1, 'at least one of asff, ocsf')
      .refine((formats) => new Set(formats).size === formats.length, 'each format at most once')
      .default([...FINDING_FORMATS]),
  })
  .strict();

export const ConfigSchema = z
  .object({
    /** The JSON Schema an editor validates the file with; ignored by the service. */
    $schema: z.string().optional(),
    /** Global dry run: evaluate and record what would change, change nothing. */
    dryRun: z.boolean().default(false),
    /** Mode per control. Controls not listed take their default (see config/defaults). */
    controls: ControlModesSchema.default({}),
    /** Overrides per AWS account id (12 digits). */
    accounts: z.record(AccountIdSchema, AccountOverrideSchema).default({}),
    /** The tag convention teams use to opt APIs and stages out, into approval, or into auto. */
    tags: TagsSchema.prefault({}),
    baseline: BaselineSchema.prefault({}),
    approval: ApprovalSchema.prefault({}),
    crossAccount: CrossAccountSchema.prefault({}),
    /**
     * Whether a control in mode auto (or an approval that timed out with approval.onTimeout apply)
     * may create a deployment with nobody approving it. Only V2 stages without autoDeploy ever need
     * one, and a deployment publishes the API's CURRENT definition, including changes nobody has
     * released. False: such a fix is notified with the reason instead (mode approve still asks).
     */
    allowUnattendedDeployments: z.boolean().default(false),
    limits: LimitsSchema.prefault({}),
    securityHub: SecurityHubSchema.prefault({}),
  })
  .strict();

export type RemediationConfig = z.infer<typeof ConfigSchema>;
