import {
  CopyObjectCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  ListObjectsV2Command,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { parseArgs } from 'node:util';
import { FAILURE_REASONS, type FailureReason } from '../shared/ingest/failures.ts';
import { UPLOAD_ID_METADATA } from '../shared/ingest/letter-objects.ts';
import { ORGANISATION_NAME, UPLOADS_PREFIX } from '../shared/ingest/upload-key.ts';
import { readReceipts } from '../shared/receipts/bucket.ts';
import { organisationReceiptsPrefix, RECEIPTS_PREFIX } from '../shared/receipts/receipt.ts';
import { sendAndAwait, type Job } from './await-receipts.ts';
import { awsTarget, closeTarget, localTarget, UsageError, type Io, type Target } from './target.ts';

export const REPARSE_HELP = `Usage: imr reparse (--all | --failed | --reason CODE...) [--org NAME] [--dry-run]
                   [--data-dir DIR | --bucket NAME]

Reads uploaded letters again with the parser this version runs, after an upgrade that reads
more (scanned letters that failed as pdf-no-text) or better. Each chosen upload is copied onto
itself in the bucket (same bytes, new upload id, failure tag cleared), which the ingest receives
as a new upload of the same key; the command then waits for the receipts, as "imr upload" does.

A letter read the same as before changes nothing (its receipt says duplicate). One read
differently replaces the record its upload published, and the statistics move by exactly the
difference. A failure read again gets its new status and receipt.

Options:
  --all             every upload
  --failed          uploads whose receipt says failed
  --reason CODE     failures with this reason only (repeatable; implies --failed)
  --org NAME        one organisation's uploads (default: every organisation)
  --dry-run         list the uploads that would be read again, and change nothing
  --limit N         refuse to start when more than N uploads are chosen (default: 10000);
                    for a whole archive on AWS, see docs/DEPLOY.md
  --timeout SECS    give up waiting for results after this long (default: 600)
  --data-dir DIR    the local stack started by "npm start" with this data dir (default: .data)
  --bucket NAME     the S3 bucket on AWS instead, with the usual AWS credentials (they need to
                    read and copy uploads/ and read and list receipts/)

Reasons: ${FAILURE_REASONS.join(', ')}

Exit status: 0 when every upload read again was ingested, 1 when any failed, 2 on a usage error.
`;

const DEFAULT_LIMIT = 10_000;
/** Copies at once: each is a server-side copy, so this bounds requests, not bandwidth. */
const COPIES_IN_FLIGHT = 8;

type Choice = { kind: 'all' } | { kind: 'failed'; reasons: ReadonlySet<FailureReason> | null };

/** `imr reparse`: reads chosen uploads again and reports what became of each. */
export async function reparseCommand(args: readonly string[], io: Io): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args: [...args],
      options: {
        all: { type: 'boolean', default: false },
        failed: { type: 'boolean', default: false },
        reason: { type: 'string', multiple: true },
        org: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        limit: { type: 'string', default: String(DEFAULT_LIMIT) },
        timeout: { type: 'string', default: '600' },
        'data-dir': { type: 'string', default: '.data' },
        bucket: { type: 'string' },
      },
    });
  } catch (e) {
    io.stderr.write(`imr reparse: ${(e as Error).message}\n\n${REPARSE_HELP}`);
    return 2;
  }
  const { values } = options;
  let target: Target | undefined;
  try {
    const choice = chosen(values);
    const org = values.org;
    if (org !== undefined && !ORGANISATION_NAME.test(org)) {
      throw new UsageError(`--org "${org}" must be letters, digits, ".", "_" or "-"`);
    }
    const limit = positiveNumber('--limit', values.limit);
    const timeout = positiveNumber('--timeout', values.timeout);
    target =
      values.bucket === undefined
        ? await localTarget(values['data-dir'])
        : awsTarget(values.bucket, undefined);
    const keys = await choose(target, choice, org);
    const what = describe(choice, org);
    if (keys.length > limit) {
      throw new UsageError(
        `${keys.length} uploads are ${what}, more than --limit ${limit}: narrow the choice ` +
          '(--org, --reason) or raise --limit',
      );
    }
    if (values['dry-run']) {
      for (const key of keys) io.stdout.write(`${key}\n`);
      io.stdout.write(
        `${keys.length} uploads ${what} would be read again (dry run: nothing sent)\n`,
      );
      return 0;
    }
    if (keys.length === 0) {
      io.stdout.write(`No uploads ${what} in ${target.where}: nothing to read again.\n`);
      return 0;
    }
    io.stderr.write(`Reading again ${keys.length} uploads ${what} in ${target.where}\n`);
    const from = target;
    return await sendAndAwait(
      keys.map((key) => copyOntoItself(from, key)),
      {
        command: 'reparse',
        verb: 'Read again',
        receiptsFloor: org === undefined ? RECEIPTS_PREFIX : organisationReceiptsPrefix(org),
        receiptsHint: org === undefined ? 'imr receipts' : `imr receipts --org ${org}`,
        target,
        timeoutMs: timeout * 1000,
        io,
        inFlight: COPIES_IN_FLIGHT,
      },
    );
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`imr reparse: ${e.message}\n`);
      return 2;
    }
    if (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 403) {
      io.stderr.write(
        `imr reparse: ${target?.where ?? 'the bucket'} refused to list the uploads or receipts ` +
          `(${e.name}); reading letters again needs an operator's credentials.\n`,
      );
      return 1;
    }
    throw e;
  } finally {
    if (target !== undefined) closeTarget(target);
  }
}

