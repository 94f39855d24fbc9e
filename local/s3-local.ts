// s3rver, in-process, as the local stack's S3, and the one adapter for where it differs from AWS
// (each difference and its fix: docs/CLI.md, "Where the local S3 differs from s3rver").

import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Event, S3EventRecord } from 'aws-lambda';
// Types: local/s3rver.d.ts.
import S3rver, { type S3rverEventRecord, type S3rverStore } from 's3rver';

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const FLUSH_TIMEOUT_MS = 5_000;

/** The S3Client config for the local S3 endpoint. */
export function s3ClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    // SDK v3's default checksums send aws-chunked bodies, which s3rver stores verbatim.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } satisfies S3ClientConfig;
}

export interface S3LocalOptions {
  /** Where buckets and objects are stored; kept across restarts. */
  directory: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Buckets to create when absent. */
  buckets: string[];
  /** Receives a line when listening and one per internal server error. */
  log?: (line: string) => void;
  /**
   * When given, the objects a killed process left cut short are repaired before the server
   * starts, and each is passed here. Left out after a clean stop: the repair reads every object.
   */
  onCutShort?: (object: CutShort) => void;
}

export interface S3Local {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /** Calls listener with each ObjectCreated event, in AWS's shape; returns an unsubscribe function. */
  onObjectCreated(listener: (event: S3Event) => void): () => void;
}

interface RequestScope {
  completesMultipart: boolean;
  created: S3rverEventRecord[];
}

/** A percent-encoded header value decoded, or as it is when it is not valid encoding. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Whether an object write leaves the object without tags, as AWS would. */
function writesUntagged(headers: Record<string, string | string[] | undefined>): boolean {
  const tagging = headers['x-amz-tagging'];
  if (tagging !== undefined && tagging !== '') return false;
  if (headers['x-amz-copy-source'] === undefined) return true;
  return headers['x-amz-tagging-directive'] === 'REPLACE';
}

/** Starts s3rver on 127.0.0.1 with the given buckets. */
export async function startS3Local(options: S3LocalOptions): Promise<S3Local> {
  serveDesFromTripleDes();
  const directory = path.resolve(options.directory);
  await mkdir(directory, { recursive: true });
  const onCutShort = options.onCutShort;
  if (onCutShort !== undefined) (await removeCutShortObjects(directory)).forEach(onCutShort);
  const log = options.log;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });

  recordCopiedMd5(server.store);

  const listeners = new Set<(event: S3Event) => void>();
  const deliver = (records: S3EventRecord[]): void => {
    for (const record of records) {
      for (const listener of listeners) {
        Promise.resolve()
          .then(() => listener({ Records: [record] }))
          .catch((error: unknown) => log?.(`s3 event listener failed: ${String(error)}`));
      }
    }
  };

  // Each request runs in a scope that collects its events: s3rver emits them synchronously
  // from its handlers, before it knows whether the request will succeed.
  const requests = new AsyncLocalStorage<RequestScope>();
  server.on('event', (event) => {
    const request = requests.getStore();
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      if (request !== undefined) request.created.push(record);
      else {
        // Not seen: every s3rver handler runs inside the middleware's scope.
        void toAwsRecord(record, false, server.store).then((aws) => deliver([aws]));
      }
    }
  });
  server.middleware.unshift(async (ctx, next) => {
    const request: RequestScope = {
      completesMultipart: ctx.method === 'POST' && ctx.query.uploadId !== undefined,
      created: [],
    };
    const copySource = ctx.headers['x-amz-copy-source'];
    if (typeof copySource === 'string') {
      ctx.headers['x-amz-copy-source'] = encodeURI(safeDecode(copySource));
    }
    await requests.run(request, next);
    if (request.created.length === 0 || ctx.status >= 400) return;
    if (ctx.method === 'PUT' && writesUntagged(ctx.headers)) {
      for (const raw of request.created) {
        await server.store.deleteSubresource(raw.s3.bucket.name, raw.s3.object.key, 'tagging');
      }
    }
    const records = await Promise.all(
      request.created.map((raw) => toAwsRecord(raw, request.completesMultipart, server.store)),
    );
    setImmediate(() => deliver(records));
  });
  server.on('error', (error) => {
    if (error.status === undefined || error.status >= 500) log?.(`s3rver error: ${error.stack}`);
  });

  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  log?.(`S3 (s3rver) listening at ${endpoint}, data in ${directory}`);

  return {
    endpoint,
    port: address.port,
    onObjectCreated(listener) {
      const subscription = (event: S3Event) => listener(event);
      listeners.add(subscription);
      return () => listeners.delete(subscription);
    },
    async stop() {
      const httpServer = server.httpServer;
      // close() waits for open requests; idle keep-alive sockets are closed by Node itself.
      const force = setTimeout(() => httpServer?.closeAllConnections(), 2_000);
      try {
        await server.close();
      } finally {
        clearTimeout(force);
      }
    },
  };
}

