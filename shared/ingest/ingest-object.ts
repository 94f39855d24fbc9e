import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { parseLetterSandboxed } from '../parser/index.ts';
import {
  putDetermination,
  removeDetermination,
  type TableDeps,
  getUpload,
  putUpload,
  type UploadRecord,
  dropHeld,
  getConflict,
} from '../store/index.ts';
import { writeReceipt } from '../receipts/index.ts';
import {
  caseToRelease,
  classifyEvent,
  classifyParse,
  classifyRead,
  classifyStore,
  failedUpload,
  fileNameOf,
  isUploadKey,
  overtaken,
  storedUpload,
  type Failure,
  type Release,
  type Settled,
} from './decide.ts';
import type { LetterObjects } from './letter-objects.ts';
import type { ObjectCreated } from './s3-notification.ts';

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

export { NO_ORGANISATION, organisationOf, UPLOADS_PREFIX } from '../uploads/index.ts';

/**
 * Turns one created object into a determination or a recorded failure, writes its receipt, and
 * returns its status record (null for objects outside `uploads/`, which are not letters). Throws
 * only for errors worth retrying (the store or S3 unavailable); a bad letter is a recorded
 * failure, never a throw, so a poison object is not retried forever. What each step calls for is
 * decided in decide.ts; this function only reads and writes.
 */
export async function ingestObject(
  deps: IngestDeps,
  object: ObjectCreated,
): Promise<UploadRecord | null> {
  if (!isUploadKey(object.key)) return null;
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const log = deps.logger.child({ key: object.key });
  const prior = await getUpload(deps.table, object.key);
  const failed = async (failure: Failure): Promise<UploadRecord> => {
    if (failure.report !== undefined) log.error(failure.report.event, failure.report.fields);
    const release = caseToRelease(prior, failure.read.contentHash, null);
    await releasePrevious(deps.table, object.key, release, now);
    return record(deps, log, object.bucket, failedUpload(object, now, failure));
  };

  const event = classifyEvent(object, prior);
  if (event.kind === 'stale') return event.prior;
  if (event.kind === 'fail') return failed(event);

  const read = classifyRead(object, prior, await deps.objects.read(object.bucket, object.key));
  if (read.kind === 'redelivery') {
    if (read.by === 'version') log.info('event redelivered', { status: read.prior.status });
    return redelivered(deps, object.bucket, read.prior);
  }
  if (read.kind === 'fail') return failed(read);

  const parsed = classifyParse(
    object,
    read.content,
    await settle(() => parseLetterSandboxed(read.bytes, fileNameOf(object.key))),
    randomUUID,
  );
  if (parsed.kind === 'fail') return failed(parsed);

  const { id, content } = parsed;
  const stored = classifyStore(
    object,
    parsed,
    await settle(() =>
      putDetermination(deps.table, {
        id,
        record: parsed.determination,
        contentHash: content.contentHash,
        organisation: event.organisation,
        sourceKey: object.key,
        sequencer: object.sequencer,
        now,
      }),
    ),
    randomUUID,
  );
  if (stored.kind === 'retry') throw stored.error;
  if (stored.kind === 'fail') return failed(stored);
  if (stored.kind === 'superseded') {
    log.info('superseded by a later event', { status: 'superseded' });
    return (await getUpload(deps.table, object.key)) ?? prior;
  }

  const release = caseToRelease(prior, content.contentHash, id);
  await releasePrevious(deps.table, object.key, release, now);
  const conflict =
    stored.outcome === 'conflict' ? await getConflict(deps.table, id, event.organisation) : null;
  const status = await record(
    deps,
    log,
    object.bucket,
    storedUpload(object, now, parsed, stored.outcome, conflict?.differences ?? null),
  );
  // Only if it is still what this key and content produced (removeDetermination checks).
  if (overtaken(status, object, id)) {
    await removeDetermination(deps.table, {
      id,
      sourceKey: object.key,
      contentHash: content.contentHash,
      now,
    });
  }
  return status;
}

async function settle<T>(work: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error };
  }
}

async function releasePrevious(
  table: TableDeps,
  key: string,
  release: Release | null,
  now: string,
): Promise<void> {
  if (release === null) return;
  // Only the upload the public record came from can take it back (removeDetermination checks);
  // a copy another organisation sent is dropped from what is held aside.
  await removeDetermination(table, {
    id: release.caseId,
    sourceKey: key,
    contentHash: release.contentHash,
    now,
  });
  // Whatever its status said: a settled conflict can have turned an owner's copy into a held one.
  await dropHeld(table, {
    caseId: release.caseId,
    organisation: release.organisation,
    sourceKey: key,
    contentHash: release.contentHash,
  });
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
