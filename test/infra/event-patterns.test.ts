/**
 * The event patterns: first as pure functions, then exactly as synthesized, loaded into
 * moto_server (PutRule with an SQS target per rule) and fed the fixture events with PutEvents.
 * The failing findings (ASFF and OCSF) and human drift must arrive; PASSED, NOTIFIED / In
 * Progress, closed and the service's own calls must not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_IDS } from '../../remediators/controls/catalog.js';
import { TASKS } from '../../state-machines/tasks.js';
import {
  CUSTOM_ACTION_ID,
  CUSTOM_ACTION_NAME,
  DRIFT_EVENT_NAMES,
  SECURITY_HUB_CONTROL_IDS,
  cloudTrailDriftPattern,
  securityHubCustomActionPattern,
  securityHubFindingsPattern,
  securityHubOcsfFindingsPattern,
} from '../../infra/event-patterns.js';
import { EXAMPLE_SLACK_CHANNEL_ID } from '../../config/deployability.js';
import { buildApp } from '../../infra/app.js';
import { loadConfig } from '../../config/load.js';
import { CENTRAL_EVENT_BUS_NAME, centralTaskRoleName, ownRoleNames } from '../../infra/names.js';
import { MOTO_REGION, motoCredentials, useMoto } from '../helpers/moto.js';
import {
  FIXTURES_DIR,
  PROJECT_ROOT,
  cdkJsonContext,
  resourceByPrefix,
  synthesizeApp,
  type SynthesizedApp,
} from './synth.js';

const OCSF_DIR = fileURLToPath(new URL('../fixtures/ocsf/', import.meta.url));

function ocsfFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(OCSF_DIR, name), 'utf8')) as Record<string, unknown>;
}

type Json = Record<string, unknown>;

const REGION = 'us-east-1';
const ACTION_ARN = `arn:aws:securityhub:${REGION}:111122223333:action/custom/${CUSTOM_ACTION_ID}`;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name), 'utf8')) as Json;
}

/** The drift events the shared set lacks (issue 8, defect 4). */
const DRIFT_FIXTURES_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'events');

function driftFixture(name: string): Json {
  return JSON.parse(readFileSync(join(DRIFT_FIXTURES_DIR, name), 'utf8')) as Json;
}

function detailOf(event: Json): Json {
  return event['detail'] as Json;
}

function firstFinding(event: Json): Json {
  const findings = detailOf(event)['findings'] as Json[];
  const [finding] = findings;
  if (finding === undefined) throw new Error('fixture has no finding');
  return finding;
}

