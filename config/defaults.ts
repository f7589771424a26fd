/**
 * The built-in mode of every control, used when neither the configuration nor a tag says otherwise.
 *
 * Changes that cannot break a client are automatic; changes that can (a web ACL may block traffic,
 * a throttle may reject requests, disabling the execute-api endpoint cuts clients that still use it)
 * wait for a human; report-only controls notify.
 */
import type { ControlMode } from './schema.js';
import type { ControlId } from '../remediators/core/types.js';

export const DEFAULT_CONTROL_MODES: Readonly<Record<ControlId, ControlMode>> = {
  'APIGateway.1': 'auto',
  'APIGateway.3': 'auto',
  'APIGateway.4': 'approve',
  'APIGateway.5': 'auto',
  'APIGateway.9': 'auto',
  'Baseline.RestAccessLogging': 'auto',
  'Baseline.StageThrottling': 'approve',
  'Baseline.DefaultEndpoint': 'approve',
  'APIGateway.2': 'notify',
  'APIGateway.8': 'notify',
  'APIGateway.10': 'notify',
  'APIGateway.11': 'notify',
};
