/**
 * Intake (pure): one EventBridge event in, requests / ignored / rejected out. Never throws: an
 * unexpected failure on one item is that item's rejection, so one bad finding cannot hide the others.
 */
import * as z from 'zod';
import { describeIssues, describeValue } from '../../config/issues.js';
import { AccountIdSchema } from '../../config/schema.js';
import { CONTROL_IDS } from '../controls/catalog.js';
import { CLI_REQUEST, CLI_SOURCE, cliRequestOutcome } from './cli.js';
import { cloudTrailOutcome } from './cloudtrail.js';
import { RegionSchema } from './fields.js';
import { ocsfFindingOutcome } from './ocsf.js';
import { findingOutcome, type FindingContext } from './securityhub.js';
import { asUndoOutcome, isUndoAction, SLACK_UNDO_REQUEST, slackUndoOutcome, UNDO_SOURCE } from './undo.js';
import type { IntakeResult, IntakeSettings, Outcome } from './types.js';

export const SECURITY_HUB_IMPORTED = 'Security Hub Findings - Imported';
export const SECURITY_HUB_CUSTOM_ACTION = 'Security Hub Findings - Custom Action';
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';
/** The new Security Hub's OCSF findings (./ocsf.ts). */
export const FINDINGS_IMPORTED_V2 = 'Findings Imported V2';

/** The detail-types intake reads, with the sources each may come from (WAF: DisassociateWebACL drift). */
const HANDLED: Readonly<Record<string, readonly string[]>> = {
  [SECURITY_HUB_IMPORTED]: ['aws.securityhub'],
  [SECURITY_HUB_CUSTOM_ACTION]: ['aws.securityhub'],
  [CLOUDTRAIL_API_CALL]: ['aws.apigateway', 'aws.wafv2'],
  [FINDINGS_IMPORTED_V2]: ['aws.securityhub'],
  [CLI_REQUEST]: [CLI_SOURCE],
  [SLACK_UNDO_REQUEST]: [UNDO_SOURCE],
};

const EnvelopeSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: AccountIdSchema,
  time: z.string().min(1),
  region: RegionSchema,
  detail: z.record(z.string(), z.unknown()),
  /** A custom action's event names its action target here (which action a person chose). */
  resources: z.array(z.string()).optional(),
});

type Envelope = z.infer<typeof EnvelopeSchema>;

const FindingsDetailSchema = z.object({
  findings: z.array(z.unknown()).min(1, 'at least one finding'),
  actionName: z.string().optional(),
});

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : describeValue(error);
}

/** Runs `decide`, turning an unexpected exception into this item's rejection. */
function guarded(item: string, decide: () => Outcome): Outcome {
  try {
    return decide();
  } catch (error) {
    return { kind: 'rejected', error: `${item}: unexpected error while reading it: ${messageOf(error)}` };
  }
}

function findingsOutcomes(envelope: Envelope, trigger: FindingContext['trigger']): Outcome[] {
  const parsed = FindingsDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) {
    const problems = describeIssues(FindingsDetailSchema, parsed.error.issues, envelope.detail, ['detail']);
    return [{ kind: 'rejected', error: `Security Hub event ${envelope.id}: ${problems.join('; ')}` }];
  }
  const context: FindingContext = {
    trigger,
    eventId: envelope.id,
    eventTime: envelope.time,
    // Stryker disable next-line ConditionalExpression: equivalent, findingOutcome copies actionName only when it is defined
    ...(parsed.data.actionName === undefined ? {} : { actionName: parsed.data.actionName }),
  };
  return parsed.data.findings.map((finding, index) =>
    guarded(`finding detail.findings[${index}] of event ${envelope.id}`, () =>
      findingOutcome(finding, index, context),
    ),
  );
}

/**
 * The findings of an event whose format configuration leaves out (securityHub.formats): each
 * ignored with the reason, so the organization that turned a Security Hub off sees why.
 */