const SIDECAR = '._S3rver_';
const OBJECT_SUFFIX = `${SIDECAR}object`;
/** An object's own files besides its body; subresources are `<type>.xml` (tagging, acl). */
const SIDECARS = ['object.md5', 'metadata.json'];
const SUBRESOURCE = /^[a-z]+\.xml$/;

/** An object a killed process left cut short: removed, or kept with its torn metadata dropped. */
export interface CutShort {
  bucket: string;
  key: string;
  kept: boolean;
}

/**
 * Repairs what a killed process left half-written, and returns it. s3rver writes an object's
 * body, then its `.md5`, then its `metadata.json`, each in place, so a SIGKILL can leave an empty
 * or cut-short file that s3rver later fails to parse, answering InternalError to every listing
 * that reaches the object. A body that is not the one its `.md5` records (or has none) is a PUT
 * that never completed, which AWS would not show either: the object is removed. A whole body
 * whose metadata is torn (a copy onto itself replaces only the metadata) is kept without it.
 */
export async function removeCutShortObjects(directory: string): Promise<CutShort[]> {
  const repaired: CutShort[] = [];
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files = new Set(
    entries
      .filter((e) => e.isFile())
      .map((e) => path.relative(directory, path.join(e.parentPath, e.name))),
  );
  for (const file of files) {
    if (!file.endsWith(OBJECT_SUFFIX)) continue;
    // "<dir>/<name>._S3rver_": the prefix of exactly this object's files.
    const prefix = file.slice(0, -'object'.length);
    const at = (resource: string) => path.join(directory, `${prefix}${resource}`);
    const [bucket = '', ...key] = file.slice(0, -OBJECT_SUFFIX.length).split(path.sep);
    if (!(await wholeBody(at('object'), at('object.md5')))) {
      const own = [...files].filter((f) => {
        if (!f.startsWith(prefix)) return false;
        const resource = f.slice(prefix.length);
        return resource === 'object' || SIDECARS.includes(resource) || SUBRESOURCE.test(resource);
      });
      for (const f of own) await rm(path.join(directory, f), { force: true });
      repaired.push({ bucket, key: key.join('/'), kept: false });
    } else if (!(await parsesAsJson(at('metadata.json')))) {
      await rm(at('metadata.json'), { force: true });
      repaired.push({ bucket, key: key.join('/'), kept: true });
    }
  }
  return repaired;
}

async function wholeBody(body: string, md5File: string): Promise<boolean> {
  try {
    const recorded = (await readFile(md5File, 'utf8')).trim();
    const hash = createHash('md5');
    for await (const chunk of createReadStream(body)) hash.update(chunk as Buffer);
    return recorded === hash.digest('hex');
  } catch {
    return false;
  }
}

async function parsesAsJson(file: string): Promise<boolean> {
  try {
    JSON.parse(await readFile(file, 'utf8'));
    return true;
  } catch (error) {
    // s3rver reads an object without metadata as one with none.
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * s3rver's copy between two keys with the metadata replaced writes no `.md5` for the target, so
 * the target's ETag (and the check at start) would describe the body it overwrote. The target's
 * `.md5` is written first, from the source's body, inside the store's own copy: only a copy that
 * s3rver has accepted (source found, request signed) gets there.
 */
function recordCopiedMd5(store: S3rverStore): void {
  const copyObject = store.copyObject.bind(store);
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const source = store.getResourcePath(srcBucket, srcKey, 'object');
    const target = store.getResourcePath(destBucket, destKey, 'object');
    if (replacementMetadata !== undefined && replacementMetadata !== null && source !== target) {
      const hash = createHash('md5');
      for await (const chunk of createReadStream(source)) hash.update(chunk as Buffer);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(`${target}.md5`, hash.digest('hex'));
    }
    return copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
  };
}

/** An s3rver ObjectCreated record as AWS would deliver it, once the object is fully on disk. */
async function toAwsRecord(
  raw: S3rverEventRecord,
  completesMultipart: boolean,
  store: S3rverStore,
): Promise<S3EventRecord> {
  const bucket = raw.s3.bucket.name;
  const key = raw.s3.object.key;
  const stored = await storedObject(store, bucket, key, raw.s3.object.size);
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: raw.eventTime,
    eventName: completesMultipart ? 'ObjectCreated:CompleteMultipartUpload' : raw.eventName,
    userIdentity: raw.userIdentity,
    requestParameters: {
      sourceIPAddress: raw.requestParameters.sourceIPAddress.replace(/^::ffff:/, ''),
    },
    responseElements: raw.responseElements,
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: raw.s3.configurationId,
      bucket: {
        name: bucket,
        ownerIdentity: raw.s3.bucket.ownerIdentity,
        arn: `arn:aws:s3:::${bucket}`,
      },
      object: {
        key: encodeEventKey(key),
        size: raw.s3.object.size ?? stored?.size ?? 0,
        eTag: raw.s3.object.eTag ?? stored?.eTag ?? '',
        sequencer: nextSequencer(),
      },
    },
  };
}

