/**
 * Small in-memory caches that live as long as a warm Lambda (or one test / bench run), for
 * per-account+Region facts that many stages share: the API Gateway account settings, the
 * custom domain mappings and the baseline web ACL. Each saves a call per stage against an
 * account quota of 10 requests per second.
 */
import type { AccountState, CustomDomainMapping } from './types.js';

export class TtlCache<Value> {
  private readonly entries = new Map<string, { readonly value: Value; readonly expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): Value | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: Value): void {
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  /** The cached value, or the loaded one (then cached). */
  async getOrLoad(key: string, load: () => Promise<Value>): Promise<Value> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = await load();
    this.set(key, value);
    return value;
  }
}

/** One custom domain mapping with the API it targets (the cache holds a whole account+Region). */
export interface DomainMappingEntry extends CustomDomainMapping {
  readonly apiId: string;
}

export interface CoreCache {
  /** GetAccount per account+Region: changes only when the service itself sets the CloudWatch role. */
  readonly accountSettings: TtlCache<AccountState>;
  /** Custom domain mappings per account+Region+API type; short TTL since people add domains. */
  readonly customDomains: TtlCache<readonly DomainMappingEntry[]>;
  /** Baseline web ACL ARN per account+Region+name. */
  readonly webAclArns: TtlCache<string>;
}

export const ACCOUNT_SETTINGS_TTL_MS = 15 * 60_000;
export const CUSTOM_DOMAINS_TTL_MS = 60_000;
export const WEB_ACL_TTL_MS = 15 * 60_000;

export function createCoreCache(now: () => number = Date.now): CoreCache {
  return {
    accountSettings: new TtlCache(ACCOUNT_SETTINGS_TTL_MS, now),
    customDomains: new TtlCache(CUSTOM_DOMAINS_TTL_MS, now),
    webAclArns: new TtlCache(WEB_ACL_TTL_MS, now),
  };
}

/** Account-wide facts are keyed by partition, account and Region. */
export function accountRegionKey(target: { partition: string; account: string; region: string }): string {
  return `${target.partition}:${target.account}:${target.region}`;
}
