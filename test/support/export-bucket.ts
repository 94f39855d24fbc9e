import type { ExportBucket, PartUpload, PutCondition } from '../../shared/export/bucket.ts';

/** An ExportBucket in memory, for unit tests; `uploads` counts multipart uploads by outcome. */
export function memoryBucket(): ExportBucket & {
  objects: Map<string, Uint8Array>;
  uploads: { completed: number; aborted: number; parts: number };
} {
  const objects = new Map<string, Uint8Array>();
  const etags = new Map<string, string>();
  const uploads = { completed: 0, aborted: 0, parts: 0 };
  let version = 0;
  const store = (key: string, body: Uint8Array): void => {
    objects.set(key, body);
    etags.set(key, `"v${++version}"`);
  };
  return {
    name: 'memory',
    objects,
    uploads,
    async get(key) {
      const body = objects.get(key);
      return body === undefined ? null : { body, etag: etags.get(key)! };
    },
    async put(key, body, _contentType, condition?: PutCondition) {
      if (condition !== undefined) {
        if ('ifNoneMatch' in condition && objects.has(key)) return false;
        if ('ifMatch' in condition && etags.get(key) !== condition.ifMatch) return false;
      }
      store(key, body);
      return true;
    },
    async list(prefix) {
      return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    async delete(keys) {
      for (const k of keys) objects.delete(k);
    },
    async startUpload(key): Promise<PartUpload> {
      const parts = new Map<number, Uint8Array>();
      return {
        async uploadPart(n, body) {
          uploads.parts++;
          parts.set(n, body);
        },
        async complete() {
          uploads.completed++;
          const ordered = [...parts].sort(([a], [b]) => a - b).map(([, b]) => b);
          store(key, Buffer.concat(ordered));
        },
        async abort() {
          uploads.aborted++;
        },
      };
    },
  };
}

/**
 * The same bucket, except that writing a key `fails` picks (a put, or a multipart upload's
 * start) throws as S3 would when unavailable.
 */
export function faultyBucket(bucket: ExportBucket, fails: (key: string) => boolean): ExportBucket {
  const refuse = (key: string): never => {
    throw new Error(`injected fault: S3 refused to write ${key}`);
  };
  return {
    ...bucket,
    put: (key, body, contentType, condition) =>
      fails(key)
        ? Promise.resolve().then(() => refuse(key))
        : bucket.put(key, body, contentType, condition),
    startUpload: (key, contentType) =>
      fails(key) ? Promise.resolve().then(() => refuse(key)) : bucket.startUpload(key, contentType),
  };
}
