import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
} from '@aws-sdk/client-securityhub';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApiClients } from '../../remediators/core/clients.js';
import { createKillSwitchDeps } from '../../remediators/workflow/deps/kill-switch.js';
import {
  createHomeSecurityHubDeps,
  createMemberSecurityHubDeps,
} from '../../remediators/workflow/deps/security-hub.js';
import { LOCKS_TABLE_KEY } from '../../remediators/workflow/lock.js';
import {
  CALLS_PACED_ERROR,
  CallsPacedError,
  createDynamoPacer,
  homePaceScope,
  MAX_COMMITTED_PACED_WAIT_MS,
  MAX_PACED_WAIT_MS,
  maxPacedWaitMs,
  PACED_WAIT_RESERVE_MS,
  memberPaceScope,
  PACED_OPERATIONS,
  PACED_QUOTAS,
  paceDecision,
  paceIntervalMs,
  paceKey,
  pacedCalls,
  type Pacer,
} from '../../remediators/workflow/pacing.js';
import { asInvocation } from '../../remediators/shared/handler.js';
import { createLocksTable } from '../helpers/locks-table.js';
import { useMoto } from '../helpers/moto.js';

const TABLE = 'locks';
const T0 = Date.parse('2026-12-03T10:00:00Z');
const MEMBER = memberPaceScope({ partition: 'aws', account: '111122223333', region: 'eu-west-1' });
const API_GATEWAY = PACED_QUOTAS.apiGateway.paced;

describe('paceDecision (GCRA)', () => {
  it('lets a quiet schedule start `burst` calls at once, then one per interval', () => {
    const interval = paceIntervalMs(API_GATEWAY);
    let tat: number | undefined;
    const waits: number[] = [];
    for (let call = 0; call < API_GATEWAY.burst + 3; call += 1) {
      const decision = paceDecision(tat, T0, API_GATEWAY);
      if (decision.kind !== 'GRANTED') throw new Error('refused');
      waits.push(decision.waitMs);
      tat = decision.tatMs;
    }
    expect(waits.slice(0, API_GATEWAY.burst)).toEqual(Array(API_GATEWAY.burst).fill(0));
    expect(waits.slice(API_GATEWAY.burst)).toEqual([interval, 2 * interval, 3 * interval]);
  });

  it('never paces faster than the rate: the interval is rounded up', () => {
    expect(paceIntervalMs({ ratePerSecond: 9, burst: 1 })).toBe(112);
    expect(paceIntervalMs(PACED_QUOTAS.securityHubGetFindings.paced)).toBe(371);
  });

  it('refuses a call whose place is more than the longest wait away, by how much', () => {
    const interval = paceIntervalMs(API_GATEWAY);
    const tolerance = (API_GATEWAY.burst - 1) * interval;
    const atHorizon = T0 + tolerance + MAX_PACED_WAIT_MS;
    expect(paceDecision(atHorizon, T0, API_GATEWAY)).toEqual({
      kind: 'GRANTED',
      tatMs: atHorizon + interval,
      waitMs: MAX_PACED_WAIT_MS,
    });
    expect(paceDecision(atHorizon + 250, T0, API_GATEWAY)).toEqual({ kind: 'REFUSED', retryAfterMs: 250 });
  });

  it('restarts a schedule whose last place has passed at now', () => {
    expect(paceDecision(T0 - 60_000, T0, API_GATEWAY)).toEqual({
      kind: 'GRANTED',
      tatMs: T0 + paceIntervalMs(API_GATEWAY),
      waitMs: 0,
    });
  });

  it('stays within every AWS limit it paces against', () => {
    for (const { aws, paced } of Object.values(PACED_QUOTAS)) {
      expect(paced.ratePerSecond).toBeLessThan(aws.ratePerSecond);
      expect(paced.burst).toBeLessThan(aws.burst);
    }
  });
});

