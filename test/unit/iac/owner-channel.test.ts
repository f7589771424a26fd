/**
 * The owner's own channel (iac.ownerChannels, docs/decisions/0029): which topic a stage's tags pick,
 * and the notify task telling it of a deferral (and of nothing else).
 */
import type { PublishCommand } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { createNotifyHandler } from '../../../remediators/handlers/notify.js';
import { ownerTopicFor } from '../../../remediators/iac/owner.js';
import { iacSummary } from '../../../remediators/iac/summary.js';
import type { OutcomeStatus } from '../../../remediators/workflow/state.js';
import { workItem } from '../workflow/fixtures.js';

const SERVICE_TOPIC = 'arn:aws:sns:us-east-1:999999999999:apigw-remediation-notifications';
const TEAM_TOPIC = 'arn:aws:sns:us-east-1:111122223333:orders-team';
const CHANNELS = [
  { tagKey: 'team', tagValue: 'orders', topicArn: TEAM_TOPIC },
  { tagKey: 'owner-topic', topicArn: 'arn:aws:sns:us-east-1:111122223333:any-owner' },
];

describe('ownerTopicFor', () => {
  it('the first channel whose tag the stage carries, else the API', () => {
    expect(ownerTopicFor({ team: 'orders' }, {}, CHANNELS)).toBe(TEAM_TOPIC);
    expect(ownerTopicFor({}, { 'owner-topic': 'x' }, CHANNELS)).toBe(
      'arn:aws:sns:us-east-1:111122223333:any-owner',
    );
    expect(ownerTopicFor({ team: 'payments' }, {}, CHANNELS)).toBeUndefined();
    expect(ownerTopicFor({ team: 'orders' }, {}, [])).toBeUndefined();
  });
});

describe('the notify task and the owner channel', () => {
  async function published(outcome: OutcomeStatus): Promise<string[]> {
    const topics: string[] = [];
    const sns = {
      send: (command: PublishCommand) => {
        topics.push(command.input.TopicArn ?? '');
        return Promise.resolve({ MessageId: `m${topics.length}` });
      },
    } as unknown as SNSClient;
    const notify = createNotifyHandler({
      sns: () => sns,
      notifyTopicArn: () => SERVICE_TOPIC,
      metric: () => undefined,
      serviceVersion: 'test',
      now: () => new Date('2026-12-02T06:00:00Z'),
    });
    const base = workItem();
    const iac = {
      ...iacSummary({ kind: 'cloudformation', tool: 'cdk', stackName: 'OrdersStack' }, 'REST', [
        'APIGateway.1',
      ]),
      ownerTopicArn: TEAM_TOPIC,
    };
    await notify({
      ...base,
      plan: { ...base.plan, next: 'DEFERRED', iac },
      terminal: { outcome },
    });
    return topics;
  }

  it('a deferral goes to the service topic and to the owner topic', async () => {
    expect(await published('DEFERRED_TO_OWNER')).toEqual([SERVICE_TOPIC, TEAM_TOPIC]);
  });

  it('any other outcome only to the service topic', async () => {
    expect(await published('REMEDIATED')).toEqual([SERVICE_TOPIC]);
  });
});
