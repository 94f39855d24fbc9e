// shared/ingest: turning an uploaded object into a determination or a recorded failure.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { FAILURE_REASONS } from './failures.ts';
export type { FailureReason } from './failures.ts';
export { UPLOADS_PREFIX, ingestObject } from './ingest-object.ts';
export type { IngestDeps } from './ingest-object.ts';
export { UPLOAD_ID_METADATA, s3LetterObjects } from './letter-objects.ts';
export { emfIngestMetrics } from './metrics.ts';
export { objectsCreated, s3NotificationSchema } from './s3-notification.ts';
