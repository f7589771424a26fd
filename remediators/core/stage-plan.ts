/**
 * The plan of one stage as it travels between the state machine's tasks: a zod schema, and the
 * {@link StagePlan} type inferred from it, so the plan a task receives is checked against the
 * same definition the core builds it with (no cast at the task boundary).
 *
 * The shapes mirror the vocabulary of types.ts (Evaluation, ControlPlan, Operation, the effects);
 * `satisfies` below ties each schema to its type, so the two cannot drift apart unnoticed.
 */
import type { Rule } from '@aws-sdk/client-wafv2';
import * as z from 'zod';
import type { AccessLogGroupEffect, AccountCloudWatchRoleEffect, WebAclEffect } from './effects/index.js';
import {
  PARTITIONS,
  type ControlPlan,
  type Evaluation,
  type Operation,
  type SettingChange,
  type StageRef,
} from './types.js';

const TagsSchema = z.record(z.string(), z.string()).readonly();

export const StageRefSchema = z
  .object({
    partition: z.enum(PARTITIONS),
    region: z.string().min(1),
    apiType: z.enum(['REST', 'V2']),
    apiId: z.string().min(1),
    stageName: z.string().min(1),
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
  })
  .readonly() satisfies z.ZodType<StageRef>;

const EvaluationSchema = z
  .object({
    controlId: z.string().min(1),
    status: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']),
    reason: z.string(),
  })
  .readonly() satisfies z.ZodType<Evaluation>;

const SettingValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const SettingChangeSchema = z
  .object({ setting: z.string().min(1), before: SettingValueSchema, after: SettingValueSchema })
  .readonly() satisfies z.ZodType<SettingChange>;

const OperationSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('restStagePatch'),
      op: z.literal('replace'),
      path: z.string(),
      value: z.string(),
    })
    .readonly(),
  z
    .object({
      kind: z.literal('v2RouteSetting'),
      scope: z.union([z.literal('default'), z.object({ routeKey: z.string() }).readonly()]),
      field: z.enum(['LoggingLevel', 'ThrottlingRateLimit', 'ThrottlingBurstLimit']),
      value: z.union([z.string(), z.number()]),
    })
    .readonly(),
  z.object({ kind: z.literal('v2AccessLog'), destinationArn: z.string(), format: z.string() }).readonly(),
  z
    .object({
      kind: z.literal('restApiPatch'),
      op: z.literal('replace'),
      path: z.string(),
      value: z.string(),
    })
    .readonly(),
  z
    .object({
      kind: z.literal('v2ApiUpdate'),
      field: z.literal('DisableExecuteApiEndpoint'),
      value: z.boolean(),
    })
    .readonly(),
  z.object({ kind: z.literal('associateBaselineWebAcl') }).readonly(),
  z.object({ kind: z.literal('createDeployment') }).readonly(),
]) satisfies z.ZodType<Operation>;

/**
 * A WAF rule is WAF's own structure (statements nest); its content is checked by WAF when the web
 * ACL is created. Here: an object with the Name every rule has.
 */
const WebAclRuleSchema = z.custom<Rule>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as { Name?: unknown }).Name === 'string',
  'a WAF rule (an object with a Name)',
);

export const EffectSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('accessLogGroup'),
      name: z.string().min(1),
      retentionDays: z.number().int().positive(),
      tags: TagsSchema,
    })
    .readonly() satisfies z.ZodType<AccessLogGroupEffect>,
  z
    .object({ kind: z.literal('accountCloudWatchRole'), roleName: z.string().min(1) })
    .readonly() satisfies z.ZodType<AccountCloudWatchRoleEffect>,
  z
    .object({
      kind: z.literal('webAcl'),
      name: z.string().min(1),
      description: z.string(),
      summary: z.string(),
      rules: z.array(WebAclRuleSchema).readonly(),
      tags: TagsSchema,
    })
    .readonly() satisfies z.ZodType<WebAclEffect>,
]);

const PlannedChangeSchema = z.object({ change: SettingChangeSchema, operation: OperationSchema }).readonly();

