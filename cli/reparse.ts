import {
  CopyObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { FAILURE_REASONS, type FailureReason, UPLOAD_ID_METADATA } from '../shared/ingest/index.ts';
import { forEachLimit } from '../shared/concurrency.ts';
import { organisationOf, UPLOADS_PREFIX } from '../shared/uploads/index.ts';
import {
  listOrganisations,
  organisationReceiptsPrefix,
  RECEIPTS_PREFIX,
} from '../shared/receipts/index.ts';
import { listOrganisationUploadsBetween } from '../shared/store/index.ts';
import { sendAndAwait, type Job } from './await-receipts.ts';
import { defineCommand, optionValue, POSITIVE, UsageError } from './command.ts';
import {
  awsTarget,
  closeTarget,
  isAccessDenied,
  localTarget,
  organisationOption,
  type Target,
} from './target.ts';

export const REPARSE_HELP = `Usage: imr reparse (--all | --failed | --reason CODE...) [--org NAME] [--dry-run]
                   [--data-dir DIR | --bucket NAME [--table NAME]]

Reads uploaded letters again with the parser this version runs, after an upgrade that reads
more (scanned letters that failed as pdf-no-text) or better. Each chosen upload is copied onto
itself in the bucket (same bytes, new upload id, failure tag cleared), which the ingest receives
as a new upload of the same key; the command then waits for the receipts, as "imr upload" does.

A letter read the same as before changes nothing (its receipt says duplicate). One read
differently replaces the record its upload published, and the statistics move by exactly the
difference. A failure read again gets its new status and receipt. Uploads no longer in the
bucket (failed letters expire after 90 days on AWS) are named and left out.

After a parser upgrade, read every upload (--all): another organisation's copy of a case is
compared with the record as the build that last read that copy read it, so reading only one
organisation's uploads again (--org) can show other organisations' copies as conflicts until
they are read again too.

Options:
  --all             every upload
  --failed          uploads whose last status is failed (from the table's upload records)
  --reason CODE     failures with this reason only (repeatable; implies --failed)
  --org NAME        one organisation's uploads (default: every organisation)
  --dry-run         list the uploads that would be read again, and change nothing
  --limit N         refuse to start when more than N uploads are chosen (default: 10000);
                    for a whole archive on AWS, see docs/DEPLOY.md
  --timeout SECS    give up waiting for results after this long (default: 600)
  --data-dir DIR    the local stack started by "npm start" with this data dir (default: .data)
  --bucket NAME     the S3 bucket on AWS instead, with the usual AWS credentials (they need to
                    read and copy uploads/, read and list receipts/, and with --table query it)
  --table NAME      on AWS, for --failed and --reason: the table holding the upload records

Reasons: ${FAILURE_REASONS.join(', ')}

Exit status: 0 when every upload read again was ingested, 1 when any failed, 2 on a usage error.
`;

const DEFAULT_LIMIT = 10_000;
/** Copies at once: each is a server-side copy, so this bounds requests, not bandwidth. */
const COPIES_IN_FLIGHT = 8;

type Choice = { kind: 'all' } | { kind: 'failed'; reasons: ReadonlySet<FailureReason> | null };

/** `imr reparse`: reads chosen uploads again and reports what became of each. */
export const reparseCommand = defineCommand({
  program: 'imr reparse',
  usage: REPARSE_HELP,
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
    table: { type: 'string' },
  },
  check: (parsed) => parsed.values,
  async run(values, { io, hold }) {
    const choice = chosen(values);
    const org = organisationOption(values.org);
    const limit = optionValue(values.limit, POSITIVE, '--limit must be a positive number');
    const timeout = optionValue(values.timeout, POSITIVE, '--timeout must be a positive number');
    const target = hold(
      values.bucket === undefined
        ? await localTarget(values['data-dir'])
        : awsTarget(values.bucket, values.table),
      closeTarget,
    );
    const what = describe(choice, org);
    const chosenKeys = await choose(target, choice, org);
    if (chosenKeys.length > limit) {
      throw new UsageError(
        `${chosenKeys.length} uploads are ${what}, more than --limit ${limit}: narrow the choice ` +
          '(--org, --reason) or raise --limit',
      );
    }
    // Failed letters expire from the bucket (the quarantine rule) while their receipts stay:
    // those are reported once, not sent and counted as problems on every run.
    const { present, gone } = await stillThere(target, chosenKeys);
    if (gone.length > 0) {
      io.stderr.write(
        `${gone.length} uploads ${what} are no longer in the bucket (expired or deleted), ` +
          `so cannot be read again: ${gone.slice(0, 3).join(', ')}` +
          `${gone.length > 3 ? `, … ${gone.length - 3} more` : ''}\n`,
      );
    }
    if (values['dry-run']) {
      for (const o of present) io.stdout.write(`${o.key}\n`);
      io.stdout.write(
        `${present.length} uploads ${what} would be read again (dry run: nothing sent)\n`,
      );
      return 0;
    }
    if (present.length === 0) {
      io.stdout.write(`No uploads ${what} in ${target.where}: nothing to read again.\n`);
      return 0;
    }
    const started = new Date().toISOString();
    io.stderr.write(`Reading again ${present.length} uploads ${what} in ${target.where}\n`);
    const receipts = org === undefined ? 'imr receipts' : `imr receipts --org ${org}`;
    return sendAndAwait(
      present.map((o) => copyOntoItself(target, o)),
      {
        command: 'reparse',
        verb: 'Read again',
        preposition: 'in',
        receiptsFloor: org === undefined ? RECEIPTS_PREFIX : organisationReceiptsPrefix(org),
        receiptsHint: receipts,
        // Running reparse again would copy, and so read, every letter again.
        afterTimeout: `the ingest goes on with them: follow it with "${receipts} --since ${started}"`,
        target,
        timeoutMs: timeout * 1000,
        io,
        inFlight: COPIES_IN_FLIGHT,
      },
    );
  },
  explain: (e, where) =>
    isAccessDenied(e)
      ? `${where ?? 'the bucket'} refused to list the uploads or receipts (${e.name}); ` +
        "reading letters again needs an operator's credentials."
      : undefined,
});

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

