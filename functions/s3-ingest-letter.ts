import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaRuntime, startedOnFirstEvent } from '../shared/aws/bootstrap.ts';
import { emfIngestMetrics } from '../shared/ingest/metrics.ts';
import { loadConfig } from '../shared/config.ts';
import { ingestObject, type IngestDeps } from '../shared/ingest/ingest-object.ts';
import { s3LetterObjects } from '../shared/ingest/letter-objects.ts';
import { objectsCreated, s3NotificationSchema } from '../shared/ingest/s3-notification.ts';

// S3 object-created notifications, delivered through SQS: each message's objects become
// determinations or recorded failures. A message whose processing threw (the store or S3 was
// unavailable) is reported back so SQS retries only it, and after maxReceiveCount parks it in
// the dead-letter queue.

/** The handler over the given dependencies (the local stack passes its own). */
export function createIngestHandler(deps: IngestDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      try {
        const notification = s3NotificationSchema.parse(JSON.parse(message.body));
        for (const object of objectsCreated(notification)) await ingestObject(deps, object);
      } catch (error) {
        deps.logger.error('message failed', { messageId: message.messageId, error });
        batchItemFailures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures };
  };
}

/** Lambda entry point; configuration and clients are set up on the first event and reused after. */
export const handler = startedOnFirstEvent(() => {
  const { table, s3, logger } = lambdaRuntime('ingest', loadConfig);
  const metrics = emfIngestMetrics('ingest');
  const ingest = createIngestHandler({ table, objects: s3LetterObjects(s3()), logger, metrics });
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    try {
      return await ingest(event);
    } finally {
      metrics.publish();
    }
  };
});
