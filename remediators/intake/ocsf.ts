/**
 * Findings of the new AWS Security Hub (OCSF, "Findings Imported V2") to remediation requests (pure).
 *
 * The same requests as their ASFF twins (./securityhub.ts): same control ids, the account and
 * Region of the finding (`cloud.account.uid`, `cloud.region`; the envelope's are the administrator
 * account's, where the finding was delivered), the partition and stage of the stage ARN. What
 * differs is where OCSF keeps each field (docs/decisions/0015-ocsf-findings.md cites the pages):
 *
 * - class: `class_uid` 2003 (Compliance Finding); the V2 event carries every product's findings
 *   (GuardDuty, Inspector...), which are passed over.
 * - product: `metadata.product.uid`, `arn:{partition}:securityhub:{region}::productv2/aws/securityhub`
 *   for Security Hub's own controls, the only product started from (the service's own ASFF findings,
 *   should they reach the new Security Hub, have another product: no loop).
 * - finding: `finding_info.uid` (the same ARN as the ASFF `Id`), `metadata.uid`.
 * - control `compliance.control`; compliance `compliance.status_id` (1 Pass, 2 Warning, 3 Fail).
 * - workflow `status_id` (1 New, 2 In Progress, 3 Suppressed, 4 Resolved, 5 Archived, 99 Other);
 *   `activity_id` 3 (Close) is a closed finding (Security Hub: active while activity_name is not Close).
 * - resources: `type` in CloudFormation names (AWS::ApiGateway::Stage, AWS::ApiGatewayV2::Stage),
 *   the ARN in `uid_alt` when it is an ARN, else in `uid` (as ASR v3's normalizer reads them).
 *
 * Only failing (3), open (activity not 3), New (1) findings start work: once the workflow takes
 * ownership (status In Progress, see remediators/securityhub/findings-v2.ts) the next event for the
 * finding is ignored, which is what stops it from triggering itself.
 */
import * as z from 'zod';
import { describeIssues, describeValue } from '../../config/issues.js';
import { AccountIdSchema } from '../../config/schema.js';
import { CONTROL_IDS, REPORTING_CONTROL_IDS, type ControlId } from '../controls/catalog.js';
import { InvalidStageArnError, parseStageArn } from '../core/arn.js';
import type { ApiType } from '../core/types.js';
import { RegionSchema } from './fields.js';
import type { Outcome } from './types.js';

export const COMPLIANCE_FINDING_CLASS_UID = 2003;
/** OCSF `activity_id` 3: the finding is closed. */
const ACTIVITY_CLOSE = 3;
/** OCSF `compliance.status_id` 3: the control fails. */
const COMPLIANCE_FAIL = 3;
/** OCSF `status_id` 1: nobody has taken the finding yet. */
const STATUS_NEW = 1;

const COMPLIANCE_STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Pass',
  2: 'Warning',
  3: 'Fail',
  99: 'Other',
};

export const OCSF_STATUS_NAMES: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'New',
  2: 'In Progress',
  3: 'Suppressed',
  4: 'Resolved',
  5: 'Archived',
  6: 'Deleted',
  99: 'Other',
};

const ACTIVITY_NAMES: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'Create',
  2: 'Update',
  3: 'Close',
  99: 'Other',
};

/** Security Hub's own controls in the new Security Hub: the only product intake starts work from. */
export const SECURITY_HUB_V2_PRODUCT_UID =
  /^arn:(aws|aws-cn|aws-us-gov):securityhub:[a-z0-9-]+::productv2\/aws\/securityhub$/;

const STAGE_RESOURCE_TYPES: ReadonlyMap<string, ApiType> = new Map([
  ['AWS::ApiGateway::Stage', 'REST'],
  ['AWS::ApiGatewayV2::Stage', 'V2'],
]);

const KNOWN_CONTROLS: ReadonlySet<string> = new Set(CONTROL_IDS);
const REPORT_ONLY: ReadonlySet<string> = new Set(REPORTING_CONTROL_IDS);

function isKnownControl(id: string): id is ControlId {
  return KNOWN_CONTROLS.has(id);
}

