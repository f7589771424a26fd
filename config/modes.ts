/**
 * Which mode applies to a control on one stage, and why (pure).
 *
 * Precedence, first match wins:
 *   1. stage tag `<modeKey>:<ControlId>`    2. stage tag `<modeKey>`
 *   3. API tag `<modeKey>:<ControlId>`      4. API tag `<modeKey>`
 *   5. `accounts.<id>.controls.<ControlId>` 6. `accounts.<id>.mode`
 *   7. `controls.<ControlId>`               8. the built-in default (config/defaults.ts)
 * A tag whose value is not a mode is skipped (and reported in `notes`), so a typo never widens what
 * the service does. Report-only controls are never changed: auto or approve on them means notify.
 * Dry run: `accounts.<id>.dryRun` when set, else the global `dryRun`.
 */
import { CONTROL_MODES, type ControlMode, type RemediationConfig } from './schema.js';
import { REPORTING_CONTROL_IDS, getControlMeta } from '../remediators/controls/catalog.js';
import type { ControlId } from '../remediators/core/types.js';

export type ModeSource = 'stageTag' | 'apiTag' | 'account' | 'config' | 'default';

export interface ModeTarget {
  /** The 12-digit account that owns the stage. */
  readonly account: string;
  readonly apiTags?: Readonly<Record<string, string>>;
  readonly stageTags?: Readonly<Record<string, string>>;
}

export interface ResolvedMode {
  readonly mode: ControlMode;
  /** Which kind of rule decided. */
  readonly source: ModeSource;
  /** The rule itself, for notes and logs, e.g. `stage tag apigw-remediation:mode:APIGateway.4=off`. */
  readonly rule: string;
  readonly dryRun: boolean;
  /** Tags that were skipped or capped on the way, in plain words; empty when nothing unusual happened. */
  readonly notes: readonly string[];
}

interface Candidate {
  readonly source: ModeSource;
  readonly rule: string;
  /** Raw value: tags are free text, configuration values are already validated. */
  readonly value: string | undefined;
}

const REPORT_ONLY: ReadonlySet<string> = new Set(REPORTING_CONTROL_IDS);

function isControlMode(value: string): value is ControlMode {
  return (CONTROL_MODES as readonly string[]).includes(value);
}

function tagCandidates(
  source: 'stageTag' | 'apiTag',
  tags: Readonly<Record<string, string>> | undefined,
  modeKey: string,
  controlId: ControlId,
): Candidate[] {
  const label = source === 'stageTag' ? 'stage tag' : 'API tag';
  return [`${modeKey}:${controlId}`, modeKey].map((key) => ({
    source,
    // Stryker disable next-line StringLiteral: equivalent, a rule is shown only for a tag that is set (resolveOne skips an undefined value)
    rule: `${label} ${key}=${tags?.[key] ?? ''}`,
    value: tags?.[key],
  }));
}

/** Every rule that may override the built-in default, highest precedence first. */
function overridesFor(config: RemediationConfig, target: ModeTarget, controlId: ControlId): Candidate[] {
  const account = config.accounts[target.account];
  // Keyed by the catalog's ids; an id the catalog does not know has no entry (getControlMeta rejects it).
  const accountModes: Readonly<Record<string, ControlMode | undefined>> = account?.controls ?? {};
  const configModes: Readonly<Record<string, ControlMode | undefined>> = config.controls;
  return [
    ...tagCandidates('stageTag', target.stageTags, config.tags.modeKey, controlId),
    ...tagCandidates('apiTag', target.apiTags, config.tags.modeKey, controlId),
    {
      source: 'account',
      rule: `accounts."${target.account}".controls."${controlId}"`,
      value: accountModes[controlId],
    },
    { source: 'account', rule: `accounts."${target.account}".mode`, value: account?.mode },
    { source: 'config', rule: `controls."${controlId}"`, value: configModes[controlId] },
  ];
}

function resolveOne(
  config: RemediationConfig,
  target: ModeTarget,
  controlId: ControlId,
  dryRun: boolean,
): ResolvedMode {
  const notes: string[] = [];
  for (const candidate of overridesFor(config, target, controlId)) {
    if (candidate.value === undefined) continue;
    const value = candidate.value.trim().toLowerCase();
    if (!isControlMode(value)) {
      notes.push(
        `${candidate.rule} skipped: got ${JSON.stringify(candidate.value)}; allowed: ${CONTROL_MODES.join(', ')}`,
      );
      continue;
    }
    if (REPORT_ONLY.has(controlId) && (value === 'auto' || value === 'approve')) {
      notes.push(`${candidate.rule} applies as notify: ${controlId} is report-only`);
      return { mode: 'notify', source: candidate.source, rule: candidate.rule, dryRun, notes };
    }
    return { mode: value, source: candidate.source, rule: candidate.rule, dryRun, notes };
  }
  return {
    mode: getControlMeta(controlId).defaultMode,
    source: 'default',
    rule: 'built-in default',
    dryRun,
    notes,
  };
}

/** The mode of one control for one stage. */
export function resolveMode(
  config: RemediationConfig,
  target: ModeTarget,
  controlId: ControlId,
): ResolvedMode {
  return resolveOne(config, target, controlId, config.accounts[target.account]?.dryRun ?? config.dryRun);
}

/** The mode of each requested control for one stage. */
export function resolveModes<C extends ControlId>(
  config: RemediationConfig,
  target: ModeTarget,
  controlIds: readonly C[],
): Readonly<Record<C, ResolvedMode>> {
  const dryRun = config.accounts[target.account]?.dryRun ?? config.dryRun;
  return Object.fromEntries(
    controlIds.map((controlId) => [controlId, resolveOne(config, target, controlId, dryRun)]),
  ) as Record<C, ResolvedMode>;
}
