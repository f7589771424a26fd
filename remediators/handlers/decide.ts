/**
 * Decide task: the mode of every requested control on this stage (configuration, account
 * overrides, API and stage tags; config/modes.ts), and the approval settings the rest of the
 * execution follows. Reads the stage and API once for their tags (kept for Prepare's snapshot step,
 * workflow/stage-read.ts); a vanished stage ends here.
 * The kill switch is read first: when it is on, every control that would change the stage
 * notifies instead, and the decision says why (workflow/kill-switch.ts).
 */
import { resolveMode } from '../../config/modes.js';
import { readStageSnapshot } from '../core/snapshot.js';
import { keepStageRead } from '../workflow/stage-read.js';
import { logger } from '../shared/powertools.js';
import { type ClockDeps } from '../workflow/deps/clock.js';
import { type KillSwitchDeps } from '../workflow/deps/kill-switch.js';
import { type ConfigDeps } from '../workflow/deps/member-account.js';
import { brakeControls } from '../workflow/kill-switch.js';
import { type ApiClientsDeps } from '../workflow/deps/core-clients.js';
import { confirmedAtCli } from '../workflow/cli-approval.js';
import { parseTaskInput, StageWorkItemSchema, type Decision } from '../workflow/state.js';
import { exemptControls } from '../ledger/exemption-decide.js';
import { remediationIdOf } from '../workflow/stage-identity.js';
import { type ExemptionsDeps } from '../ledger/exemption-deps.js';

export function createDecideHandler(
  deps: ConfigDeps & ApiClientsDeps & KillSwitchDeps & Pick<ClockDeps, 'now'> & ExemptionsDeps,
) {
  return async (event: unknown): Promise<Decision> => {
    const item = parseTaskInput('decide', StageWorkItemSchema, event);
    const killSwitch = await deps.killSwitch();
    const config = deps.config();
    const common = {
      // The same on every attempt of Prepare (workflow/coarse.ts): a retried Prepare is the same lock owner.
      remediationId: remediationIdOf(item.executionArn, item.stage, item.request),
      approvalTimeoutSeconds: config.approval.timeoutSeconds,
      onApprovalTimeout: config.approval.onTimeout,
    };
    const snapshot = await readStageSnapshot(
      item.stage,
      ['stage', 'api'],
      await deps.coreClients(item.stage),
      { cache: deps.coreCache },
    );
    keepStageRead(snapshot);
    if (snapshot.status === 'GONE') {
      return { ...common, route: 'GONE', controls: [], reason: snapshot.reason };
    }
    const target = {
      account: item.stage.account,
      apiTags: snapshot.api?.tags ?? {},
      stageTags: snapshot.stage.tags,
    };
    const modes = item.request.controls.map((controlId) => ({
      controlId,
      resolved: resolveMode(config, target, controlId),
    }));
    const configured = modes.map(({ controlId, resolved }) =>
      confirmedAtCli(item.request, {
        controlId,
        mode: resolved.mode,
        source: resolved.rule,
        dryRun: resolved.dryRun,
      }),
    );
    // Exemptions of the ledger (after an undo, a rejection, an operator's `exempt`): one BatchGetItem.
    // They hold against a confirmed `fix` too: an exemption is ended by `unexempt`, not by a fix.
    const exemptions = await deps.exemptions(item.stage, item.request.controls);
    if (exemptions === undefined)
      logger.info('no ledger table configured: no exemption read', { stage: item.stage });
    const exempted = exemptControls(configured, exemptions ?? [], deps.now());
    const controls = killSwitch.state === 'on' ? brakeControls(exempted, killSwitch) : exempted;
    if (killSwitch.state === 'on')
      logger.warn('kill switch on', { reason: killSwitch.reason, stage: item.stage });
    const brake = killSwitch.state === 'on' ? { brake: killSwitch.reason } : {};
    for (const note of modes.flatMap(({ resolved }) => resolved.notes)) {
      logger.warn('configuration note', { note, stage: item.stage });
    }
    const off = controls.filter((control) => control.mode === 'off');
    if (off.length === controls.length) {
      return {
        ...common,
        ...brake,
        route: 'SKIP',
        controls,
        reason: `every requested control is off: ${off.map((control) => `${control.controlId} (${control.source})`).join(', ')}`,
      };
    }
    return {
      ...common,
      ...brake,
      route: 'PROCEED',
      controls,
      reason: controls
        .map((control) => `${control.controlId}=${control.mode} (${control.source})`)
        .join(', '),
    };
  };
}
