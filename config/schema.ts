/**
 * The service configuration: one zod schema, validated at synth time and when a Lambda loads it.
 *
 * Owned by config/; `config/remediation.json` is the deployed instance and
 * `config/remediation.schema.json` is exported from this schema for editors. The control-specific
 * sections are built from the controls' metadata (remediators/controls/catalog-meta.ts, what the
 * catalog's controls are, without what they do, so a bundle of the configuration leaves that out): `controls` (a
 * mode per control, notify/off only for reporting controls) and `parameters` (each control's own
 * `params`); `resources` holds the settings of what the effects create, shared by the controls
 * that need them (docs/decisions/0016).
 */
import * as z from 'zod';
import { CATALOG_META } from '../remediators/controls/catalog-meta.js';
import {
  CONTROL_MODES,
  REPORT_ONLY_MODES,
  type ControlMode,
  type MetaCatalog,
} from '../remediators/controls/define-control.js';
import { ResourceSettingsSchema, iamRoleName } from '../remediators/controls/resources.js';

export { CONTROL_MODES, REPORT_ONLY_MODES, type ControlMode };
export { DEFAULT_ACCESS_LOG_FORMAT } from '../remediators/controls/baseline-rest-access-logging.js';
export {
  DEFAULT_HTTP_ACCESS_LOG_FORMAT,
  DEFAULT_WEBSOCKET_ACCESS_LOG_FORMAT,
} from '../remediators/controls/apigateway-9-v2-access-logging.js';
export {
  LOG_RETENTION_DAYS,
  MANAGED_RULE_GROUPS,
  ResourceSettingsSchema,
} from '../remediators/controls/resources.js';

const ControlModeSchema = z.enum(CONTROL_MODES);
const ReportOnlyModeSchema = z.enum(REPORT_ONLY_MODES);

type ModeSchema = z.ZodOptional<typeof ControlModeSchema> | z.ZodOptional<typeof ReportOnlyModeSchema>;
type ControlModesShape<C extends MetaCatalog> = { [K in C[number] as K['id']]: ModeSchema };
type ParametersShape<C extends MetaCatalog> = { [K in C[number] as K['id']]: z.ZodPrefault<K['params']> };

/**
 * One optional key per control, so a typo in a control id is an "unknown key" error that lists the
 * known ids, and a reporting control set to auto or approve is rejected with its allowed modes.
 */
function controlModesSchemaOf<const C extends MetaCatalog>(catalog: C) {
  const shape = Object.fromEntries(
    catalog.map((control) => [
      control.id,
      (control.kind === 'reporting' ? ReportOnlyModeSchema : ControlModeSchema).optional(),
    ]),
  ) as ControlModesShape<C>;
  return z.object(shape).strict();
}

/** One key per control, its own `params` (every field has a default, so each section may be omitted). */
function parametersSchemaOf<const C extends MetaCatalog>(catalog: C) {
  const shape = Object.fromEntries(
    catalog.map((control) => [control.id, control.params.prefault({})]),
  ) as ParametersShape<C>;
  return z.object(shape).strict();
}

export const AccountIdSchema = z.string().regex(/^\d{12}$/, 'an AWS account id of 12 digits');

function accountOverrideSchemaOf<const C extends MetaCatalog>(catalog: C) {
  return z
    .object({
      /** Mode for every control in this account (reporting controls take notify instead of auto/approve). */
      mode: ControlModeSchema.optional(),
      /** Mode per control in this account; wins over `mode`. */
      controls: controlModesSchemaOf(catalog).optional(),
      /** Dry run for this account; wins over the global `dryRun` (e.g. a pilot account applies for real). */
      dryRun: z.boolean().optional(),
    })
    .strict();
}

export const AccountOverrideSchema = accountOverrideSchemaOf(CATALOG_META);
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
    memberRoleName: iamRoleName('apigw-remediation-member'),
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

/** Exemptions (issue 12): a stage and control the workflow and `fix` leave alone for a while. */
export const ExemptionsSchema = z
  .object({
    /**
     * How long an exemption lasts when nobody says (`undo` and `exempt` without `--until`, a
     * rejected approval): long enough to fix the application the remediation broke, short enough
     * that nobody forgets the stage fails. 1 to 3,650 days.
     */
    defaultDays: z.number().int().min(1).max(3650).default(30),
  })
  .strict();

/**
 * Which Security Hub a finding comes from: `asff`, Security Hub CSPM ("Security Hub Findings -
 * Imported", written back with BatchUpdateFindings); `ocsf`, the new Security Hub ("Findings
 * Imported V2", written back with BatchUpdateFindingsV2). See docs/decisions/0015-ocsf-findings.md.
 */
