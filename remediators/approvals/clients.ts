/** SDK client settings shared by the approval API and the re-drive sweep. */

/**
 * SDK clients for a request bounded by one deadline. `requestTimeout` only logs a warning unless
 * `throwOnRequestTimeout` is set (@smithy/types HttpHandlerInitialization, @smithy/node-http-handler
 * 4.x); the request's AbortSignal is what really bounds the calls. Step Functions gets one attempt
 * per send: the delivery loop retries itself and counts every unanswered attempt (delivery.ts).
 */
export function approvalClientOptions(maxAttempts: number) {
  return {
    maxAttempts,
    // The options form builds the SDK's own NodeHttpHandler (no direct dependency on it).
    requestHandler: { connectionTimeout: 500, requestTimeout: 1_000, throwOnRequestTimeout: true },
  };
}