function formatDisabled(
  envelope: Envelope,
  format: 'asff' | 'ocsf',
  settings: IntakeSettings,
): Outcome[] | undefined {
  if (settings.securityHubFormats === undefined || settings.securityHubFormats.includes(format))
    return undefined;
  const findings = Array.isArray(envelope.detail['findings']) ? envelope.detail['findings'].length : 0;
  const reason =
    `event ${envelope.id}: ${format.toUpperCase()} findings ("${envelope['detail-type']}") are not enabled ` +
    // Stryker disable next-line StringLiteral: equivalent, formats are unique (config/schema.ts), so a list without this format has at most one
    `(config securityHub.formats: ${settings.securityHubFormats.join(', ')})`;
  return Array.from({ length: Math.max(findings, 1) }, () => ({ kind: 'ignored' as const, reason }));
}

function ocsfFindingsOutcomes(envelope: Envelope): Outcome[] {
  const parsed = FindingsDetailSchema.safeParse(envelope.detail);
  if (!parsed.success) {
    const problems = describeIssues(FindingsDetailSchema, parsed.error.issues, envelope.detail, ['detail']);
    return [{ kind: 'rejected', error: `Security Hub event ${envelope.id}: ${problems.join('; ')}` }];
  }
  const context = { eventId: envelope.id, eventTime: envelope.time };
  return parsed.data.findings.map((finding, index) =>
    guarded(`finding detail.findings[${index}] of event ${envelope.id}`, () =>
      ocsfFindingOutcome(finding, index, context),
    ),
  );
}

function eventOutcomes(event: unknown, settings: IntakeSettings): Outcome[] {
  const parsed = EnvelopeSchema.safeParse(event);
  if (!parsed.success) {
    const problems = describeIssues(EnvelopeSchema, parsed.error.issues, event);
    return [{ kind: 'rejected', error: `not an EventBridge event: ${problems.join('; ')}` }];
  }
  const envelope = parsed.data;
  const detailType = envelope['detail-type'];
  const expectedSources = Object.hasOwn(HANDLED, detailType) ? HANDLED[detailType] : undefined;
  if (expectedSources === undefined || !expectedSources.includes(envelope.source)) {
    const handled = Object.entries(HANDLED)
      .map(([type, sources]) => `"${type}" from ${sources.join(' or ')}`)
      .join(', ');
    return [
      {
        kind: 'rejected',
        error: `event ${envelope.id}: detail-type ${describeValue(detailType)} from source ${describeValue(envelope.source)} is not handled; expected ${handled}`,
      },
    ];
  }
  switch (detailType) {
    case SECURITY_HUB_IMPORTED:
      return formatDisabled(envelope, 'asff', settings) ?? findingsOutcomes(envelope, 'securityhub');
    case FINDINGS_IMPORTED_V2:
      return formatDisabled(envelope, 'ocsf', settings) ?? ocsfFindingsOutcomes(envelope);
    case SECURITY_HUB_CUSTOM_ACTION:
      return isUndoAction(envelope.resources)
        ? findingsOutcomes(envelope, 'undo').map(asUndoOutcome)
        : findingsOutcomes(envelope, 'manual');
    case SLACK_UNDO_REQUEST:
      return [guarded(`Slack undo request ${envelope.id}`, () => slackUndoOutcome(envelope))];
    case CLI_REQUEST:
      return [guarded(`CLI request ${envelope.id}`, () => cliRequestOutcome(envelope, CONTROL_IDS))];
    default:
      return [guarded(`CloudTrail event ${envelope.id}`, () => cloudTrailOutcome(envelope, settings))];
  }
}

/** Splits outcomes into the three lists, keeping input order within each. */
export function collect(outcomes: readonly Outcome[]): IntakeResult {
  return {
    requests: outcomes.flatMap((outcome) => (outcome.kind === 'request' ? [outcome.request] : [])),
    ignored: outcomes.flatMap((outcome) => (outcome.kind === 'ignored' ? [{ reason: outcome.reason }] : [])),
    rejected: outcomes.flatMap((outcome) => (outcome.kind === 'rejected' ? [{ error: outcome.error }] : [])),
  };
}

/** Every input item (each finding of a Security Hub event, or the CloudTrail call) as exactly one outcome. */
export function intake(event: unknown, settings: IntakeSettings): IntakeResult {
  try {
    return collect(eventOutcomes(event, settings));
  } catch (error) {
    return collect([
      { kind: 'rejected', error: `event: unexpected error while reading it: ${messageOf(error)}` },
    ]);
  }
}
