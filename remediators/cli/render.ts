/**
 * What `scan` and `plan` print (pure): the JSON documents of docs/cli.md, the tables a person
 * reads, and the progress bar shown on a terminal's stderr.
 */
import { formatValue } from '../approvals/messages.js';
import { describeSourceFix } from '../iac/schema.js';
import type { ScanResult, StagePlanDetail, StagePlanReport, StageReport } from './report.js';

/** Columns padded to the widest cell, two spaces apart; the last column is not padded. */
export function renderTable(rows: readonly (readonly string[])[]): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(0, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function stageHeading(stage: Omit<StageReport, 'controls'>): string[] {
  const name = stage.apiName === '' ? stage.apiId : `${stage.apiName} (${stage.apiId})`;
  return [
    `${name}  ${stage.apiType}  stage ${stage.stageName}  account ${stage.account}  ${stage.region}`,
    `  ${stage.stageArn}`,
  ];
}

export function renderScanTable(result: ScanResult): string {
  const lines: string[] = [];
  for (const stage of result.stages) {
    lines.push(...stageHeading(stage));
    const rows = [
      ['CONTROL', 'STATUS', 'MODE', 'REASON'],
      ...stage.controls.map((control) => [control.controlId, control.status, control.mode, control.reason]),
    ];
    lines.push(...renderTable(rows).map((line) => `  ${line}`), '');
  }
  const { stages, failing } = result.summary;
  lines.push(
    stages === 0 ? 'No stage matched.' : `${stages} stage(s) scanned, ${failing} with a failing control.`,
  );
  return `${lines.join('\n')}\n`;
}

/** `scan --output json`: exactly the shape of docs/cli.md. */
export function scanJson(result: ScanResult): string {
  return `${JSON.stringify(
    {
      stages: result.stages.map((stage) => ({
        account: stage.account,
        region: stage.region,
        partition: stage.partition,
        apiType: stage.apiType,
        apiId: stage.apiId,
        apiName: stage.apiName,
        stageName: stage.stageName,
        stageArn: stage.stageArn,
        controls: stage.controls.map(({ controlId, status, mode, reason }) => ({
          controlId,
          status,
          mode,
          reason,
        })),
      })),
      summary: { stages: result.summary.stages, failing: result.summary.failing },
    },
    null,
    2,
  )}\n`;
}

/** `plan --output json`: exactly the shape of docs/cli.md. */
export function planJson(details: readonly StagePlanDetail[]): string {
  const plans = details.map(({ plan }): StagePlanReport => ({
    stageArn: plan.stageArn,
    changes: plan.changes.map(({ controlId, setting, before, after }) => ({
      controlId,
      setting,
      before,
      after,
    })),
    prerequisites: plan.prerequisites.map(({ kind, name, detail }) => ({ kind, name, detail })),
    deployment: plan.deployment,
    owner: plan.owner,
  }));
  return `${JSON.stringify({ plans }, null, 2)}\n`;
}

/** `  Owner: CloudFormation stack … ` and, for a managed stage, the template change per failing control. */
function ownerLines(owner: StagePlanReport['owner']): string[] {
  if (owner.kind === 'unmanaged') return [`  Owner: ${owner.description}`];
  return [
    `  Owner: ${owner.description}`,
    ...(owner.drift === undefined ? [] : [`  Note: ${owner.drift}.`]),
    ...(owner.sourceFixes.length === 0
      ? []
      : [
          `  Fix at the source (${owner.sourceFixes[0]?.tool ?? ''}):`,
          ...owner.sourceFixes.map((fix) => `    ${describeSourceFix(fix)}`),
        ]),
  ];
}

export function renderPlanTable(details: readonly StagePlanDetail[]): string {
  const lines: string[] = [];
  for (const detail of details) {
    lines.push(...stageHeading(detail.stage));
    const { plan } = detail;
    if (plan.changes.length === 0) {
      lines.push('  No change planned.');
    } else {
      if (detail.dryRun) {
        lines.push('  Dry run (configuration): the service records these changes and makes none of them.');
      }
      const rows = [
        ['CONTROL', 'SETTING', 'BEFORE', '→', 'AFTER'],
        ...plan.changes.map((change) => [
          change.controlId,
          change.setting,
          formatValue(change.before),
          '→',
          formatValue(change.after),
        ]),
      ];
      lines.push(...renderTable(rows).map((line) => `  ${line}`));
      lines.push(
        plan.deployment
          ? "  Deployment: yes (publishes the API's current definition, including undeployed changes)"
          : '  Deployment: no',
      );
      if (plan.prerequisites.length > 0) {
        lines.push('  Prerequisites:');
        for (const prerequisite of plan.prerequisites) {
          lines.push(`    ${prerequisite.kind} ${prerequisite.name}: ${prerequisite.detail}`);
        }
      }
    }
    lines.push(...ownerLines(plan.owner));
    if (detail.notPlanned.length > 0) {
      lines.push(
        `  Failing but not planned (mode): ${detail.notPlanned
          .map((control) => `${control.controlId} (${control.mode})`)
          .join(', ')}`,
      );
    }
    if (detail.approval !== undefined) {
      lines.push('  The approver would read (Slack):');
      for (const block of detail.approval) lines.push(...block.split('\n').map((line) => `    ${line}`));
    }
    lines.push('');
  }
  const changing = details.filter((detail) => detail.plan.changes.length > 0).length;
  lines.push(
    details.length === 0
      ? 'No stage matched.'
      : `${details.length} stage(s), ${changing} with changes planned.`,
  );
  return `${lines.join('\n')}\n`;
}

/** One line, redrawn in place: `[#######-------------]  7/20 stages`. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} stages`;
}
