/**
 * Who a stage run is, derived from its input alone (pure): the stage's lock key and the run's
 * remediation id. The lock, the decision, the outcome record and Finish's release derive them the
 * same way, so a run that takes the lock before it decides (docs/decisions/0043), or whose
 * Prepare result was lost, is still named alike everywhere.
 */
import { createHash } from 'node:crypto';
import type { StageRef } from '../core/types.js';
import type { RemediationRequest } from './state.js';

/** The stage lock's item key: one per stage (partition, account, Region, API type and id, stage). */
export function stageLockKey(stage: StageRef): string {
  return [
    'stage',
    stage.partition,
    stage.account,
    stage.region,
    stage.apiType,
    stage.apiId,
    stage.stageName,
  ].join('#');
}

/**
 * The remediation id of this execution's run of this stage for this request: the same on every
 * attempt of Prepare, so a retried Prepare is the same lock owner (it renews its own lock instead of
 * finding it held), and Finish can name the lock even when Prepare's result was lost (a timeout).
 * UUID-shaped (version 5 layout of a SHA-256 digest).
 */
export function remediationIdOf(executionArn: string, stage: StageRef, request: RemediationRequest): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([executionArn, stageLockKey(stage), request]))
    .digest('hex');
  const variant = ((Number.parseInt(digest.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return [
    digest.slice(0, 8),
    digest.slice(8, 12),
    `5${digest.slice(13, 16)}`,
    `${variant}${digest.slice(17, 20)}`,
    digest.slice(20, 32),
  ].join('-');
}
