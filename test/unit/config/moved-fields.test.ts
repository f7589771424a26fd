import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../config/load.js';
import { MOVED_BASELINE_FIELDS } from '../../../config/moved-fields.js';
import { ConfigSchema } from '../../../config/schema.js';

const FILE = 'config/remediation.json';

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseConfig(raw, FILE);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('a configuration in the shape before decision 0016 (a "baseline" section)', () => {
  it('is refused with ONE message naming where each field it sets moved', () => {
    const problems = problemsOf({
      controls: { 'APIGateway.1': 'auto' },
      baseline: {
        executionLogLevel: 'INFO',
        accessLogs: { logGroupNamePrefix: '/org/logs', retentionDays: 30 },
        webAcl: { name: 'org-acl' },
        cloudWatchRoleName: 'org-role',
      },
    });
    expect(problems).toEqual([
      'the "baseline" section was split (docs/configuration.md, "Parameters and resources"): each control\'s ' +
        'parameters are now under "parameters", what the effects create under "resources". Move ' +
        'baseline.executionLogLevel → parameters."APIGateway.1".executionLogLevel; ' +
        'baseline.accessLogs.logGroupNamePrefix → resources.accessLogGroups.namePrefix; ' +
        'baseline.accessLogs.retentionDays → resources.accessLogGroups.retentionDays; ' +
        'baseline.webAcl → resources.webAcl; baseline.cloudWatchRoleName → resources.cloudWatchRole.name, ' +
        'then remove "baseline"',
    ]);
  });

  it('lists every move when the section sets nothing the table knows', () => {
    const [problem] = problemsOf({ baseline: {} });
    for (const [from, to] of MOVED_BASELINE_FIELDS) {
      expect(problem).toContain(`baseline.${from.join('.')} → `);
      expect(to[0] === 'parameters' || to[0] === 'resources').toBe(true);
    }
  });

  it('moves every field to a place the new schema accepts, with the old default still valid there', () => {
    for (const [, to] of MOVED_BASELINE_FIELDS) {
      const defaults = ConfigSchema.parse({}) as unknown as Record<string, unknown>;
      let value: unknown = defaults;
      for (const key of to) value = (value as Record<string, unknown>)[key];
      expect(value, to.join('.')).toBeDefined();
      const raw: Record<string, unknown> = {};
      let cursor = raw;
      to.forEach((key, index) => {
        cursor[key] = index === to.length - 1 ? value : {};
        cursor = cursor[key] as Record<string, unknown>;
      });
      expect(() => parseConfig(raw, FILE), to.join('.')).not.toThrow();
    }
  });
});
