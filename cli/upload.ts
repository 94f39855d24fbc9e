import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { UPLOAD_ID_METADATA } from '../shared/ingest/index.ts';
import { organisationReceiptsPrefix } from '../shared/receipts/index.ts';
import { sendAndAwait, type Job } from './await-receipts.ts';
import { defineCommand, optionValue, POSITIVE, UsageError } from './command.ts';
import { awsTarget, closeTarget, localTarget, organisationOption, type Target } from './target.ts';

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

const uploadOptions = {
  org: { type: 'string', default: 'local' },
  'data-dir': { type: 'string', default: '.data' },
  bucket: { type: 'string' },
  table: { type: 'string' },
  timeout: { type: 'string', default: '600' },
} as const;

/** `imr upload`: sends files to the bucket and reports what became of each. */
export const uploadCommand = defineCommand({
  program: 'imr upload',
  usage: UPLOAD_HELP,
  options: uploadOptions,
  positionals: true,
  check: (parsed) => parsed,
  async run({ values, positionals }, { io, hold }) {
    if (positionals.length === 0) throw new UsageError('no files or folders given');
    const org = organisationOption(values.org);
    const timeout = optionValue(values.timeout, POSITIVE, '--timeout must be a positive number');
    // The same file named twice is sent once.
    const files = [
      ...new Map((await expand(positionals)).map((f) => [resolve(f.path), f])).values(),
    ];
    if (files.length === 0) throw new UsageError('no .pdf or .txt files found in the given paths');
    const clash = firstClash(files);
    if (clash !== null) {
      throw new UsageError(
        `${clash[0]} and ${clash[1]} would both be uploaded as uploads/${org}/${clash[2]}; ` +
          'rename one, or upload the folder that contains both',
      );
    }
    // Results come from the receipts, so no table is needed (--table is accepted for scripts
    // written before receipts existed).
    const target = hold(
      values.bucket === undefined
        ? await localTarget(values['data-dir'])
        : awsTarget(values.bucket, undefined),
      closeTarget,
    );
    const jobs = files.map((file) => sendFile(file, `uploads/${org}/${file.name}`, target));
    return sendAndAwait(jobs, {
      command: 'upload',
      verb: 'Uploaded',
      preposition: 'to',
      receiptsFloor: organisationReceiptsPrefix(org),
      receiptsHint: `imr receipts --org ${org}`,
      target,
      timeoutMs: timeout * 1000,
      io,
    });
  },
});

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

/** Puts one file at its key, stamped with the upload id its receipt will carry. */
function sendFile(file: FileToSend, key: string, target: Target): Job {
  return {
    key,
    async send(uploadId) {
      const body = await readFile(file.path);
      // The SDK retries a connection error (TARGET_ATTEMPTS in all, target.ts).
      await target.s3.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: key,
          Body: body,
          Metadata: { [UPLOAD_ID_METADATA]: uploadId },
        }),
      );
      return { contentHash: createHash('sha256').update(body).digest('hex'), size: body.length };
    },
  };
}
