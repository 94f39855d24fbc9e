import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDynamoClient, createS3Client } from '#shared/aws/clients.ts';
import { loadConfig } from '#shared/config.ts';
import { ingestObject, type IngestDeps } from '#shared/ingest/ingest-object.ts';
import { s3LetterObjects } from '#shared/ingest/letter-objects.ts';
import { objectsCreated, s3NotificationSchema } from '#shared/ingest/s3-notification.ts';
import { createLogger } from '#shared/logger.ts';

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

let handle: ReturnType<typeof createIngestHandler> | undefined;

/** Lambda entry point; clients are created on the first event and reused after. */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => {
  handle ??= (() => {
    const config = loadConfig(process.env);
    return createIngestHandler({
      table: {
        client: createDynamoClient({
          region: config.AWS_REGION,
          endpoint: config.IMR_DYNAMODB_ENDPOINT,
        }),
        tableName: config.TABLE_NAME,
      },
      objects: s3LetterObjects(
        createS3Client({ region: config.AWS_REGION, endpoint: config.IMR_S3_ENDPOINT }),
      ),
      logger: createLogger({ level: config.LOG_LEVEL, service: 'ingest' }),
    });
  })();
  return handle(event);
};
