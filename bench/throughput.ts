/**
 * How fast can K stages spread over A accounts be remediated under API Gateway's control-plane
 * quotas? A deterministic model, no sleeps: every account gets its own rate limiters
 *   - every API Gateway management call (REST and V2): 10 requests/s, burst 40;
 *   - CreateDeployment: 1 per 5 s (the workflow's deploy slot serializes deployments to exactly this);
 *   - UpdateAccount: 1 per 20 s;
 * and the stages of an account issue their calls in order, each call at the earliest time its
 * stage and the limiters allow (greedy, earliest call first, ties to the lower stage). Calls take
 * no time: the result is the quota-bound MINIMUM wall time, not a prediction. Lambda and Step
 * Functions latency, reserved concurrency, Wait-state rounding to whole seconds, and WAF/Logs/
 * Security Hub quotas (separate services) are left out.
 *
 * The per-stage calls are the REAL counts bench/api-calls.ts measures against moto_server (so this
 * starts one). Their order inside a stage is an assumption (reads, then writes, then the
 * CreateDeployment, then UpdateStage); UpdateAccount is an account-level setting, so only the first
 * stage of each account makes it (the later ones read it as already set).
 *
 *   npm run bench:throughput                         K=100 stages in 1, 10 and 50 accounts
 *   npm run bench:throughput -- --stages 500         another K
 *   npm run bench:throughput -- --json               a JSON array of the rows
 */
import { pathToFileURL } from 'node:url';
import { logger } from '../remediators/shared/powertools.js';
import { startMoto } from '../test/helpers/moto.js';
import { measureApiCalls, type BenchRow } from './api-calls.js';
import { formatTable } from './bundle-size.js';

/** A token bucket as a GCRA: one call per `intervalMs` on average, up to `burst` at once. */
export interface RateLimit {
  readonly intervalMs: number;
  readonly burst: number;
}

export interface Quotas {
  /** Every API Gateway control-plane call of the account. */
  readonly total: RateLimit;
  /** Per-operation limits on top of the total. */
  readonly perOperation: Readonly<Record<string, RateLimit>>;
}

/** API Gateway's per-account control-plane quotas (Service Quotas defaults). */
export const API_GATEWAY_QUOTAS: Quotas = {
  total: { intervalMs: 100, burst: 40 },
  perOperation: {
    CreateDeployment: { intervalMs: 5_000, burst: 1 },
    UpdateAccount: { intervalMs: 20_000, burst: 1 },
  },
};

/** Operations only the first stage of an account makes (account-level settings). */
export const ACCOUNT_LEVEL_OPERATIONS: ReadonlySet<string> = new Set(['UpdateAccount']);

/** The generic cell rate algorithm: exact with integer milliseconds, full bucket at time 0. */
export class Limiter {
  private theoreticalArrivalMs = 0;

  constructor(private readonly limit: RateLimit) {
    if (!(limit.intervalMs > 0) || !(limit.burst >= 1))
      throw new Error(`invalid rate limit ${JSON.stringify(limit)}`);
  }

  /** The earliest time at or after `atMs` a call is allowed. */
  earliest(atMs: number): number {
    return Math.max(atMs, this.theoreticalArrivalMs - (this.limit.burst - 1) * this.limit.intervalMs);
  }

  /** Spends one call at `atMs`, which must be allowed. */
  take(atMs: number): void {
    if (atMs < this.earliest(atMs)) throw new Error(`call at ${atMs} ms is throttled`);
    this.theoreticalArrivalMs = Math.max(this.theoreticalArrivalMs, atMs) + this.limit.intervalMs;
  }
}

export interface AccountRun {
  /** Time of the last call (ms from the first); 0 when every call fits in the bursts. */
  readonly wallMs: number;
  readonly calls: number;
  /** The time of every call, per stage, in the stage's order. */
  readonly callTimesMs: readonly (readonly number[])[];
}

