import { createHash } from 'node:crypto';
import { LetterFormatError } from '../errors.ts';
import type { Determination } from '../record/index.ts';
import {
  type WriteOutcome,
  caseId,
  RecordTooLargeError,
  type UploadRecord,
} from '../store/index.ts';
import { NO_ORGANISATION, organisationOf, UPLOADS_PREFIX } from '../uploads/index.ts';
import {
  conflictMessage,
  failureMessage,
  MAX_LETTER_BYTES,
  type FailureReason,
} from './failures.ts';
import type { ObjectRead } from './letter-objects.ts';
import type { ObjectCreated } from './s3-notification.ts';

// What an uploaded object means, decided without a request: ingest-object.ts reads and writes,
// and asks these functions what each thing it read calls for next. Keeping them apart lets every
// branch of the ingest be tested on plain values.

/** Which version of the object a status describes, as far as it was read. */
export interface ReadInfo {
  version: string;
  uploadId: string | null;
  size: number | null;
  contentHash: string | null;
}

/** A letter's bytes as read: the version the status will record, and their hash. */
export interface ReadContent {
  version: string;
  uploadId: string | null;
  size: number;
  contentHash: string;
}

/** An upload that becomes a recorded failure. */
export interface Failure {
  kind: 'fail';
  reason: FailureReason;
  message: string;
  read: ReadInfo;
  /** A fault of IMR Atlas rather than of the letter: logged under the reference its message gives. */
  report?: { event: string; fields: Record<string, unknown> };
}

/** How an awaited step ended: its value, or what it threw. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export type EventDecision =
  { kind: 'stale'; prior: UploadRecord } | Failure | { kind: 'read'; organisation: string };

/** A redelivery is known `by` its sequencer (the object deleted since) or by the version read. */
export type ReadDecision =
  | { kind: 'redelivery'; prior: UploadRecord; by: 'sequencer' | 'version' }
  | Failure
  | { kind: 'parse'; bytes: Uint8Array; content: ReadContent };

export type ParseDecision =
  Failure | { kind: 'store'; id: string; determination: Determination; content: ReadContent };

export type StoreDecision =
  | Failure
  | { kind: 'retry'; error: unknown }
  | { kind: 'superseded' }
  | { kind: 'stored'; outcome: Exclude<WriteOutcome, 'superseded'> };

/** The prior upload's case, when the content now at its key no longer produces it. */
export interface Release {
  caseId: string;
  organisation: string;
  contentHash: string;
}

/**
 * Whether a created object is an upload at all: its key under `uploads/`, and not a folder marker
 * (the S3 console's "create folder").
 */
export function isUploadKey(key: string): boolean {
  return key.startsWith(UPLOADS_PREFIX) && !key.endsWith('/');
}

/** The file's own name, as the messages to its sender give it. */
export function fileNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** What an upload's event calls for, given the status recorded for its key, before any read. */
export function classifyEvent(object: ObjectCreated, prior: UploadRecord | null): EventDecision {
  // An event older than the one already recorded for this key: the newer upload replaced what it
  // announced, and the newer event's result stands.
  if (prior !== null && prior.sequencer > object.sequencer) return { kind: 'stale', prior };
  const organisation = organisationOf(object.key);
  if (organisation === null) {
    return failure('outside-uploads', failureMessage('outside-uploads', { fileName: object.key }), {
      version: `key@${object.sequencer}`,
      uploadId: null,
      size: object.size,
      contentHash: null,
    });
  }
  if (object.size !== null && object.size > MAX_LETTER_BYTES) {
    return failure(
      'too-large',
      failureMessage('too-large', { fileName: fileNameOf(object.key), size: object.size }),
      {
        version: `size:${object.size}@${object.sequencer}`,
        uploadId: null,
        size: object.size,
        contentHash: null,
      },
    );
  }
  return { kind: 'read', organisation };
}

/** What the object as read calls for: nothing new, a recorded failure, or a parse. */
export function classifyRead(
  object: ObjectCreated,
  prior: UploadRecord | null,
  read: ObjectRead,
): ReadDecision {
  const fileName = fileNameOf(object.key);
  if (read.kind === 'missing') {
    // The recorded event itself, delivered again after the object was deleted: its status stands.
    if (prior !== null && prior.sequencer === object.sequencer)
      return { kind: 'redelivery', prior, by: 'sequencer' };
    // Deleted between its event and this read: say so, rather than leave no trace.
    return failure('object-missing', failureMessage('object-missing', { fileName }), {
      version: `missing@${object.sequencer}`,
      uploadId: null,
      size: null,
      contentHash: null,
    });
  }
  // The same version seen again (a re-delivered event): its status stands.
  if (prior !== null && prior.objectVersion === read.version)
    return { kind: 'redelivery', prior, by: 'version' };
  if (read.kind === 'too-large') {
    return failure('too-large', failureMessage('too-large', { fileName, size: read.size }), {
      version: read.version,
      uploadId: read.uploadId,
      size: read.size,
      contentHash: null,
    });
  }
  return {
    kind: 'parse',
    bytes: read.bytes,
    content: {
      version: read.version,
      uploadId: read.uploadId,
      size: read.bytes.length,
      contentHash: createHash('sha256').update(read.bytes).digest('hex'),
    },
  };
}