/**
 * The service's own Undo (the Security Hub custom action "Undo API remediation", the Slack Undo
 * button; docs/decisions/0030): `auto` takes the remediation back when asked; `off` refuses every
 * such request (recorded in the ledger as a REFUSED undo, and notified), leaving undo to the CLI;
 * `approve` plans the undo and asks for it in Slack like a remediation's approval (same function
 * and message, the changes as now → restored to), restores only once approved, and records a
 * rejection or an expiry (approval.timeoutSeconds; never applied on timeout) as a REFUSED undo.
 * `auto` by default: each undo is already a person's deliberate request (an action chosen in the
 * Security Hub console, a button that only a listed approver's click starts), it only restores
 * what a remediation recorded as before, and only where the stage still holds the remediation's
 * values; a second approval would only slow down the way back when a fix broke an application.
 */
export const UNDO_MODES = ['auto', 'approve', 'off'] as const;

export const UndoSchema = z
  .object({
    mode: z.enum(UNDO_MODES).default('auto'),
  })
  .strict();

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

/**
 * What the flap guard does once a stage-control's owner has put the setting back `maxReverts` times
 * within the window (docs/decisions/0029): `notify-only` stops fixing it (DEFERRED_TO_OWNER) until
 * a compliant read or an operator clears it; `fix-and-notify` keeps fixing and says, in the record,
 * who keeps reverting it and the template change; `fight` fixes every time and counts nothing.
 */
export const IAC_POLICIES = ['fix-and-notify', 'notify-only', 'fight'] as const;
export type IacPolicy = (typeof IAC_POLICIES)[number];

/** Infrastructure-as-code owners (docs/decisions/0029, docs/configuration.md "iac"). */
function iacSchemaOf<const C extends MetaCatalog>(catalog: C) {
  const ids = catalog.filter((control) => control.kind === 'fixing').map((control) => control.id);
  return z
    .object({
      /**
       * Tags that mark a resource Terraform manages (Terraform tags nothing by itself; teams add
       * e.g. `managed-by = terraform` through default_tags). `*` matches any value.
       */
      ownerTags: z.record(z.string().min(1), z.string().min(1)).default({}),
      /** How long an owner's revert of a fix counts. */
      flapWindowHours: z.number().int().min(1).max(720).default(24),
      /** Owner reverts within the window after which the policy applies. */
      maxReverts: z.number().int().min(1).max(100).default(1),
      /** True: the service wins, every control is `fight` (and existing deferrals are ignored). */
      fight: z.boolean().default(false),
      /** The policy of a control without its own entry. */
      defaultPolicy: z.enum(IAC_POLICIES).default('notify-only'),
      /**
       * The owners' own channels: a DEFERRED_TO_OWNER notification also goes to the SNS topic of the
       * first entry whose tag the stage (else its API) carries (`tagValue` absent: any value), e.g. a
       * team's topic that AWS Chatbot posts to its Slack channel. The topic's policy (and its KMS key's,
       * if encrypted) must let the notify function publish.
       */
      ownerChannels: z
        .array(
          z
            .object({
              tagKey: z.string().min(1),
              tagValue: z.string().min(1).optional(),
              topicArn: z
                .string()
                .regex(/^arn:aws(?:-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, 'an SNS topic ARN'),
            })
            .strict(),
        )
        .default([]),
      /** Per fixing control id. */
      policies: z
        .record(z.string(), z.enum(IAC_POLICIES))
        .refine((policies) => Object.keys(policies).every((id) => ids.includes(id)), {
          message: `iac.policies: keys must be fixing control ids (${ids.join(', ')})`,
        })
        .default({}),
    })
    .strict();
}

/** The whole configuration schema for a catalog (the production one: {@link ConfigSchema}). */
export function configSchemaOf<const C extends MetaCatalog>(catalog: C) {
  const modes = controlModesSchemaOf(catalog);
  const parameters = parametersSchemaOf(catalog);
  return z
    .object({
      /** The JSON Schema an editor validates the file with; ignored by the service. */
      $schema: z.string().optional(),
      /** Global dry run: evaluate and record what would change, change nothing. */
      dryRun: z.boolean().default(false),
      /** Mode per control. Controls not listed take their default (see config/defaults). */
      controls: modes.prefault({} as z.input<typeof modes>),
      /** Each control's own parameters; a control not listed takes its defaults. */
      parameters: parameters.prefault({} as z.input<typeof parameters>),
      /** What the effects create (log groups, the web ACL, the account's CloudWatch role), shared by the controls. */
      resources: ResourceSettingsSchema.prefault({}),
      /** Overrides per AWS account id (12 digits). */
      accounts: z.record(AccountIdSchema, accountOverrideSchemaOf(catalog)).default({}),
      /** The tag convention teams use to opt APIs and stages out, into approval, or into auto. */
      tags: TagsSchema.prefault({}),
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
      exemptions: ExemptionsSchema.prefault({}),
      undo: UndoSchema.prefault({}),
      iac: iacSchemaOf(catalog).prefault({}),
    })
    .strict();
}

export const ConfigSchema = configSchemaOf(CATALOG_META);
export type RemediationConfig = z.infer<typeof ConfigSchema>;