/** Read first, so a finding of another class or product is passed over whatever else it holds. */
const ClassSchema = z.looseObject({
  class_uid: z.number().int(),
  metadata: z.looseObject({ product: z.looseObject({ uid: z.string().min(1) }) }),
});

const ResourceSchema = z.looseObject({
  type: z.string().min(1),
  uid: z.string().min(1).optional(),
  uid_alt: z.string().min(1).optional(),
  cloud_partition: z.string().min(1).optional(),
});

/** Only the fields intake reads; everything else in a finding is passed over. */
const FindingSchema = z.looseObject({
  class_uid: z.literal(COMPLIANCE_FINDING_CLASS_UID),
  activity_id: z.number().int(),
  status_id: z.number().int(),
  metadata: z.looseObject({
    uid: z.string().min(1),
    product: z.looseObject({ uid: z.string().min(1) }),
  }),
  finding_info: z.looseObject({ uid: z.string().min(1) }),
  cloud: z.looseObject({
    account: z.looseObject({ uid: AccountIdSchema }),
    region: RegionSchema,
  }),
  compliance: z.looseObject({
    control: z.string().min(1),
    status_id: z.number().int(),
  }),
  resources: z.array(ResourceSchema).min(1),
});

type Finding = z.infer<typeof FindingSchema>;

export interface OcsfFindingContext {
  readonly eventId: string;
  readonly eventTime: string;
}

function named(names: Readonly<Record<number, string>>, value: number): string {
  return `${value} (${names[value] ?? 'not an OCSF value'})`;
}

function statusProblem(finding: Finding): string | undefined {
  const eligible =
    finding.compliance.status_id === COMPLIANCE_FAIL &&
    finding.activity_id !== ACTIVITY_CLOSE &&
    finding.status_id === STATUS_NEW;
  if (eligible) return undefined;
  return (
    `compliance.status_id ${named(COMPLIANCE_STATUS_NAMES, finding.compliance.status_id)}, ` +
    `status_id ${named(OCSF_STATUS_NAMES, finding.status_id)}, activity_id ${named(ACTIVITY_NAMES, finding.activity_id)}: ` +
    'only failing (compliance.status_id 3 Fail), open (activity_id not 3 Close), New (status_id 1) findings are remediated'
  );
}

/** The resource's ARN: `uid_alt` when it is an ARN, else `uid` (the field is named for errors). */
function resourceArn(
  resource: Finding['resources'][number],
): { readonly arn: string; readonly field: 'uid' | 'uid_alt' } | undefined {
  if (resource.uid_alt?.startsWith('arn:') === true) return { arn: resource.uid_alt, field: 'uid_alt' };
  return resource.uid === undefined ? undefined : { arn: resource.uid, field: 'uid' };
}

