/**
 * Reads and judges each selected stage with the workflow's own pieces: the snapshot reader
 * (core/snapshot.ts, the parts the bound controls need), the controls bound to the configuration's
 * parameters and resources (controls/catalog.ts), and the core's planner (core/plan.ts). Stages
 * are read one after another: API Gateway's control plane allows 10 requests per second per
 * account, and the core's clients back off with jitter on throttling (core/clients.ts).
 */
import type { RemediationConfig } from '../../config/schema.js';
import { bindControls, CONTROL_IDS } from '../controls/catalog.js';
import { createCoreCache } from '../core/cache.js';
import { snapshotPartsFor } from '../core/parts.js';
import { planStage } from '../core/plan.js';
import { readStageSnapshot } from '../core/snapshot.js';
import { formatStageArn } from '../core/arn.js';
import type { StageSnapshot } from '../core/types.js';
import { detectOwner } from '../iac/owner.js';
import { iacSummary } from '../iac/summary.js';
import type { Target } from './access.js';
import type { SelectionOptions } from './args.js';
import { withContext } from './aws-errors.js';
import { listStages } from './inventory.js';
import {
  fixingControlIds,
  stageModes,
  stagePlanDetail,
  stageReport,
  type ApprovalWindow,
  type StagePlanDetail,
  type StageReport,
} from './report.js';

export interface Progress {
  /** Called with the stages read so far and the total, after the listing and after each stage. */
  (done: number, total: number): void;
}

interface Inspected {
  readonly snapshot: StageSnapshot;
  readonly modes: ReturnType<typeof stageModes>;
  readonly report: StageReport;
}

/** Every selected stage of every target, read and evaluated; deleted while listed = left out. */
async function inspectAll(
  targets: readonly Target[],
  selection: SelectionOptions,
  config: RemediationConfig,
  progress: Progress,
): Promise<Inspected[]> {
  const controlIds = selection.controls.length > 0 ? selection.controls : [...CONTROL_IDS];
  const controls = bindControls(controlIds, config);
  const parts = snapshotPartsFor(controls);
  const listed = [];
  for (const target of targets) {
    for (const ref of await listStages(target, selection)) listed.push({ target, ref });
  }
  const cache = createCoreCache();
  const inspected: Inspected[] = [];
  progress(0, listed.length);
  for (const [index, { target, ref }] of listed.entries()) {
    const snapshot = await withContext(
      {
        operation: `reading stage ${formatStageArn(ref)}`,
        iamAction: 'apigateway:GET',
        resource: formatStageArn(ref),
        account: ref.account,
        region: ref.region,
      },
      () => readStageSnapshot(ref, parts, target.clients, { cache }),
    );
    progress(index + 1, listed.length);
    if (snapshot.status === 'GONE') continue;
    const evaluations = controls.map((control) => control.evaluate(snapshot));
    const modes = stageModes(config, snapshot, controlIds);
    inspected.push({ snapshot, modes, report: stageReport(snapshot, evaluations, modes) });
  }
  return inspected;
}

export async function scanStages(
  targets: readonly Target[],
  selection: SelectionOptions,
  config: RemediationConfig,
  progress: Progress,
): Promise<StageReport[]> {
  return (await inspectAll(targets, selection, config, progress)).map(({ report }) => report);
}

/**
 * The plan of each stage: only the controls in a fixing mode (auto, approve) on that stage are
 * planned, as the snapshot task plans the controls the workflow will change.
 */
export async function planStages(
  targets: readonly Target[],
  selection: SelectionOptions,
  config: RemediationConfig,
  progress: Progress,
  now: Date,
): Promise<StagePlanDetail[]> {
  const window: ApprovalWindow = {
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + config.approval.timeoutSeconds * 1000).toISOString(),
  };
  const controlIds = selection.controls.length > 0 ? selection.controls : [...CONTROL_IDS];
  return (await inspectAll(targets, selection, config, progress)).map(({ snapshot, modes, report }) => {
    const plan = planStage(snapshot, bindControls(fixingControlIds(controlIds, modes), config));
    // A plan run has no drift call, so only the tags tell the owner (docs/decisions/0029).
    const owner = detectOwner({
      stageName: snapshot.ref.stageName,
      stageTags: snapshot.stage.tags,
      apiTags: snapshot.api?.tags ?? {},
      ownerTags: config.iac.ownerTags,
    });
    const failing = report.controls
      .filter((control) => control.status === 'FAILED')
      .map((control) => control.controlId);
    const iac = iacSummary(owner, report.apiType, failing);
    return stagePlanDetail({ report, plan, modes, window, iac });
  });
}