const ControlPlanSchema = z
  .object({
    controlId: z.string().min(1),
    changes: z.array(PlannedChangeSchema).readonly(),
    prerequisites: z.array(EffectSchema).readonly(),
    redeploy: z.boolean(),
  })
  .readonly() satisfies z.ZodType<ControlPlan>;

/** A change of the stage plan, with the control that wants it. */
const StageChangeSchema = z
  .object({ controlId: z.string().min(1), change: SettingChangeSchema, operation: OperationSchema })
  .readonly();
export type StageChange = z.infer<typeof StageChangeSchema>;

const RestPatchOperationSchema = z
  .object({ op: z.literal('replace'), path: z.string().min(1), value: z.string() })
  .readonly();
export type RestPatchOperation = z.infer<typeof RestPatchOperationSchema>;

/** V2 route settings as UpdateStage takes them (apigatewayv2 RouteSettings). */
const V2RouteSettingsInputSchema = z
  .object({
    DataTraceEnabled: z.boolean().optional(),
    DetailedMetricsEnabled: z.boolean().optional(),
    LoggingLevel: z.enum(['ERROR', 'INFO', 'OFF']).optional(),
    ThrottlingBurstLimit: z.number().optional(),
    ThrottlingRateLimit: z.number().optional(),
  })
  .readonly();
export type V2RouteSettingsInput = z.infer<typeof V2RouteSettingsInputSchema>;

/**
 * The fields of one V2 UpdateStage (without ApiId/StageName/DeploymentId). Route settings
 * are sent whole — current values with the changes applied — so the result is the same
 * whether API Gateway replaces or merges the object.
 */
const V2StageUpdateSchema = z
  .object({
    DefaultRouteSettings: V2RouteSettingsInputSchema.optional(),
    RouteSettings: z.record(z.string(), V2RouteSettingsInputSchema).readonly().optional(),
    AccessLogSettings: z.object({ DestinationArn: z.string(), Format: z.string() }).readonly().optional(),
  })
  .readonly();
export type V2StageUpdate = z.infer<typeof V2StageUpdateSchema>;

const PlanBaseShape = {
  ref: StageRefSchema,
  evaluations: z.array(EvaluationSchema).readonly(),
  plans: z.array(ControlPlanSchema).readonly(),
  /** Every change of every control, in catalog order, with the control that wants it. */
  changes: z.array(StageChangeSchema).readonly(),
  prerequisites: z.array(EffectSchema).readonly(),
};

/**
 * A REST stage's calls. REST stages never get a deployment: they take API-level changes with the
 * stage update (docs/decisions/0009).
 */
export const RestPlanSchema = z
  .object({
    apiType: z.literal('REST'),
    ...PlanBaseShape,
    /** Every stage operation, for ONE UpdateStage call; empty when the stage does not change. */
    stagePatchOperations: z.array(RestPatchOperationSchema).readonly(),
    /** The UpdateRestApi operations; empty when the API does not change. */
    apiPatchOperations: z.array(RestPatchOperationSchema).readonly(),
    /** wafv2 AssociateWebACL with the plan's webAcl prerequisite. */
    associateWebAcl: z.boolean(),
  })
  .readonly();
export type RestPlan = z.infer<typeof RestPlanSchema>;

/**
 * An HTTP or WebSocket stage's calls. No web ACL association: plan.ts refuses that operation on
 * a V2 stage (APIGateway.4 applies to REST stages).
 */
export const V2PlanSchema = z
  .object({
    apiType: z.literal('V2'),
    ...PlanBaseShape,
    /** The ONE UpdateStage input; absent when nothing on the stage changes. */
    stageUpdate: V2StageUpdateSchema.optional(),
    /** The UpdateApi fields; absent when the API does not change. */
    apiUpdate: z.object({ DisableExecuteApiEndpoint: z.boolean() }).readonly().optional(),
    /** A deployment is needed (stages without autoDeploy only): a control planned one. */
    redeploy: z.boolean(),
  })
  .readonly();
export type V2Plan = z.infer<typeof V2PlanSchema>;

/** Everything the apply phases need, as plain data (it travels between state machine states). */
export const StagePlanSchema = z.discriminatedUnion('apiType', [RestPlanSchema, V2PlanSchema]);
export type StagePlan = z.infer<typeof StagePlanSchema>;
