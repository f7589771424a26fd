/**
 * ReportUndo task (docs/decisions/0030): what the Undo task recorded in the ledger, told to the
 * auditors and the team: the remediation's findings get the undo's note with Workflow SUPPRESSED
 * (BatchUpdateFindings in the home account, ledger/undo-findings.ts; the control fails again once
 * undone, and the exemption holds it), and the notification topic hears the outcome. A function of
 * its own so the Undo function carries no Security Hub or SNS client (bundle size, issue 9), and
 * so a Security Hub or SNS failure never undoes the ledger's record: the lock is released after
 * this task whatever it answers.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import * as z from 'zod';
import { formatValue } from '../approvals/messages.js';
import { formatStageArn } from '../core/arn.js';
import { suppressFindings, type SuppressResult } from '../ledger/undo-findings.js';
import { lambdaHandler } from '../shared/handler.js';
import { createNotificationDeps, type NotificationDeps } from '../workflow/deps/notifications.js';
import { createHomeSecurityHubDeps, type HomeSecurityHubDeps } from '../workflow/deps/security-hub.js';
import { ControlChangeSchema, parseTaskInput, PartitionSchema, StageRefSchema } from '../workflow/state.js';
import { RefusedSettingSchema } from '../ledger/entry.js';
import { createLocksDeps } from '../workflow/deps/locks.js';
import { createDynamoPacer } from '../workflow/pacing.js';

/** The Undo task's result (handlers/undo.ts UndoResult), as the state machine hands it on. */
const UndoResultSchema = z.object({
  outcome: z.enum(['UNDONE', 'PARTIALLY_UNDONE', 'REFUSED', 'FAILED', 'NOTHING_TO_UNDO']),
  reason: z.string(),
  by: z.string().optional(),
  undoId: z.string().optional(),
  undoes: z.string().optional(),
  restored: z.array(ControlChangeSchema).default([]),
  refused: z.array(RefusedSettingSchema).default([]),
  exemptions: z.array(z.string()).default([]),
  findings: z
    .object({
      ids: z.array(z.string().min(1)),
      partition: PartitionSchema,
      region: z.string().min(1),
      note: z.union([z.object({ text: z.string() }), z.object({ skipped: z.string() })]),
    })
    .optional(),
});
type UndoReported = z.infer<typeof UndoResultSchema>;

const InputSchema = z.object({
  executionArn: z.string().min(1),
  stage: StageRefSchema,
  undo: UndoResultSchema,
});

export type ReportUndoDeps = HomeSecurityHubDeps & NotificationDeps;

function notification(
  input: z.infer<typeof InputSchema>,
  securityHub: SuppressResult,
): { subject: string; message: string } {
  const { stage, undo } = input;
  // SNS: a subject is ASCII, without line breaks, under 100 characters (SNS API reference, Publish).
  const subject = `apigw-remediation: undo ${undo.outcome} on ${stage.apiId}/${stage.stageName}`.slice(0, 99);
  const lines = [
    `Undo ${undo.outcome} on ${formatStageArn(stage)} (account ${stage.account}), asked by ${undo.by ?? 'unknown'}.`,
    ...(undo.undoes === undefined ? [] : [`Remediation: ${undo.undoes}; undo: ${undo.undoId ?? ''}`]),
    undo.reason,
    ...undo.restored.map(
      (change) =>
        `Restored ${change.controlId} ${change.setting}: ${formatValue(change.before)} -> ${formatValue(change.after)}`,
    ),
    ...undo.refused.map(
      (setting) => `Refused ${setting.controlId} ${setting.setting}: ${setting.why ?? 'changed since'}`,
    ),
    ...undo.exemptions.map((exemption) => `Exempt: ${exemption}`),
    securityHub.status === 'updated'
      ? `Security Hub: ${securityHub.updated} finding(s) noted and SUPPRESSED`
      : `Security Hub: skipped: ${securityHub.reason}`,
    `Execution: ${input.executionArn}`,
  ];
  return { subject, message: lines.join('\n') };
}

async function noteFindings(deps: ReportUndoDeps, undo: UndoReported): Promise<SuppressResult> {
  const findings = undo.findings;
  if (findings === undefined) return { status: 'skipped', reason: 'no remediation was undone' };
  if ('skipped' in findings.note) return { status: 'skipped', reason: findings.note.skipped };
  return suppressFindings(deps.homeSecurityHub(findings.region), {
    findingIds: findings.ids,
    partition: findings.partition,
    region: findings.region,
    note: findings.note.text,
  });
}

export function createReportUndoHandler(deps: ReportUndoDeps) {
  return async (
    event: unknown,
  ): Promise<{ readonly securityHub: SuppressResult; readonly messageId?: string }> => {
    const input = parseTaskInput('report-undo', InputSchema, event);
    const securityHub = await noteFindings(deps, input.undo);
    const { subject, message } = notification(input, securityHub);
    const published = await deps
      .sns()
      .send(new PublishCommand({ TopicArn: deps.notifyTopicArn(), Subject: subject, Message: message }));
    return { securityHub, ...(published.MessageId === undefined ? {} : { messageId: published.MessageId }) };
  };
}

const pacer = createDynamoPacer({ db: createLocksDeps().dynamo });
export const handler = lambdaHandler(
  createReportUndoHandler({ ...createHomeSecurityHubDeps({ pacer }), ...createNotificationDeps() }),
);