describe('which calls are paced', () => {
  it('paces every API Gateway call, the home account finding updates, and the member account reads and imports', () => {
    expect(PACED_OPERATIONS.apiGateway('UpdateStage')).toBe('apiGateway');
    expect(PACED_OPERATIONS.homeSecurityHub('BatchUpdateFindings')).toBe('securityHubUpdates');
    expect(PACED_OPERATIONS.homeSecurityHub('BatchUpdateFindingsV2')).toBe('securityHubUpdates');
    expect(PACED_OPERATIONS.homeSecurityHub('GetFindings')).toBeUndefined();
    expect(PACED_OPERATIONS.memberSecurityHub('GetFindings')).toBe('securityHubGetFindings');
    expect(PACED_OPERATIONS.memberSecurityHub('BatchImportFindings')).toBe('securityHubImports');
    expect(PACED_OPERATIONS.memberSecurityHub('BatchUpdateFindings')).toBeUndefined();
  });

  it('keys a member schedule by partition, account and Region, and the home one by Region', () => {
    expect(paceKey('apiGateway', MEMBER)).toBe('pace#apiGateway#aws#111122223333#eu-west-1');
    expect(paceKey('securityHubUpdates', homePaceScope('us-east-1'))).toBe(
      'pace#securityHubUpdates#home#us-east-1',
    );
  });
});

