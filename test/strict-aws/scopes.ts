/**
 * Production scopes for integration tests that call core code directly (test/strict-aws/recorder.ts).
 * The core runs under the member role in every account (its policy is the core's whole set of
 * API Gateway, WAF and Logs permissions), so that is the role its direct calls are checked against.
 */
import { ConfigSchema } from '../../config/schema.js';
import { asRole } from './recorder.js';

const { memberRoleName } = ConfigSchema.parse({}).crossAccount;

export function memberRoleArn(account: string): string {
  return `arn:aws:iam::${account}:role/${memberRoleName}`;
}

/** `fn` wrapped so that every call it makes is checked as the member role of `account`. */
export function asMemberRole<Args extends unknown[], Result>(
  account: string,
  fn: (...args: Args) => Result,
): (...args: Args) => Result {
  return (...args) => asRole(memberRoleArn(account), () => fn(...args));
}
