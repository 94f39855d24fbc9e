import { PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isConnectionError } from '../shared/aws/retry.ts';
import { forEachLimit } from '../shared/concurrency.ts';
import { UPLOAD_ID_METADATA } from '../shared/ingest/letter-objects.ts';
import { ORGANISATION_NAME } from '../shared/ingest/upload-key.ts';
import { listReceiptObjects, readReceipt } from '../shared/receipts/bucket.ts';
import {
  organisationReceiptsPrefix,
  receiptKey,
  type Receipt,
} from '../shared/receipts/receipt.ts';
import { awsTarget, closeTarget, localTarget, UsageError, type Io, type Target } from './target.ts';

export const UPLOAD_HELP = `Usage: imr upload PATH... [--org NAME] [--data-dir DIR]
       imr upload PATH... --bucket NAME [--org NAME]

Uploads letters (PDF or text) to the bucket under uploads/<org>/, waits until the receipt of
each one (receipts/<org>/<path>.json) says it has been ingested or has failed, and prints a
summary: parsed, replaced, duplicates, failed (with reasons). A folder stands for the .pdf and
.txt files inside it and its subfolders.

Options:
  --org NAME        organisation the files come from (default: local)
  --data-dir DIR    the local stack started by "npm start" with this data dir (default: .data)
  --bucket NAME     upload to this S3 bucket on AWS instead, with the usual AWS credentials
                    (they need to write uploads/<org>/ and read and list receipts/<org>/)
  --table NAME      no longer needed: results are read from the receipts (accepted, ignored)
  --timeout SECS    give up waiting for results after this long (default: 600)

Exit status: 0 when every file was ingested, 1 when any failed, 2 on a usage error.
`;

const LETTER_FILE = /\.(?:pdf|txt)$/i;
const IN_FLIGHT = 8;

