import { SNAPSHOT_PARTS, type Control, type SnapshotPart } from './types.js';

/** Always 'stage' and 'api' (the protocol of a V2 API comes from the API), then what the controls need. */
const ALWAYS_READ: readonly SnapshotPart[] = ['stage', 'api'];

/** The union of the controls' `needs`, in a fixed order. */
export function snapshotPartsFor(controls: readonly Pick<Control, 'needs'>[]): SnapshotPart[] {
  const wanted = new Set<SnapshotPart>([...ALWAYS_READ, ...controls.flatMap((control) => control.needs)]);
  return SNAPSHOT_PARTS.filter((part) => wanted.has(part));
}
