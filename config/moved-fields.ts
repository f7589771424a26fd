/**
 * The `baseline` section of configurations written before decision 0016 was split: each control's
 * parameters moved to `parameters.<control id>`, the settings of what the effects create to
 * `resources`. A file that still has `baseline` gets ONE message naming, for every field it sets,
 * where that field lives now, rather than a list of unknown-key errors.
 */
import { formatPath } from './issues.js';

/** Old path under `baseline` → new path, for every field the old section had. */
export const MOVED_BASELINE_FIELDS: readonly (readonly [readonly string[], readonly string[]])[] = [
  [['executionLogLevel'], ['parameters', 'APIGateway.1', 'executionLogLevel']],
  [
    ['throttling', 'rateLimit'],
    ['parameters', 'Baseline.StageThrottling', 'rateLimit'],
  ],
  [
    ['throttling', 'burstLimit'],
    ['parameters', 'Baseline.StageThrottling', 'burstLimit'],
  ],
  [
    ['accessLogs', 'format'],
    ['parameters', 'Baseline.RestAccessLogging', 'format'],
  ],
  [
    ['accessLogs', 'httpFormat'],
    ['parameters', 'APIGateway.9', 'httpFormat'],
  ],
  [
    ['accessLogs', 'webSocketFormat'],
    ['parameters', 'APIGateway.9', 'webSocketFormat'],
  ],
  [
    ['accessLogs', 'logGroupNamePrefix'],
    ['resources', 'accessLogGroups', 'namePrefix'],
  ],
  [
    ['accessLogs', 'httpLogGroupNamePrefix'],
    ['resources', 'accessLogGroups', 'httpNamePrefix'],
  ],
  [
    ['accessLogs', 'retentionDays'],
    ['resources', 'accessLogGroups', 'retentionDays'],
  ],
  [['webAcl'], ['resources', 'webAcl']],
  [['cloudWatchRoleName'], ['resources', 'cloudWatchRole', 'name']],
  [['resourceTags'], ['resources', 'tags']],
];

function has(value: unknown, path: readonly string[]): boolean {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in current)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * The one problem of a file in the old shape, or undefined when the file has no `baseline`.
 * Lists the fields the file sets (all of them when it sets none the table knows, e.g. `{}`).
 */
export function baselineSectionProblem(raw: unknown): string | undefined {
  if (!has(raw, ['baseline'])) return undefined;
  const baseline = (raw as { baseline: unknown }).baseline;
  const set = MOVED_BASELINE_FIELDS.filter(([from]) => has(baseline, from));
  const moves = (set.length > 0 ? set : MOVED_BASELINE_FIELDS).map(
    ([from, to]) => `${formatPath(['baseline', ...from])} → ${formatPath(to)}`,
  );
  return (
    'the "baseline" section was split (docs/configuration.md, "Parameters and resources"): each control\'s ' +
    'parameters are now under "parameters", what the effects create under "resources". Move ' +
    `${moves.join('; ')}, then remove "baseline"`
  );
}
