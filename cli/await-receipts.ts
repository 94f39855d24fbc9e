import { randomUUID } from 'node:crypto';
import { isConnectionError } from '../shared/aws/index.ts';
import { forEachLimit } from '../shared/concurrency.ts';
import {
  listReceiptObjects,
  readReceipt,
  receiptKey,
  type Receipt,
} from '../shared/receipts/index.ts';
import type { Io } from './command.ts';
import { isAccessDenied, type Target } from './target.ts';

// Sending files into the ingest and waiting for their receipts, for `imr upload` (new files) and
// `imr reparse` (uploads read again): both end with the same summary and exit status.

/** One object to announce to the ingest: `send` writes it, stamped with `uploadId`. */
export interface Job {
  /** `uploads/<org>/<path>`. */
  key: string;
  send(uploadId: string): Promise<{ contentHash: string | null; size: number | null }>;
}

/** What was sent for one file, to tell its receipt from an earlier upload's. */
interface Sent {
  key: string;
  receiptKey: string;
  uploadId: string;
  contentHash: string | null;
  size: number | null;
}

/** A file the command could not send, and why. */
interface Unsent {
  key: string;
  problem: string;
}

export interface SendOptions {
  /** The command's name, for messages ("upload"). */
  command: string;
  /** How the summary begins, before "N files": "Uploaded", "Read again". */
  verb: string;
  /** Before the target in the summary: "to" (uploaded to), "in" (read again in). */
  preposition: string;
  /** The folder every receipt awaited is under (`receipts/<org>/`, or `receipts/`). */
  receiptsFloor: string;
  /** A command that lists the receipts, for when they cannot be read. */
  receiptsHint: string;
  /** What to do when the time limit passes (default: run the same command again). */
  afterTimeout?: string;
  target: Target;
  timeoutMs: number;
  io: Io;
  /** Sends at once (8 by default). */
  inFlight?: number;
}

const IN_FLIGHT = 8;

/**
 * Sends every job, then waits until each one's receipt says it was ingested or failed, printing
 * progress on a terminal and a summary at the end. Resolves to the exit status: 0 when every file
 * was ingested, 1 otherwise.
 */
export async function sendAndAwait(jobs: readonly Job[], options: SendOptions): Promise<number> {
  const { target, io, timeoutMs } = options;
  const tty = io.stderr.isTTY === true;
  const sent: Sent[] = [];
  const unsent: Unsent[] = [];
  const results = new Map<string, Receipt>();
  const started = Date.now();
  const show = (): void => {
    if (tty)
      io.stderr.write(
        `\r${bar(results.size, jobs.length)} sent ${sent.length}/${jobs.length}, ingested ${results.size}`,
      );
  };
  // Whatever happens below, the command ends with its summary and an exit status.
  const finish = (problem: string | null): number => {
    if (tty) io.stderr.write('\n');
    if (problem !== null) io.stderr.write(`imr ${options.command}: ${problem}\n`);
    const all = [...results.values()];
    printSummary(
      `${options.verb} %n files ${options.preposition}`,
      all,
      sent.length - results.size,
      unsent,
      target,
      started,
      io,
    );
    const complete = results.size === sent.length && unsent.length === 0;
    return complete && !all.some((u) => u.status === 'failed') ? 0 : 1;
  };

  try {
    await forEachLimit(jobs, options.inFlight ?? IN_FLIGHT, async (job) => {
      const uploadId = randomUUID();
      const at = receiptKey(job.key);
      if (at === null) {
        // No receipt would ever answer it: the ingest records such a key without one.
        unsent.push({
          key: job.key,
          problem: "not in an organisation's folder, so it gets no receipt",
        });
        return;
      }
      let what;
      try {
        what = await job.send(uploadId);
      } catch (e) {
        // One file that cannot be sent does not stop the others; the summary names it.
        unsent.push({ key: job.key, problem: describeError(e) });
        return;
      }
      sent.push({ key: job.key, receiptKey: at, uploadId, ...what });
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
        found = await newReceipts(target, options.receiptsFloor, waiting, readETags);
        lastProblem = null;
      } catch (e) {
        if (isAccessDenied(e)) {
          return finish(
            `the ${sent.length} files were sent, but their receipts under ` +
              `${options.receiptsFloor} cannot be read with these credentials (${e.name}); ` +
              `ask for read and list access to that folder, then run "${options.receiptsHint}".`,
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
            `${timeoutMs / 1000} s; is the ingest running? ` +
            (options.afterTimeout === undefined
              ? 'Run the same command again to check.'
              : `If it is, ${options.afterTimeout}.`) +
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
  floor: string,
  waiting: ReadonlyMap<string, Sent>,
  readETags: Map<string, string>,
): Promise<Receipt[]> {
  const prefix = commonPrefix([...waiting.keys()], floor);
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
  /** The summary's opening, "%n" standing for the number of files. */
  opening: string,
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
    `${opening.replace('%n', String(results.length + pending))} ${target.where} in ${secs} s:`,
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