describe('the DynamoDB pacer (moto)', () => {
  const moto = useMoto();
  let db: DynamoDBDocumentClient;
  let now: number;
  let slept: number[];

  const pacer = () =>
    createDynamoPacer({
      db: () => db,
      tableName: TABLE,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });

  beforeEach(async () => {
    db = await createLocksTable(moto.endpoint, TABLE);
    now = T0;
    slept = [];
  });

  const tatOf = async (key: string): Promise<number | undefined> => {
    const item = await db.send(new GetCommand({ TableName: TABLE, Key: { [LOCKS_TABLE_KEY]: key } }));
    return item.Item?.tat as number | undefined;
  };

  it('gives each call its own place: the burst at once, the rest one interval apart', async () => {
    const pace = pacer();
    const interval = paceIntervalMs(API_GATEWAY);
    // One after the other, at one instant: the first restarts the quiet schedule, each next one adds
    // an interval. (Concurrent calls are not sent here: moto does not serialize concurrent updates
    // of one item. DynamoDB does — its CRUD operations "are all atomic" ("Working with items and
    // attributes in DynamoDB", its atomic counters) — and the pacer relies on it: no read before the
    // conditional update, so no place is given twice.)
    for (let call = 0; call < API_GATEWAY.burst + 5; call += 1) await pace('apiGateway', MEMBER, 'GetStage');
    expect(await tatOf(paceKey('apiGateway', MEMBER))).toBe(T0 + (API_GATEWAY.burst + 5) * interval);
    expect(slept).toEqual([1, 2, 3, 4, 5].map((n) => n * interval));
  });

  it('refuses a call that would wait too long with CallsPaced, taking no place', async () => {
    const pace = pacer();
    const interval = paceIntervalMs(API_GATEWAY);
    const granted = API_GATEWAY.burst + Math.floor(MAX_PACED_WAIT_MS / interval);
    for (let call = 0; call < granted; call += 1) await pace('apiGateway', MEMBER, 'GetStage');
    const tat = await tatOf(paceKey('apiGateway', MEMBER));
    const refused = pace('apiGateway', MEMBER, 'UpdateStage');
    await expect(refused).rejects.toThrow(CallsPacedError);
    await expect(pace('apiGateway', MEMBER, 'UpdateStage')).rejects.toMatchObject({
      name: CALLS_PACED_ERROR,
      message: expect.stringMatching(/UpdateStage is paced \(apiGateway in aws\/111122223333\/eu-west-1\)/),
    });
    expect(await tatOf(paceKey('apiGateway', MEMBER))).toBe(tat);
    // Once time has moved on, the call gets its place.
    now += 2 * interval;
    await expect(pace('apiGateway', MEMBER, 'UpdateStage')).resolves.toBeUndefined();
  });

  it('waits no longer than the invocation can afford: its remaining time less what the task keeps', async () => {
    expect(maxPacedWaitMs(undefined)).toBe(MAX_PACED_WAIT_MS);
    expect(maxPacedWaitMs(PACED_WAIT_RESERVE_MS + 60_000)).toBe(MAX_PACED_WAIT_MS);
    expect(maxPacedWaitMs(PACED_WAIT_RESERVE_MS + 4_000)).toBe(4_000);
    expect(maxPacedWaitMs(PACED_WAIT_RESERVE_MS - 1)).toBe(0);

    const interval = paceIntervalMs(API_GATEWAY);
    const roomy = pacer();
    // Places up to 5 s past the burst: waits of up to 5 s.
    const calls = API_GATEWAY.burst + Math.floor(5_000 / interval);
    for (let call = 0; call < calls; call += 1) await roomy('apiGateway', MEMBER, 'GetStage');
    const tight = createDynamoPacer({
      db: () => db,
      tableName: TABLE,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
      },
      remainingMs: () => PACED_WAIT_RESERVE_MS + 4_000,
    });
    await expect(tight('apiGateway', MEMBER, 'UpdateStage')).rejects.toMatchObject({
      name: CALLS_PACED_ERROR,
      message: expect.stringContaining('past the 4.0 s this task may wait'),
    });
    await expect(roomy('apiGateway', MEMBER, 'UpdateStage')).resolves.toBeUndefined();
  });

  it('lets an invocation that has begun a schedule finish its calls: they wait up to the committed limit, never refused', async () => {
    expect(maxPacedWaitMs(undefined, true)).toBe(MAX_COMMITTED_PACED_WAIT_MS);
    expect(maxPacedWaitMs(PACED_WAIT_RESERVE_MS + 4_000, true)).toBe(4_000);
    const pace = pacer();
    const HOME = homePaceScope('eu-west-1');
    const limit = PACED_QUOTAS.securityHubUpdates.paced;
    const interval = paceIntervalMs(limit);
    // A Finish takes its first place while the schedule is nearly full (its place 9 s away) …
    const fillTo = (waitMs: number) => limit.burst + Math.floor(waitMs / interval);
    const others = asInvocation(async () => {
      for (let call = 0; call < fillTo(9_000); call += 1)
        await pace('securityHubUpdates', HOME, 'BatchUpdateFindings');
    });
    await others(undefined);
    const outcomes: string[] = [];
    const finish = asInvocation(async () => {
      await pace('securityHubUpdates', HOME, 'BatchUpdateFindings');
      outcomes.push('first share written');
      // … other runs fill it past the 10 s a first call may wait …
      await others(undefined);
      await expect(pace('securityHubUpdates', HOME, 'BatchUpdateFindings')).resolves.toBeUndefined();
      outcomes.push('second share written');
    });
    await finish(undefined);
    expect(outcomes).toEqual(['first share written', 'second share written']);
    // … and its second share waited past MAX_PACED_WAIT_MS instead of failing the task (whose retry
    // would write the first share again).
    expect(Math.max(...slept)).toBeGreaterThan(MAX_PACED_WAIT_MS);
    expect(Math.max(...slept)).toBeLessThanOrEqual(MAX_COMMITTED_PACED_WAIT_MS);
    // A call of another invocation, at the same instant, is refused as before: it has begun nothing.
    await expect(
      asInvocation(() => pace('securityHubUpdates', HOME, 'BatchUpdateFindings'))(undefined),
    ).rejects.toThrow(CallsPacedError);
    // So is one of an invocation that began another schedule only.
    const apiGatewayFull = API_GATEWAY.burst + Math.ceil(MAX_PACED_WAIT_MS / paceIntervalMs(API_GATEWAY));
    await asInvocation(async () => {
      for (let call = 0; call < apiGatewayFull; call += 1) await pace('apiGateway', MEMBER, 'GetStage');
    })(undefined);
    await expect(
      asInvocation(async () => {
        await pace('securityHubUpdates', homePaceScope('us-east-1'), 'BatchUpdateFindings');
        await pace('apiGateway', MEMBER, 'UpdateStage');
      })(undefined),
    ).rejects.toThrow(CallsPacedError);
  });

  it('restarts a quiet schedule at now, and keeps schedules of other keys apart', async () => {
    const pace = pacer();
    await pace('apiGateway', MEMBER, 'GetStage');
    now += 3_600_000;
    await pace('apiGateway', MEMBER, 'GetStage');
    await pace('securityHubUpdates', homePaceScope('us-east-1'), 'BatchUpdateFindings');
    expect(await tatOf(paceKey('apiGateway', MEMBER))).toBe(now + paceIntervalMs(API_GATEWAY));
    expect(await tatOf(paceKey('securityHubUpdates', homePaceScope('us-east-1')))).toBe(
      now + paceIntervalMs(PACED_QUOTAS.securityHubUpdates.paced),
    );
    expect(slept).toEqual([]);
  });

  it('paces every call of the API Gateway clients through their before-call hook, and fails a refused one unsent', async () => {
    const pace = pacer();
    const operations: string[] = [];
    const clients = createApiClients({
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      beforeApiGatewayCall: async (operation) => {
        operations.push(operation);
        await pacedCalls(pace, PACED_OPERATIONS.apiGateway, MEMBER)(operation);
      },
    });
    await clients.apiGateway.send(new GetRestApisCommand({}));
    expect(operations).toEqual(['GetRestApis']);
    expect(await tatOf(paceKey('apiGateway', MEMBER))).toBe(T0 + paceIntervalMs(API_GATEWAY));

    const interval = paceIntervalMs(API_GATEWAY);
    now = T0;
    for (let call = 1; call < API_GATEWAY.burst + Math.floor(MAX_PACED_WAIT_MS / interval); call += 1) {
      await pace('apiGateway', MEMBER, 'GetStage');
    }
    await expect(clients.apiGateway.send(new GetRestApisCommand({}))).rejects.toMatchObject({
      name: CALLS_PACED_ERROR,
    });
    // The refused call still counts as asked for (the counter runs before the hook).
    expect(clients.counter.counts().byOperation['APIGateway.GetRestApis']).toBe(2);
  });
});

