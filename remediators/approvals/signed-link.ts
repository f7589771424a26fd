/**
 * Approval ids, signed links and CSRF tokens. Pure apart from the random id.
 *
 * - An approval id is 128 random bits, base64url (22 characters): unguessable, URL-safe, and
 *   short enough for a Slack button value (the task token stays in DynamoDB).
 * - A signed link is `{base}/approvals/{id}?exp={epoch seconds}&sig={HMAC}`; the HMAC covers the
 *   id and the expiry, so neither can be changed.
 * - A CSRF token is an HMAC bound to the approval id and a random nonce kept in a SameSite=Strict
 *   cookie: a form posted from another site has neither the cookie nor a token matching it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newApprovalId(): string {
  return randomBytes(16).toString('base64url');
}

/** A fresh CSRF nonce (128 bits) for the cookie. */
export function newCsrfNonce(): string {
  return randomBytes(16).toString('base64url');
}

function hmac(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url');
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface LinkParameters {
  readonly approvalId: string;
  /** Expiry in epoch seconds. */
  readonly expiresAtEpoch: number;
}

export function linkSignature(key: string, link: LinkParameters): string {
  return hmac(key, `approval-link:v1:${link.approvalId}:${link.expiresAtEpoch}`);
}

/** The signed link for an approval; `baseUrl` is the approval API's public URL, e.g. `https://…/prod`. */
export function approvalLink(baseUrl: string, key: string, link: LinkParameters): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/approvals/${link.approvalId}`);
  url.searchParams.set('exp', String(link.expiresAtEpoch));
  url.searchParams.set('sig', linkSignature(key, link));
  return url.toString();
}

export type LinkCheck =
  | { readonly status: 'valid'; readonly link: LinkParameters }
  | { readonly status: 'expired'; readonly link: LinkParameters }
  /** Malformed or not signed by us: answer 403 and say nothing more. */
  | { readonly status: 'forbidden' };

/** Checks the signature first, so an expiry is only ever reported for a link we issued. */
export function verifyApprovalLink(
  key: string,
  received: {
    readonly approvalId: string;
    readonly exp: string | undefined;
    readonly sig: string | undefined;
  },
  nowSeconds: number,
): LinkCheck {
  const { approvalId, exp, sig } = received;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,BlockStatement: equivalent, the shape checks below refuse a missing exp or sig too; this one is for the types
  if (exp === undefined || sig === undefined) return { status: 'forbidden' };
  if (!APPROVAL_ID_PATTERN.test(approvalId)) return { status: 'forbidden' };
  // One canonical form only (no leading zeros, no sign): the value signed is the value shown.
  if (!/^[1-9]\d{0,11}$/.test(exp) || !SIGNATURE_PATTERN.test(sig)) return { status: 'forbidden' };
  const link = { approvalId, expiresAtEpoch: Number(exp) };
  if (!sameString(linkSignature(key, link), sig)) return { status: 'forbidden' };
  return nowSeconds >= link.expiresAtEpoch ? { status: 'expired', link } : { status: 'valid', link };
}

export function csrfToken(key: string, approvalId: string, nonce: string): string {
  return hmac(key, `approval-csrf:v1:${approvalId}:${nonce}`);
}

export function verifyCsrfToken(
  key: string,
  approvalId: string,
  nonce: string | undefined,
  token: string | undefined,
): boolean {
  if (token === undefined || !isCsrfNonce(nonce)) return false;
  return sameString(csrfToken(key, approvalId, nonce), token);
}

export function isCsrfNonce(value: string | undefined): value is string {
  // Stryker disable next-line ConditionalExpression: equivalent for a missing value, which NONCE_PATTERN refuses too; this check is for the type
  if (value === undefined) return false;
  return NONCE_PATTERN.test(value);
}
