/**
 * The pure pieces of the CDK app: the configuration file it synthesizes with, log retention, the approval API's throttle
 * and web ACL rules, the role names, and the cdk-nag finding ids computed from statements.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { deployedConfig } from '../../config/deployed.js';
import { ConfigError, DEFAULT_CONFIG_PATH } from '../../config/load.js';
import { ConfigSchema } from '../../config/schema.js';
import { TASKS } from '../../state-machines/tasks.js';
import { approvalApiThrottling, approvalWebAclRules, baselineWebAclRules } from '../../infra/approval-api.js';
import { approvalRequestMessage } from '../../remediators/approvals/messages.js';
import type { ApprovalSubject } from '../../remediators/approvals/record.js';
import { configForSynth } from '../../infra/app.js';
import { logRetention } from '../../infra/log-retention.js';
import { NAG_ACCOUNT, NAG_PARTITION, wildcardFindings } from '../../infra/nag.js';
import { centralTaskRoleName, taskShortName } from '../../infra/names.js';
import {
  remediationReadStatements,
  remediationWriteStatements,
  securityHubImportStatement,
} from '../../infra/permissions.js';

const defaults = ConfigSchema.parse({});

describe('configForSynth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apigw-config-'));

  it('synthesizes with config/remediation.json when no file is named', () => {
    expect(configForSynth(undefined).config).toEqual(deployedConfig());
    expect(configForSynth('').config).toEqual(deployedConfig());
    expect(configForSynth(undefined).name).toBe(DEFAULT_CONFIG_PATH);
  });

  it('synthesizes with the file -c config=path names, even when it differs from config/remediation.json', () => {
    const copy = join(dir, 'same.json');
    copyFileSync(DEFAULT_CONFIG_PATH, copy);
    expect(configForSynth(copy)).toMatchObject({ name: copy, config: deployedConfig() });
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ crossAccount: { memberRoleName: 'another-member-role' } }));
    expect(configForSynth(other)).toMatchObject({
      name: other,
      config: { crossAccount: { memberRoleName: 'another-member-role' } },
    });
  });

  it("refuses a bad file with the schema's message, naming the file and the field", () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ dryRun: 'yes' }));
    let error: unknown;
    try {
      configForSynth(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(bad);
    expect((error as ConfigError).message).toContain('dryRun');
  });

  it('refuses a context value that is not a path', () => {
    expect(() => configForSynth(42)).toThrow(
      'context "config": got 42; expected a path to a configuration file',
    );
  });
});

describe('logRetention', () => {
  it('maps the configured days onto the CDK enum', () => {
    expect(logRetention(365)).toBe(RetentionDays.ONE_YEAR);
    expect(logRetention(7)).toBe(RetentionDays.ONE_WEEK);
  });

  it('rejects a day count CloudWatch Logs does not accept, listing the accepted ones', () => {
    expect(() => logRetention(100)).toThrow(/log retention 100 days .* expected one of 1, 3, 5, 7, 14/);
    expect(() => logRetention(RetentionDays.INFINITE)).toThrow(/log retention 9999 days/);
  });
});

describe('approval API settings', () => {
  it('throttles low, never above the baseline the service enforces', () => {
    expect(approvalApiThrottling(defaults.parameters['Baseline.StageThrottling'])).toEqual({
      rateLimit: 10,
      burstLimit: 20,
    });
    const strict = ConfigSchema.parse({
      parameters: { 'Baseline.StageThrottling': { rateLimit: 2, burstLimit: 4 } },
    });
    expect(approvalApiThrottling(strict.parameters['Baseline.StageThrottling'])).toEqual({
      rateLimit: 2,
      burstLimit: 4,
    });
  });

  it('builds the baseline web ACL rules: each managed group in order, then the per-IP rate rule', () => {
    const rules = baselineWebAclRules({
      name: 'acl',
      managedRuleGroups: ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesSQLiRuleSet'],
      rateLimitPer5Minutes: 500,
      ruleGroupActions: {},
    });
    expect(rules.map((rule) => [rule.name, rule.priority])).toEqual([
      ['AWSManagedRulesCommonRuleSet', 0],
      ['AWSManagedRulesSQLiRuleSet', 1],
      ['RatePerClientIp', 2],
    ]);
    expect(rules[1]).toMatchObject({
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesSQLiRuleSet' } },
    });
    expect(rules[2]).toMatchObject({
      action: { block: {} },
      statement: { rateBasedStatement: { limit: 500, aggregateKeyType: 'IP' } },
    });
  });
});

describe('the approval API web ACL', () => {
  /** Slack echoes blocks back normalised: a block_id on every block, verbatim/emoji on text objects. */
  function asSlackEchoes(value: unknown, index = 0): unknown {
    if (Array.isArray(value)) return value.map((item, position) => asSlackEchoes(item, position));
    if (value === null || typeof value !== 'object') return value;
    const echoed: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) echoed[key] = asSlackEchoes(field);
    if (echoed['type'] === 'mrkdwn') echoed['verbatim'] = false;
    if (echoed['type'] === 'plain_text') echoed['emoji'] = true;
    if (['header', 'section', 'actions', 'context'].includes(String(echoed['type'])))
      echoed['block_id'] ??= `Xk${index}=`;
    return echoed;
  }

  /** A Slack block_actions form body (shape of Slack's block_actions payload reference): it carries the message clicked on. */
  function slackClickBody(subject: ApprovalSubject, link: string): string {
    const approvalId = 'AbCdEfGhIjKlMnOpQrStUv';
    const message = approvalRequestMessage(subject, approvalId, link);
    const payload = {
      type: 'block_actions',
      user: { id: 'U024BE7LH', username: 'jane.doe', name: 'jane.doe', team_id: 'T0CAGHJ12' },
      api_app_id: 'A0CA5KL34',
      token: 'Shh_its_a_seekrit_24char',
      container: {
        type: 'message',
        message_ts: '1763719200.000200',
        channel_id: 'C0123456789',
        is_ephemeral: false,
      },
      trigger_id: '12466734323.1395872398.4729b7b1ab8e4e4e2c3d1a3d1d7d4c3b',
      team: { id: 'T0CAGHJ12', domain: 'acme' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C0123456789', name: 'api-remediation' },
      message: {
        user: 'U0BOT1234',
        type: 'message',
        ts: '1763719200.000200',
        bot_id: 'B0CA5KL34',
        app_id: 'A0CA5KL34',
        text: message.text,
        team: 'T0CAGHJ12',
        bot_profile: {
          id: 'B0CA5KL34',
          deleted: false,
          name: 'apigw-remediation',
          updated: 1763700000,
          app_id: 'A0CA5KL34',
          icons: {
            image_36: 'https://a.slack-edge.com/80588/img/plugins/app/bot_36.png',
            image_48: 'https://a.slack-edge.com/80588/img/plugins/app/bot_48.png',
            image_72: 'https://a.slack-edge.com/80588/img/plugins/app/service_72.png',
          },
          team_id: 'T0CAGHJ12',
        },
        blocks: asSlackEchoes(message.blocks),
      },
      state: { values: {} },
      response_url: 'https://hooks.slack.com/actions/T0CAGHJ12/1234567890/abcdefghijklmnopqrstuvwx',
      actions: [
        {
          action_id: 'approval.approve',
          block_id: 'approval.actions',
          text: { type: 'plain_text', text: 'Approve', emoji: true },
          value: approvalId,
          style: 'primary',
          type: 'button',
          action_ts: '1763719260.840180',
        },
      ],
    };
    return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  }

  it('lets Slack clicks on a message with a long change list through the core rule set size rule', () => {
    // Throttling on a stage with many per-method overrides: the change list fills its section.
    const changes = Array.from({ length: 40 }, (_, index) => ({
      controlId: 'Baseline.StageThrottling' as const,
      setting: `methodSettings[~1orders~1{orderId}~1items${index}/GET].throttlingRateLimit`,
      before: -1,
      after: 1000,
    }));
    const subject: ApprovalSubject = {
      remediationId: 'rem-7f3c2a',
      executionArn: 'arn:aws:states:us-east-1:999988887777:execution:apigw-remediation:7f3c2a',
      account: '111122223333',
      region: 'us-east-1',
      partition: 'aws',
      apiType: 'REST',
      apiId: 'a1b2c3d4e5',
      apiName: 'orders-api',
      stageName: 'prod',
      controls: ['Baseline.StageThrottling'],
      changes,
      requestedAt: '2026-11-21T10:00:00.000Z',
      expiresAt: '2026-11-22T10:00:00.000Z',
    };
    const link =
      'https://q1w2e3r4t5.execute-api.us-east-1.amazonaws.com/prod/approvals/AbCdEfGhIjKlMnOpQrStUv' +
      `?exp=1763805600&sig=${'s'.repeat(43)}`;
    // AWS WAF's core rule set blocks bodies over 8 KB (SizeRestrictions_BODY).
    expect(Buffer.byteLength(slackClickBody(subject, link))).toBeGreaterThan(8 * 1024);

    const rules = approvalWebAclRules(defaults.resources.webAcl);
    const crs = rules.find((rule) => rule.name === 'AWSManagedRulesCommonRuleSet');
    expect(crs?.statement).toEqual({
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name: 'AWSManagedRulesCommonRuleSet',
        ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
      },
    });
    expect(crs?.overrideAction).toEqual({ none: {} });
  });

  it('keeps every other rule of the baseline as it is', () => {
    const baseline = baselineWebAclRules(defaults.resources.webAcl);
    const approval = approvalWebAclRules(defaults.resources.webAcl);
    expect(approval.map((rule) => rule.name)).toEqual(baseline.map((rule) => rule.name));
    expect(approval.filter((rule) => rule.name !== 'AWSManagedRulesCommonRuleSet')).toEqual(
      baseline.filter((rule) => rule.name !== 'AWSManagedRulesCommonRuleSet'),
    );
  });
});