/** `imr upload`: sends files to the bucket and reports what became of each. */
export async function uploadCommand(args: readonly string[], io: Io): Promise<number> {
  let options;
  try {
    options = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        org: { type: 'string', default: 'local' },
        'data-dir': { type: 'string', default: '.data' },
        bucket: { type: 'string' },
        table: { type: 'string' },
        timeout: { type: 'string', default: '600' },
      },
    });
  } catch (e) {
    io.stderr.write(`imr upload: ${(e as Error).message}\n\n${UPLOAD_HELP}`);
    return 2;
  }
  const { values, positionals } = options;
  try {
    if (positionals.length === 0) throw new UsageError('no files or folders given');
    if (!ORGANISATION_NAME.test(values.org)) {
      throw new UsageError(`--org "${values.org}" must be letters, digits, ".", "_" or "-"`);
    }
    const timeout = Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new UsageError('--timeout must be a positive number');
    // The same file named twice is sent once.
    const files = [
      ...new Map((await expand(positionals)).map((f) => [resolve(f.path), f])).values(),
    ];
    if (files.length === 0) throw new UsageError('no .pdf or .txt files found in the given paths');
    const clash = firstClash(files);
    if (clash !== null) {
      throw new UsageError(
        `${clash[0]} and ${clash[1]} would both be uploaded as uploads/${values.org}/${clash[2]}; ` +
          'rename one, or upload the folder that contains both',
      );
    }
    // Results come from the receipts, so no table is needed (--table is accepted for scripts
    // written before receipts existed).
    const target =
      values.bucket === undefined
        ? await localTarget(values['data-dir'])
        : awsTarget(values.bucket, undefined);
    try {
      return await run(files, values.org, target, timeout * 1000, io);
    } finally {
      closeTarget(target);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`imr upload: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

interface FileToSend {
  path: string;
  /** Path under the organisation's folder in the bucket. */
  name: string;
}

async function expand(paths: readonly string[]): Promise<FileToSend[]> {
  const out: FileToSend[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => null);
    if (s === null) throw new UsageError(`${p}: no such file or folder`);
    if (s.isDirectory()) {
      const entries = await readdir(p, { recursive: true, withFileTypes: true });
      const files = entries
        .filter((e) => e.isFile() && LETTER_FILE.test(e.name) && !e.name.startsWith('.'))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      out.push(...files.map((f) => ({ path: f, name: relative(p, f).split('\\').join('/') })));
    } else {
      out.push({ path: p, name: basename(p) });
    }
  }
  return out;
}

/** Two files that would land on the same key (same name in two folders given separately). */
function firstClash(files: readonly FileToSend[]): [string, string, string] | null {
  const seen = new Map<string, string>();
  for (const f of files) {
    const other = seen.get(f.name);
    if (other !== undefined) return [other, f.path, f.name];
    seen.set(f.name, f.path);
  }
  return null;
}

/** What was sent for one file, to tell its receipt from an earlier upload's. */
interface Sent {
  key: string;
  receiptKey: string;
  uploadId: string;
  contentHash: string;
  size: number;
}

/** A file the command could not send, and why. */
interface Unsent {
  key: string;
  problem: string;
}

async function run(
  files: FileToSend[],
  org: string,
  target: Target,
  timeoutMs: number,
  io: Io,
): Promise<number> {
  const tty = io.stderr.isTTY === true;
  const sent: Sent[] = [];
  const unsent: Unsent[] = [];
  const results = new Map<string, Receipt>();
  const started = Date.now();
  const show = (): void => {
    if (tty)
      io.stderr.write(
        `\r${bar(results.size, files.length)} sent ${sent.length}/${files.length}, ingested ${results.size}`,
      );
  };
  // Whatever happens below, the command ends with its summary and an exit status.
  const finish = (problem: string | null): number => {
    if (tty) io.stderr.write('\n');
    if (problem !== null) io.stderr.write(`imr upload: ${problem}\n`);
    const all = [...results.values()];
    printSummary(all, sent.length - results.size, unsent, target, started, io);
    const complete = results.size === sent.length && unsent.length === 0;
    return complete && !all.some((u) => u.status === 'failed') ? 0 : 1;
  };

  try {
    await forEachLimit(files, IN_FLIGHT, async (file) => {
      const key = `uploads/${org}/${file.name}`;
      const uploadId = randomUUID();
      let body: Buffer;
      try {
        body = await readFile(file.path);
        // The SDK retries a connection error (TARGET_ATTEMPTS in all, target.ts).
        await target.s3.send(
          new PutObjectCommand({
            Bucket: target.bucket,
            Key: key,
            Body: body,
            Metadata: { [UPLOAD_ID_METADATA]: uploadId },
          }),
        );
      } catch (e) {
        // One file that cannot be sent does not stop the others; the summary names it.
        unsent.push({ key, problem: describeError(e) });
        return;
      }
      sent.push({
        key,
        // Never null: the organisation was checked, so the key is under its folder.
        receiptKey: receiptKey(key) ?? key,
        uploadId,
        contentHash: createHash('sha256').update(body).digest('hex'),
        size: body.length,
      });
      show();
    });

    // The time limit is for ingestion: it starts once every file has been sent.
    const waitingSince = Date.now();
    const readETags = new Map<string, string>();
    let delay = MIN_POLL_MS;
    let lastProblem: string | null = null;
    while (results.size < sent.length) {
      const waiting = new Map(
        sent.filter((s) => !results.has(s.key)).map((s) => [s.receiptKey, s] as const),
      );
      let found: Receipt[] = [];
      try {
        found = await newReceipts(target, org, waiting, readETags);
        lastProblem = null;
      } catch (e) {
        if (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 403) {
          return finish(
            `the ${sent.length} files were sent, but their receipts under ` +
              `${organisationReceiptsPrefix(org)} cannot be read with these credentials (${e.name}); ` +
              `ask for read and list access to that folder, then run "imr receipts --org ${org}".`,
          );
        }
        // The connection failed even after retries: look again at the next poll, until the
        // time limit. Anything else is not going to pass by waiting.
        if (!isConnectionError(e)) throw e;
        lastProblem = describeError(e);
      }
      for (const receipt of found) results.set(receipt.key, receipt);
      show();
      if (results.size === sent.length) break;
      if (Date.now() - waitingSince > timeoutMs) {
        return finish(
          `${sent.length - results.size} files were sent but not ingested within ` +
            `${timeoutMs / 1000} s; is the ingest running? Run the same command again to check.` +
            (lastProblem === null
              ? ''
              : ` The last attempt to read receipts failed: ${lastProblem}.`),
        );
      }
      // Quick while receipts keep coming; slower while waiting on a long queue.
      delay = found.length > 0 ? MIN_POLL_MS : Math.min(delay * 1.5, MAX_POLL_MS);
      await new Promise((r) => setTimeout(r, delay));
    }
  } catch (e) {
    return finish(
      `stopped waiting for results: ${describeError(e)}. What was sent is ingested all the same; ` +
        'run the same command again to check.',
    );
  }
  return finish(unsent.length > 0 ? `${unsent.length} files could not be sent; see below.` : null);
}

/** An error as one line for a person: the SDK's name and message, or a socket's code. */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = 'code' in e && typeof e.code === 'string' ? ` (${e.code})` : '';
  return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}${code}`;
}

const MIN_POLL_MS = 200;
const MAX_POLL_MS = 2_000;

/**
 * The receipts, among those still awaited, that answer this command's own uploads. One listing
 * of the narrowest folder that holds them all finds which receipts exist (an organisation's role
 * can list its receipts; a read of one not yet written would be refused, not "not found"), and
 * only receipts written since the last look are read.
 */
async function newReceipts(
  target: Target,
  org: string,
  waiting: ReadonlyMap<string, Sent>,
  readETags: Map<string, string>,
): Promise<Receipt[]> {
  const prefix = commonPrefix([...waiting.keys()], organisationReceiptsPrefix(org));
  const listed = await listReceiptObjects(target.s3, target.bucket, prefix);
  const fresh = listed.filter((o) => waiting.has(o.key) && readETags.get(o.key) !== o.eTag);
  const found: Receipt[] = [];
  await forEachLimit(fresh, IN_FLIGHT, async (o) => {
    const read = await readReceipt(target.s3, target.bucket, o.key);
    readETags.set(o.key, o.eTag);
    const sent = waiting.get(o.key);
    if (read.kind === 'ok' && sent !== undefined && answers(read.receipt, sent)) {
      found.push(read.receipt);
    }
  });
  return found;
}

/**
 * Whether a receipt is for this upload rather than an earlier one of the same key: by the upload
 * id the command stamped on it; when the ingest could not see that (a file over 20 MB is recorded
 * from its event alone), by its content, else its size (an earlier receipt that matches so said
 * the same: too large).
 */
function answers(receipt: Receipt, sent: Sent): boolean {
  if (receipt.uploadId !== null) return receipt.uploadId === sent.uploadId;
  if (receipt.contentHash !== null) return receipt.contentHash === sent.contentHash;
  return receipt.size === sent.size;
}

/** The longest common start of some keys, never shorter than `floor`, cut between characters. */
export function commonPrefix(keys: readonly string[], floor: string): string {
  let prefix = keys[0] ?? floor;
  for (const k of keys) {
    let i = 0;
    while (i < prefix.length && i < k.length && prefix[i] === k[i]) i++;
    prefix = prefix.slice(0, i);
  }
  // Half a surrogate pair is not a character S3 can take in a prefix.
  if (/[\uD800-\uDBFF]$/.test(prefix)) prefix = prefix.slice(0, -1);
  return prefix.length < floor.length ? floor : prefix;
}

function bar(done: number, total: number): string {
  const width = 24;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function printSummary(
  results: Receipt[],
  pending: number,
  unsent: readonly Unsent[],
  target: Target,
  started: number,
  io: Io,
): void {
  const count = (s: Receipt['status']): number => results.filter((u) => u.status === s).length;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    `Uploaded ${results.length + pending} files to ${target.where} in ${secs} s:`,
    `  parsed      ${count('parsed')}`,
    `  replaced    ${count('replaced')}`,
    `  duplicates  ${count('duplicate')}`,
    `  conflicts   ${count('conflict')}`,
    `  failed      ${count('failed')}`,
  ];
  if (pending > 0) lines.push(`  not yet ingested  ${pending}`);
  if (unsent.length > 0) lines.push(`  not sent    ${unsent.length}`);
  const failed = results
    .filter((u) => u.status === 'failed')
    .sort((a, b) => a.key.localeCompare(b.key));
  if (failed.length > 0) {
    lines.push('', 'Failed:');
    for (const u of failed) lines.push(`  ${u.key}: ${u.message ?? u.reason ?? 'unknown reason'}`);
  }
  if (unsent.length > 0) {
    lines.push('', 'Not sent (run the same command again to send them):');
    for (const u of [...unsent].sort((a, b) => a.key.localeCompare(b.key)))
      lines.push(`  ${u.key}: ${u.problem}`);
  }
  io.stdout.write(lines.join('\n') + '\n');
}
