/**
 * A control id as the state between tasks and the approval records carry it: its shape only,
 * because core knows no control. Intake emits only ids of the catalog, and every task that acts
 * on controls binds them through the catalog (remediators/controls/catalog.ts), which fails on
 * an unknown id with the list of known ones. Checking the shape here instead of the catalog's
 * enum keeps the control code out of the tasks that never evaluate a control (acquire-lock,
 * deploy-slot, release-lock: docs/decisions/0018's 500,000-byte bundles).
 */
import * as z from 'zod';

export const CONTROL_ID_PATTERN = /^[A-Z][A-Za-z0-9]*\.[A-Za-z0-9]+$/;

export const ControlIdSchema = z
  .string()
  .regex(CONTROL_ID_PATTERN, 'a control id such as APIGateway.1 or Baseline.StageThrottling');
