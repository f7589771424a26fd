/**
 * What the simulation assumes where AWS publishes no number: latencies. They set how long a run
 * takes when nothing is throttled, not what the quotas allow; the minimum (minimum.ts) does not
 * use them. Round figures of the order commonly seen from a Lambda in the same Region.
 */
import type { Latency } from './model.js';

/** A control-plane call (API Gateway, WAF, Logs, Security Hub, SSM, STS). */
export const CONTROL_PLANE_CALL_MS = 60;
/** A DynamoDB item read or write (single-digit milliseconds plus the round trip). */
export const DYNAMODB_CALL_MS = 10;
/** An SNS Publish. */
export const SNS_CALL_MS = 20;
/** What Step Functions adds per state entered. */
export const TRANSITION_MS = 20;
/** A warm Lambda invocation's overhead around the handler's calls. */
export const INVOKE_OVERHEAD_MS = 20;

export const ASSUMED_LATENCY: Latency = {
  callMs: (service) =>
    service === 'dynamodb' ? DYNAMODB_CALL_MS : service === 'sns' ? SNS_CALL_MS : CONTROL_PLANE_CALL_MS,
  transitionMs: TRANSITION_MS,
};