describe('names', () => {
  it('derives a task’s short name and its per-Region role name from the entry file', () => {
    const task = { entry: 'remediators/handlers/update-stage.ts' };
    expect(taskShortName(task)).toBe('update-stage');
    expect(centralTaskRoleName(task, 'eu-central-2')).toBe('apigw-remediation-update-stage-eu-central-2');
  });

  it('keeps every task role name within IAM’s 64 characters in the longest Region names', () => {
    for (const task of TASKS) {
      expect(centralTaskRoleName(task, 'ap-southeast-7').length).toBeLessThanOrEqual(64);
    }
    expect(() =>
      centralTaskRoleName({ entry: `remediators/handlers/${'x'.repeat(40)}.ts` }, 'us-east-1'),
    ).toThrow(/IAM allows at most 64/);
  });
});

describe('remediation read permissions', () => {
  it('grant only apigateway:GET on the paths the snapshot and the stage listing read', () => {
    // Every read the core makes (core/snapshot.ts, handlers/expand-stages.ts) is an API Gateway GET:
    // GetStage(s), GetRestApi/GetApi, GetAccount, GetDomainNames with their mappings, GetRoutes,
    // GetIntegrations. The web ACL and the tags come with GetStage/GetRestApi/GetApi.
    const statements = remediationReadStatements({ partition: 'aws' }).map((statement) =>
      statement.toStatementJson(),
    );
    expect(statements).toEqual([
      {
        Sid: 'ReadApiGateway',
        Effect: 'Allow',
        Action: 'apigateway:GET',
        Resource: [
          'arn:aws:apigateway:*::/restapis/*',
          'arn:aws:apigateway:*::/apis/*',
          'arn:aws:apigateway:*::/account',
          'arn:aws:apigateway:*::/domainnames',
          'arn:aws:apigateway:*::/domainnames/*',
        ],
      },
    ]);
  });
});