describe('event patterns (pure)', () => {
  it('match the Security Hub control ids of the catalog and no Baseline.* control', () => {
    expect(SECURITY_HUB_CONTROL_IDS).toEqual(CONTROL_IDS.filter((id) => id.startsWith('APIGateway.')));
    expect(SECURITY_HUB_CONTROL_IDS).toContain('APIGateway.9');
    expect(SECURITY_HUB_CONTROL_IDS.some((id) => id.startsWith('Baseline.'))).toBe(false);
  });

  it('start on FAILED + ACTIVE + Workflow NEW findings, whichever field carries the control id', () => {
    expect(securityHubFindingsPattern()).toEqual({
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Imported'],
      detail: {
        findings: {
          Compliance: { Status: ['FAILED'] },
          RecordState: ['ACTIVE'],
          Workflow: { Status: ['NEW'] },
          $or: [
            { Compliance: { SecurityControlId: SECURITY_HUB_CONTROL_IDS } },
            { ProductFields: { ControlId: SECURITY_HUB_CONTROL_IDS } },
          ],
        },
      },
    });
  });

  it('start on failing, New, open OCSF Compliance Findings of Security Hub controls (Findings Imported V2)', () => {
    expect(securityHubOcsfFindingsPattern()).toEqual({
      source: ['aws.securityhub'],
      'detail-type': ['Findings Imported V2'],
      detail: {
        findings: {
          class_uid: [2003],
          metadata: { product: { uid: [{ suffix: '::productv2/aws/securityhub' }] } },
          compliance: { control: SECURITY_HUB_CONTROL_IDS, status_id: [3] },
          status_id: [1],
          activity_id: [{ 'anything-but': [3] }],
        },
      },
    });
  });

  it('exclude the service roles with an $or, so calls without a session issuer still match', () => {
    const pattern = cloudTrailDriftPattern(['role-a', 'role-b']);
    expect(pattern).toEqual({
      'detail-type': ['AWS API Call via CloudTrail'],
      $or: [
        {
          source: ['aws.apigateway'],
          detail: {
            eventSource: ['apigateway.amazonaws.com'],
            eventName: [
              'UpdateStage',
              'CreateDeployment',
              'UpdateRestApi',
              'UpdateApi',
              'CreateStage',
              'DeleteAccessLogSettings',
              'DeleteRouteSettings',
              'PutRestApi',
              'ReimportApi',
              'UpdateAccount',
            ],
          },
        },
        {
          source: ['aws.wafv2'],
          detail: {
            eventSource: ['wafv2.amazonaws.com'],
            eventName: ['DisassociateWebACL'],
            requestParameters: {
              resourceArn: [
                { prefix: 'arn:aws:apigateway:' },
                { prefix: 'arn:aws-cn:apigateway:' },
                { prefix: 'arn:aws-us-gov:apigateway:' },
              ],
            },
          },
        },
      ],
      detail: {
        errorCode: [{ exists: false }],
        $or: [
          { userIdentity: { sessionContext: { sessionIssuer: { userName: [{ exists: false }] } } } },
          {
            userIdentity: {
              sessionContext: { sessionIssuer: { userName: [{ 'anything-but': ['role-a', 'role-b'] }] } },
            },
          },
        ],
      },
    });
    expect(DRIFT_EVENT_NAMES).toHaveLength(10);
  });

  it('refuse to build a drift pattern that excludes nobody (that would be a loop)', () => {
    expect(() => cloudTrailDriftPattern([])).toThrow(/empty list/);
  });

  it('select custom-action events of the service action only', () => {
    expect(securityHubCustomActionPattern(ACTION_ARN)).toEqual({
      source: ['aws.securityhub'],
      'detail-type': ['Security Hub Findings - Custom Action'],
      resources: [ACTION_ARN],
    });
  });

  it('fit Security Hub limits for the custom action (name ≤ 20 characters, id ≤ 20 alphanumerics)', () => {
    expect(CUSTOM_ACTION_NAME.length).toBeLessThanOrEqual(20);
    expect(CUSTOM_ACTION_ID).toMatch(/^[A-Za-z0-9]{1,20}$/);
  });

  it('name the own roles: the member role and every API Gateway task role of every central Region', () => {
    const names = ownRoleNames('apigw-remediation-member', ['us-east-1', 'ap-southeast-4']);
    const apiTasks = TASKS.filter((task) => (task.needs as readonly string[]).includes('memberRole'));
    expect(names).toHaveLength(1 + 2 * apiTasks.length);
    expect(names).toContain('apigw-remediation-member');
    expect(names).toContain('apigw-remediation-remediate-ap-southeast-4');
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
  });
});

