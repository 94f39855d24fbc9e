import { createHash, randomUUID } from 'node:crypto';
import { LetterFormatError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { parseLetterSandboxed } from '../parser/parse-sandbox.ts';
import { caseId } from '../store/keys.ts';
import { putDetermination, removeDetermination } from '../store/determinations.ts';
import { type TableDeps } from '../store/table.ts';
import { getUpload, putUpload, type UploadRecord } from '../store/uploads.ts';
import { writeReceipt } from '../receipts/write.ts';
import { dropHeld, getConflict } from '../store/provenance.ts';
import { RecordTooLargeError } from '../store/record-codec.ts';
import {
  conflictMessage,
  failureMessage,
  MAX_LETTER_BYTES,
  type FailureReason,
} from './failures.ts';
import type { LetterObjects } from './letter-objects.ts';
import type { ObjectCreated } from './s3-notification.ts';
import { NO_ORGANISATION, organisationOf, UPLOADS_PREFIX } from '../uploads/keys.ts';

export interface IngestDeps {
  table: TableDeps;
  objects: LetterObjects;
  logger: Logger;
  now?: () => Date;
  /** Per-upload figures for a metrics backend (CloudWatch on AWS); none locally or in tests. */
  metrics?: IngestMetrics;
}

/** Receives the figures of each upload as its status is recorded (once per upload, not per retry). */
export interface IngestMetrics {
  uploadIngested(upload: Pick<UploadRecord, 'status' | 'items'>): void;
}

export { NO_ORGANISATION, organisationOf, UPLOADS_PREFIX } from '../uploads/keys.ts';

/**
 * Turns one created object into a determination or a recorded failure, writes its receipt, and
 * returns its status record (null for objects outside `uploads/`, which are not letters). Throws
 * only for errors worth retrying (the store or S3 unavailable); a bad letter is a recorded
 * failure, never a throw, so a poison object is not retried forever.
 */
export async function ingestObject(
  deps: IngestDeps,
  object: ObjectCreated,
): Promise<UploadRecord | null> {
  // Folder markers (the S3 console's "create folder") are not uploads either.
  if (!object.key.startsWith(UPLOADS_PREFIX) || object.key.endsWith('/')) return null;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const log = deps.logger.child({ key: object.key });
  const fileName = object.key.slice(object.key.lastIndexOf('/') + 1);
  const organisation = organisationOf(object.key);
  const prior = await getUpload(deps.table, object.key);
  // An event older than the one already recorded for this key: the newer upload replaced what it
  // announced, and the newer event's result stands.
  if (prior !== null && prior.sequencer > object.sequencer) return prior;

  const base = {
    key: object.key,
    organisation: organisation ?? NO_ORGANISATION,
    sequencer: object.sequencer,
    updatedAt: now,
  };
  const failed = async (
    reason: FailureReason,
    message: string,
    read: { version: string; uploadId: string | null; size: number | null; contentHash?: string },
  ): Promise<UploadRecord> => {
    await releasePrevious(deps.table, prior, object.key, read.contentHash ?? null, null, now);
    return record(deps, log, object.bucket, {
      ...base,
      status: 'failed',
      reason,
      message,
      caseNumber: null,
      items: null,
      outcome: null,
      contentHash: read.contentHash ?? null,
      size: read.size,
      objectVersion: read.version,
      uploadId: read.uploadId,
    });
  };

  if (organisation === null) {
    return failed('outside-uploads', failureMessage('outside-uploads', { fileName: object.key }), {
      version: `key@${object.sequencer}`,
      uploadId: null,
      size: object.size,
    });
  }
  if (object.size !== null && object.size > MAX_LETTER_BYTES) {
    return failed('too-large', failureMessage('too-large', { fileName, size: object.size }), {
      version: `size:${object.size}@${object.sequencer}`,
      uploadId: null,
      size: object.size,
    });
  }
  const read = await deps.objects.read(object.bucket, object.key);
  if (read.kind === 'missing') {
    // Deleted between its event and this read: say so, rather than leave no trace.
    // The recorded event itself, delivered again after the object was deleted: its status stands.
    if (prior !== null && prior.sequencer === object.sequencer)
      return redelivered(deps, object.bucket, prior);
    return failed('object-missing', failureMessage('object-missing', { fileName }), {
      version: `missing@${object.sequencer}`,
      uploadId: null,
      size: null,
    });
  }
  // The same version seen again (a re-delivered event): its status stands.
  if (prior !== null && prior.objectVersion === read.version) {
    log.info('event redelivered', { status: prior.status });
    return redelivered(deps, object.bucket, prior);
  }
  if (read.kind === 'too-large') {
    return failed('too-large', failureMessage('too-large', { fileName, size: read.size }), {
      ...read,
      size: read.size,
    });
  }

  const contentHash = createHash('sha256').update(read.bytes).digest('hex');
  const readInfo = {
    version: read.version,
    uploadId: read.uploadId,
    size: read.bytes.length,
    contentHash,
  };
  let parsed;
  try {
    parsed = await parseLetterSandboxed(read.bytes, fileName);
  } catch (e) {
    if (e instanceof LetterFormatError) return failed(e.reason, e.message, readInfo);
    // A parser bug is as permanent as a bad letter: retrying the same bytes cannot help.
    const reference = randomUUID();
    log.error('parser failed', { reference, error: e });
    return failed(
      'parser-error',
      failureMessage('parser-error', { fileName, reference }),
      readInfo,
    );
  }

  const id = caseId(parsed.caseNumber, contentHash);
  let outcome;
  try {
    outcome = await putDetermination(deps.table, {
      id,
      record: parsed,
      contentHash,
      organisation,
      sourceKey: object.key,
      sequencer: object.sequencer,
      now,
    });
  } catch (e) {
    if (e instanceof RecordTooLargeError) {
      return failed(
        'record-too-large',
        failureMessage('record-too-large', { fileName, problem: e.problem }),
        readInfo,
      );
    }
    // DynamoDB refusing a request as invalid is as permanent as a bad letter: the same request
    // would be refused again, so it is recorded rather than retried into the dead-letter queue.
    if (isValidationError(e)) {
      const reference = randomUUID();
      log.error('store rejected the write', { reference, caseNumber: id, error: e });
      return failed(
        'store-rejected',
        failureMessage('store-rejected', { fileName, reference, caseId: id }),
        readInfo,
      );
    }
    throw e;
  }
  if (outcome === 'superseded') {
    // A newer upload of this key got there first; its own event records its status.
    log.info('superseded by a later event', { status: outcome });
    return (await getUpload(deps.table, object.key)) ?? prior;
  }
  await releasePrevious(deps.table, prior, object.key, contentHash, id, now);
  const conflict = outcome === 'conflict' ? await getConflict(deps.table, id, organisation) : null;
  const status = await record(deps, log, object.bucket, {
    ...base,
    status: outcome,
    reason: null,
    message:
      outcome === 'conflict'
        ? conflictMessage(fileName, id, conflict?.differences ?? ['its parsed fields differ'])
        : null,
    caseNumber: id,
    items: parsed.issues.length,
    outcome: parsed.outcome,
    ...readInfo,
    objectVersion: read.version,
  });
  // A newer event for this key, with another case, was recorded while this one ran: the case
  // this event stored came from content the bucket no longer holds, so take it back (only if it
  // is still what this key and content produced).
  if (status.sequencer > object.sequencer && status.caseNumber !== id) {
    await removeDetermination(deps.table, { id, sourceKey: object.key, contentHash, now });
  }
  return status;
}

// When a key that produced case A now holds other content (another case, or not a letter), A
// came from a file that no longer exists: take it back, unless another upload has replaced it.
async function releasePrevious(
  table: TableDeps,
  prior: UploadRecord | null,
  key: string,
  contentHash: string | null,
  id: string | null,
  now: string,
): Promise<void> {
  if (prior?.caseNumber == null || prior.contentHash === null) return;
  if (prior.contentHash === contentHash || prior.caseNumber === id) return;
  // Only the upload the public record came from can take it back (removeDetermination checks);
  // a copy another organisation sent is dropped from what is held aside.
  await removeDetermination(table, {
    id: prior.caseNumber,
    sourceKey: key,
    contentHash: prior.contentHash,
    now,
  });
  // Whatever its status said: a settled conflict can have turned an owner's copy into a held one.
  await dropHeld(table, {
    caseId: prior.caseNumber,
    organisation: prior.organisation,
    sourceKey: key,
    contentHash: prior.contentHash,
  });
}

function isValidationError(e: unknown): boolean {
  return e instanceof Error && e.name === 'ValidationException';
}

async function record(
  deps: IngestDeps,
  log: Logger,
  bucket: string,
  upload: UploadRecord,
): Promise<UploadRecord> {
  const written = await putUpload(deps.table, upload);
  if (!written) {
    // A later event for this key was recorded first; its status is the one that counts.
    log.info('superseded by a later event', { status: upload.status });
    return (await getUpload(deps.table, upload.key)) ?? upload;
  }
  // Only a failed letter is tagged: the bucket's lifecycle rule expires those by tag. Every other
  // status is in the receipt, and a tag would cost an S3 request per letter.
  if (upload.status === 'failed') {
    await deps.objects.tag(bucket, upload.key, {
      'imr-status': upload.status,
      'imr-reason': upload.reason ?? 'unknown',
    });
  }
  // After the status record, never before: the receipt follows what was recorded (write.ts).
  await writeReceipt(deps, bucket, upload);
  log.info('upload ingested', {
    status: upload.status,
    reason: upload.reason,
    caseNumber: upload.caseNumber,
    items: upload.items,
  });
  deps.metrics?.uploadIngested(upload);
  return upload;
}

// An event whose status is already recorded may be the retry of one that failed after recording
// it, before its receipt was written: write the receipt again (the same bytes when it was).
async function redelivered(
  deps: IngestDeps,
  bucket: string,
  prior: UploadRecord,
): Promise<UploadRecord> {
  await writeReceipt(deps, bucket, prior);
  return prior;
}
