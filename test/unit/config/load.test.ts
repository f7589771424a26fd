import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_MODES } from '../../../config/defaults.js';
import { deployedConfig } from '../../../config/deployed.js';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig, parseConfig } from '../../../config/load.js';
import {
  CONTROL_IDS,
  REPORTING_CONTROL_IDS as REPORT_ONLY_CONTROL_IDS,
} from '../../../remediators/controls/catalog.js';

const FILE = 'config/remediation.json';

/** The error lines parseConfig reports for `raw`. */
function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, FILE);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe('parseConfig defaults', () => {
  it('reads findings of both Security Hubs by default (securityHub.formats asff and ocsf)', () => {
    expect(parseConfig({}, FILE).securityHub).toEqual({ formats: ['asff', 'ocsf'] });
    expect(parseConfig({ securityHub: { formats: ['ocsf'] } }, FILE).securityHub.formats).toEqual(['ocsf']);
  });

  it('fills every section from an empty object', () => {
    const config = parseConfig({}, FILE);

    expect(config.dryRun).toBe(false);
    expect(config.controls).toEqual({});
    expect(config.accounts).toEqual({});
    expect(config.tags.modeKey).toBe('apigw-remediation:mode');
    expect(config.parameters['APIGateway.1'].executionLogLevel).toBe('ERROR');
    expect(config.parameters['Baseline.StageThrottling']).toEqual({ rateLimit: 1000, burstLimit: 2000 });
    expect(config.resources.accessLogGroups.retentionDays).toBe(365);
    expect(config.approval).toMatchObject({ timeoutSeconds: 86_400, onTimeout: 'skip' });
    expect(config.crossAccount.memberRoleName).toBe('apigw-remediation-member');
  });

  it('has a built-in mode for every control, and only notify for report-only controls', () => {
    expect(Object.keys(DEFAULT_CONTROL_MODES).sort()).toEqual([...CONTROL_IDS].sort());
    for (const id of REPORT_ONLY_CONTROL_IDS) expect(DEFAULT_CONTROL_MODES[id]).toBe('notify');
  });

  it('accepts account overrides keyed by 12-digit ids and the $schema pointer', () => {
    const config = parseConfig(
      {
        $schema: './remediation.schema.json',
        accounts: {
          '444455556666': { mode: 'off' },
          '111122223333': { dryRun: true, controls: { 'APIGateway.4': 'auto' } },
        },
      },
      FILE,
    );

    expect(config.accounts['444455556666']?.mode).toBe('off');
    expect(config.accounts['111122223333']?.controls?.['APIGateway.4']).toBe('auto');
  });
});