describe('own findings permissions', () => {
  it('import into the account default product and read them back (GetFindings on the account hub), in any Region', () => {
    // records.ts reads the existing own findings before re-importing them, so CreatedAt is kept.
    expect(
      securityHubImportStatement({ partition: 'aws', account: '111122223333' }).toStatementJson(),
    ).toEqual({
      Sid: 'ImportOwnFindings',
      Effect: 'Allow',
      Action: ['securityhub:BatchImportFindings', 'securityhub:GetFindings'],
      Resource: [
        'arn:aws:securityhub:*:111122223333:product/111122223333/default',
        'arn:aws:securityhub:*:111122223333:hub/default',
      ],
    });
  });
});

describe('wildcardFindings', () => {
  it('names one cdk-nag finding per wildcard action or resource, as cdk-nag writes it', () => {
    const findings = wildcardFindings([
      new PolicyStatement({
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['arn:aws:kms:x:1:key/k'],
      }),
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket'],
      }),
    ]);
    expect(findings).toEqual([
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::bucket/*]',
    ]);
  });

  it('covers the remediation statements built with cdk-nag’s placeholders', () => {
    const findings = wildcardFindings(
      remediationWriteStatements({
        partition: NAG_PARTITION,
        account: NAG_ACCOUNT,
        resources: defaults.resources,
      }),
    );
    expect(findings).toContain(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:*::/restapis/??????????]',
    );
    expect(findings).toContain(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:*:<AWS::AccountId>:log-group:/aws/apigateway/access-logs/*]',
    );
    expect(findings).not.toContain(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/apigw-remediation-apigateway-cloudwatch]',
    );
  });
});
