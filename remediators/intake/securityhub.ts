/**
 * Security Hub findings (ASFF) to remediation requests (pure).
 *
 * Imported events start work only for FAILED + ACTIVE + Workflow NEW findings: once the workflow
 * takes ownership (Workflow NOTIFIED) or Security Hub resolves the finding, the next Imported event
 * for it is ignored, which is what stops a finding from triggering itself. A custom action is a
 * person asking for a run on chosen findings: any Workflow status, but still FAILED (a PASSED
 * finding has nothing to fix) and ACTIVE (an archived finding's resource is gone).
 *
 * Products: Imported events are read only from AWS Security Hub's own controls product. The
 * service's own findings (imported for CloudTrail drift into the account's default product, see
 * remediators/securityhub/findings.ts) never start work from an Imported event (a loop), but a custom
 * action on one of them is a person asking for a run, so the manual path accepts them too.
 */
import * as z from 'zod';
import { describeIssues, describeValue } from '../../config/issues.js';
import { AccountIdSchema } from '../../config/schema.js';
import { InvalidStageArnError, parseStageArn } from '../core/arn.js';
import { CONTROL_IDS, type ControlId } from '../controls/catalog.js';
import type { ApiType } from '../core/types.js';
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

/** Findings of AWS Security Hub's own controls: the only product an Imported event starts work from. */
const SECURITY_HUB_PRODUCT_ARN = /^arn:aws(-cn|-us-gov)?:securityhub:[a-z0-9-]+::product\/aws\/securityhub$/;

/**
 * An account's default product, where the service imports its own findings
 * (`arn:{partition}:securityhub:{region}:{account}:product/{account}/default`). Other tools of that
 * account may import there too: what makes a finding the service's own is also its GeneratorId.
 */
const DEFAULT_PRODUCT_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):securityhub:([a-z0-9-]+):(\d{12}):product\/(\d{12})\/default$/;

/** GeneratorId `apigw-remediation/{controlId}` and Id `apigw-remediation/{controlId}/{stage ARN}` of an own finding. */
const OWN_PREFIX = 'apigw-remediation/';
const OWN_CONTROL_FIELD = 'apigw-remediation/ControlId';

const STAGE_RESOURCE_TYPES: ReadonlyMap<string, ApiType> = new Map([
  ['AwsApiGatewayStage', 'REST'],
  ['AwsApiGatewayV2Stage', 'V2'],
]);

const KNOWN_CONTROLS: ReadonlySet<string> = new Set(CONTROL_IDS);

function isKnownControl(id: string): id is ControlId {
  return KNOWN_CONTROLS.has(id);
}

export interface FindingContext {
  readonly trigger: Extract<Trigger, 'securityhub' | 'manual' | 'undo'>;
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

/** Where a finding comes from: AWS's controls, the service itself, or a product intake does not read. */
type Origin =
  | { readonly kind: 'aws' }
  | { readonly kind: 'own'; readonly partition: string; readonly region: string }
  | { readonly kind: 'other'; readonly reason: string };

/** A person chose a custom action on the finding (Remediate or Undo), rather than Security Hub importing it. */
function chosen(trigger: FindingContext['trigger']): boolean {
  return trigger !== 'securityhub';
}

function originOf(finding: Finding, trigger: FindingContext['trigger']): Origin {
  // Stryker disable next-line ObjectLiteral,StringLiteral: equivalent, the callers tell origins apart by 'other' and 'own' only
  if (SECURITY_HUB_PRODUCT_ARN.test(finding.ProductArn)) return { kind: 'aws' };
  const notAws = `ProductArn ${finding.ProductArn} is not AWS Security Hub's controls product (product/aws/securityhub)`;
  const product = DEFAULT_PRODUCT_ARN.exec(finding.ProductArn);
  if (product === null || !finding.GeneratorId.startsWith(OWN_PREFIX)) {
    return {
      kind: 'other',
      reason: chosen(trigger)
        ? `${notAws} nor a finding of apigw-remediation's own (product/{account}/default, GeneratorId ${OWN_PREFIX}…): findings of other products are not remediated`
        : notAws,
    };
  }
  if (!chosen(trigger)) {
    return {
      kind: 'other',
      reason: `${notAws}: it is a finding of apigw-remediation's own, which an Imported event never remediates (that would loop); choose the custom action on it to run again`,
    };
  }
  // Stryker disable next-line StringLiteral: equivalent, every group of DEFAULT_PRODUCT_ARN matched, so no default is used
  const [, partition = '', region = '', productAccount, owner] = product;
  if (productAccount !== owner || owner !== finding.AwsAccountId) {
    return {
      kind: 'other',
      reason: `ProductArn ${finding.ProductArn} is not the default product of the finding's account ${finding.AwsAccountId}: not a finding of apigw-remediation's own`,
    };
  }
  return { kind: 'own', partition, region };
}

/**
 * The control of a finding of the service's own: `ProductFields['apigw-remediation/ControlId']`,
 * else what follows `apigw-remediation/` in GeneratorId; a finding where the two disagree is malformed.
 */
function ownControlIdOf(finding: Finding): { readonly controlId: string } | { readonly error: string } {
  const fromGenerator = finding.GeneratorId.slice(OWN_PREFIX.length);
  const fromProductFields = finding.ProductFields?.[OWN_CONTROL_FIELD];
  if (fromProductFields === undefined) return { controlId: fromGenerator };
  if (fromProductFields !== fromGenerator) {
    return {
      error: `ProductFields['${OWN_CONTROL_FIELD}'] ${describeValue(fromProductFields)} contradicts GeneratorId ${finding.GeneratorId}`,
    };
  }
  return { controlId: fromGenerator };
}

function statusProblem(finding: Finding, trigger: FindingContext['trigger']): string | undefined {
  // Undo: the remediated finding is PASSED (or RESOLVED, or archived by now); what the undo takes
  // back is found in the ledger, and the stage is read before anything is changed.
  if (trigger === 'undo') return undefined;
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

  const origin = originOf(finding, context.trigger);
  if (origin.kind === 'other') return { kind: 'ignored', reason: `${label}: ${origin.reason}` };
  let controlId: string;
  if (origin.kind === 'own') {
    const own = ownControlIdOf(finding);
    if ('error' in own) return { kind: 'rejected', error: `${label}: ${own.error}` };
    controlId = own.controlId;
  } else {
    controlId = controlIdOf(finding);
  }
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
    // Stryker disable next-line ConditionalExpression: equivalent, parseStageArn throws only InvalidStageArnError
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

  if (origin.kind === 'own') {
    // The workflow updates this finding by Id and ProductArn in the stage's partition and Region:
    // an own finding is written for exactly one control and stage, where that stage is.
    const expectedId = `${OWN_PREFIX}${controlId}/${stage.resource.Id}`;
    if (finding.Id !== expectedId) {
      return {
        kind: 'rejected',
        error: `${label}: a finding of apigw-remediation's own must have Id ${expectedId} (its control and ${field}.Id)`,
      };
    }
    if (origin.partition !== locator.partition || origin.region !== locator.region) {
      return {
        kind: 'rejected',
        error: `${label}: ProductArn ${finding.ProductArn} is not in the partition and Region of its stage ${stage.resource.Id} (${locator.partition}, ${locator.region})`,
      };
    }
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