/**
 * An ObjectCreated event for an object already in the bucket, as S3 would have sent it: for
 * replaying uploads whose events were lost (the stack stopped before they were ingested), and
 * for tests that deliver events by hand.
 */
export function objectCreatedEvent(
  bucket: string,
  key: string,
  object: { size: number; eTag: string; sequencer?: string },
): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'local-replay' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'replay', 'x-amz-id-2': 'replay' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'replay',
          bucket: {
            name: bucket,
            ownerIdentity: { principalId: 'local' },
            arn: `arn:aws:s3:::${bucket}`,
          },
          object: {
            key: encodeEventKey(key),
            size: object.size,
            eTag: object.eTag,
            sequencer: object.sequencer ?? nextSequencer(),
          },
        },
      },
    ],
  };
}

/**
 * Size and eTag of a stored object, read once its file has reached `expectedSize` (s3rver
 * announces objects before its write stream has flushed them); undefined if it is already gone.
 */
async function storedObject(
  store: S3rverStore,
  bucket: string,
  key: string,
  expectedSize: number | undefined,
): Promise<{ size: number; eTag: string } | undefined> {
  const deadline = performance.now() + FLUSH_TIMEOUT_MS;
  for (;;) {
    const metadata = await store.getMetadata(bucket, key).catch(() => undefined);
    if (metadata === undefined) return undefined; // deleted by a later request meanwhile
    const size = Number(metadata['content-length']);
    if (size === (expectedSize ?? size) || performance.now() > deadline) {
      return { size, eTag: String(metadata.etag).replace(/"/g, '') };
    }
    await sleep(2);
  }
}

/**
 * A key as S3 event notifications carry it: URL-encoded as a form value (space as '+', other
 * reserved and non-ASCII characters percent-encoded as UTF-8), with '/' left as is.
 * "uploads/acme/my letter (1).pdf" becomes "uploads/acme/my+letter+%281%29.pdf".
 */
function encodeEventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

// AWS sequencers are hex strings that compare (at equal length) in event order for a key.
// Milliseconds shifted left leave room for a million events per millisecond and stay ordered
// across restarts in the same data directory.
let lastSequencer = 0n;

function nextSequencer(): string {
  const fromClock = BigInt(Date.now()) << 20n;
  lastSequencer = fromClock > lastSequencer ? fromClock : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(18, '0');
}

// The object s3rver's `require('crypto')` returns; its cipher functions are looked up per call.
interface CipherFunctions {
  createCipheriv(algorithm: string, key: Buffer, iv: Buffer | null, options?: unknown): unknown;
  createDecipheriv(algorithm: string, key: Buffer, iv: Buffer | null, options?: unknown): unknown;
}

let desServed = false;

/** Makes single DES available to s3rver's continuation tokens without the legacy provider. */
function serveDesFromTripleDes(): void {
  if (desServed) return;
  desServed = true;
  const crypto = createRequire(import.meta.url)('node:crypto') as CipherFunctions;
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return; // the legacy provider is loaded
  } catch {
    // ERR_OSSL_EVP_UNSUPPORTED: reroute below
  }
  const { createCipheriv, createDecipheriv } = crypto;
  const tripled = (key: Buffer) => Buffer.concat([key, key, key]);
  crypto.createCipheriv = (algorithm, key, iv, options) =>
    algorithm === 'des'
      ? createCipheriv('des-ede3-cbc', tripled(key), iv, options)
      : createCipheriv(algorithm, key, iv, options);
  crypto.createDecipheriv = (algorithm, key, iv, options) =>
    algorithm === 'des'
      ? createDecipheriv('des-ede3-cbc', tripled(key), iv, options)
      : createDecipheriv(algorithm, key, iv, options);
}