describe('the clients and reads that pace', () => {
  const moto = useMoto();
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const asked: [string, readonly string[], string][] = [];
  const refusing: Pacer = async (quota, scope, operation) => {
    asked.push([quota, scope, operation]);
    throw new CallsPacedError(`${operation} refused`);
  };

  beforeEach(() => {
    asked.length = 0;
  });

  it("paces the home Security Hub client's finding updates in the Region's home schedule, and nothing else it sends", async () => {
    const { homeSecurityHub } = createHomeSecurityHubDeps({ endpoint: moto.endpoint, pacer: refusing });
    const client = homeSecurityHub('eu-west-1');
    const identifiers = [
      { Id: 'finding-1', ProductArn: 'arn:aws:securityhub:eu-west-1::product/aws/securityhub' },
    ];
    await expect(
      client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: identifiers,
          Note: { Text: 'x', UpdatedBy: 'y' },
        }),
      ),
    ).rejects.toMatchObject({ name: CALLS_PACED_ERROR });
    expect(asked).toEqual([['securityHubUpdates', ['home', 'eu-west-1'], 'BatchUpdateFindings']]);
    // GetFindings is not the home account's paced quota: sent unpaced (moto answers it its own way).
    await client.send(new GetFindingsCommand({})).catch(() => undefined);
    expect(asked).toHaveLength(1);
  });

  it("paces the member Security Hub client's reads and imports in the member account's schedules", async () => {
    const { memberSecurityHub } = createMemberSecurityHubDeps(
      { credentials: async () => async () => credentials },
      { endpoint: moto.endpoint, pacer: refusing },
    );
    const client = await memberSecurityHub({
      partition: 'aws',
      account: '111122223333',
      region: 'eu-west-1',
    });
    await expect(client.send(new GetFindingsCommand({}))).rejects.toMatchObject({ name: CALLS_PACED_ERROR });
    await expect(client.send(new BatchImportFindingsCommand({ Findings: [] }))).rejects.toMatchObject({
      name: CALLS_PACED_ERROR,
    });
    expect(asked).toEqual([
      ['securityHubGetFindings', MEMBER, 'GetFindings'],
      ['securityHubImports', MEMBER, 'BatchImportFindings'],
    ]);
  });

  it('throws a kill switch read refused a place (the task is retried), instead of counting the switch as on', async () => {
    const { killSwitch } = createKillSwitchDeps({
      endpoint: moto.endpoint,
      parameterName: '/apigw-remediation/kill-switch',
      clientConfig: { region: 'eu-west-1', credentials },
      pacer: refusing,
    });
    await expect(killSwitch()).rejects.toMatchObject({ name: CALLS_PACED_ERROR });
    expect(asked).toEqual([['killSwitchReads', ['home', 'eu-west-1'], 'GetParameter']]);
  });

  it('still counts a kill switch that cannot be read for another reason as on', async () => {
    const { killSwitch } = createKillSwitchDeps({
      endpoint: moto.endpoint,
      parameterName: '/apigw-remediation/no-such-parameter',
      clientConfig: { region: 'eu-west-1', credentials },
      pacer: async () => undefined,
    });
    await expect(killSwitch()).resolves.toMatchObject({ state: 'on' });
  });
});
