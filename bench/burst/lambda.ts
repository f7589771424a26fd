/**
 * Lambda as the burst meets it: concurrency (a reserved limit per function, the rest of the
 * account's pool shared) and execution environments that start cold once and stay warm for the
 * burst. Each environment keeps the SDK clients its module memoizes, and with them their retry
 * quotas (sdk-retry.ts).
 */
import { RetryQuota, type SdkRetryPolicy } from './sdk-retry.js';

export interface LambdaModel {
  /** Concurrent executions of the account and Region (quotas.ts LAMBDA_ACCOUNT_CONCURRENCY). */
  readonly accountConcurrency: number;
  /** Function (the definition's substitution, e.g. ApplyFunctionArn) → its reserved concurrency. */
  readonly reserved: Readonly<Record<string, number>>;
  /** Module init of a new execution environment of the function, in ms. */
  readonly coldStartMs: (functionSubstitution: string) => number;
  /** What invoking a warm function adds to its calls (Step Functions → Lambda → response), in ms. */
  readonly invokeOverheadMs: number;
}

export class ExecutionEnvironment {
  cold = true;
  private readonly quotas = new Map<string, RetryQuota>();
  /** Reads this environment keeps (`service.operation` → until when, ms): see assumptions.ts KEPT_READS. */
  readonly kept = new Map<string, number>();

  /** The retry quota of the client this environment keeps for `service`. */
  quota(service: string, policy: SdkRetryPolicy): RetryQuota {
    let quota = this.quotas.get(service);
    if (quota === undefined) {
      quota = new RetryQuota(policy);
      this.quotas.set(service, quota);
    }
    return quota;
  }
}

export class LambdaPool {
  /** Idle environments per function (a stack: the most recently used is warmest). */
  private readonly idle = new Map<string, ExecutionEnvironment[]>();
  private readonly running = new Map<string, number>();
  private unreservedRunning = 0;
  private readonly unreservedLimit: number;
  coldStarts = 0;

  constructor(private readonly model: LambdaModel) {
    const reserved = Object.values(model.reserved).reduce((sum, count) => sum + count, 0);
    this.unreservedLimit = model.accountConcurrency - reserved;
    if (this.unreservedLimit < 1) throw new Error('reserved concurrency leaves no unreserved pool');
  }

  /** A free environment of the function (new and cold if none is idle), or undefined when throttled. */
  acquire(functionSubstitution: string): ExecutionEnvironment | undefined {
    const reserved = this.model.reserved[functionSubstitution];
    const running = this.running.get(functionSubstitution) ?? 0;
    if (reserved !== undefined ? running >= reserved : this.unreservedRunning >= this.unreservedLimit) {
      return undefined;
    }
    let environment = this.idle.get(functionSubstitution)?.pop();
    if (environment === undefined) {
      environment = new ExecutionEnvironment();
      this.coldStarts += 1;
    }
    this.running.set(functionSubstitution, running + 1);
    if (reserved === undefined) this.unreservedRunning += 1;
    return environment;
  }

  release(functionSubstitution: string, environment: ExecutionEnvironment): void {
    const idle = this.idle.get(functionSubstitution) ?? [];
    idle.push(environment);
    this.idle.set(functionSubstitution, idle);
    this.running.set(functionSubstitution, (this.running.get(functionSubstitution) ?? 1) - 1);
    if (this.model.reserved[functionSubstitution] === undefined) this.unreservedRunning -= 1;
  }
}