describe('synthesized patterns in moto_server', () => {
  const moto = useMoto();
  let synthesized: SynthesizedApp;
  let patterns: Record<'findings' | 'ocsfFindings' | 'customAction' | 'drift', Json>;
  let queues: Record<keyof typeof patterns, string>;

  const eventBridge = () =>
    new EventBridgeClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoCredentials });
  const sqs = () =>
    new SQSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: motoCredentials });

  beforeAll(() => {
    synthesized = synthesizeApp([REGION]);
    const rule = (prefix: string) =>
      resourceByPrefix(synthesized.central, 'AWS::Events::Rule', prefix).properties['EventPattern'] as Json;
    // The custom-action rule names the action by Fn::GetAtt; moto needs the ARN it resolves to.
    const customAction = rule('SecurityHubCustomAction');
    patterns = {
      findings: rule('SecurityHubFindings'),
      ocsfFindings: rule('SecurityHubOcsfFindings'),
      customAction: { ...customAction, resources: [ACTION_ARN] },
      drift: rule('ApiGatewayDrift'),
    };
  });

  it('are exactly the pure functions’ patterns, in the central and the member stack', () => {
    expect(patterns.findings).toEqual(securityHubFindingsPattern());
    expect(patterns.ocsfFindings).toEqual(securityHubOcsfFindingsPattern());
    const ownRoles = ownRoleNames(synthesized.config.crossAccount.memberRoleName, [REGION]);
    expect(patterns.drift).toEqual(cloudTrailDriftPattern(ownRoles));
    expect(patterns.customAction).toEqual(securityHubCustomActionPattern(ACTION_ARN));
    // Member accounts exclude the member role; the central rule also the central roles.
    const forwarded = resourceByPrefix(synthesized.member, 'AWS::Events::Rule', 'ForwardApiGatewayCalls');
    expect(forwarded.properties['EventPattern']).toEqual(
      cloudTrailDriftPattern([synthesized.config.crossAccount.memberRoleName]),
    );
  });

  beforeEach(async () => {
    const events = eventBridge();
    await events.send(new CreateEventBusCommand({ Name: CENTRAL_EVENT_BUS_NAME }));
    const entries = Object.entries(patterns) as [keyof typeof patterns, Json][];
    const urls: Partial<Record<keyof typeof patterns, string>> = {};
    for (const [name, pattern] of entries) {
      // The drift rule listens on the central bus member accounts forward to; the others on default.
      const bus = name === 'drift' ? CENTRAL_EVENT_BUS_NAME : 'default';
      const queue = await sqs().send(new CreateQueueCommand({ QueueName: `rule-${name}` }));
      const attributes = await sqs().send(
        new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
      );
      await events.send(
        new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
      );
      await events.send(
        new PutTargetsCommand({
          Rule: name,
          EventBusName: bus,
          Targets: [{ Id: 'queue', Arn: attributes.Attributes?.['QueueArn'] }],
        }),
      );
      urls[name] = queue.QueueUrl;
    }
    queues = urls as Record<keyof typeof patterns, string>;
  });

  /**
   * Sends one event to both buses and returns the rules whose queue received it. moto flattens
   * an event before matching and does not descend into arrays of objects; AWS documents one
   * finding per Security Hub event, and for a one-element array EventBridge matches exactly as
   * against the element, so the single finding is passed unwrapped.
   */
  async function rulesMatching(event: Json): Promise<string[]> {
    const detail = { ...detailOf(event) };
    if (Array.isArray(detail['findings'])) {
      expect(detail['findings']).toHaveLength(1);
      detail['findings'] = (detail['findings'] as Json[])[0];
    }
    for (const bus of ['default', CENTRAL_EVENT_BUS_NAME]) {
      const result = await eventBridge().send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: bus,
              Source: event['source'] as string,
              DetailType: event['detail-type'] as string,
              Resources: event['resources'] as string[],
              Detail: JSON.stringify(detail),
            },
          ],
        }),
      );
      expect(result.FailedEntryCount).toBe(0);
    }
    const matched: string[] = [];
    for (const [name, url] of Object.entries(queues)) {
      const received = await sqs().send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const message of received.Messages ?? []) {
        const delivered = JSON.parse(message.Body ?? '{}') as Json;
        expect(delivered['detail-type']).toBe(event['detail-type']);
        matched.push(name);
      }
    }
    return matched.sort();
  }

  it.each([
    'securityhub-apigateway1-rest-consolidated.json',
    'securityhub-apigateway4-rest-consolidated.json',
    'securityhub-apigateway5-rest-legacy.json',
    'securityhub-apigateway9-v2-consolidated.json',
  ])('failing finding %s starts exactly one remediation', async (name) => {
    expect(await rulesMatching(fixture(name))).toEqual(['findings']);
  });

  it('a PASSED finding (Workflow RESOLVED) starts nothing', async () => {
    expect(await rulesMatching(fixture('securityhub-apigateway1-passed.json'))).toEqual([]);
  });

  it('a finding the workflow already owns (Workflow NOTIFIED) starts nothing', async () => {
    const event = fixture('securityhub-apigateway1-rest-consolidated.json');
    Object.assign(firstFinding(event), { Workflow: { Status: 'NOTIFIED' } });
    expect(await rulesMatching(event)).toEqual([]);
  });

  it('a finding without the consolidated control id (GovCloud, China) matches on ProductFields.ControlId', async () => {
    const event = fixture('securityhub-apigateway5-rest-legacy.json');
    const finding = firstFinding(event);
    const compliance = { ...(finding['Compliance'] as Json) };
    delete compliance['SecurityControlId'];
    finding['Compliance'] = compliance;
    expect(await rulesMatching(event)).toEqual(['findings']);
  });

  it('a failing finding of another service’s control starts nothing', async () => {
    const event = fixture('securityhub-apigateway1-rest-consolidated.json');
    const finding = firstFinding(event);
    finding['Compliance'] = { ...(finding['Compliance'] as Json), SecurityControlId: 'S3.1' };
    expect(await rulesMatching(event)).toEqual([]);
  });

  it('the custom action on a finding starts a remediation; another custom action does not', async () => {
    const event = fixture('securityhub-apigateway4-rest-consolidated.json');
    const chosen = {
      ...event,
      'detail-type': 'Security Hub Findings - Custom Action',
      resources: [ACTION_ARN],
    };
    expect(await rulesMatching(chosen)).toEqual(['customAction']);
    const other = { ...chosen, resources: [ACTION_ARN.replace(CUSTOM_ACTION_ID, 'SendToTicketing')] };
    expect(await rulesMatching(other)).toEqual([]);
  });

  it.each([
    'cloudtrail-updatestage-by-user.json',
    'cloudtrail-createdeployment-by-user.json',
    'cloudtrail-updaterestapi-enable-endpoint.json',
  ])('human drift %s (an IAM user: no sessionContext) starts a remediation', async (name) => {
    expect(await rulesMatching(fixture(name))).toEqual(['drift']);
  });

  it.each([
    'cloudtrail-v2-deleteaccesslogsettings-by-user.json',
    'cloudtrail-v2-deleteroutesettings-by-user.json',
    'cloudtrail-putrestapi-by-user.json',
    'cloudtrail-v2-reimportapi-by-user.json',
    'cloudtrail-updateaccount-remove-role-by-user.json',
    'cloudtrail-updateaccount-set-role-by-user.json',
    'cloudtrail-wafv2-disassociatewebacl-stage-by-user.json',
  ])('drift the rule used to miss, %s, reaches the workflow', async (name) => {
    expect(await rulesMatching(driftFixture(name))).toEqual(['drift']);
  });

  it.each([
    // The web ACL of a load balancer is not this service's business: no execution is started for it.
    'cloudtrail-wafv2-disassociatewebacl-alb-by-user.json',
    // The service's own calls (member role), for the new sources too: no loop.
    'cloudtrail-wafv2-disassociatewebacl-by-remediator.json',
    'cloudtrail-updateaccount-by-remediator.json',
  ])('%s starts nothing', async (name) => {
    expect(await rulesMatching(driftFixture(name))).toEqual([]);
  });

  it('a WAF call other than DisassociateWebACL, or an API Gateway call from the WAF source, starts nothing', async () => {
    const associate = driftFixture('cloudtrail-wafv2-disassociatewebacl-stage-by-user.json');
    Object.assign(detailOf(associate), { eventName: 'AssociateWebACL' });
    expect(await rulesMatching(associate)).toEqual([]);
    const crossed = driftFixture('cloudtrail-wafv2-disassociatewebacl-stage-by-user.json');
    Object.assign(detailOf(crossed), { eventSource: 'apigateway.amazonaws.com' });
    expect(await rulesMatching(crossed)).toEqual([]);
  });

  it('a failed DisassociateWebACL (errorCode) starts nothing', async () => {
    const event = driftFixture('cloudtrail-wafv2-disassociatewebacl-stage-by-user.json');
    Object.assign(detailOf(event), {
      errorCode: 'WAFNonexistentItemException',
      errorMessage: 'no association',
    });
    expect(await rulesMatching(event)).toEqual([]);
  });

  it('the service’s own fix through the member role starts nothing (no loop)', async () => {
    expect(await rulesMatching(fixture('cloudtrail-updatestage-by-remediator.json'))).toEqual([]);
  });

  it('the service’s own fix in the home account (a central task role) starts nothing', async () => {
    const event = fixture('cloudtrail-updatestage-by-remediator.json');
    const task = TASKS.find((candidate) => candidate.substitution === 'RemediateFunctionArn');
    if (task === undefined) throw new Error('no Remediate task in the manifest');
    const roleName = centralTaskRoleName(task, REGION);
    const identity = detailOf(event)['userIdentity'] as Json;
    const sessionContext = identity['sessionContext'] as Json;
    sessionContext['sessionIssuer'] = {
      ...(sessionContext['sessionIssuer'] as Json),
      arn: `arn:aws:iam::111122223333:role/${roleName}`,
      userName: roleName,
    };
    expect(await rulesMatching(event)).toEqual([]);
  });

  it('a human through an assumed role (SSO) is drift', async () => {
    const event = fixture('cloudtrail-updatestage-by-remediator.json');
    const identity = detailOf(event)['userIdentity'] as Json;
    const sessionContext = identity['sessionContext'] as Json;
    sessionContext['sessionIssuer'] = {
      ...(sessionContext['sessionIssuer'] as Json),
      arn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef',
      userName: 'AWSReservedSSO_Admin_0123456789abcdef',
    };
    expect(await rulesMatching(event)).toEqual(['drift']);
  });

  it('a failed call (errorCode) starts nothing', async () => {
    const event = fixture('cloudtrail-updatestage-by-user.json');
    Object.assign(detailOf(event), {
      errorCode: 'AccessDenied',
      errorMessage: 'not allowed',
      responseElements: null,
    });
    expect(await rulesMatching(event)).toEqual([]);
  });

  it.each([
    'ocsf-apigateway1-rest-member.json',
    'ocsf-apigateway9-http-member.json',
    'ocsf-apigateway1-govcloud.json',
  ])('failing OCSF finding %s starts exactly one remediation (the OCSF rule)', async (name) => {
    expect(await rulesMatching(ocsfFixture(name))).toEqual(['ocsfFindings']);
  });

  it.each([
    'ocsf-status-in-progress.json',
    'ocsf-status-suppressed.json',
    'ocsf-status-resolved.json',
    'ocsf-status-archived.json',
    'ocsf-status-other.json',
    'ocsf-status-closed.json',
    'ocsf-compliance-passed.json',
    'ocsf-compliance-warning.json',
  ])('OCSF finding %s starts nothing (intake would ignore it too)', async (name) => {
    expect(await rulesMatching(ocsfFixture(name))).toEqual([]);
  });

  it('the failing New APIGateway.8 route finding reaches the OCSF rule (a pattern cannot tell a route from a stage); intake ignores it', async () => {
    expect(await rulesMatching(ocsfFixture('ocsf-apigateway8-route.json'))).toEqual(['ocsfFindings']);
  });

  it('of a mixed event, each API Gateway finding starts a remediation and the S3 and GuardDuty ones do not', async () => {
    const event = ocsfFixture('ocsf-mixed-controls.json');
    const findings = detailOf(event)['findings'] as Json[];
    const matched: string[][] = [];
    for (const finding of findings) {
      matched.push(await rulesMatching({ ...event, detail: { findings: [finding] } }));
    }
    expect(matched).toEqual([['ocsfFindings'], [], [], ['ocsfFindings']]);
  });

  it('an OCSF finding of another product (not Security Hub controls) starts nothing', async () => {
    const event = ocsfFixture('ocsf-apigateway1-rest-member.json');
    const metadata = firstFinding(event)['metadata'] as Json;
    metadata['product'] = { uid: 'arn:aws:securityhub:us-east-1::productv2/aws/inspector' };
    expect(await rulesMatching(event)).toEqual([]);
  });
});

