import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { toSqsEvent } from '../../local/ingest-queue.ts';
import { objectCreatedEvent } from '../../local/s3-local.ts';
import { forEachLimit } from '../../shared/concurrency.ts';
import { UPLOAD_ID_METADATA } from '../../shared/ingest/index.ts';
import { type TableDeps, getUploads } from '../../shared/store/index.ts';
import { generateLetter } from '../../synthetic/generate.ts';
import { Random } from '../../synthetic/random.ts';

// Uploading synthetic letters and delivering their events by hand, for the fault scenarios.

/** The synthetic series the fault runs upload (any seed works; fixed so runs compare). */
export const CHAOS_SEED = 8;

export interface LetterFile {
  key: string;
  bytes: Uint8Array;
  /** The case the letter names. */
  caseNumber: string;
}

/** `count` synthetic letters (one in ten as PDF) under `uploads/<org>/`, starting at `first`. */
export function syntheticLetters(count: number, org: string, first = 0): LetterFile[] {
  return Array.from({ length: count }, (_, n) => {
    const index = first + n;
    const letter = generateLetter(index, CHAOS_SEED, index % 10 === 0 ? 'pdf' : 'text');
    return {
      key: `uploads/${org}/${letter.fileName}`,
      bytes: letter.bytes,
      caseNumber: letter.spec.caseNumber,
    };
  });
}

/** Puts one object as an uploader does (with an `imr-upload-id`) and returns its S3 event. */
export async function putObject(
  s3: S3Client,
  bucket: string,
  key: string,
  bytes: Uint8Array,
): Promise<S3Event> {
  const out = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: bytes,
      Metadata: { [UPLOAD_ID_METADATA]: randomUUID() },
    }),
  );
  // As S3 announces it: sequencers increase with each put (objectCreatedEvent's counter).
  return objectCreatedEvent(bucket, key, {
    size: bytes.length,
    eTag: (out.ETag ?? '').replace(/"/g, ''),
  });
}

/** Puts every file, 16 at a time. */
export async function uploadAll(
  s3: S3Client,
  bucket: string,
  files: readonly LetterFile[],
): Promise<void> {
  await forEachLimit(files, 16, async (f) => {
    await putObject(s3, bucket, f.key, f.bytes);
  });
}

/** Deletes one object. */
export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** How many of `keys` have a status record. */
export async function countRecorded(table: TableDeps, keys: readonly string[]): Promise<number> {
  let recorded = 0;
  for (let i = 0; i < keys.length; i += 500) {
    recorded += (await getUploads(table, keys.slice(i, i + 500))).length;
  }
  return recorded;
}

/** Polls until every key has a status record; rejects after `timeoutMs`. */
export async function waitUntilRecorded(
  table: TableDeps,
  keys: readonly string[],
  timeoutMs: number,
  progress: (recorded: number) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const recorded = await countRecorded(table, keys);
    if (recorded !== last) progress(recorded);
    last = recorded;
    if (recorded === keys.length) return;
    if (Date.now() > deadline) {
      throw new Error(`only ${recorded} of ${keys.length} uploads recorded after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** The same array in a seeded random order. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const r = new Random(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export type Handler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface DeliveryCounts {
  /** SQS messages handed to the handler, first attempts and retries. */
  deliveries: number;
  /** Messages the handler reported as failed (each retried, as SQS would). */
  retried: number;
}

/**
 * Hands S3 events to the ingest handler as SQS would: up to 10 messages per invocation,
 * `concurrency` invocations at once, a message the handler reports failed delivered again (at
 * most `maxReceives` times in all). Throws if one still fails then.
 */
export async function deliver(
  handler: Handler,
  events: readonly S3Event[],
  concurrency = 8,
  maxReceives = 5,
): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { deliveries: 0, retried: 0 };
  let pending = events.map((e) => ({ id: randomUUID(), body: JSON.stringify(e), receives: 0 }));
  while (pending.length > 0) {
    const batches: (typeof pending)[] = [];
    for (let i = 0; i < pending.length; i += 10) batches.push(pending.slice(i, i + 10));
    const failed: typeof pending = [];
    await forEachLimit(batches, concurrency, async (batch) => {
      for (const m of batch) m.receives++;
      counts.deliveries += batch.length;
      const out = await handler(toSqsEvent(batch, 'chaos'));
      for (const f of out.batchItemFailures) {
        const m = batch.find((x) => x.id === f.itemIdentifier);
        if (m === undefined) continue;
        if (m.receives >= maxReceives) throw new Error(`message failed ${m.receives} times`);
        failed.push(m);
      }
    });
    counts.retried += failed.length;
    pending = failed;
  }
  return counts;
}
