import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { LocalStack } from '../../local/stack.ts';
import { UPLOAD_ID_METADATA } from '../../shared/ingest/letter-objects.ts';
import { readReceipt } from '../../shared/receipts/bucket.ts';
import { receiptKey, type Receipt } from '../../shared/receipts/receipt.ts';
import { getUpload, type UploadRecord } from '../../shared/store/uploads.ts';

// The whole-table views (scan, recount) live in scripts/chaos/audit.ts, shared with
// `npm run chaos`, so the tests and the fault runs check the table with one implementation.
export { scanTable, snapshot, type TableSnapshot } from '../../scripts/chaos/audit.ts';

/** Uploads bytes to the local bucket and waits until the ingest has recorded its status. */
export async function uploadAndWait(
  stack: LocalStack,
  key: string,
  body: Uint8Array | string,
): Promise<UploadRecord> {
  await stack.s3.send(
    new PutObjectCommand({
      Bucket: stack.bucket,
      Key: key,
      Body: body,
      Metadata: { [UPLOAD_ID_METADATA]: crypto.randomUUID() },
    }),
  );
  await stack.ingest.idle();
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
