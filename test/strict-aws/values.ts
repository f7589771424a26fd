/**
 * The documented value rules of the calls the service makes, keyed by `Service.Operation` (the SDK
 * client without `Client`, the operation without `Command`). moto stores almost anything; AWS
 * rejects what these rules reject. Each rule cites its source. A call with no rule here still gets
 * the IAM checks (iam.ts); to check a new call's values, add an entry to {@link VALUE_RULES}.
 */
import type { RecordedCall } from './recorder.js';

export interface ValueRule {
  readonly id: string;
  readonly source: string;
  /** What is wrong with the call (empty when nothing is). `account` is the caller's. */
  check(input: Readonly<Record<string, unknown>>, account: string): string[];
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
const hasControlCharacter = (text: string): boolean =>
  [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

// ---------------------------------------------------------------- API Gateway stages

const LOG_LEVELS = ['OFF', 'ERROR', 'INFO'];
/**
 * A stage, method or route throttle is a number (burst: an integer); -1 means "not set" and 0
 * blocks every request (a method switched off on purpose). The upper bound is AWS's Regional
 * throttling limit, which AWS does not publish (API Gateway developer guide, "Throttle requests to
 * your REST APIs": per-stage limits "can't be higher than the AWS throttling limits"; the account's
 * own quota can be raised), so only the type and the lower bound are checkable.
 */
function throttleProblems(what: string, value: unknown, kind: 'rate' | 'burst'): string[] {
  if (value === undefined) return [];
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) return [`${what} = ${String(value)} is not a number`];
  if (kind === 'burst' && !Number.isInteger(number)) return [`${what} = ${number} is not an integer`];
  if (number < -1) return [`${what} = ${number} is below -1 (not set)`];
  return [];
}

/**
 * AccessLogSettings (API Gateway API reference): the format "must include at least
 * $context.requestId" and is a single line; the destination is a log group ARN (the developer
 * guide's "Access logging for REST APIs" gives it without the `:*` suffix a log group's own ARN
 * attribute carries) or a Firehose stream named `amazon-apigateway-…`.
 */
function accessLogProblems(format: unknown, destination: unknown): string[] {
  const problems: string[] = [];
  if (format !== undefined) {
    const text = str(format);
    if (!text.includes('$context.requestId'))
      problems.push(`access log format lacks $context.requestId: ${text}`);
    if (/[\r\n]/.test(text)) problems.push('access log format spans more than one line');
  }
  if (destination !== undefined) {
    const arn = str(destination);
    if (arn.endsWith(':*')) problems.push(`access log destination ${arn} ends with :*`);
    const logGroup = /^arn:aws[\w-]*:logs:[a-z0-9-]+:\d{12}:log-group:[\w\-./#$]+$/.test(arn);
    const firehose =
      /^arn:aws[\w-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/amazon-apigateway-[\w.-]+$/.test(arn);
    if (!arn.endsWith(':*') && !logGroup && !firehose) {
      problems.push(
        `access log destination ${arn} is neither a log group ARN nor an amazon-apigateway- Firehose stream`,
      );
    }
  }
  return problems;
}

const REST_UPDATE_STAGE: ValueRule = {
  id: 'values:APIGateway.UpdateStage',
  // API Gateway REST API reference, UpdateStage and PatchOperation; "Set up CloudWatch logging for
  // REST APIs": loglevel OFF | ERROR | INFO; stage/method settings paths `/{resource}/{method}/…`.
  source:
    'https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html, API_MethodSetting.html, API_AccessLogSettings.html',
  check(input) {
    const problems: string[] = [];
    const patches = list(input.patchOperations).map(record);
    if (patches.length === 0) problems.push('UpdateStage with no patch operations');
    for (const patch of patches) {
      const path = str(patch.path);
      const op = str(patch.op);
      const value = patch.value;
      if (!['replace', 'add', 'remove', 'copy', 'move', 'test'].includes(op))
        problems.push(`patch op "${op}" on ${path}`);
      if (path.endsWith('/logging/loglevel') && !LOG_LEVELS.includes(str(value))) {
        problems.push(`${path} = ${String(value)}; AWS accepts ${LOG_LEVELS.join(' | ')}`);
      }
      if (/\/(metrics|logging\/dataTrace|caching)\/enabled$/.test(path) || path === '/tracingEnabled') {
        if (!['true', 'false'].includes(str(value)))
          problems.push(`${path} = ${String(value)} is not true | false`);
      }
      if (path.endsWith('/throttling/rateLimit')) problems.push(...throttleProblems(path, value, 'rate'));
      if (path.endsWith('/throttling/burstLimit')) problems.push(...throttleProblems(path, value, 'burst'));
      if (path === '/accessLogSettings/format' && op !== 'remove')
        problems.push(...accessLogProblems(value, undefined));
      if (path === '/accessLogSettings/destinationArn' && op !== 'remove') {
        problems.push(...accessLogProblems(undefined, value));
      }
    }
    return problems;
  },
};

function routeSettingsProblems(where: string, settings: unknown): string[] {
  if (settings === undefined) return [];
  const route = record(settings);
  const problems: string[] = [];
  if (route.LoggingLevel !== undefined && !LOG_LEVELS.includes(str(route.LoggingLevel))) {
    problems.push(
      `${where}.LoggingLevel = ${String(route.LoggingLevel)}; AWS accepts ${LOG_LEVELS.join(' | ')}`,
    );
  }
  problems.push(...throttleProblems(`${where}.ThrottlingRateLimit`, route.ThrottlingRateLimit, 'rate'));
  problems.push(...throttleProblems(`${where}.ThrottlingBurstLimit`, route.ThrottlingBurstLimit, 'burst'));
  return problems;
}

const V2_UPDATE_STAGE: ValueRule = {
  id: 'values:ApiGatewayV2.UpdateStage',
  // API Gateway V2 API reference, Stages (UpdateStage), AccessLogSettings and RouteSettings:
  // LoggingLevel OFF | ERROR | INFO (WebSocket), throttles as above, the same access log rules.
  source: 'https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename.html',
  check(input) {
    const problems: string[] = [];
    const logs = input.AccessLogSettings === undefined ? undefined : record(input.AccessLogSettings);
    if (logs !== undefined) problems.push(...accessLogProblems(logs.Format, logs.DestinationArn));
    problems.push(...routeSettingsProblems('DefaultRouteSettings', input.DefaultRouteSettings));
    for (const [routeKey, settings] of Object.entries(record(input.RouteSettings))) {
      problems.push(...routeSettingsProblems(`RouteSettings[${routeKey}]`, settings));
    }
    return problems;
  },
};

// ---------------------------------------------------------------- WAF

/** AWS managed rule groups (AWS WAF developer guide, "AWS Managed Rules rule groups list"). */
export const AWS_MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesAdminProtectionRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
  'AWSManagedRulesLinuxRuleSet',
  'AWSManagedRulesUnixRuleSet',
  'AWSManagedRulesWindowsRuleSet',
  'AWSManagedRulesPHPRuleSet',
  'AWSManagedRulesWordPressRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesAnonymousIpList',
  'AWSManagedRulesBotControlRuleSet',
  'AWSManagedRulesATPRuleSet',
  'AWSManagedRulesACFPRuleSet',
  'AWSManagedRulesAntiDDoSRuleSet',
];

/** CreateWebACL Name / Rule.Name: 1–128 of `^[\w\-]+$`; MetricName: 1–255 of `^[\w#:\.\-/]+$`, not All / Default_Action. */
const WAF_NAME = /^[\w-]{1,128}$/;
const WAF_METRIC = /^[\w#:.\-/]{1,255}$/;
/** RateBasedStatement.Limit: 10 to 2,000,000,000 (AWS WAF API reference, RateBasedStatement). */
const RATE_LIMIT = { min: 10, max: 2_000_000_000 };

function metricProblems(where: string, visibility: unknown): string[] {
  const metric = str(record(visibility).MetricName);
  if (!WAF_METRIC.test(metric)) return [`${where} MetricName "${metric}" breaks ^[\\w#:.\\-/]{1,255}$`];
  if (metric === 'All' || metric === 'Default_Action') return [`${where} MetricName "${metric}" is reserved`];
  return [];
}

function statementProblems(where: string, statement: unknown): string[] {
  const problems: string[] = [];
  for (const [kind, body] of Object.entries(record(statement))) {
    const detail = record(body);
    if (kind === 'RateBasedStatement') {
      const limit = Number(detail.Limit);
      if (!Number.isInteger(limit) || limit < RATE_LIMIT.min || limit > RATE_LIMIT.max) {
        problems.push(
          `${where} rate limit ${String(detail.Limit)} is outside [${RATE_LIMIT.min}, ${RATE_LIMIT.max}]`,
        );
      }
      problems.push(...statementProblems(`${where} scope-down`, detail.ScopeDownStatement));
    }
    if (kind === 'ManagedRuleGroupStatement' && str(detail.VendorName) === 'AWS') {
      if (!AWS_MANAGED_RULE_GROUPS.includes(str(detail.Name))) {
        problems.push(`${where} uses the unknown AWS managed rule group "${str(detail.Name)}"`);
      }
    }
    if (kind === 'AndStatement' || kind === 'OrStatement') {
      for (const nested of list(detail.Statements)) problems.push(...statementProblems(where, nested));
    }
    if (kind === 'NotStatement') problems.push(...statementProblems(where, detail.Statement));
  }
  return problems;
}

const CREATE_WEB_ACL: ValueRule = {
  id: 'values:WAFV2.CreateWebACL',
  source:
    'https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html, API_Rule.html, API_VisibilityConfig.html, API_RateBasedStatement.html',
  check(input) {
    const problems: string[] = [];
    if (!WAF_NAME.test(str(input.Name)))
      problems.push(`web ACL Name "${str(input.Name)}" breaks ^[\\w\\-]{1,128}$`);
    if (!['REGIONAL', 'CLOUDFRONT'].includes(str(input.Scope))) problems.push(`Scope "${str(input.Scope)}"`);
    if (str(input.Description).length > 256) problems.push('Description is longer than 256 characters');
    problems.push(...metricProblems('web ACL', input.VisibilityConfig));
    const names = new Set<string>();
    const priorities = new Set<number>();
    for (const rule of list(input.Rules).map(record)) {
      const name = str(rule.Name);
      if (!WAF_NAME.test(name)) problems.push(`rule Name "${name}" breaks ^[\\w\\-]{1,128}$`);
      if (names.has(name)) problems.push(`rule Name "${name}" is used twice`);
      names.add(name);
      const priority = Number(rule.Priority);
      if (!Number.isInteger(priority) || priority < 0)
        problems.push(`rule ${name} Priority ${String(rule.Priority)}`);
      if (priorities.has(priority)) problems.push(`rule ${name} repeats Priority ${priority}`);
      priorities.add(priority);
      problems.push(...metricProblems(`rule ${name}`, rule.VisibilityConfig));
      problems.push(...statementProblems(`rule ${name}`, rule.Statement));
      // A rule group reference takes OverrideAction, any other statement Action (API_Rule.html).
      const managed =
        'ManagedRuleGroupStatement' in record(rule.Statement) ||
        'RuleGroupReferenceStatement' in record(rule.Statement);
      if (managed && rule.OverrideAction === undefined)
        problems.push(`rule ${name} references a rule group without OverrideAction`);
      if (!managed && rule.Action === undefined) problems.push(`rule ${name} has no Action`);
    }
    return problems;
  },
};

// ---------------------------------------------------------------- Security Hub

/**
 * Note (Text and UpdatedBy, each at most 512 characters) and UserDefinedFields (at most 50
 * fields, keys 1–128 and values up to 1,024 characters): Security Hub API reference, NoteUpdate
 * and AwsSecurityFinding; BatchUpdateFindings takes at most 100 findings.
 */
function noteProblems(where: string, note: unknown): string[] {
  if (note === undefined) return [];
  const { Text: text, UpdatedBy: updatedBy } = record(note);
  const problems: string[] = [];
  if (str(text).length < 1 || str(text).length > 512)
    problems.push(`${where}Note.Text is ${str(text).length} characters (1–512)`);
  if (str(updatedBy).length < 1 || str(updatedBy).length > 512) {
    problems.push(`${where}Note.UpdatedBy is ${str(updatedBy).length} characters (1–512)`);
  }
  return problems;
}

function userDefinedFieldProblems(where: string, fields: unknown): string[] {
  if (fields === undefined) return [];
  const entries = Object.entries(record(fields));
  const problems: string[] = [];
  if (entries.length > 50)
    problems.push(`${where}UserDefinedFields has ${entries.length} fields (at most 50)`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128)
      problems.push(
        `${where}UserDefinedFields key "${key.slice(0, 40)}…" is ${key.length} characters (1–128)`,
      );
    if (str(value).length > 1024)
      problems.push(`${where}UserDefinedFields[${key}] is ${str(value).length} characters (at most 1,024)`);
  }
  return problems;
}

const BATCH_UPDATE_FINDINGS: ValueRule = {
  id: 'values:SecurityHub.BatchUpdateFindings',
  source:
    'https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html, API_NoteUpdate.html; user guide "BatchUpdateFindings for customers" (up to 100 findings)',
  check(input) {
    const problems: string[] = [];
    const count = list(input.FindingIdentifiers).length;
    if (count < 1 || count > 100) problems.push(`${count} FindingIdentifiers (1–100)`);
    problems.push(...noteProblems('', input.Note), ...userDefinedFieldProblems('', input.UserDefinedFields));
    const status = record(input.Workflow).Status;
    if (status !== undefined && !['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'].includes(str(status))) {
      problems.push(`Workflow.Status ${String(status)}`);
    }
    return problems;
  },
};

/** Required ASFF attributes (Security Hub user guide, "Required top-level attributes in ASFF"). */
const REQUIRED_ASFF = [
  'AwsAccountId',
  'CreatedAt',
  'Description',
  'GeneratorId',
  'Id',
  'ProductArn',
  'Resources',
  'SchemaVersion',
  'Severity',
  'Title',
  'Types',
  'UpdatedAt',
];

const BATCH_IMPORT_FINDINGS: ValueRule = {
  id: 'values:SecurityHub.BatchImportFindings',
  // API reference, BatchImportFindings (1–100 findings; "the account that is associated with a
  // finding" imports it) and AwsSecurityFinding (Title ≤ 256, Description ≤ 1,024, Resources 1–32).
  source:
    'https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html, API_AwsSecurityFinding.html; user guide asff-required-attributes-top-level',
  check(input, account) {
    const findings = list(input.Findings).map(record);
    const problems: string[] = [];
    if (findings.length < 1 || findings.length > 100) problems.push(`${findings.length} findings (1–100)`);
    for (const finding of findings) {
      const where = `finding ${str(finding.Id).slice(0, 80)}: `;
      const missing = REQUIRED_ASFF.filter((key) => finding[key] === undefined || finding[key] === '');
      if (missing.length > 0) problems.push(`${where}lacks ${missing.join(', ')}`);
      if (str(finding.AwsAccountId) !== account) {
        problems.push(
          `${where}AwsAccountId ${str(finding.AwsAccountId)} is not the importing account ${account}`,
        );
      }
      if (str(finding.Title).length > 256) problems.push(`${where}Title is longer than 256 characters`);
      if (str(finding.Description).length > 1024)
        problems.push(`${where}Description is longer than 1,024 characters`);
      const resources = list(finding.Resources).length;
      if (resources < 1 || resources > 32) problems.push(`${where}${resources} Resources (1–32)`);
      problems.push(
        ...noteProblems(where, finding.Note),
        ...userDefinedFieldProblems(where, finding.UserDefinedFields),
      );
    }
    return problems;
  },
};

const GET_FINDINGS: ValueRule = {
  id: 'values:SecurityHub.GetFindings',
  // AwsSecurityFindingFilters: "You can filter by up to ten finding attributes. For each attribute,
  // you can provide up to 20 filter values." GetFindings MaxResults 1–100.
  source:
    'https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_AwsSecurityFindingFilters.html, API_GetFindings.html',
  check(input) {
    const filters = Object.entries(record(input.Filters)).filter(([, values]) => list(values).length > 0);
    const problems: string[] = [];
    if (filters.length > 10) problems.push(`${filters.length} filter attributes (at most 10)`);
    for (const [attribute, values] of filters) {
      if (list(values).length > 20)
        problems.push(`${attribute} has ${list(values).length} filter values (at most 20)`);
    }
    const max = input.MaxResults;
    if (max !== undefined && (Number(max) < 1 || Number(max) > 100))
      problems.push(`MaxResults ${String(max)} (1–100)`);
    return problems;
  },
};

// ---------------------------------------------------------------- SNS

/** 256 KB, the maximum message size (SNS API reference, Publish: "Messages must be ... at most 256 KB (262,144 bytes)"). */
const SNS_MAX_MESSAGE_BYTES = 262_144;

const SNS_PUBLISH: ValueRule = {
  id: 'values:SNS.Publish',
  // SNS API reference, Publish: "Subjects must be UTF-8 text with no line breaks or control
  // characters, and less than 100 characters long"; the message at most 256 KB.
  source: 'https://docs.aws.amazon.com/sns/latest/api/API_Publish.html',
  check(input) {
    const problems: string[] = [];
    if (input.Subject !== undefined) {
      const subject = str(input.Subject);
      if ([...subject].length >= 100)
        problems.push(`Subject is ${[...subject].length} characters (less than 100)`);
      if (hasControlCharacter(subject)) problems.push('Subject contains a line break or control character');
      if (subject.trim() === '') problems.push('Subject is empty');
    }
    const message = str(input.Message);
    if (message === '') problems.push('Message is empty');
    const attributes = Object.entries(record(input.MessageAttributes)).reduce(
      (bytes, [name, value]) => bytes + Buffer.byteLength(name) + Buffer.byteLength(JSON.stringify(value)),
      0,
    );
    const bytes = Buffer.byteLength(message) + attributes;
    if (bytes > SNS_MAX_MESSAGE_BYTES)
      problems.push(`message and attributes are ${bytes} bytes (at most ${SNS_MAX_MESSAGE_BYTES})`);
    return problems;
  },
};

// ---------------------------------------------------------------- CloudWatch Logs

/**
 * CreateLogGroup: name 1–512 of `[\.\-_/#A-Za-z0-9]+`; at most 50 tags, keys 1–128, values up to
 * 256 characters (CloudWatch Logs API reference, CreateLogGroup).
 */
const CREATE_LOG_GROUP: ValueRule = {
  id: 'values:CloudWatchLogs.CreateLogGroup',
  source: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
  check(input) {
    const problems: string[] = [];
    const name = str(input.logGroupName);
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name))
      problems.push(`log group name "${name}" breaks [-._/#A-Za-z0-9]{1,512}`);
    const tags = Object.entries(record(input.tags));
    if (tags.length > 50) problems.push(`${tags.length} tags (at most 50)`);
    for (const [key, value] of tags) {
      if (key.length < 1 || key.length > 128)
        problems.push(`tag key "${key.slice(0, 40)}" is ${key.length} characters (1–128)`);
      if (str(value).length > 256)
        problems.push(`tag ${key} is ${str(value).length} characters (at most 256)`);
    }
    return problems;
  },
};