describe('securityHub.formats in the synthesized central stack', () => {
  function findingRules(formats: readonly ('asff' | 'ocsf')[]): string[] {
    const config = { ...loadConfig(), securityHub: { formats: [...formats] } };
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const stacks = buildApp(app, {
      config,
      regions: [REGION],
      partition: 'aws',
      slackChannelId: EXAMPLE_SLACK_CHANNEL_ID,
      projectRoot: PROJECT_ROOT,
    });
    const [central] = stacks.central;
    if (central === undefined) throw new Error('buildApp made no central stack');
    const rules = Template.fromStack(central).findResources('AWS::Events::Rule');
    return (
      Object.values(rules)
        // A scheduled rule (the approval re-drive sweep) has no event pattern.
        .map(
          (rule) =>
            (rule as { Properties: { EventPattern?: Json } }).Properties.EventPattern?.['detail-type'],
        )
        .flatMap((detailTypes) => (Array.isArray(detailTypes) ? (detailTypes as string[]) : []))
        .filter(
          (detailType) =>
            detailType === 'Findings Imported V2' || detailType === 'Security Hub Findings - Imported',
        )
        .sort()
    );
  }

  it('has a findings rule per enabled format and none for a disabled one', () => {
    expect(findingRules(['asff', 'ocsf'])).toEqual([
      'Findings Imported V2',
      'Security Hub Findings - Imported',
    ]);
    expect(findingRules(['asff'])).toEqual(['Security Hub Findings - Imported']);
    expect(findingRules(['ocsf'])).toEqual(['Findings Imported V2']);
  });
});
