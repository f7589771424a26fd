/**
 * Exemptions: the key the decide task reads, active or not, the words the record carries, the
 * decide task's pure step, and the one BatchGetItem read (aws-sdk-client-mock: what it asks for).
 */
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { ExemptionEntry } from '../../../remediators/ledger/entry.js';
import {
  buildExemption,
  defaultUntil,
  describeExemption,
  endExemption,
  exemptionEntryId,
  isActiveExemption,
  readStageExemptions,
} from '../../../remediators/ledger/exemption.js';
import { exemptControls } from '../../../remediators/ledger/exemption-decide.js';
import type { ControlDecision } from '../../../remediators/workflow/state.js';

const STAGE = {
  stageArn: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod',
  account: '111122223333',
  region: 'us-east-1',
  partition: 'aws' as const,
  apiType: 'REST' as const,
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
};
const NOW = new Date('2026-12-02T06:00:00.000Z');
const ACTOR = { kind: 'cli' as const, callerArn: 'arn:aws:iam::111122223333:user/ana', runId: 'r1' };

function exemption(overrides: Partial<Parameters<typeof buildExemption>[0]> = {}): ExemptionEntry {
  return buildExemption({
    stage: STAGE,
    controlId: 'APIGateway.3',
    reason: 'tracing costs too much on this stage',
    until: '2026-12-31T00:00:00.000Z',
    cause: 'OPERATOR',
    actor: ACTOR,
    now: NOW,
    ...overrides,
  });
}

describe('exemption entries', () => {
  it('are keyed by account, stage ARN and control', () => {
    expect(exemption().entryId).toBe(
      'exemption:111122223333:arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod:APIGateway.3',
    );
    expect(exemptionEntryId('444455556666', STAGE.stageArn, 'APIGateway.3')).not.toBe(exemption().entryId);
  });

  it('are active until `until`, and not once ended', () => {
    const entry = exemption();
    expect(isActiveExemption(entry, NOW)).toBe(true);
    expect(isActiveExemption(entry, new Date('2026-12-31T00:00:00.000Z'))).toBe(false);
    expect(isActiveExemption(endExemption(entry, NOW), NOW)).toBe(false);
    expect(isActiveExemption(exemption({ until: undefined }), new Date('2099-01-01T00:00:00Z'))).toBe(true);
  });

  it('say who, why and until when', () => {
    expect(describeExemption(exemption({ cause: 'UNDO' }))).toBe(
      'exempt until 2026-12-31T00:00:00.000Z, after an undo by arn:aws:iam::111122223333:user/ana: ' +
        `tracing costs too much on this stage (ledger ${exemption().entryId})`,
    );
    expect(defaultUntil(NOW, 30)).toBe('2027-01-01T06:00:00.000Z');
  });
});

describe('exemptControls (decide)', () => {
  const decision = (controlId: string, mode: ControlDecision['mode']): ControlDecision => ({
    controlId,
    mode,
    source: 'default',
    dryRun: false,
  });

  it('turns an exempt auto or approve control into notify with the exemption, leaves the others', () => {
    const controls = [
      decision('APIGateway.3', 'auto'),
      decision('APIGateway.1', 'auto'),
      decision('APIGateway.4', 'off'),
    ];
    const result = exemptControls(controls, [exemption(), exemption({ controlId: 'APIGateway.4' })], NOW);
    expect(result[0]).toEqual({
      controlId: 'APIGateway.3',
      mode: 'notify',
      source: `${describeExemption(exemption())}; configured auto by default`,
      dryRun: false,
      exemption: describeExemption(exemption()),
    });
    expect(result[1]).toEqual(controls[1]);
    expect(result[2]).toEqual(controls[2]);
  });

  it('ignores an exemption past its until or ended', () => {
    const controls = [decision('APIGateway.3', 'auto')];
    expect(exemptControls(controls, [exemption({ until: '2026-12-01T00:00:00.000Z' })], NOW)).toEqual(
      controls,
    );
    expect(exemptControls(controls, [endExemption(exemption(), NOW)], NOW)).toEqual(controls);
  });
});

describe('readStageExemptions', () => {
  it('reads the controls keys with one consistent BatchGetItem and asks again for unprocessed keys', async () => {
    const dynamo = mockClient(DynamoDBDocumentClient);
    const stored = exemption();
    const second = exemptionEntryId(STAGE.account, STAGE.stageArn, 'APIGateway.1');
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { ledger: [stored] },
        UnprocessedKeys: { ledger: { Keys: [{ entryId: second }] } },
      })
      .resolvesOnce({ Responses: { ledger: [] } });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const found = await readStageExemptions(client, 'ledger', STAGE.account, STAGE.stageArn, [
      'APIGateway.3',
      'APIGateway.1',
      'APIGateway.3',
    ]);
    expect(found).toEqual([stored]);
    const calls = dynamo.commandCalls(BatchGetCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      {
        RequestItems: {
          ledger: {
            Keys: [{ entryId: stored.entryId }, { entryId: second }],
            ConsistentRead: true,
          },
        },
      },
      { RequestItems: { ledger: { Keys: [{ entryId: second }], ConsistentRead: true } } },
    ]);
    dynamo.restore();
  });
});