/** The retention periods CloudWatch Logs accepts (API reference, PutRetentionPolicy). */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const PUT_RETENTION_POLICY: ValueRule = {
  id: 'values:CloudWatchLogs.PutRetentionPolicy',
  source: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html',
  check(input) {
    const days = Number(input.retentionInDays);
    return RETENTION_DAYS.includes(days)
      ? []
      : [`retentionInDays ${String(input.retentionInDays)} is not one of ${RETENTION_DAYS.join(', ')}`];
  },
};

export const VALUE_RULES: Readonly<Record<string, readonly ValueRule[]>> = {
  'APIGateway.UpdateStage': [REST_UPDATE_STAGE],
  'ApiGatewayV2.UpdateStage': [V2_UPDATE_STAGE],
  'WAFV2.CreateWebACL': [CREATE_WEB_ACL],
  'SecurityHub.BatchUpdateFindings': [BATCH_UPDATE_FINDINGS],
  'SecurityHub.BatchImportFindings': [BATCH_IMPORT_FINDINGS],
  'SecurityHub.GetFindings': [GET_FINDINGS],
  'SNS.Publish': [SNS_PUBLISH],
  'CloudWatchLogs.CreateLogGroup': [CREATE_LOG_GROUP],
  'CloudWatchLogs.PutRetentionPolicy': [PUT_RETENTION_POLICY],
};

export interface ValueFinding {
  readonly rule: string;
  readonly why: string;
  readonly source: string;
}

export function valueFindings(call: RecordedCall, account: string): ValueFinding[] {
  return (VALUE_RULES[`${call.service}.${call.operation}`] ?? []).flatMap((rule) =>
    rule.check(call.input, account).map((why) => ({ rule: rule.id, why, source: rule.source })),
  );
}
