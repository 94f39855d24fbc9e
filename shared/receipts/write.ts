import { type TableDeps, getUpload, type UploadRecord } from '../store/index.ts';
import { receiptFor, receiptJson, receiptKey, type Receipt } from './receipt.ts';

// Two events for one key can be ingested at once, and the status write is conditional (a late
// event cannot overwrite a newer status), but S3 offers the receipt no such condition that the
// local S3 also honours. So the receipt follows the status record instead: after each put, the
// writer reads the record again (consistently) and, if it changed meanwhile, puts the receipt
// for what it now says, until the two agree. Whoever records the last status reads it after
// recording it, so its put comes after it; any put of an older status that lands later is
// followed by its writer's read, which sees the last status and puts it again. The receipt
// therefore always ends as the last recorded status, with ordinary puts.

/** Where receipts go: the bucket's writer (the ingest's LetterObjects is one). */
export interface ObjectWriter {
  /** Writes a small object, replacing any there. */
  put(bucket: string, key: string, body: string, contentType: string): Promise<void>;
}

export interface ReceiptWriteDeps {
  table: TableDeps;
  objects: ObjectWriter;
}

/** A receipt that kept changing under its writer; thrown so the queue retries the event. */
export class ReceiptRaceError extends Error {
  override readonly name = 'ReceiptRaceError';
}

// Each extra round needs yet another event for the same key recorded within one S3 put; ten in
// a row means something is wrong, and a retry (through the re-delivery path) starts afresh.
const MAX_ROUNDS = 10;

/**
 * Writes the receipt of an upload whose status was recorded, and keeps it equal to the status
 * record if a newer event records another status meanwhile. Returns the receipt left in the
 * bucket, or null for an upload outside any organisation's folder (no one to send it to).
 */
export async function writeReceipt(
  deps: ReceiptWriteDeps,
  bucket: string,
  recorded: UploadRecord,
): Promise<Receipt | null> {
  const key = receiptKey(recorded.key);
  if (key === null) return null;
  let receipt = receiptFor(recorded);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const body = receiptJson(receipt);
    await deps.objects.put(bucket, key, body, 'application/json');
    const latest = await getUpload(deps.table, recorded.key);
    // Absent only if the record was deleted by hand meanwhile: the receipt put stands.
    if (latest === null) return receipt;
    const next = receiptFor(latest);
    if (receiptJson(next) === body) return receipt;
    receipt = next;
  }
  throw new ReceiptRaceError(
    `the status of ${recorded.key} kept changing while its receipt was written`,
  );
}