function describe(choice: Choice, org: string | undefined): string {
  const whose = org === undefined ? '' : ` of ${org}`;
  if (choice.kind === 'all') return `chosen (all${whose})`;
  const reasons = choice.reasons === null ? '' : `: ${[...choice.reasons].join(', ')}`;
  return `chosen (failed${reasons}${whose})`;
}

/** The upload keys chosen, in key order; only keys in an organisation's folder (no other has a receipt). */
async function choose(target: Target, choice: Choice, org: string | undefined): Promise<string[]> {
  if (choice.kind === 'all') {
    const keys = await listUploads(
      target,
      org === undefined ? UPLOADS_PREFIX : `${UPLOADS_PREFIX}${org}/`,
    );
    return keys.filter((k) => organisationOf(k) !== null);
  }
  // Which uploads failed, and why: each organisation's failed uploads, from the table's index
  // of them (a page per 1 MB of failures, where reading every receipt would be a request each).
  const table = target.table;
  // Only an AWS target comes without one: the local stack's is in its stack.json.
  if (table === null) {
    throw new UsageError(
      'on AWS, --failed and --reason read the upload records: give --table NAME',
    );
  }
  const organisations =
    org === undefined ? await listOrganisations(target.s3, target.bucket) : [org];
  const keys: string[] = [];
  for (const o of organisations) {
    const failed = await listOrganisationUploadsBetween(
      table,
      o,
      'failed',
      ALL_TIME.from,
      ALL_TIME.to,
    );
    for (const u of failed) {
      if (choice.reasons === null || choice.reasons.has(u.reason as FailureReason))
        keys.push(u.key);
    }
  }
  return keys.sort();
}

/** Every status time: they are ISO 8601 strings. */
const ALL_TIME = { from: '0', to: '9' };

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

/** An upload as HeadObject found it. */
interface Present {
  key: string;
  eTag: string | undefined;
  contentType: string | undefined;
  size: number | null;
}

/** Which chosen uploads the bucket still holds (a HeadObject each, 8 at once). */
async function stillThere(
  target: Target,
  keys: readonly string[],
): Promise<{ present: Present[]; gone: string[] }> {
  const present: Present[] = [];
  const gone: string[] = [];
  await forEachLimit(keys, COPIES_IN_FLIGHT, async (key) => {
    try {
      const head = await target.s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: key }));
      present.push({
        key,
        eTag: head.ETag,
        contentType: head.ContentType,
        size: head.ContentLength ?? null,
      });
    } catch (e) {
      if (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404) gone.push(key);
      else throw e;
    }
  });
  present.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  gone.sort();
  return { present, gone };
}

/**
 * Copies an upload onto itself: S3 announces the copy as a new object, so the ingest reads it as
 * it reads any upload. Metadata is replaced to carry the new upload id (S3 refuses a self-copy
 * that changes nothing), the content type is carried over, and the tags are replaced by none in
 * the same request: a failure tag would otherwise let the quarantine rule expire a letter that
 * now parses (the ingest tags it again if it fails again), and a copy that is refused leaves the
 * tag in place. The copy requires the version looked at, so an upload the organisation sends
 * meanwhile is not copied over its own upload id. Three requests per upload: this head, the
 * copy, and the receipt's read.
 */
function copyOntoItself(target: Target, upload: Present): Job {
  return {
    key: upload.key,
    async send(uploadId) {
      await target.s3.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: upload.key,
          CopySource: `${target.bucket}/${copySourceKey(upload.key)}`,
          CopySourceIfMatch: upload.eTag,
          MetadataDirective: 'REPLACE',
          Metadata: { [UPLOAD_ID_METADATA]: uploadId },
          ContentType: upload.contentType,
          TaggingDirective: 'REPLACE',
          Tagging: '',
        }),
      );
      // Its receipt is told by the upload id, or for a file too large to read, by its size.
      return { contentHash: null, size: upload.size };
    },
  };
}

/** A key as x-amz-copy-source wants it: URL-encoded, with its slashes kept. */
export function copySourceKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
