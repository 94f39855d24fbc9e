import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  S3ServiceException,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { retryConnectionErrors } from '../aws/index.ts';
import { forEachLimit } from '../concurrency.ts';
import { ORGANISATION_NAME, UPLOADS_PREFIX } from '../uploads/index.ts';
import { isReceiptKey, receiptSchema, type Receipt } from './receipt.ts';

// Reading receipts back from the bucket, as an organisation can (its role may list and read its
// own receipts prefix and nothing else): for `imr receipts` and for `imr upload`'s wait.

/** A receipt object as a listing shows it, before it is read. */
export interface ReceiptObject {
  key: string;
  eTag: string;
  lastModified: Date | null;
}

export type ReceiptRead =
  | { kind: 'ok'; receipt: Receipt }
  | { kind: 'missing' }
  /** Not a receipt this version can read (another tool's object, a damaged write). */
  | { kind: 'unreadable'; problem: string };

const READS_IN_FLIGHT = 8;

/** Every receipt object (`.json`) under a prefix, in key order; roll-up CSVs are left out. */
export async function listReceiptObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<ReceiptObject[]> {
  const out: ReceiptObject[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined || !isReceiptKey(o.Key)) continue;
      out.push({ key: o.Key, eTag: o.ETag ?? '', lastModified: o.LastModified ?? null });
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return out;
}

/** One receipt, validated; a read cut short (the connection reset mid-body) is tried again. */
export async function readReceipt(s3: S3Client, bucket: string, key: string): Promise<ReceiptRead> {
  let text: string;
  try {
    text = await retryConnectionErrors(async () => {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await out.Body?.transformToString('utf-8')) ?? '';
    });
  } catch (e) {
    if (e instanceof NoSuchKey || (e instanceof S3ServiceException && e.name === 'NoSuchKey')) {
      return { kind: 'missing' };
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', problem: 'not JSON' };
  }
  const parsed = receiptSchema.safeParse(json);
  if (!parsed.success) {
    return { kind: 'unreadable', problem: parsed.error.issues.map((i) => i.message).join('; ') };
  }
  return { kind: 'ok', receipt: parsed.data };
}

/**
 * The receipts under a prefix, sorted by upload key, and the keys of objects there that are not
 * readable receipts. With `since`, receipts recorded before it are left out, and objects last
 * written well before it are not even read (a receipt is written just after its time).
 */
export async function readReceipts(
  s3: S3Client,
  bucket: string,
  prefix: string,
  options: { since?: Date } = {},
): Promise<{ receipts: Receipt[]; unreadable: string[] }> {
  // S3's clock and the ingest's may differ by a little; a day's margin costs a few reads.
  const cutoff =
    options.since === undefined ? null : new Date(options.since.getTime() - 24 * 60 * 60 * 1000);
  const objects = (await listReceiptObjects(s3, bucket, prefix)).filter(
    (o) => cutoff === null || o.lastModified === null || o.lastModified >= cutoff,
  );
  const receipts: Receipt[] = [];
  const unreadable: string[] = [];
  await forEachLimit(objects, READS_IN_FLIGHT, async (o) => {
    const read = await readReceipt(s3, bucket, o.key);
    if (read.kind === 'unreadable') unreadable.push(o.key);
    else if (read.kind === 'ok') {
      if (options.since === undefined || Date.parse(read.receipt.time) >= options.since.getTime())
        receipts.push(read.receipt);
    }
    // 'missing': deleted between the listing and the read; nothing to show.
  });
  receipts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  unreadable.sort();
  return { receipts, unreadable };
}

/** The organisations with a folder under `uploads/`, for the roll-up of every organisation. */
export async function listOrganisations(s3: S3Client, bucket: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: UPLOADS_PREFIX,
        Delimiter: '/',
        ContinuationToken: token,
      }),
    );
    for (const p of page.CommonPrefixes ?? []) {
      const name = p.Prefix?.slice(UPLOADS_PREFIX.length, -1);
      if (name !== undefined && ORGANISATION_NAME.test(name)) out.push(name);
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return out.sort();
}
