import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { createDynamoClient, createS3Client } from '../shared/aws/clients.ts';
import { forEachLimit } from '../shared/concurrency.ts';
import { UPLOAD_ID_METADATA } from '../shared/ingest/letter-objects.ts';
import type { TableDeps } from '../shared/store/determinations.ts';
import { getUploads, type UploadRecord } from '../shared/store/uploads.ts';

export const UPLOAD_HELP = `Usage: imr upload PATH... [--org NAME] [--data-dir DIR]
       imr upload PATH... --bucket NAME [--table NAME] [--org NAME]

Uploads letters (PDF or text) to the bucket under uploads/<org>/, waits until each one has been
ingested or has failed, and prints a summary: parsed, replaced, duplicates, failed (with reasons).
A folder stands for the .pdf and .txt files inside it and its subfolders.

Options:
  --org NAME        organisation the files come from (default: local)
  --data-dir DIR    the local stack started by "npm start" with this data dir (default: .data)
  --bucket NAME     upload to this S3 bucket on AWS instead, with the usual AWS credentials
  --table NAME      on AWS, the table to read results from (without it, upload and return)
  --timeout SECS    give up waiting for results after this long (default: 600)

Exit status: 0 when every file was ingested, 1 when any failed, 2 on a usage error.
`;

interface Io {
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

const LETTER_FILE = /\.(?:pdf|txt)$/i;
const IN_FLIGHT = 8;
const ORG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const stackFileSchema = z.object({
  pid: z.number().int(),
  dynamodbEndpoint: z.url(),
  s3Endpoint: z.url(),
  tableName: z.string(),
  bucket: z.string(),
});

class UsageError extends Error {}

interface Target {
  s3: S3Client;
  bucket: string;
  table: TableDeps | null;
  where: string;
}

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
    if (!ORG.test(values.org)) {
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
    const target =
      values.bucket === undefined
        ? await localTarget(values['data-dir'])
        : awsTarget(values.bucket, values.table);
    return await run(files, values.org, target, timeout * 1000, io);
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

async function localTarget(dataDir: string): Promise<Target> {
  const file = join(dataDir, 'stack.json');
  const text = await readFile(file, 'utf8').catch(() => null);
  const parsed = text === null ? null : stackFileSchema.safeParse(JSON.parse(text));
  if (parsed == null || !parsed.success || !isRunning(parsed.data.pid)) {
    throw new UsageError(
      `no local stack is running with data dir ${dataDir}: start one with "npm start" ` +
        '(or pass the --data-dir it was started with, or --bucket NAME for AWS)',
    );
  }
  const stack = parsed.data;
  return {
    s3: createS3Client({ endpoint: stack.s3Endpoint }),
    bucket: stack.bucket,
    table: {
      client: createDynamoClient({ endpoint: stack.dynamodbEndpoint }),
      tableName: stack.tableName,
    },
    where: `the local stack (${dataDir})`,
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function awsTarget(bucket: string, table: string | undefined): Target {
  return {
    s3: createS3Client(),
    bucket,
    table: table === undefined ? null : { client: createDynamoClient(), tableName: table },
    where: `s3://${bucket}`,
  };
}

async function run(
  files: FileToSend[],
  org: string,
  target: Target,
  timeoutMs: number,
  io: Io,
): Promise<number> {
  const tty = io.stderr.isTTY === true;
  const uploadIds = new Map<string, string>();
  const started = Date.now();
  let sent = 0;
  let done = 0;
  const show = (): void => {
    if (tty)
      io.stderr.write(
        `\r${bar(done, files.length)} sent ${sent}/${files.length}, ingested ${done}`,
      );
  };

  await forEachLimit(files, IN_FLIGHT, async (file) => {
    const key = `uploads/${org}/${file.name}`;
    const id = randomUUID();
    uploadIds.set(key, id);
    await target.s3.send(
      new PutObjectCommand({
        Bucket: target.bucket,
        Key: key,
        Body: await readFile(file.path),
        Metadata: { [UPLOAD_ID_METADATA]: id },
      }),
    );
    sent++;
    show();
  });

  if (target.table === null) {
    if (tty) io.stderr.write('\n');
    io.stdout.write(
      `Sent ${sent} files to ${target.where} under uploads/${org}/. Pass --table NAME to wait for ` +
        'and report their results.\n',
    );
    return 0;
  }

  // The time limit is for ingestion: it starts once every file has been sent.
  const waitingSince = Date.now();
  const results = new Map<string, UploadRecord>();
  while (results.size < uploadIds.size) {
    const waiting = [...uploadIds.keys()].filter((k) => !results.has(k));
    for (const u of await getUploads(target.table, waiting)) {
      if (u.uploadId === uploadIds.get(u.key)) results.set(u.key, u);
    }
    done = results.size;
    show();
    if (results.size === uploadIds.size) break;
    if (Date.now() - waitingSince > timeoutMs) {
      if (tty) io.stderr.write('\n');
      io.stderr.write(
        `imr upload: ${uploadIds.size - results.size} files were sent but not ingested within ` +
          `${timeoutMs / 1000} s; is the ingest running? Run the same command again to check.\n`,
      );
      printSummary([...results.values()], uploadIds.size - results.size, target, started, io);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (tty) io.stderr.write('\n');
  const all = [...results.values()];
  printSummary(all, 0, target, started, io);
  return all.some((u) => u.status === 'failed') ? 1 : 0;
}

function bar(done: number, total: number): string {
  const width = 24;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function printSummary(
  results: UploadRecord[],
  pending: number,
  target: Target,
  started: number,
  io: Io,
): void {
  const count = (s: UploadRecord['status']): number => results.filter((u) => u.status === s).length;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    `Uploaded ${results.length + pending} files to ${target.where} in ${secs} s:`,
    `  parsed      ${count('parsed')}`,
    `  replaced    ${count('replaced')}`,
    `  duplicates  ${count('duplicate')}`,
    `  failed      ${count('failed')}`,
  ];
  if (pending > 0) lines.push(`  not yet ingested  ${pending}`);
  const failed = results
    .filter((u) => u.status === 'failed')
    .sort((a, b) => a.key.localeCompare(b.key));
  if (failed.length > 0) {
    lines.push('', 'Failed:');
    for (const u of failed) lines.push(`  ${u.key}: ${u.message ?? u.reason ?? 'unknown reason'}`);
  }
  io.stdout.write(lines.join('\n') + '\n');
}
