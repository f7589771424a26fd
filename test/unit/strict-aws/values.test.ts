import { describe, expect, it } from 'vitest';
import { valueFindings } from '../../strict-aws/values.js';
import { ACCOUNT, recordedCall } from './calls.js';

const LOG_GROUP = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/apigateway/access-logs/abcdefghij/prod`;
const FORMAT = '{"requestId":"$context.requestId"}';

function problems(service: string, operation: string, input: Record<string, unknown>): string[] {
  return valueFindings(recordedCall(service, operation, input), ACCOUNT).map((finding) => finding.why);
}

describe('value rules: REST UpdateStage', () => {
  const update = (patchOperations: Record<string, unknown>[]) =>
    problems('APIGateway', 'UpdateStage', { restApiId: 'abcdefghij', stageName: 'prod', patchOperations });

  it('accepts documented values', () => {
    expect(
      update([
        { op: 'replace', path: '/*/*/logging/loglevel', value: 'ERROR' },
        { op: 'replace', path: '/*/*/throttling/rateLimit', value: '100' },
        { op: 'replace', path: '/*/*/throttling/burstLimit', value: '0' },
        { op: 'replace', path: '/accessLogSettings/destinationArn', value: LOG_GROUP },
        { op: 'replace', path: '/accessLogSettings/format', value: FORMAT },
        { op: 'replace', path: '/tracingEnabled', value: 'true' },
      ]),
    ).toEqual([]);
  });

  it('rejects a log level AWS does not know, throttles out of range, a bad access log format and a :* destination', () => {
    const found = update([
      { op: 'replace', path: '/*/*/logging/loglevel', value: 'DEBUG' },
      { op: 'replace', path: '/*/*/throttling/rateLimit', value: '-5' },
      { op: 'replace', path: '/*/*/throttling/burstLimit', value: '1.5' },
      { op: 'replace', path: '/accessLogSettings/format', value: '$context.identity.sourceIp' },
      { op: 'replace', path: '/accessLogSettings/destinationArn', value: `${LOG_GROUP}:*` },
      { op: 'replace', path: '/tracingEnabled', value: 'yes' },
    ]);
    expect(found).toEqual([
      expect.stringContaining('loglevel = DEBUG'),
      expect.stringContaining('rateLimit = -5 is below -1'),
      expect.stringContaining('burstLimit = 1.5 is not an integer'),
      expect.stringContaining('lacks $context.requestId'),
      expect.stringContaining('ends with :*'),
      expect.stringContaining('/tracingEnabled = yes'),
    ]);
  });

  it('rejects an empty UpdateStage and a throttle that is not a number', () => {
    expect(update([])).toEqual(['UpdateStage with no patch operations']);
    expect(update([{ op: 'replace', path: '/*/*/throttling/rateLimit', value: 'fast' }])).toEqual([
      '/*/*/throttling/rateLimit = fast is not a number',
    ]);
  });
});

describe('value rules: V2 UpdateStage', () => {
  it('checks access log settings and route settings', () => {
    expect(
      problems('ApiGatewayV2', 'UpdateStage', {
        ApiId: 'abcdefghij',
        StageName: 'live',
        AccessLogSettings: { DestinationArn: LOG_GROUP, Format: FORMAT },
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, LoggingLevel: 'INFO' },
      }),
    ).toEqual([]);
    expect(
      problems('ApiGatewayV2', 'UpdateStage', {
        AccessLogSettings: { DestinationArn: `${LOG_GROUP}:*`, Format: 'no id\nat all' },
        DefaultRouteSettings: { ThrottlingRateLimit: -2, LoggingLevel: 'TRACE' },
        RouteSettings: { 'GET /pets': { ThrottlingBurstLimit: 2.5 } },
      }),
    ).toEqual([
      expect.stringContaining('lacks $context.requestId'),
      'access log format spans more than one line',
      expect.stringContaining('ends with :*'),
      expect.stringContaining('DefaultRouteSettings.LoggingLevel = TRACE'),
      expect.stringContaining('DefaultRouteSettings.ThrottlingRateLimit = -2'),
      'RouteSettings[GET /pets].ThrottlingBurstLimit = 2.5 is not an integer',
    ]);
  });
});

describe('value rules: WAF CreateWebACL', () => {
  const rule = (name: string, statement: Record<string, unknown>, priority = 0) => ({
    Name: name,
    Priority: priority,
    Statement: statement,
    ...('ManagedRuleGroupStatement' in statement
      ? { OverrideAction: { None: {} } }
      : { Action: { Block: {} } }),
    VisibilityConfig: { MetricName: name, CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true },
  });
  const acl = (name: string, metric: string, rules: unknown[]) => ({
    Name: name,
    Scope: 'REGIONAL',
    DefaultAction: { Allow: {} },
    VisibilityConfig: { MetricName: metric, CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true },
    Rules: rules,
  });

  it('accepts the documented names, rate limit and managed groups', () => {
    expect(
      problems(
        'WAFV2',
        'CreateWebACL',
        acl('apigw-remediation-baseline', 'apigw-remediation-baseline', [
          rule('rate', { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } }, 0),
          rule(
            'common',
            { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
            1,
          ),
        ]),
      ),
    ).toEqual([]);
  });

  it('rejects a bad name, a reserved metric name, a rate limit under 10 and an unknown managed group', () => {
    expect(
      problems(
        'WAFV2',
        'CreateWebACL',
        acl('bad name!', 'All', [
          rule('rate', { RateBasedStatement: { Limit: 5, AggregateKeyType: 'IP' } }, 0),
          rule(
            'made-up',
            { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesMadeUp' } },
            0,
          ),
        ]),
      ),
    ).toEqual([
      expect.stringContaining('web ACL Name "bad name!"'),
      'web ACL MetricName "All" is reserved',
      expect.stringContaining('rate limit 5 is outside [10, 2000000000]'),
      'rule made-up repeats Priority 0',
      'rule made-up uses the unknown AWS managed rule group "AWSManagedRulesMadeUp"',
    ]);
  });
});

describe('value rules: Security Hub', () => {
  const identifiers = (count: number) =>
    Array.from({ length: count }, (_, index) => ({
      Id: `finding-${index}`,
      ProductArn: 'arn:aws:securityhub:::product/aws/securityhub',
    }));

  it('BatchUpdateFindings: at most 100 findings, Note and UpdatedBy ≤ 512, ≤ 50 user-defined fields of bounded size', () => {
    expect(
      problems('SecurityHub', 'BatchUpdateFindings', {
        FindingIdentifiers: identifiers(100),
        Note: { Text: 'x'.repeat(512), UpdatedBy: 'apigw-remediation' },
        UserDefinedFields: { remediation: 'REMEDIATED' },
        Workflow: { Status: 'RESOLVED' },
      }),
    ).toEqual([]);
    expect(
      problems('SecurityHub', 'BatchUpdateFindings', {
        FindingIdentifiers: identifiers(101),
        Note: { Text: 'x'.repeat(513), UpdatedBy: 'y'.repeat(513) },
        UserDefinedFields: {
          ...Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`k${index}`, 'v'])),
          ['k'.repeat(129)]: 'v'.repeat(1025),
        },
        Workflow: { Status: 'DONE' },
      }),
    ).toEqual([
      '101 FindingIdentifiers (1–100)',
      'Note.Text is 513 characters (1–512)',
      'Note.UpdatedBy is 513 characters (1–512)',
      'UserDefinedFields has 51 fields (at most 50)',
      expect.stringContaining('is 129 characters (1–128)'),
      expect.stringContaining('is 1025 characters (at most 1,024)'),
      'Workflow.Status DONE',
    ]);
  });

  const finding = (account: string) => ({
    SchemaVersion: '2018-10-08',
    Id: 'own-finding',
    ProductArn: `arn:aws:securityhub:us-east-1:${account}:product/${account}/default`,
    GeneratorId: 'apigw-remediation',
    AwsAccountId: account,
    Types: ['Software and Configuration Checks'],
    CreatedAt: '2026-01-01T00:00:00Z',
    UpdatedAt: '2026-01-01T00:00:00Z',
    Severity: { Label: 'MEDIUM' },
    Title: 'Stage drifted',
    Description: 'A stage setting was undone',
    Resources: [
      { Type: 'AwsApiGatewayStage', Id: 'arn:aws:apigateway:us-east-1::/restapis/abcdefghij/stages/prod' },
    ],
  });

  it('BatchImportFindings: required ASFF fields, the importing account, at most 100 findings', () => {
    expect(problems('SecurityHub', 'BatchImportFindings', { Findings: [finding(ACCOUNT)] })).toEqual([]);
    const incomplete: Record<string, unknown> = { ...finding('111111111111') };
    delete incomplete.Title;
    delete incomplete.Resources;
    expect(problems('SecurityHub', 'BatchImportFindings', { Findings: [incomplete] })).toEqual([
      'finding own-finding: lacks Resources, Title',
      `finding own-finding: AwsAccountId 111111111111 is not the importing account ${ACCOUNT}`,
      'finding own-finding: 0 Resources (1–32)',
    ]);
    expect(
      problems('SecurityHub', 'BatchImportFindings', {
        Findings: Array.from({ length: 101 }, () => finding(ACCOUNT)),
      }),
    ).toEqual(['101 findings (1–100)']);
  });

  it('GetFindings: at most 20 values per filter attribute and 10 attributes', () => {
    const values = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ Value: `id-${index}`, Comparison: 'EQUALS' }));
    expect(problems('SecurityHub', 'GetFindings', { Filters: { Id: values(20) }, MaxResults: 100 })).toEqual(
      [],
    );
    expect(
      problems('SecurityHub', 'GetFindings', {
        Filters: Object.fromEntries(
          Array.from({ length: 11 }, (_, index) => [`Attribute${index}`, values(index === 0 ? 21 : 1)]),
        ),
      }),
    ).toEqual(['11 filter attributes (at most 10)', 'Attribute0 has 21 filter values (at most 20)']);
  });
});

describe('value rules: SNS Publish', () => {
  it('subject under 100 characters without line breaks or control characters; message at most 256 KB', () => {
    expect(problems('SNS', 'Publish', { TopicArn: 't', Subject: 's'.repeat(99), Message: 'm' })).toEqual([]);
    expect(problems('SNS', 'Publish', { TopicArn: 't', Subject: 's'.repeat(100), Message: 'm' })).toEqual([
      'Subject is 100 characters (less than 100)',
    ]);
    expect(
      problems('SNS', 'Publish', { TopicArn: 't', Subject: 'two\nlines', Message: 'x'.repeat(262_145) }),
    ).toEqual([
      'Subject contains a line break or control character',
      'message and attributes are 262145 bytes (at most 262144)',
    ]);
  });
});

describe('value rules: CloudWatch Logs', () => {
  it('CreateLogGroup: the name pattern and tag limits', () => {
    expect(
      problems('CloudWatchLogs', 'CreateLogGroup', {
        logGroupName: '/aws/apigateway/access-logs/abc/_default',
        tags: { service: 'x' },
      }),
    ).toEqual([]);
    expect(
      problems('CloudWatchLogs', 'CreateLogGroup', {
        logGroupName: '/aws/apigateway/access-logs/abc/$default',
        tags: { service: 'v'.repeat(257) },
      }),
    ).toEqual([
      expect.stringContaining('log group name "/aws/apigateway/access-logs/abc/$default" breaks'),
      'tag service is 257 characters (at most 256)',
    ]);
  });

  it('PutRetentionPolicy: only the periods CloudWatch Logs offers', () => {
    expect(
      problems('CloudWatchLogs', 'PutRetentionPolicy', { logGroupName: '/x', retentionInDays: 365 }),
    ).toEqual([]);
    expect(
      problems('CloudWatchLogs', 'PutRetentionPolicy', { logGroupName: '/x', retentionInDays: 100 }),
    ).toEqual([expect.stringContaining('retentionInDays 100 is not one of 1, 3, 5')]);
  });
});

describe('value rules: calls without a rule', () => {
  it('have no value findings (their IAM is still checked)', () => {
    expect(problems('APIGateway', 'GetStage', { restApiId: 'abcdefghij', stageName: 'prod' })).toEqual([]);
  });
});