/** The fate of one OCSF finding; `index` is its position in `detail.findings`. */
export function ocsfFindingOutcome(raw: unknown, index: number, context: OcsfFindingContext): Outcome {
  const basePath = ['detail', 'findings', index];
  const at = `detail.findings[${index}]`;
  const classified = ClassSchema.safeParse(raw);
  if (!classified.success) {
    return {
      kind: 'rejected',
      error: `OCSF finding ${at}: ${describeIssues(ClassSchema, classified.error.issues, raw, basePath).join('; ')}`,
    };
  }
  const uid = (raw as { finding_info?: { uid?: unknown } }).finding_info?.uid;
  const label = typeof uid === 'string' && uid !== '' ? `OCSF finding ${uid}` : `OCSF finding ${at}`;
  if (classified.data.class_uid !== COMPLIANCE_FINDING_CLASS_UID) {
    return {
      kind: 'ignored',
      reason: `${label}: class_uid ${classified.data.class_uid} is not a Compliance Finding (${COMPLIANCE_FINDING_CLASS_UID}): only control findings are remediated`,
    };
  }
  const productUid = classified.data.metadata.product.uid;
  if (!SECURITY_HUB_V2_PRODUCT_UID.test(productUid)) {
    return {
      kind: 'ignored',
      reason: `${label}: metadata.product.uid ${productUid} is not AWS Security Hub's controls product (productv2/aws/securityhub)`,
    };
  }

  const parsed = FindingSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      kind: 'rejected',
      error: `${label}: ${describeIssues(FindingSchema, parsed.error.issues, raw, basePath).join('; ')}`,
    };
  }
  const finding = parsed.data;
  const controlId = finding.compliance.control;
  if (!isKnownControl(controlId)) {
    return {
      kind: 'ignored',
      reason: `${label}: control ${describeValue(controlId)} is not one this service handles (${CONTROL_IDS.join(', ')})`,
    };
  }
  const problem = statusProblem(finding);
  if (problem !== undefined) return { kind: 'ignored', reason: `${label}: ${problem}` };

  const stages = finding.resources
    .map((resource, position) => ({ resource, position }))
    .filter(({ resource }) => STAGE_RESOURCE_TYPES.has(resource.type));
  const [stage, ...others] = stages;
  if (stage === undefined) {
    const types = finding.resources.map((resource) => resource.type).join(', ');
    const reportOnly = REPORT_ONLY.has(controlId)
      ? ` ${controlId} is report-only here: it is checked and reported on every run of the API's stages.`
      : '';
    return {
      kind: 'ignored',
      reason:
        `${label}: no API Gateway stage among its resources (resources[].type: ${types}; expected ` +
        `AWS::ApiGateway::Stage or AWS::ApiGatewayV2::Stage).${reportOnly}`,
    };
  }
  if (others.length > 0) {
    return {
      kind: 'rejected',
      error: `${label}: ${stages.length} API Gateway stage resources; expected exactly one (a control finding names one resource)`,
    };
  }

  const field = `${at}.resources[${stage.position}]`;
  const address = resourceArn(stage.resource);
  if (address === undefined) {
    return {
      kind: 'rejected',
      error: `${label}: ${field}.uid: missing, and uid_alt is not an ARN; expected the stage ARN in one of them`,
    };
  }
  let locator;
  try {
    locator = parseStageArn(address.arn);
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: equivalent, parseStageArn throws only InvalidStageArnError
    if (error instanceof InvalidStageArnError) {
      return { kind: 'rejected', error: `${label}: ${field}.${address.field}: ${error.message}` };
    }
    throw error;
  }
  const declaredType = STAGE_RESOURCE_TYPES.get(stage.resource.type);
  if (declaredType !== locator.apiType) {
    return {
      kind: 'rejected',
      error: `${label}: ${field}.type ${stage.resource.type} does not match the ${locator.apiType} stage ARN ${address.arn}`,
    };
  }
  if (locator.region !== finding.cloud.region) {
    return {
      kind: 'rejected',
      error: `${label}: ${at}.cloud.region ${finding.cloud.region} is not the Region of its stage ${address.arn} (${locator.region})`,
    };
  }
  const partition = stage.resource.cloud_partition;
  if (partition !== undefined && partition !== locator.partition) {
    return {
      kind: 'rejected',
      error: `${label}: ${field}.cloud_partition ${partition} is not the partition of its stage ${address.arn} (${locator.partition})`,
    };
  }
  // The write-back names the finding by this product (MetadataProductUid) in the stage's partition:
  // a product of another partition cannot be the one that reported this stage.
  // Stryker disable next-line OptionalChaining,Regex: equivalent, the uid matched SECURITY_HUB_V2_PRODUCT_UID, which starts with arn:{partition}:
  const productPartition = /^arn:([^:]+):/.exec(finding.metadata.product.uid)?.[1];
  if (productPartition !== locator.partition) {
    return {
      kind: 'rejected',
      error: `${label}: ${at}.metadata.product.uid ${finding.metadata.product.uid} is not in the partition of its stage ${address.arn} (${locator.partition})`,
    };
  }

  return {
    kind: 'request',
    request: {
      trigger: 'securityhub',
      account: finding.cloud.account.uid,
      region: finding.cloud.region,
      partition: locator.partition,
      apiType: locator.apiType,
      apiId: locator.apiId,
      stageName: locator.stageName,
      controls: [controlId],
      findingId: finding.finding_info.uid,
      productArn: finding.metadata.product.uid,
      eventId: context.eventId,
      eventTime: context.eventTime,
      findingFormat: 'ocsf',
      metadataUid: finding.metadata.uid,
    },
  };
}