describe('parseConfig errors name the file, the field and what is allowed', () => {
  it.each<[string, unknown, string]>([
    [
      'an unknown mode',
      { controls: { 'APIGateway.1': 'sometimes' } },
      'config/remediation.json: controls."APIGateway.1": got "sometimes"; allowed: auto, approve, notify, off',
    ],
    [
      'auto on a report-only control',
      { controls: { 'APIGateway.2': 'auto' } },
      'config/remediation.json: controls."APIGateway.2": got "auto"; allowed: notify, off',
    ],
    [
      'approve on a report-only control in an account override',
      { accounts: { '111122223333': { controls: { 'APIGateway.8': 'approve' } } } },
      'config/remediation.json: accounts."111122223333".controls."APIGateway.8": got "approve"; allowed: notify, off',
    ],
    [
      'an unknown account mode',
      { accounts: { '111122223333': { mode: 'never' } } },
      'config/remediation.json: accounts."111122223333".mode: got "never"; allowed: auto, approve, notify, off',
    ],
    [
      'an account id that is not 12 digits',
      { accounts: { '1234': { mode: 'off' } } },
      'config/remediation.json: accounts."1234": key "1234" is not valid; expected an AWS account id of 12 digits',
    ],
    [
      'a dry run that is not a boolean',
      { accounts: { '111122223333': { dryRun: 'yes' } } },
      'config/remediation.json: accounts."111122223333".dryRun: got "yes"; expected boolean',
    ],
    [
      'a misspelt top-level field',
      { dryrun: true },
      'config/remediation.json: dryrun: unknown field; allowed: $schema, dryRun, controls, parameters, resources, accounts, tags, approval, crossAccount, allowUnattendedDeployments, limits, securityHub, exemptions, undo, iac; did you mean "dryRun"?',
    ],
    [
      'a Security Hub format that does not exist',
      { securityHub: { formats: ['asff', 'json'] } },
      'config/remediation.json: securityHub.formats[1]: got "json"; allowed: asff, ocsf',
    ],
    [
      'no Security Hub format at all',
      { securityHub: { formats: [] } },
      'config/remediation.json: securityHub.formats: got []; at least one of asff, ocsf',
    ],
    [
      'a Security Hub format listed twice',
      { securityHub: { formats: ['ocsf', 'ocsf'] } },
      'config/remediation.json: securityHub.formats: got ["ocsf","ocsf"]; each format at most once',
    ],
    [
      'a log level the control does not accept',
      { parameters: { 'APIGateway.1': { executionLogLevel: 'DEBUG' } } },
      'config/remediation.json: parameters."APIGateway.1".executionLogLevel: got "DEBUG"; allowed: ERROR, INFO',
    ],
    [
      'a retention CloudWatch Logs does not offer',
      { resources: { accessLogGroups: { retentionDays: 42 } } },
      'config/remediation.json: resources.accessLogGroups.retentionDays: got 42; retentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    ],
    [
      'an unknown managed rule group',
      { resources: { webAcl: { managedRuleGroups: ['AWSManagedRulesEverything'] } } },
      'config/remediation.json: resources.webAcl.managedRuleGroups[0]: got "AWSManagedRulesEverything"; allowed: AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesAmazonIpReputationList, AWSManagedRulesAnonymousIpList, AWSManagedRulesSQLiRuleSet',
    ],
    [
      'an unknown action on approval timeout',
      { approval: { onTimeout: 'retry' } },
      'config/remediation.json: approval.onTimeout: got "retry"; allowed: skip, apply',
    ],
    [
      'an approver that is not a Slack user id',
      { approval: { approvers: { userIds: ['alice'] } } },
      'config/remediation.json: approval.approvers.userIds[0]: got "alice"; a Slack user id such as U024BE7LH',
    ],
    [
      'a tag key API Gateway would refuse',
      { tags: { modeKey: 'team mode!' } },
      'config/remediation.json: tags.modeKey: got "team mode!"; a tag key of 1-100 letters, digits, spaces and _ . : / = + - @',
    ],
    [
      'a file that is not an object',
      [1, 2],
      'config/remediation.json: (top level): got [1,2]; expected object',
    ],
  ])('%s', (_label, raw, message) => {
    expect(problemsOf(raw)).toEqual([message]);
  });

  it('rejects resource tags CloudWatch Logs or WAF would refuse when the service creates a resource', () => {
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`team${index}`, 'x']));
    expect(problemsOf({ resources: { tags: tooMany } }).join('\n')).toMatch(
      /resources\.tags.*at most 50 resource tags/,
    );
    expect(problemsOf({ resources: { tags: { 'aws:owner': 'me' } } }).join('\n')).toMatch(/reserved for AWS/);
    expect(problemsOf({ resources: { tags: { 'cost#center': 'x' } } }).join('\n')).toMatch(
      /a tag key of 1-128 letters/,
    );
    expect(problemsOf({ resources: { tags: { team: 'a,b' } } }).join('\n')).toMatch(
      /a tag value of at most 256/,
    );
    expect(
      parseConfig({ resources: { tags: { 'cost-center': '4711', team: '' } } }, FILE).resources,
    ).toMatchObject({ tags: { 'cost-center': '4711', team: '' } });
  });

  it('lists the known control ids when a control id is misspelt', () => {
    expect(problemsOf({ controls: { 'APIGateway.99': 'auto' } })).toEqual([
      `config/remediation.json: controls."APIGateway.99": unknown field; allowed: ${CONTROL_IDS.join(', ')}; did you mean "APIGateway.9"?`,
    ]);
  });

  it('reports every problem, one line each, all naming the file', () => {
    const problems = problemsOf({
      dryRun: 'no',
      controls: { 'APIGateway.3': 'maybe' },
      approval: { timeoutSeconds: 5 },
    });

    expect(problems).toHaveLength(3);
    for (const line of problems) expect(line.startsWith('config/remediation.json: ')).toBe(true);
    expect(problems).toContain(
      'config/remediation.json: approval.timeoutSeconds: got 5; Too small: expected number to be >=300',
    );
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-load-'));

  it('loads and validates the deployed file by default, the same configuration the Lambdas bundle', () => {
    const config = loadConfig();

    expect(DEFAULT_CONFIG_PATH.endsWith('config/remediation.json')).toBe(true);
    expect(config).toEqual(deployedConfig());
    expect(JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'))['$schema']).toBe(
      './remediation.schema.json',
    );
  });

  it('names the file in validation errors', () => {
    const path = join(dir, 'bad-mode.json');
    writeFileSync(path, JSON.stringify({ controls: { 'APIGateway.1': 'sometimes' } }));

    expect(() => loadConfig(path)).toThrow(
      `${path}: controls."APIGateway.1": got "sometimes"; allowed: auto, approve, notify, off`,
    );
  });

  it('says when the file cannot be read', () => {
    const path = join(dir, 'missing.json');

    expect(() => loadConfig(path)).toThrow(
      new RegExp(`^${path}: cannot read the configuration file \\(ENOENT`),
    );
  });

  it('says when the file is not JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "dryRun": tru');

    expect(() => loadConfig(path)).toThrow(new RegExp(`^${path}: not valid JSON \\(`));
  });
});
