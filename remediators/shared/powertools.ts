/**
 * The one place the service's Powertools utilities are created, so every Lambda logs
 * structured JSON with the same service name, publishes metrics to one namespace and traces
 * its AWS calls with X-Ray.
 *
 * The tracer is on only in Lambda: Powertools turns it off when AWS_EXECUTION_ENV is unset
 * (tests, the demo, the bench scripts) or POWERTOOLS_TRACE_ENABLED is `false`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const SERVICE_NAME = 'apigw-remediation';
export const METRICS_NAMESPACE = 'ApigwRemediation';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/**
 * Every AWS SDK client the service creates goes through here: with tracing on, each call is an
 * X-Ray subsegment (service, operation, status, retries); with tracing off, the client is
 * returned unchanged.
 */
export function traceClient<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client);
}
