import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { LocalStack } from '../../local/stack.ts';
import { UPLOAD_ID_METADATA } from '../../shared/ingest/letter-objects.ts';
import { readReceipt } from '../../shared/receipts/bucket.ts';
import { receiptKey, type Receipt } from '../../shared/receipts/receipt.ts';
import { getUpload, type UploadRecord } from '../../shared/store/uploads.ts';

// The whole-table views (scan, recount) live in scripts/chaos/audit.ts, shared with
// `npm run chaos`, so the tests and the fault runs check the table with one implementation.
export { scanTable, snapshot, type TableSnapshot } from '../../scripts/chaos/audit.ts';

/**
 * Waits until the ingest queue has received `count` messages in all, then until it is idle. The
 * local S3 hands its events to the queue on a later turn of the event loop than the request's
 * own (after the response is written), so `idle()` right after an upload could resolve before
 * that upload's message is queued at all.
 */
export async function ingestIdleAfter(
  stack: LocalStack,
  count: number,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (stack.ingest.counts.received < count) {
    if (Date.now() > deadline) {
      throw new Error(
        `the ingest queue received ${stack.ingest.counts.received} of ${count} messages in ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await stack.ingest.idle();
}

/** Uploads bytes to the local bucket and waits until the ingest has recorded its status. */
export async function uploadAndWait(
  stack: LocalStack,
  key: string,
  body: Uint8Array | string,
): Promise<UploadRecord> {
  const received = stack.ingest.counts.received;
  await stack.s3.send(
    new PutObjectCommand({
      Bucket: stack.bucket,
      Key: key,
      Body: body,
      Metadata: { [UPLOAD_ID_METADATA]: crypto.randomUUID() },
    }),
  );
  await ingestIdleAfter(stack, received + 1);
  const upload = await getUpload(stack.table, key);
  if (upload === null) throw new Error(`no status recorded for ${key}`);
  return upload;
}

/** The receipt the ingest wrote for an upload key, or null when there is none. */
export async function receiptOf(stack: LocalStack, uploadKey: string): Promise<Receipt | null> {
  const key = receiptKey(uploadKey);
  if (key === null) return null;
  const read = await readReceipt(stack.s3, stack.bucket, key);
  if (read.kind === 'unreadable') throw new Error(`unreadable receipt ${key}: ${read.problem}`);
  return read.kind === 'ok' ? read.receipt : null;
}