function chosen(values: { all: boolean; failed: boolean; reason?: string[] | undefined }): Choice {
  const reasons = values.reason ?? [];
  for (const r of reasons) {
    if (!(FAILURE_REASONS as readonly string[]).includes(r)) {
      throw new UsageError(
        `--reason "${r}" is not a failure reason; one of: ${FAILURE_REASONS.join(', ')}`,
      );
    }
  }
  if (values.all && (values.failed || reasons.length > 0)) {
    throw new UsageError('--all reads every upload; leave out --failed and --reason');
  }
  if (values.all) return { kind: 'all' };
  if (values.failed || reasons.length > 0) {
    return {
      kind: 'failed',
      reasons: reasons.length === 0 ? null : new Set(reasons as FailureReason[]),
    };
  }
  throw new UsageError('say which uploads to read again: --all, --failed or --reason CODE');
}

function positiveNumber(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number`);
  return n;
}

function describe(choice: Choice, org: string | undefined): string {
  const whose = org === undefined ? '' : ` of ${org}`;
  if (choice.kind === 'all') return `chosen (all${whose})`;
  const reasons = choice.reasons === null ? '' : `: ${[...choice.reasons].join(', ')}`;
  return `chosen (failed${reasons}${whose})`;
}

/** The upload keys chosen, in key order. */
async function choose(target: Target, choice: Choice, org: string | undefined): Promise<string[]> {
  if (choice.kind === 'all') {
    return listUploads(target, org === undefined ? UPLOADS_PREFIX : `${UPLOADS_PREFIX}${org}/`);
  }
  // Which uploads failed, and why, is in their receipts (a status record per upload on AWS is
  // in the table, but an operator may hold only the bucket).
  const prefix = org === undefined ? RECEIPTS_PREFIX : organisationReceiptsPrefix(org);
  const { receipts } = await readReceipts(target.s3, target.bucket, prefix);
  return receipts
    .filter(
      (r) =>
        r.status === 'failed' &&
        (choice.reasons === null || choice.reasons.has(r.reason as FailureReason)),
    )
    .map((r) => r.key);
}

async function listUploads(target: Target, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await target.s3.send(
      new ListObjectsV2Command({ Bucket: target.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key !== undefined && !o.Key.endsWith('/')) out.push(o.Key);
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return out;
}

/**
 * Copies an upload onto itself: S3 announces the copy as a new object, so the ingest reads it as
 * it reads any upload. Metadata is replaced to carry the new upload id (S3 refuses a self-copy
 * that changes nothing), and the tags are cleared: a failure tag would otherwise let the
 * quarantine rule expire a letter that now parses (the ingest tags it again if it fails again).
 * Four requests per upload: head, tagging, copy, and the receipt's read.
 */
function copyOntoItself(target: Target, key: string): Job {
  return {
    key,
    async send(uploadId) {
      // Replacing the metadata replaces the content type too, so it is carried over.
      const head = await target.s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: key }));
      // Cleared on the source before the copy (the local S3 keeps tags through a copy, where AWS
      // honours the directive), never after: by then the ingest may have tagged a new failure.
      await target.s3.send(
        new PutObjectTaggingCommand({ Bucket: target.bucket, Key: key, Tagging: { TagSet: [] } }),
      );
      await target.s3.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: key,
          CopySource: `${target.bucket}/${copySourceKey(key)}`,
          MetadataDirective: 'REPLACE',
          Metadata: { [UPLOAD_ID_METADATA]: uploadId },
          ContentType: head.ContentType,
          TaggingDirective: 'REPLACE',
          Tagging: '',
        }),
      );
      // Its receipt is told by the upload id, or for a file too large to read, by its size.
      return { contentHash: null, size: head.ContentLength ?? null };
    },
  };
}

/** A key as x-amz-copy-source wants it: URL-encoded, with its slashes kept. */
export function copySourceKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
