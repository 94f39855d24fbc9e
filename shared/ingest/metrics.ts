import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { IngestMetrics } from './ingest-object.ts';

// The ingest's figures as CloudWatch embedded metrics (EMF): JSON lines on stdout that CloudWatch
// Logs turns into metrics, with no PutMetricData call and no permission to grant. Only the Lambda
// entry point builds these; tests and the local stack pass none, so their output is unchanged.

/** The CloudWatch namespace of the project's own metrics. */
export const METRICS_NAMESPACE = 'ImrAtlas';

/** Ingest metrics buffered per event; `publish` writes them (one EMF line) after the event. */
export function emfIngestMetrics(service: string): IngestMetrics & { publish(): void } {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
  return {
    uploadIngested({ status, items }) {
      // A count per status (uploads_parsed, uploads_failed, ...), summed over the event.
      metrics.addMetric(`uploads_${status}`, MetricUnit.Count, 1);
      if (items !== null) metrics.addMetric('items', MetricUnit.Count, items);
    },
    publish() {
      // An event that recorded nothing (redeliveries, messages that threw) publishes nothing,
      // rather than Powertools' warning that there was nothing to publish.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