/** Schedules the calls of one account's stages (each a list of operation names, in order). */
export function simulateAccount(
  stages: readonly (readonly string[])[],
  quotas: Quotas = API_GATEWAY_QUOTAS,
): AccountRun {
  const total = new Limiter(quotas.total);
  const perOperation = new Map(
    Object.entries(quotas.perOperation).map(([op, limit]) => [op, new Limiter(limit)]),
  );
  const next = stages.map(() => 0);
  const readyMs = stages.map(() => 0);
  const callTimesMs: number[][] = stages.map(() => []);
  let remaining = stages.reduce((sum, calls) => sum + calls.length, 0);
  const calls = remaining;
  let wallMs = 0;
  const earliestFor = (stage: number): number => {
    const operation = stages[stage]?.[next[stage] ?? 0] as string;
    const ready = readyMs[stage] ?? 0;
    // Each limiter's earliest(t) is max(t, its own threshold), so one pass settles both.
    return Math.max(total.earliest(ready), perOperation.get(operation)?.earliest(ready) ?? ready);
  };
  while (remaining > 0) {
    let chosen = -1;
    let chosenAt = Number.POSITIVE_INFINITY;
    for (let stage = 0; stage < stages.length; stage++) {
      if ((next[stage] ?? 0) >= (stages[stage]?.length ?? 0)) continue;
      const at = earliestFor(stage);
      if (at < chosenAt) {
        chosen = stage;
        chosenAt = at;
      }
    }
    const operation = stages[chosen]?.[next[chosen] ?? 0] as string;
    total.take(chosenAt);
    perOperation.get(operation)?.take(chosenAt);
    callTimesMs[chosen]?.push(chosenAt);
    next[chosen] = (next[chosen] ?? 0) + 1;
    readyMs[chosen] = chosenAt;
    wallMs = Math.max(wallMs, chosenAt);
    remaining--;
  }
  return { wallMs, calls, callTimesMs };
}

/** Lower bounds of one account's wall time, each from one limiter alone. */
export function lowerBoundsMs(
  stages: readonly (readonly string[])[],
  quotas: Quotas = API_GATEWAY_QUOTAS,
): Record<string, number> {
  const bound = (count: number, limit: RateLimit) => Math.max(0, count - limit.burst) * limit.intervalMs;
  const all = stages.flat();
  const bounds: Record<string, number> = { total: bound(all.length, quotas.total) };
  for (const [operation, limit] of Object.entries(quotas.perOperation)) {
    bounds[operation] = bound(all.filter((candidate) => candidate === operation).length, limit);
  }
  return bounds;
}

const API_GATEWAY_SERVICES = ['APIGateway.', 'ApiGatewayV2.'];

/**
 * One stage's API Gateway calls in the assumed order (reads, writes, CreateDeployment, UpdateStage),
 * from a measured `Service.Operation → count` map. Other services' calls are dropped (their own quotas).
 */
export function stageCalls(
  byOperation: Readonly<Record<string, number>>,
  options: { readonly redeploy: boolean; readonly firstInAccount: boolean },
): string[] {
  const reads: string[] = [];
  const writes: string[] = [];
  const deployments: string[] = [];
  const updates: string[] = [];
  for (const [key, count] of Object.entries(byOperation).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const service = API_GATEWAY_SERVICES.find((prefix) => key.startsWith(prefix));
    if (service === undefined) continue;
    const operation = key.slice(service.length);
    if (ACCOUNT_LEVEL_OPERATIONS.has(operation) && !options.firstInAccount) continue;
    const list =
      operation === 'CreateDeployment'
        ? deployments
        : operation === 'UpdateStage'
          ? updates
          : /^(Get|List|Describe)[A-Z]/.test(operation)
            ? reads
            : writes;
    if (list === deployments && !options.redeploy) continue;
    for (let index = 0; index < count; index++) list.push(operation);
  }
  return [...reads, ...writes, ...deployments, ...updates];
}

/** K stages dealt round-robin over A accounts: how many each account gets. */
export function stagesPerAccount(stages: number, accounts: number): number[] {
  if (!Number.isInteger(stages) || stages < 0 || !Number.isInteger(accounts) || accounts < 1) {
    throw new Error(`invalid split of ${stages} stages over ${accounts} accounts`);
  }
  return Array.from(
    { length: accounts },
    (_, index) => Math.floor(stages / accounts) + (index < stages % accounts ? 1 : 0),
  );
}

export interface ThroughputRow {
  readonly scenario: string;
  readonly redeploy: boolean;
  readonly stages: number;
  readonly accounts: number;
  /** The busiest account's stages. */
  readonly stagesPerAccount: number;
  /** API Gateway calls of one stage (with accountLevelOnce, the first of an account may make one more). */
  readonly callsPerStage: number;
  /** The minimum wall time: the busiest account's last call. */
  readonly wallSeconds: number;
  /** The busiest account's API Gateway calls per second over that wall time; null when it is 0. */
  readonly callsPerSecondPerAccount: number | null;
  /** False: every stage makes the account-level calls (UpdateAccount), as concurrent first stages may. */
  readonly accountLevelOnce: boolean;
  /** The limiter whose bound is the largest (`burst` when every call fits in the bursts). */
  readonly limitedBy: string;
}

