/**
 * Security Hub findings (ASFF) to remediation requests (pure).
 *
 * Imported events start work only for FAILED + ACTIVE + Workflow NEW findings: once the workflow
 * takes ownership (Workflow NOTIFIED) or Security Hub resolves the finding, the next Imported event
 * for it is ignored, which is what stops a finding from triggering itself. A custom action is a
 * person asking for a run on chosen findings: any Workflow status, but still FAILED (a PASSED
 * finding has nothing to fix) and ACTIVE (an archived finding's resource is gone).
 */
import { z } from 'zod';
import { describeIssues, describeValue } from '../../config/issues.js';
import { AccountIdSchema } from '../../config/schema.js';
import { InvalidStageArnError, parseStageArn } from '../core/arn.js';
import { CONTROL_IDS, type ApiType, type ControlId } from '../core/types.js';
import type { Outcome, Trigger } from './types.js';

/** Only the fields intake reads; everything else in a finding is passed over. */
const FindingSchema = z.object({
  Id: z.string().min(1),
  ProductArn: z.string().min(1),
  GeneratorId: z.string().min(1),
  AwsAccountId: AccountIdSchema,
  RecordState: z.string(),
  Workflow: z.object({ Status: z.string() }).optional(),
  /** Deprecated predecessor of Workflow.Status, read only when Workflow is absent. */
  WorkflowState: z.string().optional(),
  Compliance: z
    .object({ Status: z.string().optional(), SecurityControlId: z.string().min(1).optional() })
    .optional(),
  ProductFields: z.record(z.string(), z.unknown()).optional(),
  Resources: z.array(z.object({ Type: z.string(), Id: z.string() })).min(1),
});

type Finding = z.infer<typeof FindingSchema>;

/** Findings of AWS Security Hub's own controls; other products (including ours) never start work here. */
const SECURITY_HUB_PRODUCT_ARN = /^arn:aws(-cn|-us-gov)?:securityhub:[a-z0-9-]+::product\/aws\/securityhub$/;

const STAGE_RESOURCE_TYPES: ReadonlyMap<string, ApiType> = new Map([
  ['AwsApiGatewayStage', 'REST'],
  ['AwsApiGatewayV2Stage', 'V2'],
]);

const KNOWN_CONTROLS: ReadonlySet<string> = new Set(CONTROL_IDS);

function isKnownControl(id: string): id is ControlId {
  return KNOWN_CONTROLS.has(id);
}

export interface FindingContext {
  readonly trigger: Extract<Trigger, 'securityhub' | 'manual'>;
  readonly eventId: string;
  readonly eventTime: string;
  readonly actionName?: string;
}

/**
 * The control id: `Compliance.SecurityControlId` (consolidated findings), else `ProductFields.ControlId`
 * (standard-specific findings, e.g. GovCloud and China), else the last segment of `GeneratorId`.
 */
export function controlIdOf(finding: Finding): string {
  const fromProductFields = finding.ProductFields?.['ControlId'];
  return (
    finding.Compliance?.SecurityControlId ??
    (typeof fromProductFields === 'string' && fromProductFields !== '' ? fromProductFields : undefined) ??
    finding.GeneratorId.slice(finding.GeneratorId.lastIndexOf('/') + 1)
  );
}

function statusProblem(finding: Finding, trigger: FindingContext['trigger']): string | undefined {
  const compliance = finding.Compliance?.Status ?? '(none)';
  const workflow = finding.Workflow?.Status ?? finding.WorkflowState ?? '(none)';
  const eligible =
    compliance === 'FAILED' &&
    finding.RecordState === 'ACTIVE' &&
    (trigger === 'manual' || workflow === 'NEW');
  if (eligible) return undefined;
  const state = `Compliance.Status ${compliance}, RecordState ${finding.RecordState}, Workflow ${workflow}`;
  return trigger === 'manual'
    ? `${state}: a custom action remediates only FAILED+ACTIVE findings`
    : `${state}: only FAILED+ACTIVE+NEW findings are remediated`;
}

/** The fate of one finding; `index` is its position in `detail.findings`. */
export function findingOutcome(raw: unknown, index: number, context: FindingContext): Outcome {
  const basePath = ['detail', 'findings', index];
  const parsed = FindingSchema.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { Id?: unknown } | null)?.Id;
    const label = typeof id === 'string' ? `finding ${id}` : `finding detail.findings[${index}]`;
    return {
      kind: 'rejected',
      error: `${label}: ${describeIssues(FindingSchema, parsed.error.issues, raw, basePath).join('; ')}`,
    };
  }
  const finding = parsed.data;
  const label = `finding ${finding.Id}`;

  if (!SECURITY_HUB_PRODUCT_ARN.test(finding.ProductArn)) {
    return {
      kind: 'ignored',
      reason: `${label}: ProductArn ${finding.ProductArn} is not AWS Security Hub's controls product (product/aws/securityhub)`,
    };
  }
  const controlId = controlIdOf(finding);
  if (!isKnownControl(controlId)) {
    return {
      kind: 'ignored',
      reason: `${label}: control ${describeValue(controlId)} is not one this service handles (${CONTROL_IDS.join(', ')})`,
    };
  }
  const problem = statusProblem(finding, context.trigger);
  if (problem !== undefined) {
    return { kind: 'ignored', reason: `${label}: ${problem}` };
  }

  const stages = finding.Resources.map((resource, position) => ({ resource, position })).filter(
    ({ resource }) => STAGE_RESOURCE_TYPES.has(resource.Type),
  );
  const [stage, ...others] = stages;
  if (stage === undefined) {
    const types = finding.Resources.map((resource) => resource.Type).join(', ');
    return {
      kind: 'ignored',
      reason: `${label}: no API Gateway stage among its resources (Resources[].Type: ${types}; expected AwsApiGatewayStage or AwsApiGatewayV2Stage)`,
    };
  }
  if (others.length > 0) {
    return {
      kind: 'rejected',
      error: `${label}: ${stages.length} API Gateway stage resources; expected exactly one (a control finding names one resource)`,
    };
  }

  const field = `detail.findings[${index}].Resources[${stage.position}]`;
  let locator;
  try {
    locator = parseStageArn(stage.resource.Id);
  } catch (error) {
    if (error instanceof InvalidStageArnError) {
      return { kind: 'rejected', error: `${label}: ${field}.Id: ${error.message}` };
    }
    throw error;
  }
  const declaredType = STAGE_RESOURCE_TYPES.get(stage.resource.Type);
  if (declaredType !== locator.apiType) {
    return {
      kind: 'rejected',
      error: `${label}: ${field}.Type ${stage.resource.Type} does not match the ${locator.apiType} stage ARN ${stage.resource.Id}`,
    };
  }

  return {
    kind: 'request',
    request: {
      trigger: context.trigger,
      account: finding.AwsAccountId,
      region: locator.region,
      partition: locator.partition,
      apiType: locator.apiType,
      apiId: locator.apiId,
      stageName: locator.stageName,
      controls: [controlId],
      findingId: finding.Id,
      productArn: finding.ProductArn,
      eventId: context.eventId,
      eventTime: context.eventTime,
      ...(context.actionName === undefined ? {} : { actionName: context.actionName }),
    },
  };
}
