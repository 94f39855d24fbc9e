import { createHash } from 'node:crypto';
import { z } from 'zod';
import { outcomeSchema } from '../record/index.ts';
import { organisationOf, UPLOADS_PREFIX } from '../uploads/index.ts';
import { uploadStatusSchema, type UploadRecord } from '../store/index.ts';

// A receipt tells the organisation that sent a file what became of it, without anyone to ask.
// It lives beside the uploads, under the organisation's own prefix, so a bucket policy can give
// each organisation its receipts and nothing else. It is a projection of the upload's status
// record and holds only what that organisation sent or was told: never another organisation's
// name or keys, and none of the ingest's bookkeeping (event sequencers, object versions).

/** Receipts live under `receipts/<organisation>/`, mirroring `uploads/<organisation>/`. */
export const RECEIPTS_PREFIX = 'receipts/';
const RECEIPT_SUFFIX = '.json';
const DAILY_FOLDER = 'daily/';
/** S3's limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/** What one receipt holds (the JSON stored at `receipts/<org>/<path>.json`). */
export const receiptSchema = z.object({
  /** Bumped if a field changes meaning, so readers can tell old receipts from new. */
  receiptVersion: z.literal(1),
  /** The upload's key in the bucket, `uploads/<organisation>/<path>`. */
  key: z.string().min(1),
  organisation: z.string().min(1),
  status: uploadStatusSchema,
  /** The case the file became (for a letter naming none, `X-` and its content digest). */
  caseNumber: z.string().nullable(),
  items: z.number().int().nonnegative().nullable(),
  outcome: outcomeSchema.nullable(),
  /** SHA-256 of the bytes read, hex; null when the file could not be read. */
  contentHash: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  /** The `imr-upload-id` metadata the uploader set, so it can tell its upload's receipt. */
  uploadId: z.string().nullable(),
  /** When the status was recorded (ISO 8601, UTC). */
  time: z.iso.datetime(),
  /**
   * Stable failure code (docs/RECORD.md, "Failure reasons"); null unless failed. Any string is
   * read back, as on the upload record (shared/store/uploads.ts).
   */
  reason: z.string().nullable(),
  /** What the sender can do about a failure, in words; null unless failed. */
  message: z.string().nullable(),
});
export type Receipt = z.infer<typeof receiptSchema>;

/** The receipt for an upload's recorded status. */
export function receiptFor(upload: UploadRecord): Receipt {
  return receiptSchema.parse({
    receiptVersion: 1,
    key: upload.key,
    organisation: upload.organisation,
    status: upload.status,
    caseNumber: upload.caseNumber,
    items: upload.items,
    outcome: upload.outcome,
    contentHash: upload.contentHash,
    size: upload.size,
    uploadId: upload.uploadId,
    time: upload.updatedAt,
    reason: upload.reason,
    message: upload.message,
  });
}

/** A receipt as stored: stable field order, so the same status always gives the same bytes. */
export function receiptJson(receipt: Receipt): string {
  return JSON.stringify(receiptSchema.parse(receipt), null, 2) + '\n';
}

/**
 * Where the receipt of `uploads/<org>/<path>` lives: `receipts/<org>/<path>.json`. Null for a key
 * outside any organisation's folder, which has no one to tell. A key so long that the receipt's
 * would pass S3's 1,024 bytes keeps its start and ends in a digest of the whole upload key, so it
 * stays unique; the receipt itself names the upload in full.
 */
export function receiptKey(uploadKey: string): string | null {
  if (organisationOf(uploadKey) === null) return null;
  const rest = uploadKey.slice(UPLOADS_PREFIX.length);
  const plain = `${RECEIPTS_PREFIX}${rest}${RECEIPT_SUFFIX}`;
  if (Buffer.byteLength(plain) <= MAX_KEY_BYTES) return plain;
  const digest = createHash('sha256').update(uploadKey).digest('hex').slice(0, 16);
  const tail = `~${digest}${RECEIPT_SUFFIX}`;
  const budget = MAX_KEY_BYTES - Buffer.byteLength(RECEIPTS_PREFIX) - Buffer.byteLength(tail);
  return `${RECEIPTS_PREFIX}${truncateUtf8(rest, budget)}${tail}`;
}

/** Whether a key under `receipts/` is an upload's receipt (and not a daily roll-up). */
export function isReceiptKey(key: string): boolean {
  return key.startsWith(RECEIPTS_PREFIX) && key.endsWith(RECEIPT_SUFFIX);
}

/** The folder holding one organisation's receipts and roll-ups. */
export function organisationReceiptsPrefix(organisation: string): string {
  return `${RECEIPTS_PREFIX}${organisation}/`;
}

/**
 * The daily roll-up of one organisation, `receipts/<org>/daily/YYYY-MM-DD.csv`. It cannot clash
 * with a receipt: receipts end in `.json`, whatever the uploaded file was called.
 */
export function dailyRollupKey(organisation: string, day: string): string {
  return `${organisationReceiptsPrefix(organisation)}${DAILY_FOLDER}${day}.csv`;
}

// Cut at a character boundary: half a UTF-8 sequence in a key is not a valid key.
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}
