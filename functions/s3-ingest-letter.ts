import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaRuntime, startedOnFirstEvent } from '../shared/aws/index.ts';
import {
  emfIngestMetrics,
  ingestObject,
  type IngestDeps,
  s3LetterObjects,
  objectsCreated,
  s3NotificationSchema,
} from '../shared/ingest/index.ts';
import { loadConfig } from '../shared/config.ts';

// S3 object-created notifications, delivered through SQS: each message's objects become
// determinations or recorded failures. A message whose processing threw (the store or S3 was
// unavailable) is reported back so SQS retries only it, and after maxReceiveCount parks it in
// the dead-letter queue.

/** The handler over the given dependencies (the local stack passes its own). */
export function createIngestHandler(deps: IngestDeps) {
  const ingestMessage = async (message: SQSRecord): Promise<void> => {
    try {
      const notification = s3NotificationSchema.parse(JSON.parse(message.body));
      for (const object of objectsCreated(notification)) await ingestObject(deps, object);
    } catch (error) {
      deps.logger.error('message failed', { messageId: message.messageId, error });
      // The processor reads the failure's message: anything thrown that is not an Error (a
      // rejected undefined) would otherwise fail the whole batch instead of this message.
      throw error instanceof Error ? error : new Error(String(error));
    }
  };
  return (event: SQSEvent): Promise<SQSBatchResponse> =>
    // A processor per batch: it holds the batch's results, and the local stack runs batches at once.
    processPartialResponse(event, ingestMessage, new BatchProcessor(EventType.SQS), {
      // One after another, as SQS delivered them: two events of one key in a batch must be
      // ingested in order (the later one sees the earlier one's status).
      processInParallel: false,
      // A batch that failed whole is reported message by message, like any other failure,
      // rather than thrown: SQS retries the same messages either way.
      throwOnFullBatchFailure: false,
    });
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
