/**
 * The built-in mode of every control, used when neither the configuration nor a tag says otherwise:
 * each control's `defaultMode` in its own file (remediators/controls/), read from the catalog.
 *
 * Changes that cannot break a client are automatic; changes that can (a web ACL may block traffic,
 * a throttle may reject requests, disabling the execute-api endpoint cuts clients that still use it)
 * wait for a human; reporting controls notify.
 */
import { defaultControlModes, type ControlId } from '../remediators/controls/catalog.js';
import type { ControlMode } from './schema.js';

export const DEFAULT_CONTROL_MODES = defaultControlModes() as Readonly<Record<ControlId, ControlMode>>;
