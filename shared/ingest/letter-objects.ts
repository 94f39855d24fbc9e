import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectWriter } from '../receipts/index.ts';
import { MAX_LETTER_BYTES } from './failures.ts';

/** The uploaded objects, as the ingest needs them (an interface so tests can inject faults). */
export interface LetterObjects extends ObjectWriter {
  /** The object's bytes, or why they cannot be had. */
  read(bucket: string, key: string): Promise<ObjectRead>;
  /** Labels the object with its outcome, so the bucket itself shows what became of it. */
  tag(bucket: string, key: string, tags: Record<string, string>): Promise<void>;
}

export type ObjectRead =
  | { kind: 'ok'; bytes: Uint8Array; version: string; uploadId: string | null }
  | { kind: 'missing' }
  | { kind: 'too-large'; size: number; version: string; uploadId: string | null };

/** The metadata key an uploader sets so it can find the result of its own upload. */
export const UPLOAD_ID_METADATA = 'imr-upload-id';

/** LetterObjects over S3. */
export function s3LetterObjects(s3: S3Client): LetterObjects {
  return {
    async read(bucket, key) {
      let out;
      try {
        out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      } catch (e) {
        if (e instanceof NoSuchKey || (e instanceof S3ServiceException && e.name === 'NoSuchKey')) {
          return { kind: 'missing' };
        }
        throw e;
      }
      // Which version was read: the version id on a versioned bucket, else what the uploader
      // stamped on it, else the content tag and time.
      const uploadId = out.Metadata?.[UPLOAD_ID_METADATA] ?? null;
      const version =
        out.VersionId ?? uploadId ?? `${out.ETag ?? ''}@${out.LastModified?.toISOString() ?? ''}`;
      const size = out.ContentLength ?? 0;
      if (size > MAX_LETTER_BYTES) {
        out.Body?.transformToWebStream()
          .cancel()
          .catch(() => undefined);
        return { kind: 'too-large', size, version, uploadId };
      }
      const bytes = await out.Body?.transformToByteArray();
      return { kind: 'ok', bytes: bytes ?? new Uint8Array(), version, uploadId };
    },
    async tag(bucket, key, tags) {
      try {
        await s3.send(
          new PutObjectTaggingCommand({
            Bucket: bucket,
            Key: key,
            Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          }),
        );
      } catch (e) {
        // The object may have been deleted since; its status record says what happened.
        if (
          e instanceof S3ServiceException &&
          (e.name === 'NoSuchKey' || e.$metadata.httpStatusCode === 404)
        )
          return;
        throw e;
      }
    },
    async put(bucket, key, body, contentType) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
      );
    },
  };
}
