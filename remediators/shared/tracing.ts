/**
 * The service's Powertools Tracer, apart from ./powertools.ts so a Lambda that makes no AWS call
 * (the intake) does not carry the X-Ray SDK.
 *
 * The tracer is on only in Lambda: Powertools turns it off when AWS_EXECUTION_ENV is unset
 * (tests, the demo, the bench scripts) or POWERTOOLS_TRACE_ENABLED is `false`.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './powertools.js';

export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/**
 * Every AWS SDK client the service creates goes through here: with tracing on, each call is an
 * X-Ray subsegment (service, operation, status, retries); with tracing off, the client is
 * returned unchanged.
 */
export function traceClient<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
