/**
 * What the handlers that report an outcome stamp on it and count: the service version and the
 * workflow's metrics (EMF through Powertools).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import packageJson from '../../../package.json' with { type: 'json' };
import { metrics } from '../../shared/powertools.js';

export interface ReportingDeps {
  readonly serviceVersion: string;
  /**
   * Publishes one count (EMF through Powertools, namespace ApigwRemediation, plus the `service`
   * dimension). Dimensions must stay bounded: outcomes and control ids, never accounts or APIs.
   */
  readonly metric: (name: string, dimensions: Readonly<Record<string, string>>, value?: number) => void;
}

function publishMetric(name: string, dimensions: Readonly<Record<string, string>>, value = 1): void {
  const metric = metrics.singleMetric();
  for (const [dimension, dimensionValue] of Object.entries(dimensions)) {
    metric.addDimension(dimension, dimensionValue);
  }
  metric.addMetric(name, MetricUnit.Count, value);
}

export function createReportingDeps(
  options: { readonly metric?: ReportingDeps['metric'] } = {},
): ReportingDeps {
  return { serviceVersion: packageJson.version, metric: options.metric ?? publishMetric };
}