/** Models K stages of one measured scenario in A accounts. Accounts are independent (per-account quotas). */
export function modelThroughput(
  scenario: Pick<BenchRow, 'scenario' | 'byOperation'>,
  stages: number,
  accounts: number,
  redeploy: boolean,
  options: { readonly accountLevelOnce?: boolean; readonly quotas?: Quotas } = {},
): ThroughputRow {
  const quotas = options.quotas ?? API_GATEWAY_QUOTAS;
  const accountLevelOnce = options.accountLevelOnce ?? true;
  const split = stagesPerAccount(stages, accounts);
  const busiest = Math.max(...split);
  // Accounts with the same number of stages run the same schedule: the busiest decides the wall time.
  const plan = Array.from({ length: busiest }, (_, index) =>
    stageCalls(scenario.byOperation, { redeploy, firstInAccount: index === 0 || !accountLevelOnce }),
  );
  const run = simulateAccount(plan, quotas);
  const bounds = Object.entries(lowerBoundsMs(plan, quotas)).sort(([, a], [, b]) => b - a);
  const [limiter, boundMs] = bounds[0] ?? ['total', 0];
  return {
    scenario: scenario.scenario,
    redeploy,
    accountLevelOnce,
    stages,
    accounts,
    stagesPerAccount: busiest,
    callsPerStage: stageCalls(scenario.byOperation, { redeploy, firstInAccount: !accountLevelOnce }).length,
    wallSeconds: run.wallMs / 1000,
    callsPerSecondPerAccount: run.wallMs === 0 ? null : run.calls / (run.wallMs / 1000),
    limitedBy: boundMs === 0 ? 'burst' : limiter === 'total' ? '10 rps' : limiter,
  };
}

/** Every measured scenario with its own redeploys; those that redeploy also without. */
export function modelAll(
  rows: readonly BenchRow[],
  stages: number,
  accountCounts: readonly number[],
): ThroughputRow[] {
  const result: ThroughputRow[] = [];
  for (const row of rows) {
    const variants = row.deployments > 0 ? [true, false] : [false];
    for (const redeploy of variants) {
      for (const accounts of accountCounts) result.push(modelThroughput(row, stages, accounts, redeploy));
    }
  }
  return result;
}

function numberArgument(argv: readonly string[], name: string, fallback: number): number {
  const index = argv.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

function table(rows: readonly ThroughputRow[]): string {
  return formatTable(
    [
      'scenario',
      'redeploy',
      'accounts',
      'stages/acct',
      'calls/stage',
      'min wall time',
      'calls/s/acct',
      'limited by',
    ],
    rows.map((row) => [
      row.scenario.slice(0, row.scenario.indexOf(':') < 0 ? undefined : row.scenario.indexOf(':')),
      row.redeploy ? 'yes' : 'no',
      String(row.accounts),
      String(row.stagesPerAccount),
      String(row.callsPerStage),
      `${row.wallSeconds.toFixed(1)} s`,
      row.callsPerSecondPerAccount === null ? '(burst)' : row.callsPerSecondPerAccount.toFixed(2),
      row.limitedBy,
    ]),
  );
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const stages = numberArgument(process.argv, '--stages', 100);
  const accountCounts = [1, 10, 50];
  logger.setLogLevel('SILENT');
  const moto = await startMoto();
  let measured: BenchRow[];
  try {
    measured = await measureApiCalls(moto);
  } finally {
    await moto.stop();
  }
  const rows = modelAll(measured, stages, accountCounts);
  // Worst case: stages of a fresh account that run at once all find the account setting missing.
  const worst = measured
    .filter((row) => Object.keys(row.byOperation).some((key) => key.endsWith('.UpdateAccount')))
    .flatMap((row) =>
      accountCounts.map((accounts) =>
        modelThroughput(row, stages, accounts, row.deployments > 0, { accountLevelOnce: false }),
      ),
    );
  if (json) {
    console.log(JSON.stringify([...rows, ...worst], null, 2));
    return;
  }
  console.log(`K = ${stages} stages; API Gateway calls per stage measured by bench/api-calls.ts:`);
  for (const row of measured) console.log(`  ${row.scenario}`);
  console.log('');
  console.log(table(rows));
  console.log(
    '\nMinimum wall time under the per-account quotas alone (calls take no time); calls/s/acct is the' +
      "\nbusiest account's API Gateway calls over that time. (burst) = every call fits in the bursts.",
  );
  if (worst.length > 0) {
    console.log('\nWorst case: every stage calls UpdateAccount (concurrent stages of a fresh account):\n');
    console.log(table(worst));
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
