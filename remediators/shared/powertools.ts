/**
 * The one place the service's Powertools logger and metrics are created, so every Lambda logs
 * structured JSON with the same service name and publishes metrics to one namespace. There is no
 * tracer: Lambda active tracing and Step Functions tracing give the traces (docs/decisions/0018).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const SERVICE_NAME = 'apigw-remediation';
export const METRICS_NAMESPACE = 'ApigwRemediation';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
