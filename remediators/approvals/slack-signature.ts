/**
 * Slack request signing (v0): `X-Slack-Signature: v0=` + hex HMAC-SHA256(signing secret,
 * `v0:{X-Slack-Request-Timestamp}:{raw body}`). Pure: the caller passes the clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's documented replay window: requests older (or further in the future) than this are refused. */
export const SLACK_MAX_AGE_SECONDS = 5 * 60;

export interface SlackSignedRequest {
  /** The value of `X-Slack-Request-Timestamp`, undefined when the header is missing. */
  readonly timestamp: string | undefined;
  /** The value of `X-Slack-Signature`, undefined when the header is missing. */
  readonly signature: string | undefined;
  /** The body exactly as Slack sent it (after undoing API Gateway's base64), never re-serialized. */
  readonly rawBody: string;
}

export type SlackSignatureCheck =
  | { readonly valid: true }
  | {
      readonly valid: false;
      readonly reason: 'missing-headers' | 'malformed-timestamp' | 'stale-timestamp' | 'bad-signature';
    };

export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function verifySlackSignature(
  signingSecret: string,
  request: SlackSignedRequest,
  nowSeconds: number,
): SlackSignatureCheck {
  const { timestamp, signature, rawBody } = request;
  if (timestamp === undefined || signature === undefined) return { valid: false, reason: 'missing-headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: 'malformed-timestamp' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_AGE_SECONDS) {
    return { valid: false, reason: 'stale-timestamp' };
  }
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, rawBody));
  const received = Buffer.from(signature);
  // timingSafeEqual throws on a length mismatch; the lengths of a hex digest are public anyway.
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
    return { valid: false, reason: 'bad-signature' };
  }
  return { valid: true };
}
