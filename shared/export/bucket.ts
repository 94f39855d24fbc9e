import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** An object read back, with the entity tag a conditional write can name. */
export interface StoredObject {
  body: Uint8Array;
  etag: string;
}

/** Only when absent (`ifNoneMatch`), or only while still the version read (`ifMatch`). */
export type PutCondition = { ifNoneMatch: '*' } | { ifMatch: string };

/** A multipart upload in progress: parts are numbered from 1, and all but the last ≥ 5 MiB. */
export interface PartUpload {
  uploadPart(partNumber: number, body: Uint8Array): Promise<void>;
  complete(): Promise<void>;
  /** Best effort: the bucket's lifecycle rule removes what an abort could not. */
  abort(): Promise<void>;
}

/**
 * The exports bucket as the export needs it: an interface so that tests can inject faults and
 * the domain code never sees the SDK.
 */
export interface ExportBucket {
  readonly name: string;
  get(key: string): Promise<StoredObject | null>;
  /** Writes an object; false when `condition` did not hold (nothing was written). */
  put(
    key: string,
    body: Uint8Array,
    contentType: string,
    condition?: PutCondition,
  ): Promise<boolean>;
  /** Every key under `prefix`, in key order. */
  list(prefix: string): Promise<string[]>;
  delete(keys: readonly string[]): Promise<void>;
  startUpload(key: string, contentType: string): Promise<PartUpload>;
}

// DeleteObjects takes at most 1,000 keys.
const DELETE_BATCH = 1000;

/** ExportBucket over S3 (AWS or the local s3rver). */
export function s3ExportBucket(s3: S3Client, bucket: string): ExportBucket {
  return {
    name: bucket,
    async get(key) {
      let out;
      try {
        out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      } catch (e) {
        if (e instanceof NoSuchKey || (e instanceof S3ServiceException && e.name === 'NoSuchKey')) {
          return null;
        }
        throw e;
      }
      const body = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
      return { body, etag: out.ETag ?? '' };
    },
    async put(key, body, contentType, condition) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            ...(condition === undefined
              ? {}
              : 'ifMatch' in condition
                ? { IfMatch: condition.ifMatch }
                : { IfNoneMatch: condition.ifNoneMatch }),
          }),
        );
        return true;
      } catch (e) {
        // 412: the condition failed; 409: a concurrent conditional write to the same key won.
        const status = e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined;
        if (condition !== undefined && (status === 412 || status === 409)) return false;
        throw e;
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
        token = page.NextContinuationToken;
      } while (token !== undefined);
      return keys;
    },
    async delete(keys) {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const batch = keys.slice(i, i + DELETE_BATCH);
        const out = await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = out.Errors ?? [];
        if (failed.length > 0) {
          throw new Error(
            `could not delete ${failed.length} objects from ${bucket}, e.g. ${failed[0]?.Key}: ${failed[0]?.Message}`,
          );
        }
      }
    },
    async startUpload(key, contentType) {
      const created = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }),
      );
      const uploadId = created.UploadId;
      if (uploadId === undefined) throw new Error(`S3 gave no upload id for ${bucket}/${key}`);
      const parts: { PartNumber: number; ETag: string }[] = [];
      return {
        async uploadPart(partNumber, body) {
          const out = await s3.send(
            new UploadPartCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: partNumber,
              Body: body,
            }),
          );
          parts.push({ PartNumber: partNumber, ETag: out.ETag ?? '' });
        },
        async complete() {
          await s3.send(
            new CompleteMultipartUploadCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: [...parts].sort((a, b) => a.PartNumber - b.PartNumber) },
            }),
          );
        },
        async abort() {
          await s3.send(
            new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
          );
        },
      };
    },
  };
}
