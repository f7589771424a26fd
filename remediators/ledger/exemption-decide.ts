/**
 * Pure part of the decide task for exemptions (issue 12): a control exempt on the stage is left
 * alone the way a control in mode notify is — evaluated and reported, never changed — and the
 * decision carries the exemption's words (who, why, until when), which the plan summary and the
 * record repeat. A control that is off stays off (nobody asked to look at it); one in notify is
 * changed by nothing anyway, but it carries the exemption too, so the record says why it stays so.
 */
import type { ControlDecision } from '../workflow/state.js';
import type { ExemptionEntry } from './entry.js';
import { describeExemption, isActiveExemption } from './exemption.js';

export function exemptControls(
  controls: readonly ControlDecision[],
  exemptions: readonly ExemptionEntry[],
  now: Date,
): ControlDecision[] {
  const active = new Map(
    exemptions
      .filter((exemption) => isActiveExemption(exemption, now))
      .map((exemption) => [exemption.controlId, exemption]),
  );
  return controls.map((control) => {
    const exemption = active.get(control.controlId);
    if (exemption === undefined || control.mode === 'off') return control;
    const text = describeExemption(exemption);
    return {
      ...control,
      mode: 'notify',
      source: `${text}; configured ${control.mode} by ${control.source}`,
      exemption: text,
    };
  });
}