/**
 * What the parse's result calls for. `newReference` is asked only for a fault of the parser
 * itself, whose log line and message share the reference.
 */
export function classifyParse(
  object: ObjectCreated,
  content: ReadContent,
  parsed: Settled<Determination>,
  newReference: () => string,
): ParseDecision {
  if (parsed.ok) {
    return {
      kind: 'store',
      id: caseId(parsed.value.caseNumber, content.contentHash),
      determination: parsed.value,
      content,
    };
  }
  const e = parsed.error;
  if (e instanceof LetterFormatError) return failure(e.reason, e.message, content);
  // A parser bug is as permanent as a bad letter: retrying the same bytes cannot help.
  const reference = newReference();
  return failure(
    'parser-error',
    failureMessage('parser-error', { fileName: fileNameOf(object.key), reference }),
    content,
    { event: 'parser failed', fields: { reference, error: e } },
  );
}

/**
 * What the determination write's result calls for: its outcome recorded, a recorded failure, or
 * a throw for the queue to retry. `newReference` is asked only when the store refused the write.
 */
export function classifyStore(
  object: ObjectCreated,
  stored: { id: string; content: ReadContent },
  written: Settled<WriteOutcome>,
  newReference: () => string,
): StoreDecision {
  if (written.ok) {
    // A newer upload of this key got there first; its own event records its status.
    if (written.value === 'superseded') return { kind: 'superseded' };
    return { kind: 'stored', outcome: written.value };
  }
  const e = written.error;
  const fileName = fileNameOf(object.key);
  if (e instanceof RecordTooLargeError) {
    return failure(
      'record-too-large',
      failureMessage('record-too-large', { fileName, problem: e.problem }),
      stored.content,
    );
  }
  // DynamoDB refusing a request as invalid is as permanent as a bad letter: the same request
  // would be refused again, so it is recorded rather than retried into the dead-letter queue.
  if (isValidationError(e)) {
    const reference = newReference();
    return failure(
      'store-rejected',
      failureMessage('store-rejected', { fileName, reference, caseId: stored.id }),
      stored.content,
      { event: 'store rejected the write', fields: { reference, caseNumber: stored.id, error: e } },
    );
  }
  return { kind: 'retry', error: e };
}

/** The status record of a failed upload. */
export function failedUpload(object: ObjectCreated, now: string, failed: Failure): UploadRecord {
  return {
    ...uploadBase(object, now),
    status: 'failed',
    reason: failed.reason,
    message: failed.message,
    caseNumber: null,
    items: null,
    outcome: null,
    contentHash: failed.read.contentHash,
    size: failed.read.size,
    objectVersion: failed.read.version,
    uploadId: failed.read.uploadId,
  };
}

/**
 * The status record of a stored letter. `differences` are those of the conflict it was held
 * aside as (null when none was found).
 */
export function storedUpload(
  object: ObjectCreated,
  now: string,
  stored: { id: string; determination: Determination; content: ReadContent },
  outcome: Exclude<WriteOutcome, 'superseded'>,
  differences: readonly string[] | null,
): UploadRecord {
  return {
    ...uploadBase(object, now),
    status: outcome,
    reason: null,
    message:
      outcome === 'conflict'
        ? conflictMessage(
            fileNameOf(object.key),
            stored.id,
            differences ?? ['its parsed fields differ'],
          )
        : null,
    caseNumber: stored.id,
    items: stored.determination.issues.length,
    outcome: stored.determination.outcome,
    // All of the read, its `version` too: status items have always stored it beside
    // objectVersion, and reading them back drops it.
    ...stored.content,
    objectVersion: stored.content.version,
  };
}

/**
 * The prior upload's case to take back, given the content and case (if any) now at its key. When
 * a key that produced case A now holds other content (another case, or not a letter), A came from
 * a file that no longer exists.
 */
export function caseToRelease(
  prior: UploadRecord | null,
  contentHash: string | null,
  id: string | null,
): Release | null {
  if (prior?.caseNumber == null || prior.contentHash === null) return null;
  if (prior.contentHash === contentHash || prior.caseNumber === id) return null;
  return {
    caseId: prior.caseNumber,
    organisation: prior.organisation,
    contentHash: prior.contentHash,
  };
}

/**
 * Whether the case this event stored is to be taken back after its status was recorded: a newer
 * event for the key, with another case, was recorded while this one ran, so the case came from
 * content the bucket no longer holds.
 */
export function overtaken(status: UploadRecord, object: ObjectCreated, id: string): boolean {
  return status.sequencer > object.sequencer && status.caseNumber !== id;
}

function uploadBase(object: ObjectCreated, now: string) {
  return {
    key: object.key,
    organisation: organisationOf(object.key) ?? NO_ORGANISATION,
    sequencer: object.sequencer,
    updatedAt: now,
  };
}

function failure(
  reason: FailureReason,
  message: string,
  read: ReadInfo,
  report?: Failure['report'],
): Failure {
  return report === undefined
    ? { kind: 'fail', reason, message, read }
    : { kind: 'fail', reason, message, read, report };
}

function isValidationError(e: unknown): boolean {
  return e instanceof Error && e.name === 'ValidationException';
}
